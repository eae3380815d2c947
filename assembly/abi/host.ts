// Thin, typed wrappers over the host calls. None of them throws: each reports the host's
// answer (a WasmResult, null for a missing value, false for a failed call), because any host
// call may answer NotFound or BadArgument and a trap would fail the VM.
import * as imp from "./imports";
import { RETURN_PTR, RETURN_SIZE, RETURN_EXTRA, clearReturn, takeHostBuffer } from "./runtime";
import {
  BufferType, LogLevel, MapType, MetricType, StreamType, WasiClock, WasiErrno, WasmResult,
} from "./types";
import { Headers, HeaderMapView, HeaderPair, serializeHeaders } from "./headers";
import { decodeUtf8Lossy } from "../codec/utf8";

function ptrOf(buffer: ArrayBuffer): usize {
  return changetype<usize>(buffer);
}

function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}

// ---- Logging ----

/** The host's log level as last read; -1 when not read yet or the host did not say. */
let hostLogLevel: i32 = -1;

/**
 * Reads the host's log level again. The module calls this on every tick, so a level an
 * operator changes at run time applies within a tick, without a host call per message.
 */
export function refreshLogLevel(): void {
  clearReturn();
  hostLogLevel = imp.proxy_get_log_level(RETURN_PTR) == WasmResult.Ok ? load<i32>(RETURN_PTR) : -1;
}

/**
 * True when the host would keep a message at `level`. Callers test this before building a
 * message, so a disabled level costs neither a host call nor a string.
 */
export function logEnabled(level: LogLevel): bool {
  if (hostLogLevel < 0) refreshLogLevel();
  return hostLogLevel < 0 || <i32>level >= hostLogLevel;
}

export function log(level: LogLevel, message: string): void {
  const bytes = utf8(message);
  imp.proxy_log(level, ptrOf(bytes), bytes.byteLength);
}

// ---- Buffers ----

/** Size of a host buffer, or -1 when the host has none of that type now. */
export function getBufferSize(type: BufferType): i64 {
  clearReturn();
  if (imp.proxy_get_buffer_status(type, RETURN_PTR, RETURN_EXTRA) != WasmResult.Ok) return -1;
  return <i64>load<u32>(RETURN_PTR);
}

/** Up to `maxSize` bytes of a host buffer from `start`; null when unavailable. */
export function getBufferBytes(type: BufferType, start: u32, maxSize: u32): ArrayBuffer | null {
  clearReturn();
  const result = imp.proxy_get_buffer_bytes(type, start, maxSize, RETURN_PTR, RETURN_SIZE);
  if (result != WasmResult.Ok) return null;
  return takeHostBuffer();
}

// ---- Header maps ----

/** First value of header `name` (lowercase), or null when absent. */
export function getHeader(map: MapType, name: string): string | null {
  const key = utf8(name);
  clearReturn();
  const result = imp.proxy_get_header_map_value(
    map, ptrOf(key), key.byteLength, RETURN_PTR, RETURN_SIZE,
  );
  if (result != WasmResult.Ok) return null;
  return decodeUtf8Lossy(Uint8Array.wrap(takeHostBuffer()));
}

/** Every header of the map, in order; empty when the map is missing or malformed. */
export function getHeaders(map: MapType): Headers {
  return getHeaderMap(map).pairs;
}

