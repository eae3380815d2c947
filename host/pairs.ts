// The proxy-wasm wire format of a header map ("pairs"): u32 count, then a u32 key size and a
// u32 value size per pair, then each key and value followed by a NUL byte; little endian.
// Header names and values are octets, so they travel as latin1 strings (one char per byte).

export type HeaderPairs = [string, string][];

/** Envoy refuses to parse pairs buffers larger than these (cpp-host limits.h). */
export const PAIRS_MAX_BYTES = 1024 * 1024;
export const PAIRS_MAX_COUNT = 1024;

export function serializePairs(pairs: HeaderPairs): Uint8Array {
  // Header strings hold one byte per character (latin1), so lengths are string lengths and
  // each one is written straight into the output, without an intermediate buffer.
  let size = 4 + pairs.length * 8;
  for (const [key, value] of pairs) size += key.length + value.length + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let pos = 4;
  for (const [key, value] of pairs) {
    out.writeUInt32LE(key.length, pos);
    out.writeUInt32LE(value.length, pos + 4);
    pos += 8;
  }
  for (const [key, value] of pairs) {
    pos += out.write(key, pos, "latin1") + 1;
    pos += out.write(value, pos, "latin1") + 1;
  }
  return out;
}

/**
 * Parses a pairs buffer exactly as Envoy does: anything malformed (short, a size running past
 * the end, a missing NUL, trailing bytes, too many pairs) yields an empty list, not an error.
 */
export function parsePairs(bytes: Uint8Array): HeaderPairs {
  if (bytes.length < 4 || bytes.length > PAIRS_MAX_BYTES) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count > PAIRS_MAX_COUNT || 4 + count * 8 > bytes.length) return [];
  const sizes: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    sizes.push([view.getUint32(4 + i * 8, true), view.getUint32(8 + i * 8, true)]);
  }
  let pos = 4 + count * 8;
  const take = (size: number): string | null => {
    if (pos + size + 1 > bytes.length || bytes[pos + size] !== 0) return null;
    const text = Buffer.from(bytes.subarray(pos, pos + size)).toString("latin1");
    pos += size + 1;
    return text;
  };
  const pairs: HeaderPairs = [];
  for (const [keySize, valueSize] of sizes) {
    const key = take(keySize);
    const value = key === null ? null : take(valueSize);
    if (key === null || value === null) return [];
    pairs.push([key, value]);
  }
  return pos === bytes.length ? pairs : [];
}
