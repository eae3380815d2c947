// The host refuses, as Envoy does, modules that import what Envoy does not link for ABI 0.2.1,
// import it with another signature, lack memory, an allocator or the ABI marker, or call the
// host when they may not. Modules are written byte by byte so each case has exactly one flaw.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Emulator } from "../../host/emulator.ts";
import { loadModule, ModuleLoadError } from "../../host/loader.ts";
import {
  buildModule,
  minimalFilter,
  op,
  type FunctionSpec,
  type ImportSpec,
  type ModuleSpec,
  type ValType,
} from "../../host/testing/wasm-writer.ts";

function problems(spec: ModuleSpec): string[] {
  try {
    loadModule(buildModule(spec));
  } catch (error) {
    assert.ok(error instanceof ModuleLoadError, String(error));
    return error.problems;
  }
  return [];
}

const I32 = (n: number): ValType[] => Array<ValType>(n).fill("i32");

/** Calls import 0 (proxy_log) with an empty message at `level`. */
const logCall = (level: number): number[] => [
  ...op.i32Const(level),
  ...op.i32Const(0),
  ...op.i32Const(0),
  ...op.call(0),
  op.drop,
];

const LOG: ImportSpec = {
  module: "env",
  name: "proxy_log",
  params: ["i32", "i32", "i32"],
  results: ["i32"],
};