/** The whole map, with the exact bytes of each value available. */
export function getHeaderMap(map: MapType): HeaderMapView {
  clearReturn();
  if (imp.proxy_get_header_map_pairs(map, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) {
    return new HeaderMapView(new ArrayBuffer(0));
  }
  return new HeaderMapView(takeHostBuffer());
}

export function setHeaders(map: MapType, pairs: Headers): WasmResult {
  const data = serializeHeaders(pairs);
  return <WasmResult>imp.proxy_set_header_map_pairs(map, ptrOf(data), data.byteLength);
}

export function addHeader(map: MapType, name: string, value: string): WasmResult {
  return addHeaderBytes(map, utf8(name), utf8(value));
}

/** Adds a header given as UTF-8 bytes (for values encoded once and reused). */
export function addHeaderBytes(map: MapType, name: ArrayBuffer, value: ArrayBuffer): WasmResult {
  return <WasmResult>imp.proxy_add_header_map_value(
    map, ptrOf(name), name.byteLength, ptrOf(value), value.byteLength,
  );
}

/** Sets header `name` to one value (Envoy removes all earlier values and appends it). */
export function replaceHeader(map: MapType, name: string, value: string): WasmResult {
  return replaceHeaderBytes(map, utf8(name), utf8(value));
}

/** replaceHeader with name and value given as UTF-8 bytes. */
export function replaceHeaderBytes(map: MapType, name: ArrayBuffer, value: ArrayBuffer): WasmResult {
  return <WasmResult>imp.proxy_replace_header_map_value(
    map, ptrOf(name), name.byteLength, ptrOf(value), value.byteLength,
  );
}

/** Removes every value of header `name`. */
export function removeHeader(map: MapType, name: string): WasmResult {
  const key = utf8(name);
  return <WasmResult>imp.proxy_remove_header_map_value(map, ptrOf(key), key.byteLength);
}

/** removeHeader with the name given as UTF-8 bytes. */
export function removeHeaderBytes(map: MapType, name: ArrayBuffer): WasmResult {
  return <WasmResult>imp.proxy_remove_header_map_value(map, ptrOf(name), name.byteLength);
}

// ---- Properties ----

/**
 * A property by path, e.g. ["request", "path"]. Envoy splits property paths on NUL, not on
 * dots, so the segments are joined with NUL here. Null when absent.
 */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  const joined = utf8(path.join("\0"));
  clearReturn();
  const result = imp.proxy_get_property(ptrOf(joined), joined.byteLength, RETURN_PTR, RETURN_SIZE);
  if (result != WasmResult.Ok) return null;
  return takeHostBuffer();
}

export function getPropertyString(path: Array<string>): string | null {
  const value = getProperty(path);
  return value === null ? null : String.UTF8.decode(value);
}

// ---- Stream control ----

export function continueStream(type: StreamType): WasmResult {
  return <WasmResult>imp.proxy_continue_stream(type);
}

export function closeStream(type: StreamType): WasmResult {
  return <WasmResult>imp.proxy_close_stream(type);
}

/**
 * Answers the current stream locally instead of forwarding it. The host sends the reply
 * when the current callback returns; the callback must then return Action.Pause.
 */
export function sendLocalResponse(
  status: u32, details: string, body: ArrayBuffer, headers: Headers,
): WasmResult {
  const detailBytes = utf8(details);
  const headerBytes = serializeHeaders(headers);
  return <WasmResult>imp.proxy_send_local_response(
    status, ptrOf(detailBytes), detailBytes.byteLength, ptrOf(body), body.byteLength,
    ptrOf(headerBytes), headerBytes.byteLength, -1,
  );
}

// ---- HTTP callouts ----

/** Result of starting a callout: the host's answer and, when Ok, the callout's token. */
export class CalloutStart {
  constructor(public result: WasmResult, public token: u32) {}
}

/**
 * Starts an HTTP request to an Envoy cluster. `headers` must hold :method, :path and
 * :authority, or the host answers BadArgument. The response arrives on the root context
 * (proxy_on_http_call_response with the root's id and this token).
 */
export function httpCall(
  cluster: string, headers: Headers, body: ArrayBuffer, timeoutMs: u32,
): CalloutStart {
  const name = utf8(cluster);
  const headerBytes = serializeHeaders(headers);
  const trailerBytes = serializeHeaders(new Array<HeaderPair>());
  clearReturn();
  const result = imp.proxy_http_call(
    ptrOf(name), name.byteLength, ptrOf(headerBytes), headerBytes.byteLength,
    ptrOf(body), body.byteLength, ptrOf(trailerBytes), trailerBytes.byteLength,
    timeoutMs, RETURN_PTR,
  );
  return new CalloutStart(<WasmResult>result, load<u32>(RETURN_PTR));
}

