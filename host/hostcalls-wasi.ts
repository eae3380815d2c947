// The WASI subset Envoy links, under both wasi_unstable and wasi_snapshot_preview1, answering
// as Envoy does: stdout and stderr become log lines (info and error), clocks come from the
// host clock, randomness from node:crypto, there are no arguments, no files and no
// pre-opened directories. File calls are recorded as unimplemented.
import { randomFillSync } from "node:crypto";
import { LogLevel, RANDOM_GET_MAX_BYTES, WASI_MODULES, WasiErrno } from "./abi.ts";
import { u32 } from "./memory.ts";
import type { HostServices } from "./services.ts";
import type { HostFunction } from "./vm.ts";

const fault = (written: boolean): WasiErrno => (written ? WasiErrno.Success : WasiErrno.Fault);

/** fd_write: the iovecs of one call joined into one log line, a final newline dropped. */
function fdWrite(s: HostServices): HostFunction {
  const mem = s.vm.memory;
  return (fd, iovs, iovsCount, writtenPtr) => {
    const level = fd === 1 ? LogLevel.Info : fd === 2 ? LogLevel.Error : undefined;
    if (level === undefined) return WasiErrno.BadF;
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < u32(iovsCount as number); i++) {
      const iovec = mem.read(u32(iovs as number) + i * 8, 8);
      if (iovec === null) return WasiErrno.Fault;
      const view = new DataView(iovec.buffer);
      const length = view.getUint32(4, true);
      if (length === 0) continue;
      const chunk = mem.read(view.getUint32(0, true), length);
      if (chunk === null) return WasiErrno.Fault;
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks);
    if (text.length > 0) {
      const line = text.toString("utf8").replace(/\n$/, "");
      s.recorder.log(level, line, s.vm.currentContext().id, s.vm.label);
    }
    return fault(mem.writeU32(writtenPtr as number, text.length));
  };
}

function environment(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  const entries = (): Buffer[] =>
    Object.entries(s.environment).map(([k, v]) => Buffer.from(`${k}=${v}\0`));
  return {
    environ_sizes_get(countPtr, sizePtr) {
      const all = entries();
      if (!mem.writeU32(countPtr as number, all.length)) return WasiErrno.Fault;
      return fault(mem.writeU32(sizePtr as number, all.reduce((n, e) => n + e.length, 0)));
    },
    environ_get(arrayPtr, bufferPtr) {
      let array = u32(arrayPtr as number);
      let buffer = u32(bufferPtr as number);
      for (const entry of entries()) {
        if (!mem.writeU32(array, buffer) || !mem.write(buffer, entry)) return WasiErrno.Fault;
        array += 4;
        buffer += entry.length;
      }
      return WasiErrno.Success;
    },
    args_sizes_get(countPtr, sizePtr) {
      return fault(mem.writeU32(countPtr as number, 0) && mem.writeU32(sizePtr as number, 0));
    },
    args_get: () => WasiErrno.Success,
  };
}

function clocksAndRandom(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  return {
    clock_time_get(clockId, _precision, resultPtr) {
      const id = u32(clockId as number);
      if (id > 1) return WasiErrno.NotSup;
      const now = id === 0 ? s.clock.realtimeNs() : s.clock.monotonicNs();
      return fault(mem.writeU64(resultPtr as number, now));
    },
    random_get(bufferPtr, size) {
      const length = u32(size as number);
      if (length > RANDOM_GET_MAX_BYTES) return WasiErrno.Inval;
      if (length === 0) return WasiErrno.Success;
      return fault(mem.write(bufferPtr as number, randomFillSync(new Uint8Array(length))));
    },
  };
}

/** Calls Envoy answers without doing anything; recorded so a test sees them. */
function files(s: HostServices): Record<string, HostFunction> {
  const mem = s.vm.memory;
  const unimplemented = (name: string, answer: WasiErrno, detail: string): HostFunction => {
    return () => {
      s.unimplemented(name, detail);
      return answer;
    };
  };
  return {
    fd_read: unimplemented("fd_read", WasiErrno.NoSys, "no file can be read"),
    fd_seek: unimplemented("fd_seek", WasiErrno.Success, "ignored, as Envoy does"),
    fd_close: unimplemented("fd_close", WasiErrno.Success, "ignored, as Envoy does"),
    path_open: unimplemented("path_open", WasiErrno.NoEnt, "there is no file system"),
    fd_prestat_dir_name: unimplemented("fd_prestat_dir_name", WasiErrno.NoSys, "no pre-opens"),
    proc_exit(code) {
      s.unimplemented("proc_exit", `exit code ${code as number} ignored, as Envoy does`);
    },
    // No pre-opened directories: WASI libc asks at start-up, so this is not worth a record.
    fd_prestat_get: () => WasiErrno.BadF,
    fd_fdstat_get(fd, statPtr) {
      if (fd !== 1 && fd !== 2) return WasiErrno.BadF;
      // filetype 0, rights_base FD_WRITE (64); Envoy ignores a failed write here.
      const stat = new Uint8Array(24);
      new DataView(stat.buffer).setBigUint64(8, 64n, true);
      mem.write(statPtr as number, stat);
      return WasiErrno.Success;
    },
  };
}

export function wasiImports(s: HostServices): Record<string, Record<string, HostFunction>> {
  const functions = {
    fd_write: fdWrite(s),
    ...environment(s),
    ...clocksAndRandom(s),
    ...files(s),
  };
  return Object.fromEntries(WASI_MODULES.map((module) => [module, functions]));
}
