// The general proxy_* host functions: logging, status, properties, contexts, metrics, shared
// data, time and ticks, plus the ones this host does not implement (gRPC, shared queues,
// foreign functions), which answer Unimplemented and are recorded. Result codes and the order
// of memory checks follow proxy-wasm-cpp-host's src/exports.cc.
import { LogLevel, WasmResult } from "./abi.ts";
import { u32 } from "./memory.ts";
import type { HostServices } from "./services.ts";
import type { HostFunction } from "./vm.ts";

const ok = (written: boolean): WasmResult =>
  written ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;

function logging(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_log(level, ptr, size) {
      if (u32(level as number) > LogLevel.Critical) return WasmResult.BadArgument;
      const message = mem.readString(ptr as number, size as number);
      if (message === null) return WasmResult.InvalidMemoryAccess;
      s.recorder.log(level as LogLevel, message, s.vm.currentContext().id, s.vm.label);
      return WasmResult.Ok;
    },
    proxy_get_log_level(levelPtr) {
      return ok(mem.writeU32(levelPtr as number, s.logLevel));
    },
  };
}

function statusAndContexts(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_get_status(codePtr, messagePtrPtr, messageSizePtr) {
      const root = s.vm.currentContext().root;
      if (!mem.writeU32(codePtr as number, root.statusCode)) return WasmResult.InvalidMemoryAccess;
      const message = Buffer.from(root.statusMessage);
      return ok(mem.copyOut(message, messagePtrPtr as number, messageSizePtr as number));
    },
    proxy_set_effective_context(id) {
      return s.vm.setEffectiveContext(u32(id as number)) ? WasmResult.Ok : WasmResult.BadArgument;
    },
    proxy_done() {
      return s.done(s.vm.currentContext());
    },
  };
}

/** Property paths are split on NUL, never on dots (Envoy Context::getProperty). */
function splitPath(path: Uint8Array): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < path.length) {
    let end = path.indexOf(0, start);
    if (end === -1) end = path.length;
    parts.push(Buffer.from(path.subarray(start, end)).toString("utf8"));
    start = end + 1;
  }
  return parts;
}

function properties(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_get_property(pathPtr, pathSize, valuePtrPtr, valueSizePtr) {
      const path = mem.read(pathPtr as number, pathSize as number);
      if (path === null) return WasmResult.InvalidMemoryAccess;
      const parts = splitPath(path);
      if (parts.length === 0) return WasmResult.NotFound;
      const stream = s.vm.currentContext().stream;
      const value =
        s.pluginProperty(parts) ??
        stream?.property(parts) ??
        (parts.length === 1 ? stream?.filterState(parts[0]) : undefined);
      if (value === undefined) return WasmResult.NotFound;
      return ok(mem.copyOut(value, valuePtrPtr as number, valueSizePtr as number));
    },
    proxy_set_property(pathPtr, pathSize, valuePtr, valueSize) {
      const path = mem.readString(pathPtr as number, pathSize as number);
      const value = mem.read(valuePtr as number, valueSize as number);
      if (path === null || value === null) return WasmResult.InvalidMemoryAccess;
      const stream = s.vm.currentContext().stream;
      if (!stream) return WasmResult.NotFound;
      stream.setFilterState(path, value);
      return WasmResult.Ok;
    },
  };
}

function metrics(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_define_metric(type, namePtr, nameSize, idPtr) {
      const name = mem.readString(namePtr as number, nameSize as number);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const { result, id } = s.metricIds.define(u32(type as number), name);
      if (result !== WasmResult.Ok) return result;
      return ok(mem.writeU32(idPtr as number, id));
    },
    proxy_increment_metric(id, delta) {
      return s.metricIds.increment(u32(id as number), BigInt(delta));
    },
    proxy_record_metric(id, value) {
      return s.metricIds.record(u32(id as number), BigInt(value));
    },
    proxy_get_metric(id, valuePtr) {
      const { result, value } = s.metricIds.read(u32(id as number));
      if (result !== WasmResult.Ok) return result;
      return ok(mem.writeU64(valuePtr as number, value));
    },
  };
}

function sharedData(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    proxy_get_shared_data(keyPtr, keySize, valuePtrPtr, valueSizePtr, casPtr) {
      const key = mem.readString(keyPtr as number, keySize as number);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      const entry = s.sharedData.get(s.vmId, key);
      if (!entry) return WasmResult.NotFound;
      if (!mem.copyOut(entry.value, valuePtrPtr as number, valueSizePtr as number)) {
        return WasmResult.InvalidMemoryAccess;
      }
      return ok(mem.writeU32(casPtr as number, entry.cas));
    },
    proxy_set_shared_data(keyPtr, keySize, valuePtr, valueSize, cas) {
      const key = mem.readString(keyPtr as number, keySize as number);
      const value = mem.read(valuePtr as number, valueSize as number);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      return s.sharedData.set(s.vmId, key, value, u32(cas as number));
    },
  };
}

function time(s: HostServices): Record<string, HostFunction> {
  return {
    proxy_get_current_time_nanoseconds(resultPtr) {
      return ok(s.vm.memory.writeU64(resultPtr as number, s.clock.realtimeNs()));
    },
    proxy_set_tick_period_milliseconds(period) {
      s.setTickPeriod(s.vm.currentContext().root.id, u32(period as number));
      return WasmResult.Ok;
    },
  };
}

const UNIMPLEMENTED: Record<string, string> = {
  proxy_grpc_call: "gRPC callouts are not emulated",
  proxy_grpc_stream: "gRPC streams are not emulated",
  proxy_grpc_close: "gRPC is not emulated",
  proxy_grpc_cancel: "gRPC is not emulated",
  proxy_grpc_send: "gRPC is not emulated",
  proxy_register_shared_queue: "shared queues are not emulated",
  proxy_resolve_shared_queue: "shared queues are not emulated",
  proxy_enqueue_shared_queue: "shared queues are not emulated",
  proxy_dequeue_shared_queue: "shared queues are not emulated",
  proxy_call_foreign_function: "foreign functions are not emulated",
};

function unimplemented(s: HostServices): Record<string, HostFunction> {
  const table: Record<string, HostFunction> = {};
  for (const [name, detail] of Object.entries(UNIMPLEMENTED)) {
    table[name] = () => {
      s.unimplemented(name, detail);
      return WasmResult.Unimplemented;
    };
  }
  return table;
}

/** The general env.* host functions (maps, buffers and HTTP are in their own files). */
export function proxyImports(s: HostServices): Record<string, HostFunction> {
  return {
    ...logging(s),
    ...statusAndContexts(s),
    ...properties(s),
    ...metrics(s),
    ...sharedData(s),
    ...time(s),
    ...unimplemented(s),
    pthread_equal: (left, right) => (left === right ? 1 : 0),
    emscripten_notify_memory_growth: () => undefined,
  };
}
