// Entry point of the oidc-sso filter module (proxy-wasm ABI v0.2.1).
// The host's callbacks are exported from abi/exports; the plugin's root context class is
// chosen here, at module start (`_initialize`), before the host creates any context.
import { setRootContextFactory, RootContext } from "./abi/context";
import { SsoRoot } from "./filter/plugin";

export * from "./abi/exports";

setRootContextFactory((id: u32): RootContext => new SsoRoot(id));
