// The options both faces take to describe a plugin (Envoy's WasmPlugin / PluginConfig), and
// their translation into the settings a PluginVm runs with.
import type { PluginSettings } from "./plugin-vm.ts";
import { encodeProperty, type PropertyValue } from "./properties.ts";

export interface PluginOptions {
  /** The plugin configuration: text, raw bytes, or an object sent as JSON. */
  pluginConfig?: string | object | Uint8Array;
  /** The VM configuration (vm_config.configuration), same forms. */
  vmConfig?: string | object | Uint8Array;
  /** plugin_root_id (Envoy's root_id). Default "". */
  rootId?: string;
  /** plugin_name. Default "". */
  pluginName?: string;
  /** plugin_vm_id; also the partition of shared data. Default "". */
  vmId?: string;
  /** When the VM is broken, let requests pass instead of answering 503. Default false. */
  failOpen?: boolean;
  /** Environment variables the module sees through WASI. */
  environment?: Record<string, string>;
  /** Extra properties, by path with "\0" between parts (e.g. "node\0id"). */
  properties?: Record<string, PropertyValue>;
}

export function toBytes(value: string | object | Uint8Array | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  return Buffer.from(JSON.stringify(value), "utf8");
}

export function pluginSettings(options: PluginOptions): PluginSettings {
  const properties = new Map<string, Uint8Array>();
  for (const [path, value] of Object.entries(options.properties ?? {})) {
    properties.set(path, encodeProperty(value));
  }
  return {
    pluginConfig: toBytes(options.pluginConfig),
    vmConfig: toBytes(options.vmConfig),
    rootId: options.rootId ?? "",
    pluginName: options.pluginName ?? "",
    vmId: options.vmId ?? "",
    failOpen: options.failOpen ?? false,
    environment: { ...(options.environment ?? {}) },
    properties,
  };
}
