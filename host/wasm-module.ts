// A small reader of the WebAssembly binary format: just enough of the type, import, function,
// and export sections to check a module against what Envoy links, before V8 sees it.
// (WebAssembly.Module.imports() names imports but gives no signatures, hence this reader.)

export type WasmValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

export interface FuncType {
  params: WasmValType[];
  results: WasmValType[];
}

export type ExternKind = "function" | "table" | "memory" | "global" | "tag";

export interface ImportEntry {
  module: string;
  name: string;
  kind: ExternKind;
  /** Only for function imports. */
  type?: FuncType;
}

export interface ExportEntry {
  name: string;
  kind: ExternKind;
  /** Only for function exports. */
  type?: FuncType;
}

export interface ModuleInfo {
  imports: ImportEntry[];
  exports: Map<string, ExportEntry>;
}

const VAL_TYPES: Record<number, WasmValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

const KINDS: ExternKind[] = ["function", "table", "memory", "global", "tag"];

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  byte(): number {
    if (this.offset >= this.bytes.length) throw new Error("unexpected end of module");
    return this.bytes[this.offset++];
  }

  /** Unsigned LEB128; a JS number is exact up to 2^53, far beyond any index or size here. */
  u32(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
  }

  name(): string {
    const length = this.u32();
    const end = this.offset + length;
    if (end > this.bytes.length) throw new Error("name runs past the end of the module");
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      this.bytes.subarray(this.offset, end),
    );
    this.offset = end;
    return text;
  }

  valType(): WasmValType {
    const code = this.byte();
    const type = VAL_TYPES[code];
    if (!type) throw new Error(`unsupported value type 0x${code.toString(16)}`);
    return type;
  }

  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 0x01) this.u32();
  }

  skip(length: number): void {
    this.offset += length;
    if (this.offset > this.bytes.length) throw new Error("section runs past the end");
  }
}

function readTypes(r: Reader): FuncType[] {
  const types: FuncType[] = [];
  for (let i = r.u32(); i > 0; i--) {
    const form = r.byte();
    if (form !== 0x60) throw new Error(`unsupported type form 0x${form.toString(16)}`);
    const params = Array.from({ length: r.u32() }, () => r.valType());
    const results = Array.from({ length: r.u32() }, () => r.valType());
    types.push({ params, results });
  }
  return types;
}

function readImport(r: Reader, types: FuncType[]): ImportEntry {
  const module = r.name();
  const name = r.name();
  const kind = KINDS[r.byte()];
  if (kind === "function") return { module, name, kind, type: types[r.u32()] };
  if (kind === "table") {
    r.valType();
    r.limits();
  } else if (kind === "memory") {
    r.limits();
  } else if (kind === "global") {
    r.valType();
    r.byte();
  } else if (kind === "tag") {
    r.byte();
    r.u32();
  } else {
    throw new Error(`unknown import kind for ${module}.${name}`);
  }
  return { module, name, kind };
}

/** Reads the sections the host checks; throws on a module it cannot parse. */
export function readModule(bytes: Uint8Array): ModuleInfo {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const expected of magic) {
    if (r.byte() !== expected) throw new Error("not a WebAssembly 1.0 binary");
  }
  let types: FuncType[] = [];
  const imports: ImportEntry[] = [];
  const functionTypes: FuncType[] = [];
  const rawExports: { name: string; kind: ExternKind; index: number }[] = [];

  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const end = r.offset + size;
    if (id === 1) types = readTypes(r);
    else if (id === 2) {
      for (let i = r.u32(); i > 0; i--) imports.push(readImport(r, types));
      for (const imp of imports) if (imp.kind === "function") functionTypes.push(imp.type!);
    } else if (id === 3) {
      for (let i = r.u32(); i > 0; i--) functionTypes.push(types[r.u32()]);
    } else if (id === 7) {
      for (let i = r.u32(); i > 0; i--) {
        const name = r.name();
        rawExports.push({ name, kind: KINDS[r.byte()], index: r.u32() });
      }
    }
    r.offset = end;
    if (end > bytes.length) throw new Error(`section ${id} runs past the end of the module`);
  }

  const exports = new Map<string, ExportEntry>();
  for (const e of rawExports) {
    const type = e.kind === "function" ? functionTypes[e.index] : undefined;
    exports.set(e.name, { name: e.name, kind: e.kind, type });
  }
  return { imports, exports };
}

export function formatType(type: FuncType | undefined): string {
  if (!type) return "(not a function)";
  return `(${type.params.join(", ")}) -> (${type.results.join(", ")})`;
}
