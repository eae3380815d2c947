// The proxy-wasm host for Node: an in-process emulator for tests, and an HTTP gateway.
export { Emulator, type EmulatorOptions, type CalloutReply } from "./emulator.ts";
export { EmulatorStream, type StreamOptions, type LocalResponse } from "./emulator-stream.ts";
export { startGateway, PluginStartError, type Gateway, type GatewayOptions } from "./gateway.ts";
export { ModuleLoadError, checkModule, loadModule } from "./loader.ts";
export { ManualClock, SystemClock, type Clock, type Scheduler } from "./clock.ts";
export type { CalloutFailure } from "./callouts.ts";
export type { CalloutRequest } from "./services.ts";
export type { StartResult } from "./plugin-vm.ts";
export type { PluginOptions } from "./plugin-options.ts";
export type { LogRecord, TrapRecord, UnimplementedCall } from "./records.ts";
export type { MetricSnapshot } from "./metrics.ts";
export type { HeaderPairs } from "./pairs.ts";
export type { PropertyValue } from "./properties.ts";
export type { Action } from "./stream.ts";
export {
  LogLevel,
  WasmResult,
  WasiErrno,
  MapType,
  BufferType,
  StreamType,
  MetricType,
  type LogLevelName,
} from "./abi.ts";
