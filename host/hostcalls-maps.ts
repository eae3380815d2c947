// Host functions on header maps and buffers. Which map or buffer a call may touch depends on
// the effective context and the callback running (see StreamHandle and RootState): a map that
// may not be modified answers BadArgument, a buffer that is not available answers NotFound,
// as in Envoy's Context::getMap/getConstMap/getBuffer.
import { BUFFER_TYPE_MAX, BufferType, MAP_TYPE_MAX, MapType, WasmResult } from "./abi.ts";
import { ByteBuffer } from "./byte-buffer.ts";
import type { HostContext } from "./contexts.ts";
import type { HeaderMap } from "./header-map.ts";
import { u32 } from "./memory.ts";
import { parsePairs } from "./pairs.ts";
import type { HostServices } from "./services.ts";
import type { HostFunction } from "./vm.ts";

const EMPTY = new Uint8Array(0);
const ok = (written: boolean): WasmResult =>
  written ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;

/** The edits of a header map's value, told apart by a number rather than a closure per call. */
enum Edit {
  Add,
  Replace,
  Remove,
}

/** A map the filter may read now: a callout's maps come from the root context. */
function readableMap(context: HostContext, type: MapType): HeaderMap | null {
  const callout = context.root.calloutResponse;
  if (type === MapType.HttpCallResponseHeaders) return callout?.headers ?? null;
  if (type === MapType.HttpCallResponseTrailers) return callout?.trailers ?? null;
  return context.stream?.readableMap(type) ?? null;
}

function headerMaps(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  const mutable = (type: number): HeaderMap | null =>
    s.vm.currentContext().stream?.mutableMap(type) ?? null;
  const key = (ptr: number | bigint, size: number | bigint): string | null =>
    mem.readHeaderText(ptr as number, size as number);

  return {
    proxy_get_header_map_value(type, keyPtr, keySize, valuePtrPtr, valueSizePtr) {
      if (u32(type as number) > MAP_TYPE_MAX) return WasmResult.BadArgument;
      const name = key(keyPtr, keySize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const context = s.vm.currentContext();
      const map = readableMap(context, type as MapType);
      if (!map) return context.stream?.inLogPhase ? WasmResult.NotFound : WasmResult.BadArgument;
      const value = map.get(name);
      if (value === undefined) return WasmResult.NotFound;
      return ok(mem.copyOutLatin1(value, valuePtrPtr as number, valueSizePtr as number));
    },
    proxy_get_header_map_pairs(type, ptrPtr, sizePtr) {
      if (u32(type as number) > MAP_TYPE_MAX) return WasmResult.BadArgument;
      const pairs = readableMap(s.vm.currentContext(), type as MapType)?.view() ?? [];
      return ok(mem.copyOutPairs(pairs, ptrPtr as number, sizePtr as number));
    },
    proxy_get_header_map_size(type, sizePtr) {
      if (u32(type as number) > MAP_TYPE_MAX) return WasmResult.BadArgument;
      const map = mutable(type as number);
      if (!map) return WasmResult.BadArgument;
      return ok(mem.writeU32(sizePtr as number, map.byteSize()));
    },
    proxy_add_header_map_value(type, keyPtr, keySize, valuePtr, valueSize) {
      return edit(Edit.Add, type, keyPtr, keySize, valuePtr, valueSize);
    },
    proxy_replace_header_map_value(type, keyPtr, keySize, valuePtr, valueSize) {
      return edit(Edit.Replace, type, keyPtr, keySize, valuePtr, valueSize);
    },
    proxy_remove_header_map_value(type, keyPtr, keySize) {
      return edit(Edit.Remove, type, keyPtr, keySize, 0, 0);
    },
    proxy_set_header_map_pairs(type, ptr, size) {
      if (u32(type as number) > MAP_TYPE_MAX) return WasmResult.BadArgument;
      const bytes = mem.read(ptr as number, size as number);
      if (bytes === null) return WasmResult.InvalidMemoryAccess;
      const map = mutable(type as number);
      if (!map) return WasmResult.BadArgument;
      map.setAll(parsePairs(bytes));
      return WasmResult.Ok;
    },
  };

  /** One edit, its arguments checked in Envoy's order. */
  function edit(
    operation: Edit,
    type: number | bigint,
    keyPtr: number | bigint,
    keySize: number | bigint,
    valuePtr: number | bigint,
    valueSize: number | bigint,
  ): WasmResult {
    if (u32(type as number) > MAP_TYPE_MAX) return WasmResult.BadArgument;
    const name = key(keyPtr, keySize);
    const value = mem.readHeaderText(valuePtr as number, valueSize as number);
    if (name === null || value === null) return WasmResult.InvalidMemoryAccess;
    const map = mutable(type as number);
    if (!map) return WasmResult.BadArgument;
    if (operation === Edit.Add) map.add(name, value);
    else if (operation === Edit.Replace) map.replace(name, value);
    else map.remove(name);
    return WasmResult.Ok;
  }
}

/** The buffer the filter may use now, or null (NotFound). Envoy's Context::getBuffer. */
function bufferFor(s: HostServices, context: HostContext, type: BufferType): ByteBuffer | null {
  switch (type) {
    case BufferType.HttpRequestBody:
    case BufferType.HttpResponseBody:
      return context.stream?.body(type) ?? ByteBuffer.readOnly(EMPTY);
    case BufferType.HttpCallResponseBody: {
      const response = context.root.calloutResponse;
      return response ? ByteBuffer.readOnly(response.body) : null;
    }
    case BufferType.VmConfiguration:
      return context.root.vmConfigReadable ? ByteBuffer.readOnly(s.vmConfiguration()) : null;
    case BufferType.PluginConfiguration:
      return context.root.pluginConfigReadable
        ? ByteBuffer.readOnly(s.pluginConfiguration())
        : null;
    default:
      // Network data, gRPC messages and call data: never present for an HTTP filter here.
      return ByteBuffer.readOnly(EMPTY);
  }
}

function buffers(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  const find = (type: number): ByteBuffer | null | "bad" =>
    u32(type) > BUFFER_TYPE_MAX ? "bad" : bufferFor(s, s.vm.currentContext(), type);

  return {
    proxy_get_buffer_status(type, sizePtr, flagsPtr) {
      const buffer = find(type as number);
      if (buffer === "bad") return WasmResult.BadArgument;
      if (!buffer) return WasmResult.NotFound;
      if (!mem.writeU32(sizePtr as number, buffer.size)) return WasmResult.InvalidMemoryAccess;
      return ok(mem.writeU32(flagsPtr as number, 0));
    },
    proxy_get_buffer_bytes(type, start, length, ptrPtr, sizePtr) {
      const buffer = find(type as number);
      if (buffer === "bad") return WasmResult.BadArgument;
      if (!buffer) return WasmResult.NotFound;
      // Envoy adds start and length as 64-bit values (no overflow) and shortens the read.
      const bytes = buffer.slice(u32(start as number), u32(length as number));
      return ok(mem.copyOut(bytes, ptrPtr as number, sizePtr as number));
    },
    proxy_set_buffer_bytes(type, start, length, dataPtr, dataSize) {
      const buffer = find(type as number);
      if (buffer === "bad") return WasmResult.BadArgument;
      if (!buffer) return WasmResult.NotFound;
      const data = mem.read(dataPtr as number, dataSize as number);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      return buffer.write(u32(start as number), u32(length as number), data);
    },
  };
}

export function mapAndBufferImports(s: HostServices): Record<string, HostFunction> {
  return { ...headerMaps(s), ...buffers(s) };
}
