// What the host functions need from the plugin around them (implemented by PluginVm): the
// VM, the records, the stores, the clock, the configuration buffers, and the operations that
// outlive a single call (ticks, callouts, shutdown).
import type { LogLevel, WasmResult } from "./abi.ts";
import type { Clock } from "./clock.ts";
import type { HostContext, RootState } from "./contexts.ts";
import type { MetricIds } from "./metrics.ts";
import type { HeaderPairs } from "./pairs.ts";
import type { HostRecorder } from "./records.ts";
import type { SharedDataStore } from "./shared-data.ts";
import type { WasmVm } from "./vm.ts";

export interface CalloutRequest {
  token: number;
  cluster: string;
  /** Lowercased request headers, pseudo-headers first. */
  headers: HeaderPairs;
  body: Buffer;
  trailers: HeaderPairs;
  /** 0 means no timeout. */
  timeoutMs: number;
}

export interface HostServices {
  readonly vm: WasmVm;
  readonly recorder: HostRecorder;
  readonly logLevel: LogLevel;
  readonly metricIds: MetricIds;
  readonly sharedData: SharedDataStore;
  readonly vmId: string;
  readonly clock: Clock;
  readonly environment: Readonly<Record<string, string>>;
  /** Plugin-level properties (plugin_name, plugin_root_id, plugin_vm_id, extra ones). */
  pluginProperty(path: string[]): Uint8Array | undefined;
  vmConfiguration(): Uint8Array;
  pluginConfiguration(): Uint8Array;
  setTickPeriod(rootId: number, periodMs: number): void;
  httpCall(
    root: RootState,
    request: Omit<CalloutRequest, "token">,
  ): { result: WasmResult; token: number };
  /** proxy_done on `context`: Ok only for a root context whose proxy_on_done said false. */
  done(context: HostContext): WasmResult;
  /** Records a call to a host function this host does not implement. */
  unimplemented(name: string, detail: string): void;
}
