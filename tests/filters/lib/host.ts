// Raw proxy-wasm ABI 0.2.1 imports for the host's test filters, declared from the
// specification, plus a few helpers to pass strings and read out-values. These filters test
// the host's semantics, so they deliberately do not use the project's own bindings.
import "./abort";

// @ts-ignore: decorator
@external("env", "proxy_log")
export declare function proxy_log(level: i32, ptr: usize, size: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(levelPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_status")
export declare function proxy_get_status(codePtr: usize, msgPtrPtr: usize, msgSizePtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_property")
export declare function proxy_get_property(
  ptr: usize, size: usize, outPtr: usize, outSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_property")
export declare function proxy_set_property(ptr: usize, size: usize, vPtr: usize, vSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(
  map: i32, kPtr: usize, kSize: usize, outPtr: usize, outSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(
  map: i32, kPtr: usize, kSize: usize, vPtr: usize, vSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(
  map: i32, kPtr: usize, kSize: usize, vPtr: usize, vSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(map: i32, kPtr: usize, kSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(map: i32, outPtr: usize, outSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(map: i32, ptr: usize, size: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(map: i32, sizePtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(type: i32, sizePtr: usize, flagsPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(
  type: i32, start: u32, length: u32, outPtr: usize, outSize: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(
  type: i32, start: u32, length: u32, ptr: usize, size: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  status: u32, dPtr: usize, dSize: usize, bPtr: usize, bSize: usize,
  hPtr: usize, hSize: usize, grpc: i32): i32;
// @ts-ignore: decorator
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(type: i32): i32;
// @ts-ignore: decorator
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(type: i32): i32;
// @ts-ignore: decorator
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  cPtr: usize, cSize: usize, hPtr: usize, hSize: usize, bPtr: usize, bSize: usize,
  tPtr: usize, tSize: usize, timeout: u32, tokenPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(period: u32): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(ptr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(
  type: i32, nPtr: usize, nSize: usize, idPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(id: u32, delta: i64): i32;
// @ts-ignore: decorator
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(id: u32, value: u64): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(id: u32, valuePtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(
  kPtr: usize, kSize: usize, outPtr: usize, outSize: usize, casPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(
  kPtr: usize, kSize: usize, vPtr: usize, vSize: usize, cas: u32): i32;
// @ts-ignore: decorator
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(id: u32): i32;
// @ts-ignore: decorator
@external("env", "proxy_done")
export declare function proxy_done(): i32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  a: usize, b: usize, c: usize, d: usize, e: usize, f: usize, g: usize, h: usize,
  i: usize, j: usize, timeout: u32, tokenPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(ptr: usize, size: usize, idPtr: usize): i32;
// @ts-ignore: decorator
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  nPtr: usize, nSize: usize, aPtr: usize, aSize: usize, rPtr: usize, rSize: usize): i32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: u32, iovs: usize, count: usize, writtenPtr: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read")
export declare function fd_read(fd: u32, iovs: usize, count: usize, readPtr: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function clock_time_get(id: u32, precision: u64, timePtr: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(ptr: usize, size: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function environ_sizes_get(countPtr: usize, sizePtr: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
export declare function environ_get(arrayPtr: usize, bufferPtr: usize): u32;

/** Scratch space for out-values: pointer at +0, size at +4, a third word at +8. */
export const OUT: usize = memory.data(16);

export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

export function ptr(buffer: ArrayBuffer): usize {
  return changetype<usize>(buffer);
}

export function log(level: i32, message: string): i32 {
  const b = utf8(message);
  return proxy_log(level, ptr(b), b.byteLength);
}

/** The out-value last written at OUT as bytes (and frees it); null pointer gives "null". */
export function takeOut(): Uint8Array | null {
  const p = load<u32>(OUT);
  const size = load<u32>(OUT, 4);
  if (p == 0) return null;
  const bytes = new Uint8Array(size);
  memory.copy(bytes.dataStart, p, size);
  heap.free(p);
  return bytes;
}

export function bytesToString(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  return String.UTF8.decodeUnsafe(bytes.dataStart, bytes.length);
}

export function hex(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  const digits = "0123456789abcdef";
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    out += digits.charAt(bytes[i] >> 4) + digits.charAt(bytes[i] & 15);
  }
  return out;
}

/** Serializes "k=v,k=v" into the pairs wire format. */
export function serializePairs(spec: string): ArrayBuffer {
  const items = spec.length == 0 ? new Array<string>(0) : spec.split(",");
  const keys = new Array<ArrayBuffer>(items.length);
  const values = new Array<ArrayBuffer>(items.length);
  let size = 4 + items.length * 8;
  for (let i = 0; i < items.length; i++) {
    const at = items[i].indexOf("=");
    keys[i] = utf8(items[i].substring(0, at));
    values[i] = utf8(items[i].substring(at + 1));
    size += keys[i].byteLength + values[i].byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, items.length);
  let pos = base + 4;
  for (let i = 0; i < items.length; i++) {
    store<u32>(pos, keys[i].byteLength);
    store<u32>(pos, values[i].byteLength, 4);
    pos += 8;
  }
  for (let i = 0; i < items.length; i++) {
    memory.copy(pos, changetype<usize>(keys[i]), keys[i].byteLength);
    pos += keys[i].byteLength;
    store<u8>(pos++, 0);
    memory.copy(pos, changetype<usize>(values[i]), values[i].byteLength);
    pos += values[i].byteLength;
    store<u8>(pos++, 0);
  }
  return out;
}

/** Renders a pairs buffer as "k=v|k=v" (or "null" for a null pointer). */
export function renderPairs(bytes: Uint8Array | null): string {
  if (bytes === null) return "null";
  const base = bytes.dataStart;
  const count = load<u32>(base);
  let pos = base + 4 + count * 8;
  let out = "";
  for (let i: u32 = 0; i < count; i++) {
    const keySize = load<u32>(base + 4 + i * 8);
    const valueSize = load<u32>(base + 8 + i * 8);
    if (i > 0) out += "|";
    out += String.UTF8.decodeUnsafe(pos, keySize) + "=";
    pos += keySize + 1;
    out += String.UTF8.decodeUnsafe(pos, valueSize);
    pos += valueSize + 1;
  }
  return out;
}
