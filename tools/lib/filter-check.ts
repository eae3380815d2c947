// Asks the real filter whether it accepts a configuration: loads the release module in the
// project's proxy-wasm host, starts it as Envoy would (canary VM first), and collects what the
// filter itself logged at error level or above. No other judge of a configuration is trusted:
// the filter's parser is the only one that decides.
import { existsSync } from "node:fs";
import { Emulator } from "../../host/emulator.ts";
import { ModuleLoadError } from "../../host/loader.ts";

export const RELEASE_WASM = new URL("../../build/oidc-sso.wasm", import.meta.url).pathname;

export interface FilterVerdict {
  accepted: boolean;
  /** The filter's own error and critical log lines, in order. */
  errors: string[];
  /** Clusters the filter's start-up callouts went to. */
  calloutClusters: string[];
}

export interface FilterCheckOptions {
  wasm?: string;
  /**
   * Clusters the host knows. By default the configuration's own `provider.cluster`, so that
   * only the configuration is judged, not the environment it will run in.
   */
  clusters?: string[];
}

/** Thrown when the module itself cannot be used (missing build, refused by the loader). */
export class FilterUnavailable extends Error {}

/**
 * The command line of a tool that reads one file and may be given another build of the
 * filter: `<file> [--wasm <module.wasm>]`, in either order. Null when it is not that.
 */
export function fileAndWasm(args: string[]): { file: string; wasm?: string } | null {
  const wasmAt = args.indexOf("--wasm");
  const wasm = wasmAt >= 0 ? args[wasmAt + 1] : undefined;
  const files = wasmAt < 0 ? args : args.filter((_, i) => i !== wasmAt && i !== wasmAt + 1);
  if (files.length !== 1 || (wasmAt >= 0 && !wasm)) return null;
  return { file: files[0], wasm };
}

export function checkFilterConfig(
  config: string | Uint8Array | object,
  options: FilterCheckOptions = {},
): FilterVerdict {
  const wasm = options.wasm ?? RELEASE_WASM;
  if (!existsSync(wasm)) {
    throw new FilterUnavailable(`${wasm} does not exist: build the filter with npm run build`);
  }
  const emulator = new Emulator({
    wasm,
    pluginConfig: config,
    clusters: options.clusters ?? declaredCluster(config),
    logLevel: "info",
  });
  let result;
  try {
    result = emulator.start();
  } catch (error) {
    if (error instanceof ModuleLoadError) throw new FilterUnavailable(error.message);
    throw error;
  }
  const errors = emulator
    .getLogs("error")
    .filter((record) => record.source === "filter")
    .map((record) => record.message);
  const accepted = result.vmStarted && result.configured;
  const calloutClusters = accepted ? emulator.getPendingCallouts().map((c) => c.cluster) : [];
  return { accepted, errors, calloutClusters };
}

/** The configuration's provider.cluster when it can be read; the filter judges the rest. */
function declaredCluster(config: string | Uint8Array | object): string[] {
  try {
    const value =
      typeof config === "string" || config instanceof Uint8Array
        ? JSON.parse(Buffer.from(config).toString("utf8"))
        : config;
    const cluster = value?.provider?.cluster;
    return typeof cluster === "string" ? [cluster] : [];
  } catch {
    return [];
  }
}
