// A tiny WebAssembly binary writer for tests: modules with chosen imports, exports and
// hand-written function bodies, to check how the host treats modules no compiler would make
// (a wrong import signature, a missing allocator, a start function calling the host).

/** Value types the writer knows (the ABI uses only i32 and i64; f64 shows up in env.seed). */
export type ValType = "i32" | "i64" | "f32" | "f64";

export interface ImportSpec {
  module: string;
  name: string;
  params?: ValType[];
  results?: ValType[];
}

export interface FunctionSpec {
  /** Export name; omit for an internal function. */
  export?: string;
  params?: ValType[];
  results?: ValType[];
  /** Instructions without the final `end`; default: return zeros. */
  body?: number[];
}

export interface ModuleSpec {
  imports?: ImportSpec[];
  functions?: FunctionSpec[];
  /** Export a one-page memory as "memory" (default true). */
  memory?: boolean;
  /** Index (imports first) of a function to run as the wasm start section. */
  start?: number;
  /** Import a memory as env.memory (Envoy provides none). */
  importMemory?: boolean;
}

const TYPE_CODES: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

export const op = {
  i32Const: (n: number): number[] => [0x41, ...sleb(n)],
  i64Const: (n: number): number[] => [0x42, ...sleb(n)],
  call: (index: number): number[] => [0x10, ...uleb(index)],
  drop: 0x1a,
  unreachable: 0x00,
  localGet: (index: number): number[] => [0x20, ...uleb(index)],
};

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (text: string): number[] => {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...uleb(bytes.length), ...bytes];
};
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: number[]): number[] =>
  content.length === 0 ? [] : [id, ...uleb(content.length), ...content];

function funcType(params: ValType[] = [], results: ValType[] = []): number[] {
  const codes = (types: ValType[]): number[] => vector(types.map((t) => [TYPE_CODES[t]]));
  return [0x60, ...codes(params), ...codes(results)];
}

function defaultBody(results: ValType[] = []): number[] {
  const zero: Record<ValType, number[]> = {
    i32: op.i32Const(0),
    i64: op.i64Const(0),
    f32: [0x43, 0, 0, 0, 0],
    f64: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  };
  return results.flatMap((t) => zero[t]);
}

export function buildModule(spec: ModuleSpec): Uint8Array {
  const imports = spec.imports ?? [];
  const functions = spec.functions ?? [];
  const types = [
    ...imports.map((i) => funcType(i.params, i.results)),
    ...functions.map((f) => funcType(f.params, f.results)),
  ];
  const importEntries = imports.map((i, index) => [
    ...name(i.module),
    ...name(i.name),
    0x00,
    ...uleb(index),
  ]);
  if (spec.importMemory) importEntries.push([...name("env"), ...name("memory"), 0x02, 0x00, 0x01]);
  const functionTypes = functions.map((_, index) => uleb(imports.length + index));
  const exports = functions
    .map((f, index) => ({ f, index: imports.length + index }))
    .filter(({ f }) => f.export !== undefined)
    .map(({ f, index }) => [...name(f.export!), 0x00, ...uleb(index)]);
  if (spec.memory ?? true) exports.push([...name("memory"), 0x02, 0x00]);
  const codes = functions.map((f) => {
    const body = [0x00, ...(f.body ?? defaultBody(f.results)), 0x0b];
    return [...uleb(body.length), ...body];
  });
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, importEntries.length ? vector(importEntries) : []),
    ...section(3, functions.length ? vector(functionTypes) : []),
    ...section(5, spec.memory ?? true ? vector([[0x00, 0x01]]) : []),
    ...section(7, exports.length ? vector(exports) : []),
    ...section(8, spec.start === undefined ? [] : uleb(spec.start)),
    ...section(10, functions.length ? vector(codes) : []),
  ];
  return new Uint8Array(bytes);
}

/** The smallest module Envoy accepts: memory, an allocator (a fixed address), the marker. */
export function minimalFilter(extra: ModuleSpec = {}): ModuleSpec {
  return {
    ...extra,
    functions: [
      { export: "malloc", params: ["i32"], results: ["i32"], body: op.i32Const(1024) },
      { export: "proxy_abi_version_0_2_1" },
      ...(extra.functions ?? []),
    ],
  };
}
