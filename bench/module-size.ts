// Section 4: the size of the release module, raw and gzipped (what an OCI image layer or a
// download carries), and, for the profile, where the bytes are: by section, and the code by
// function and by source folder (read from a build that carries a name section).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { Row } from "./table.ts";

const KB = 1024;
const TARGET_KB = 120;
const SECTION_NAMES = [
  "custom", "type", "import", "function", "table", "memory", "global", "export", "start",
  "element", "code", "data", "data count",
];

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.bytes[this.offset++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  }
  name(): string {
    const length = this.u32();
    const text = Buffer.from(this.bytes.subarray(this.offset, this.offset + length)).toString();
    this.offset += length;
    return text;
  }
}

export interface ModuleLayout {
  /** Bytes per section (custom sections by their name). */
  sections: Map<string, number>;
  /** Body size of each defined function, by name (or index), and the imports count. */
  functions: Array<{ name: string; size: number }>;
}

/** Reads the sections, the function bodies' sizes and (when present) their names. */
export function moduleLayout(bytes: Uint8Array): ModuleLayout {
  const reader = new Reader(bytes);
  reader.offset = 8;
  const sections = new Map<string, number>();
  const bodySizes: number[] = [];
  const names = new Map<number, string>();
  let imports = 0;
  while (reader.offset < bytes.length) {
    const id = bytes[reader.offset++];
    const size = reader.u32();
    const end = reader.offset + size;
    let label = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      label = `custom "${reader.name()}"`;
      if (label === 'custom "name"') readFunctionNames(reader, end, names);
    } else if (id === 2) {
      imports = countFunctionImports(reader);
    } else if (id === 10) {
      const count = reader.u32();
      for (let i = 0; i < count; i++) {
        const bodySize = reader.u32();
        bodySizes.push(bodySize);
        reader.offset += bodySize;
      }
    }
    sections.set(label, (sections.get(label) ?? 0) + size);
    reader.offset = end;
  }
  const functions = bodySizes.map((size, i) => {
    const index = imports + i;
    return { name: names.get(index) ?? `#${index}`, size };
  });
  return { sections, functions };
}

function readFunctionNames(reader: Reader, end: number, names: Map<number, string>): void {
  while (reader.offset < end) {
    const kind = reader.bytes[reader.offset++];
    const size = reader.u32();
    const next = reader.offset + size;
    if (kind === 1) {
      const count = reader.u32();
      for (let i = 0; i < count; i++) {
        const index = reader.u32();
        names.set(index, reader.name());
      }
    }
    reader.offset = next;
  }
}

function countFunctionImports(reader: Reader): number {
  const count = reader.u32();
  let functions = 0;
  for (let i = 0; i < count; i++) {
    reader.name();
    reader.name();
    const kind = reader.bytes[reader.offset++];
    if (kind === 0) {
      functions++;
      reader.u32();
    } else {
      // Only functions are imported by proxy-wasm modules; anything else ends the count.
      return functions;
    }
  }
  return functions;
}

/** The folder a function comes from: "assembly/crypto", "~lib/rt", ... */
export function sourceFolder(name: string): string {
  const path = name.replace(/^start:/, "").split("/");
  return path.length > 2 ? path.slice(0, 2).join("/") : path[0];
}

export function benchModuleSize(wasmPath: string): Row[] {
  const bytes = readFileSync(wasmPath);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const raw = bytes.length;
  return [
    {
      name: "Module size, release build, raw",
      value: raw / KB,
      unit: "KB",
      ratio: raw / (TARGET_KB * KB),
      versus: "target",
      target: `< ${TARGET_KB} KB`,
      met: raw < TARGET_KB * KB,
      note: `build/oidc-sso.wasm, ${raw.toLocaleString("en-US")} bytes (1 KB = 1024 bytes).`,
    },
    {
      name: "Module size, release build, gzip -9",
      value: gzipped / KB,
      unit: "KB",
      ratio: gzipped / raw,
      versus: "raw",
    },
  ];
}
