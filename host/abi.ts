// The proxy-wasm ABI v0.2.1 as Envoy registers it: status codes, enums, the signature of every
// host import Envoy links, and the signature of every callback it looks up in a module.
// Sources: proxy-wasm/spec abi-versions/v0.2.1, and proxy-wasm-cpp-host (src/wasm.cc,
// include/proxy-wasm/exports.h), which is the layer Envoy links modules with.

/** proxy_status_t (Envoy's WasmResult). */
export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

/** wasi_errno_t values Envoy answers with. */
export enum WasiErrno {
  Success = 0,
  BadF = 8,
  Fault = 21,
  Inval = 28,
  NoEnt = 44,
  NoSys = 52,
  NotSup = 58,
}

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export const LOG_LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}
export const BUFFER_TYPE_MAX = 8;

export enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcInitialMetadata = 4,
  GrpcTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}
export const MAP_TYPE_MAX = 7;

export enum StreamType {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
}

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** Envoy's FilterHeadersStatus, as returned by the header callbacks. */
export enum HeadersStatus {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** Envoy's FilterDataStatus, as returned by the body callbacks. */
export enum DataStatus {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

export type ValType = "i32" | "i64";
export interface Signature {
  params: ValType[];
  results: ValType[];
}

function sig(params: string, results = "i32"): Signature {
  const split = (s: string): ValType[] => (s === "" ? [] : (s.split(",") as ValType[]));
  return { params: split(params), results: split(results) };
}

const I = (n: number): string => Array(n).fill("i32").join(",");

/** Every proxy_* import Envoy links for ABI 0.2.1, with its wasm signature. */
const PROXY_IMPORTS: Record<string, Signature> = {
  proxy_log: sig(I(3)),
  proxy_get_status: sig(I(3)),
  proxy_set_property: sig(I(4)),
  proxy_get_property: sig(I(4)),
  proxy_send_local_response: sig(I(8)),
  proxy_get_shared_data: sig(I(5)),
  proxy_set_shared_data: sig(I(5)),
  proxy_register_shared_queue: sig(I(3)),
  proxy_resolve_shared_queue: sig(I(5)),
  proxy_dequeue_shared_queue: sig(I(3)),
  proxy_enqueue_shared_queue: sig(I(3)),
  proxy_get_header_map_value: sig(I(5)),
  proxy_add_header_map_value: sig(I(5)),
  proxy_replace_header_map_value: sig(I(5)),
  proxy_remove_header_map_value: sig(I(3)),
  proxy_get_header_map_pairs: sig(I(3)),
  proxy_set_header_map_pairs: sig(I(3)),
  proxy_get_header_map_size: sig(I(2)),
  proxy_get_buffer_status: sig(I(3)),
  proxy_get_buffer_bytes: sig(I(5)),
  proxy_set_buffer_bytes: sig(I(5)),
  proxy_http_call: sig(I(10)),
  proxy_grpc_call: sig(I(12)),
  proxy_grpc_stream: sig(I(9)),
  proxy_grpc_close: sig(I(1)),
  proxy_grpc_cancel: sig(I(1)),
  proxy_grpc_send: sig(I(4)),
  proxy_set_tick_period_milliseconds: sig(I(1)),
  proxy_get_current_time_nanoseconds: sig(I(1)),
  proxy_define_metric: sig(I(4)),
  proxy_increment_metric: sig("i32,i64"),
  proxy_record_metric: sig("i32,i64"),
  proxy_get_metric: sig(I(2)),
  proxy_set_effective_context: sig(I(1)),
  proxy_done: sig(""),
  proxy_call_foreign_function: sig(I(6)),
  proxy_continue_stream: sig(I(1)),
  proxy_close_stream: sig(I(1)),
  proxy_get_log_level: sig(I(1)),
};

/** The WASI calls Envoy links, identically under wasi_unstable and wasi_snapshot_preview1. */
const WASI_IMPORTS: Record<string, Signature> = {
  fd_write: sig(I(4)),
  fd_read: sig(I(4)),
  fd_seek: sig("i32,i64,i32,i32"),
  fd_close: sig(I(1)),
  fd_fdstat_get: sig(I(2)),
  environ_get: sig(I(2)),
  environ_sizes_get: sig(I(2)),
  args_get: sig(I(2)),
  args_sizes_get: sig(I(2)),
  clock_time_get: sig("i32,i64,i32"),
  random_get: sig(I(2)),
  proc_exit: sig("i32", ""),
  path_open: sig("i32,i32,i32,i32,i32,i64,i64,i32,i32"),
  fd_prestat_get: sig(I(2)),
  fd_prestat_dir_name: sig(I(3)),
};

export const WASI_MODULES = ["wasi_unstable", "wasi_snapshot_preview1"] as const;

/** Full table: "module.name" -> signature. Anything else is a missing import for Envoy. */
export const HOST_IMPORTS: ReadonlyMap<string, Signature> = (() => {
  const table = new Map<string, Signature>();
  for (const [name, s] of Object.entries(PROXY_IMPORTS)) table.set(`env.${name}`, s);
  table.set("env.pthread_equal", sig(I(2)));
  table.set("env.emscripten_notify_memory_growth", sig("i32", ""));
  for (const module of WASI_MODULES) {
    for (const [name, s] of Object.entries(WASI_IMPORTS)) table.set(`${module}.${name}`, s);
  }
  return table;
})();

/** Callbacks Envoy looks up by name; a wrong signature makes the module fail to load. */
export const CALLBACK_SIGNATURES: ReadonlyMap<string, Signature> = new Map(
  Object.entries({
    _initialize: sig("", ""),
    _start: sig("", ""),
    main: sig(I(2)),
    malloc: sig(I(1)),
    proxy_on_memory_allocate: sig(I(1)),
    proxy_validate_configuration: sig(I(2)),
    proxy_on_vm_start: sig(I(2)),
    proxy_on_configure: sig(I(2)),
    proxy_on_tick: sig(I(1), ""),
    proxy_on_context_create: sig(I(2), ""),
    proxy_on_new_connection: sig(I(1)),
    proxy_on_downstream_data: sig(I(3)),
    proxy_on_upstream_data: sig(I(3)),
    proxy_on_downstream_connection_close: sig(I(2), ""),
    proxy_on_upstream_connection_close: sig(I(2), ""),
    proxy_on_request_headers: sig(I(3)),
    proxy_on_request_body: sig(I(3)),
    proxy_on_request_trailers: sig(I(2)),
    proxy_on_request_metadata: sig(I(2)),
    proxy_on_response_headers: sig(I(3)),
    proxy_on_response_body: sig(I(3)),
    proxy_on_response_trailers: sig(I(2)),
    proxy_on_response_metadata: sig(I(2)),
    proxy_on_http_call_response: sig(I(5), ""),
    proxy_on_grpc_receive: sig(I(3), ""),
    proxy_on_grpc_close: sig(I(3), ""),
    proxy_on_grpc_receive_initial_metadata: sig(I(3), ""),
    proxy_on_grpc_receive_trailing_metadata: sig(I(3), ""),
    proxy_on_queue_ready: sig(I(2), ""),
    proxy_on_foreign_function: sig(I(3), ""),
    proxy_on_done: sig(I(1)),
    proxy_on_log: sig(I(1), ""),
    proxy_on_delete: sig(I(1), ""),
  }),
);

export const ABI_MARKER = "proxy_abi_version_0_2_1";
export const OTHER_ABI_MARKERS = ["proxy_abi_version_0_1_0", "proxy_abi_version_0_2_0"];

const BOTH_WASI = (names: string[]): string[] =>
  names.flatMap((n) => WASI_MODULES.map((m) => `${m}.${n}`));

/**
 * Host calls allowed while `_initialize` (or `_start`, `main`) runs; any other call traps
 * ("restricted_callback"), as Envoy's V8 runtime does (cpp-host WasmBase::startVm).
 */
export const ALLOWED_DURING_START: ReadonlySet<string> = new Set([
  "env.proxy_log",
  ...BOTH_WASI([
    "fd_write",
    "args_sizes_get",
    "args_get",
    "environ_sizes_get",
    "environ_get",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "clock_time_get",
    "random_get",
  ]),
]);

/** Host calls allowed while the host calls the module's allocator (cpp-host allocMemory). */
export const ALLOWED_DURING_MALLOC: ReadonlySet<string> = new Set([
  "env.proxy_log",
  ...BOTH_WASI(["fd_write", "clock_time_get"]),
]);

/** wasi random_get refuses requests larger than this (PROXY_WASM_HOST_WASI_RANDOM_GET_MAX). */
export const RANDOM_GET_MAX_BYTES = 64 * 1024;
