// Host functions of the proxy-wasm ABI v0.2.1, imported exactly as Envoy registers them.
// Only what the filter calls is declared: every import must be one Envoy provides, or the
// module fails to load (tests/node/module-abi.test.ts checks the built module).

// Logging.
@external("env", "proxy_log")
export declare function proxy_log(level: i32, messagePtr: usize, messageSize: usize): i32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(returnLevel: usize): i32;

// Buffers (configuration, bodies, callout response bodies).
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(
  bufferType: i32, start: usize, maxSize: usize, returnPtr: usize, returnSize: usize,
): i32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(
  bufferType: i32, returnSize: usize, returnFlags: usize,
): i32;

// Header maps.
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(
  mapType: i32, keyPtr: usize, keySize: usize, returnPtr: usize, returnSize: usize,
): i32;
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(
  mapType: i32, returnPtr: usize, returnSize: usize,
): i32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapType: i32, ptr: usize, size: usize): i32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(
  mapType: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize,
): i32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(
  mapType: i32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize,
): i32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(
  mapType: i32, keyPtr: usize, keySize: usize,
): i32;

// Properties (paths are NUL-separated).
@external("env", "proxy_get_property")
export declare function proxy_get_property(
  pathPtr: usize, pathSize: usize, returnPtr: usize, returnSize: usize,
): i32;

// Stream control and local responses.
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: i32): i32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: i32): i32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  statusCode: u32, detailsPtr: usize, detailsSize: usize, bodyPtr: usize, bodySize: usize,
  headersPtr: usize, headersSize: usize, grpcStatus: i32,
): i32;

// HTTP callouts.
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  clusterPtr: usize, clusterSize: usize, headersPtr: usize, headersSize: usize,
  bodyPtr: usize, bodySize: usize, trailersPtr: usize, trailersSize: usize,
  timeoutMs: u32, returnToken: usize,
): i32;
@external("env", "proxy_get_status")
export declare function proxy_get_status(
  returnCode: usize, returnMessagePtr: usize, returnMessageSize: usize,
): i32;
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): i32;

// Timers.
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): i32;

// Metrics.
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(
  metricType: i32, namePtr: usize, nameSize: usize, returnId: usize,
): i32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, delta: i64): i32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): i32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, returnValue: usize): i32;

// Shared data (per Envoy process, shared by all workers' VMs).
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(
  keyPtr: usize, keySize: usize, returnPtr: usize, returnSize: usize, returnCas: usize,
): i32;
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(
  keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32,
): i32;

// WASI: Envoy provides these under wasi_snapshot_preview1 (and wasi_unstable).
@external("wasi_snapshot_preview1", "random_get")
export declare function wasi_random_get(bufPtr: usize, bufSize: usize): i32;
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function wasi_clock_time_get(clockId: i32, precision: u64, returnTime: usize): i32;
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function wasi_environ_sizes_get(returnCount: usize, returnBufferSize: usize): i32;
@external("wasi_snapshot_preview1", "environ_get")
export declare function wasi_environ_get(environ: usize, environBuffer: usize): i32;
