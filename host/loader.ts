// Envoy's load-time rules for a proxy-wasm module: the module is refused, with every reason,
// when it imports anything Envoy does not link for ABI 0.2.1, imports it with another
// signature, lacks `memory`, an allocator or the ABI marker, or exports a known callback with
// the wrong signature (cpp-host: link failure, MissingFunction, "Bad function signature").
import { readFileSync } from "node:fs";
import {
  ABI_MARKER,
  CALLBACK_SIGNATURES,
  HOST_IMPORTS,
  OTHER_ABI_MARKERS,
  type Signature,
} from "./abi.ts";
import { formatType, readModule, type FuncType, type ModuleInfo } from "./wasm-module.ts";

/** Thrown when Envoy would refuse to load the module; `problems` lists every reason. */
export class ModuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`wasm module refused:\n  - ${problems.join("\n  - ")}`);
    this.name = "ModuleLoadError";
  }
}

export interface LoadedModule {
  module: WebAssembly.Module;
  info: ModuleInfo;
  bytes: Uint8Array;
}

function sameSignature(type: FuncType | undefined, expected: Signature): boolean {
  if (!type) return false;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((t, i) => t === b[i]);
  return same(type.params, expected.params) && same(type.results, expected.results);
}

function checkImports(info: ModuleInfo, problems: string[]): void {
  for (const imp of info.imports) {
    const name = `${imp.module}.${imp.name}`;
    const expected = HOST_IMPORTS.get(name);
    if (imp.kind !== "function" || !expected) {
      problems.push(`imports ${imp.kind} ${name}, which Envoy does not provide for ABI 0.2.1`);
    } else if (!sameSignature(imp.type, expected)) {
      problems.push(
        `imports ${name} as ${formatType(imp.type)}, but Envoy provides ` +
          `${formatType(expected as FuncType)}`,
      );
    }
  }
}

function checkExports(info: ModuleInfo, problems: string[]): void {
  const exports = info.exports;
  if (!exports.has(ABI_MARKER)) {
    const other = OTHER_ABI_MARKERS.find((m) => exports.has(m));
    problems.push(
      other
        ? `exports ${other}: only ABI 0.2.1 is supported by this host`
        : `does not export ${ABI_MARKER} (missing or unknown proxy-wasm ABI version)`,
    );
  }
  if (exports.get("memory")?.kind !== "memory") problems.push("does not export `memory`");
  if (!exports.has("malloc") && !exports.has("proxy_on_memory_allocate")) {
    problems.push("exports neither `malloc` nor `proxy_on_memory_allocate`");
  }
  for (const [name, expected] of CALLBACK_SIGNATURES) {
    const entry = exports.get(name);
    if (entry && !sameSignature(entry.type, expected)) {
      const want = formatType(expected as FuncType);
      problems.push(`exports ${name} as ${formatType(entry.type)}, expected ${want}`);
    }
  }
}

/** Checks the module against Envoy's rules; returns every problem found (empty when fine). */
export function checkModule(info: ModuleInfo): string[] {
  const problems: string[] = [];
  checkImports(info, problems);
  checkExports(info, problems);
  return problems;
}

/** Reads, checks and compiles a module; throws ModuleLoadError when Envoy would refuse it. */
export function loadModule(source: Uint8Array | string): LoadedModule {
  const bytes = typeof source === "string" ? new Uint8Array(readFileSync(source)) : source;
  let info: ModuleInfo;
  try {
    info = readModule(bytes);
  } catch (error) {
    throw new ModuleLoadError([`cannot be parsed: ${(error as Error).message}`]);
  }
  const problems = checkModule(info);
  if (problems.length > 0) throw new ModuleLoadError(problems);
  try {
    return { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), info, bytes };
  } catch (error) {
    throw new ModuleLoadError([`does not compile: ${(error as Error).message}`]);
  }
}