/** The status code the host reports for the callout being answered (e.g. after a failure). */
export function getStatusCode(): u32 {
  clearReturn();
  if (imp.proxy_get_status(RETURN_EXTRA, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return 0;
  const code = load<u32>(RETURN_EXTRA);
  takeHostBuffer(); // the message is not used; adopt it so it can be collected
  return code;
}

export function setEffectiveContext(contextId: u32): WasmResult {
  return <WasmResult>imp.proxy_set_effective_context(contextId);
}

// ---- Timers, time and randomness ----

export function setTickPeriod(periodMs: u32): WasmResult {
  return <WasmResult>imp.proxy_set_tick_period_milliseconds(periodMs);
}

/** Wall-clock time in nanoseconds since the Unix epoch, or 0 when the host has no clock. */
export function nowNanoseconds(): u64 {
  clearReturn();
  if (imp.wasi_clock_time_get(WasiClock.Realtime, 0, RETURN_PTR) != WasiErrno.Success) return 0;
  return load<u64>(RETURN_PTR);
}

// Envoy bounds the size of one random_get call; small pieces always succeed.
const RANDOM_CHUNK: i32 = 256;

/**
 * Fills `out` with random bytes from the host (WASI random_get, backed by Envoy's CSPRNG).
 * False when the host refused: the caller must then fail closed, never use the buffer.
 */
export function fillRandom(out: Uint8Array): bool {
  const base = out.dataStart;
  for (let offset = 0; offset < out.length; offset += RANDOM_CHUNK) {
    const size = min(RANDOM_CHUNK, out.length - offset);
    if (imp.wasi_random_get(base + <usize>offset, size) != WasiErrno.Success) return false;
  }
  return true;
}

// ---- Metrics ----

/** A metric defined with the host; `ok` is false when the host refused to define it. */
export class Metric {
  /** Counted here and not yet handed to the host (see count). */
  private pending: i64 = 0;

  constructor(public ok: bool, public id: u32) {}

  increment(delta: i64 = 1): void {
    if (this.ok) imp.proxy_increment_metric(this.id, delta);
  }

  /**
   * Counts `delta` in the module only, for counters that move on every request: flush hands
   * the sum to the host (the filter does so on every tick), one host call instead of many.
   */
  count(delta: i64 = 1): void {
    this.pending += delta;
  }

  flush(): void {
    const pending = this.pending;
    if (pending <= 0) return; // the host refuses an increment of zero
    this.pending = 0;
    this.increment(pending);
  }

  record(value: u64): void {
    if (this.ok) imp.proxy_record_metric(this.id, value);
  }

  /** The metric's value, or 0 when unknown. */
  get(): u64 {
    if (!this.ok) return 0;
    clearReturn();
    if (imp.proxy_get_metric(this.id, RETURN_PTR) != WasmResult.Ok) return 0;
    return load<u64>(RETURN_PTR);
  }
}

export function defineMetric(type: MetricType, name: string): Metric {
  const bytes = utf8(name);
  clearReturn();
  const result = imp.proxy_define_metric(type, ptrOf(bytes), bytes.byteLength, RETURN_PTR);
  return new Metric(result == WasmResult.Ok, load<u32>(RETURN_PTR));
}

// ---- Shared data ----

/** A value from the host's shared store and its compare-and-swap version. */
export class SharedValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

export function getSharedData(key: string): SharedValue | null {
  const bytes = utf8(key);
  clearReturn();
  const result = imp.proxy_get_shared_data(
    ptrOf(bytes), bytes.byteLength, RETURN_PTR, RETURN_SIZE, RETURN_EXTRA,
  );
  if (result != WasmResult.Ok) return null;
  const cas = load<u32>(RETURN_EXTRA);
  return new SharedValue(takeHostBuffer(), cas);
}

/** Stores `value` under `key`; with cas != 0 only if nobody wrote since that version. */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32): WasmResult {
  const bytes = utf8(key);
  return <WasmResult>imp.proxy_set_shared_data(
    ptrOf(bytes), bytes.byteLength, ptrOf(value), value.byteLength, cas,
  );
}

// ---- Environment ----

/**
 * The VM's environment variable `name` (Envoy: vm_config.environment_variables; Istio:
 * WasmPlugin vmConfig.env), or null when it is not set. Values come from the operator's
 * deployment, so secrets can stay out of the plugin configuration.
 */
export function getEnvironmentVariable(name: string): string | null {
  clearReturn();
  if (imp.wasi_environ_sizes_get(RETURN_PTR, RETURN_SIZE) != WasiErrno.Success) return null;
  const count = load<u32>(RETURN_PTR);
  const size = load<u32>(RETURN_SIZE);
  if (count == 0 || size == 0 || count > 4096 || size > 1 << 20) return null;
  const pointers = new StaticArray<u32>(<i32>count);
  const buffer = new Uint8Array(<i32>size);
  const base = buffer.dataStart;
  const result = imp.wasi_environ_get(changetype<usize>(pointers), base);
  if (result != WasiErrno.Success) return null;
  const prefix = name + "=";
  for (let i = 0; i < <i32>count; i++) {
    const start = <usize>pointers[i];
    if (start < base || start >= base + <usize>size) continue;
    let end = start;
    while (end < base + <usize>size && load<u8>(end) != 0) end++;
    const entry = String.UTF8.decodeUnsafe(start, end - start);
    if (entry.startsWith(prefix)) return entry.substring(prefix.length);
  }
  return null;
}