describe("module loading", () => {
  it("accepts the smallest module Envoy accepts and starts it", () => {
    const emulator = new Emulator({ wasm: buildModule(minimalFilter()), canary: false });
    assert.deepEqual(emulator.start(), { vmStarted: true, configured: true });
  });

  it("refuses env.abort, env.seed and the ABI 0.1.0 proxy_clear_route_cache", () => {
    const found = problems(
      minimalFilter({
        imports: [
          { module: "env", name: "abort", params: ["i32", "i32", "i32", "i32"] },
          { module: "env", name: "seed", results: ["f64"] },
          { module: "env", name: "proxy_clear_route_cache", results: ["i32"] },
        ],
      }),
    );
    assert.equal(found.length, 3);
    assert.match(found[0], /env\.abort, which Envoy does not provide/);
    assert.match(found[1], /env\.seed/);
    assert.match(found[2], /env\.proxy_clear_route_cache/);
  });

  it("refuses imports whose signature differs from the specification", () => {
    const found = problems(
      minimalFilter({
        imports: [
          { module: "env", name: "proxy_log", params: ["i32", "i32"], results: ["i32"] },
          { module: "env", name: "proxy_increment_metric", params: I32(2), results: I32(1) },
          { module: "wasi_unstable", name: "clock_time_get", params: I32(3), results: I32(1) },
          { module: "env", name: "proxy_done" },
        ],
      }),
    );
    assert.equal(found.length, 4);
    const provides = /proxy_log as \(i32, i32\) -> \(i32\), but Envoy provides \(i32, i32, i32/;
    assert.match(found[0], provides);
    assert.match(found[1], /proxy_increment_metric .* provides \(i32, i64\) -> \(i32\)/);
    assert.match(found[2], /wasi_unstable\.clock_time_get .* \(i32, i64, i32\)/);
    assert.match(found[3], /proxy_done as \(\) -> \(\)/);
  });

  it("accepts the WASI calls Envoy links under both module names", () => {
    const wasi = (module: string): ModuleSpec["imports"] => [
      { module, name: "fd_write", params: ["i32", "i32", "i32", "i32"], results: ["i32"] },
      { module, name: "proc_exit", params: ["i32"] },
      { module, name: "fd_seek", params: ["i32", "i64", "i32", "i32"], results: ["i32"] },
      {
        module,
        name: "path_open",
        params: ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"],
        results: ["i32"],
      },
    ];
    const imports = [...wasi("wasi_unstable")!, ...wasi("wasi_snapshot_preview1")!];
    assert.deepEqual(problems(minimalFilter({ imports })), []);
  });

  it("refuses a module without memory, without an allocator or without the ABI marker", () => {
    assert.deepEqual(problems(minimalFilter({ memory: false })), ["does not export `memory`"]);
    const marker: FunctionSpec = { export: "proxy_abi_version_0_2_1" };
    assert.deepEqual(problems({ functions: [marker] }), [
      "exports neither `malloc` nor `proxy_on_memory_allocate`",
    ]);
    const allocate: FunctionSpec = {
      export: "proxy_on_memory_allocate",
      params: ["i32"],
      results: ["i32"],
    };
    assert.deepEqual(problems({ functions: [marker, allocate] }), []);
    assert.match(problems({ functions: [allocate] })[0], /does not export proxy_abi_version_0_2_1/);
  });

  it("refuses a module built for another ABI version", () => {
    const found = problems({
      functions: [
        { export: "malloc", params: ["i32"], results: ["i32"] },
        { export: "proxy_abi_version_0_2_0" },
      ],
    });
    assert.deepEqual(found, [
      "exports proxy_abi_version_0_2_0: only ABI 0.2.1 is supported by this host",
    ]);
  });

  it("refuses a callback exported with the wrong signature, and an imported memory", () => {
    const found = problems(
      minimalFilter({
        functions: [{ export: "proxy_on_request_headers", params: I32(2), results: I32(1) }],
      }),
    );
    assert.match(found[0], /proxy_on_request_headers as \(i32, i32\) -> \(i32\), expected/);
    assert.match(found[0], /expected \(i32, i32, i32\) -> \(i32\)/);
    assert.deepEqual(problems(minimalFilter({ memory: false, importMemory: true })), [
      "imports memory env.memory, which Envoy does not provide for ABI 0.2.1",
      "does not export `memory`",
    ]);
  });

  it("refuses a module whose wasm start section calls the host", () => {
    const spec = minimalFilter({
      imports: [LOG],
      functions: [{ body: logCall(2) }],
    });
    spec.start = 3; // import 0, malloc 1, marker 2, the logging function 3
    const emulator = new Emulator({ wasm: buildModule(spec), canary: false });
    assert.throws(() => emulator.start(), /fails to instantiate: .*start section/);
  });
});

describe("start-up", () => {
  const TICK: ImportSpec = {
    module: "env",
    name: "proxy_set_tick_period_milliseconds",
    params: ["i32"],
    results: ["i32"],
  };

  it("traps a host call other than logging, time, randomness or WASI during _initialize", () => {
    const spec = minimalFilter({
      imports: [TICK],
      functions: [{ export: "_initialize", body: [...op.i32Const(10), ...op.call(0), op.drop] }],
    });
    const emulator = new Emulator({ wasm: buildModule(spec), canary: false });
    assert.throws(() => emulator.start(), /restricted_callback: env\.proxy_set_tick_period/);
    assert.equal(emulator.getTraps()[0].callback, "_initialize");
  });

  it("runs _initialize then main, both allowed to log", () => {
    const spec = minimalFilter({
      imports: [LOG],
      functions: [
        { export: "_initialize", body: logCall(1) },
        {
          export: "main",
          params: I32(2),
          results: I32(1),
          body: [...logCall(3), ...op.i32Const(0)],
        },
        { export: "_start", body: logCall(5) },
      ],
    });
    const emulator = new Emulator({ wasm: buildModule(spec), canary: false, logLevel: "trace" });
    emulator.start();
    assert.deepEqual(
      emulator.getLogs().map((r) => [r.levelName, r.contextId]),
      [
        ["debug", 0],
        ["warn", 0],
      ],
    );
  });

  it("runs _start when the module exports no _initialize", () => {
    const spec = minimalFilter({
      imports: [LOG],
      functions: [{ export: "_start", body: logCall(4) }],
    });
    const emulator = new Emulator({ wasm: buildModule(spec), canary: false });
    emulator.start();
    assert.deepEqual(emulator.getLogs().map((r) => r.levelName), ["error"]);
  });

  it("allocates with malloc when both malloc and proxy_on_memory_allocate exist", () => {
    // proxy_on_vm_start succeeds only if copying the VM configuration out succeeds.
    const getBuffer: ImportSpec = {
      module: "env",
      name: "proxy_get_buffer_bytes",
      params: I32(5),
      results: I32(1),
    };
    const readConfig = [6, 0, 10, 0, 4].flatMap((n) => op.i32Const(n));
    const vmStart: FunctionSpec = {
      export: "proxy_on_vm_start",
      params: I32(2),
      results: I32(1),
      body: [...readConfig, ...op.call(0), 0x45 /* i32.eqz */],
    };
    const allocator = (name: string, pointer: number): FunctionSpec => ({
      export: name,
      params: I32(1),
      results: I32(1),
      body: op.i32Const(pointer),
    });
    const start = (functions: FunctionSpec[]) => {
      const marker: FunctionSpec = { export: "proxy_abi_version_0_2_1" };
      const spec = { imports: [getBuffer], functions: [marker, vmStart, ...functions] };
      return new Emulator({ wasm: buildModule(spec), canary: false, vmConfig: "config" }).start();
    };
    const failing = allocator("proxy_on_memory_allocate", 0);
    assert.equal(start([allocator("malloc", 1024), failing]).vmStarted, true);
    const both = [allocator("malloc", 0), allocator("proxy_on_memory_allocate", 64)];
    assert.equal(start(both).vmStarted, false);
    assert.equal(start([allocator("proxy_on_memory_allocate", 64)]).vmStarted, true);
  });

  it("starts a canary VM first unless told not to, so start-up runs twice", () => {
    const spec = minimalFilter({
      imports: [LOG],
      functions: [{ export: "_initialize", body: logCall(2) }],
    });
    const twice = new Emulator({ wasm: buildModule(spec) });
    twice.start();
    assert.deepEqual(twice.getLogs().map((r) => r.vm), ["canary", "main"]);
    const once = new Emulator({ wasm: buildModule(spec), canary: false });
    once.start();
    assert.deepEqual(once.getLogs().map((r) => r.vm), ["main"]);
  });
});
