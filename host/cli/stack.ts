// The local stack: a provider, the sample app and the gateway running the filter, wired
// together on 127.0.0.1. `npm start` runs it for people; the integration tests run it too.
import { createServer } from "node:net";
import { startGateway, type Gateway } from "../gateway.ts";
import type { LogRecord } from "../records.ts";
import { startIdp, type Idp } from "./idp.ts";
import { startSampleApp, type SampleApp } from "./sample-app.ts";

export const DEFAULT_WASM = new URL("../../build/oidc-sso.wasm", import.meta.url).pathname;

export interface StackOptions {
  /** The filter configuration; issuer, client and provider cluster are filled in. */
  config: Record<string, unknown>;
  gatewayPort?: number;
  idpPort?: number;
  appPort?: number;
  wasm?: string;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error";
  onLog?: ((record: LogRecord) => void) | false;
  idTokenAlg?: "RS256" | "ES256";
  /** Gateway host name the browser uses (callback and logout URLs are registered for it). */
  gatewayHost?: string;
  /**
   * False: start only the provider and the app, for an Envoy of your own listening on
   * gatewayPort (envoy-demo.yaml). Default true.
   */
  withGateway?: boolean;
}

export interface Stack {
  idp: Idp;
  app: SampleApp;
  /** The Node gateway, or null when an external Envoy plays that part. */
  gateway: Gateway | null;
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The configuration the gateway runs with (after filling in the provider). */
  config: Record<string, unknown>;
  close(): Promise<void>;
}

/** Ports freePort has handed out in this process. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (for the gateway, whose URL the provider must know first),
 * never one handed out before in this process: the system may give a port just released
 * again, and two servers of one stack would then collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** The configuration with the local provider's issuer and cluster filled in. */
export function withProvider(config: Record<string, unknown>, issuer: string): Record<string, unknown> {
  const provider = { ...(config.provider as object | undefined), cluster: "idp" };
  return { ...config, issuer, provider };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const gatewayPort = options.gatewayPort || (await freePort());
  const host = options.gatewayHost ?? "127.0.0.1";
  const gatewayUrl = `http://${host}:${gatewayPort}`;
  const clientId = String(options.config.client_id ?? "demo-gateway");
  const clientSecret = String(options.config.client_secret ?? "");
  const idp = await startIdp({
    port: options.idpPort,
    clientId,
    clientSecret,
    redirectUris: [`${gatewayUrl}/oauth2/callback`],
    postLogoutRedirectUris: [`${gatewayUrl}/`, `${gatewayUrl}/productpage`],
    idTokenAlg: options.idTokenAlg,
  });
  const app = await startSampleApp(options.appPort ?? 0);
  const config = withProvider(options.config, idp.issuer);
  const gateway = options.withGateway === false ? null : await startGateway({
    wasm: options.wasm ?? DEFAULT_WASM,
    pluginConfig: config,
    port: gatewayPort,
    upstream: app.url,
    clusters: { idp: idp.issuer },
    logLevel: options.logLevel ?? "info",
    onLog: options.onLog,
  });
  return {
    idp,
    app,
    gateway,
    url: gatewayUrl,
    config,
    close: async () => {
      await gateway?.close();
      await app.close();
      await idp.close();
    },
  };
}
