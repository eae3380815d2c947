// The proxy-wasm wire format of a header map ("pairs"): u32 count, then a u32 key size and a
// u32 value size per pair, then each key and value followed by a NUL byte; little endian.
// Header names and values are octets, so they travel as latin1 strings (one char per byte).

export type HeaderPairs = [string, string][];

/** Envoy refuses to parse pairs buffers larger than these (cpp-host limits.h). */
export const PAIRS_MAX_BYTES = 1024 * 1024;
export const PAIRS_MAX_COUNT = 1024;

/** Below this length a string is written byte by byte: cheaper than a call into Buffer. */
const SHORT_STRING = 48;

/** A little-endian u32 at `at` (the caller has checked the bounds). */
export function storeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = value >>> 24;
}

/** Writes latin1 text (one byte per char) at `at` (the caller has checked the bounds). */
export function writeLatin1(bytes: Buffer, at: number, text: string): void {
  if (text.length < SHORT_STRING) {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  } else {
    bytes.write(text, at, text.length, "latin1");
  }
}

/** The size of `pairs` in the wire format. */
export function pairsSize(pairs: readonly (readonly [string, string])[]): number {
  let size = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) size += pairs[i][0].length + pairs[i][1].length + 2;
  return size;
}

/**
 * Writes `pairs` in the wire format at `at`, into `pairsSize(pairs)` bytes the caller has
 * checked (a buffer of its own, or the module's memory). Header strings hold one byte per
 * character (latin1), so lengths are string lengths.
 */
export function writePairs(
  bytes: Buffer, at: number, pairs: readonly (readonly [string, string])[],
): void {
  const count = pairs.length;
  storeU32(bytes, at, count);
  let data = at + 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const key = pairs[i][0];
    const value = pairs[i][1];
    storeU32(bytes, at + 4 + i * 8, key.length);
    storeU32(bytes, at + 8 + i * 8, value.length);
    writeLatin1(bytes, data, key);
    data += key.length;
    bytes[data++] = 0;
    writeLatin1(bytes, data, value);
    data += value.length;
    bytes[data++] = 0;
  }
}

export function serializePairs(pairs: HeaderPairs): Uint8Array {
  const out = Buffer.alloc(pairsSize(pairs));
  writePairs(out, 0, pairs);
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
