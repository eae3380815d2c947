import { decodeUtf8Lossy } from "../codec/utf8";

// Header maps as the ABI serializes them (proxy-wasm spec, "Serialization"): a u32 count,
// then a u32 key size and u32 value size per pair, then each key and value followed by NUL.
// All integers little-endian. Parsing checks every bound: a malformed map reads as empty.

/** One header: lowercase name and value, as the host hands them over. */
export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

export type Headers = Array<HeaderPair>;

/** Serializes `pairs` for proxy_send_local_response, proxy_http_call and set_header_map_pairs. */
export function serializeHeaders(pairs: Headers): ArrayBuffer {
  const count = pairs.length;
  let size: usize = 4 + 8 * count;
  const encoded = new Array<ArrayBuffer>(count * 2);
  for (let i = 0; i < count; i++) {
    const name = String.UTF8.encode(pairs[i].name);
    const value = String.UTF8.encode(pairs[i].value);
    encoded[2 * i] = name;
    encoded[2 * i + 1] = value;
    size += <usize>name.byteLength + <usize>value.byteLength + 2;
  }
  const out = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(out);
  store<u32>(base, count);
  let data = base + 4 + 8 * count;
  for (let i = 0; i < count; i++) {
    const name = encoded[2 * i];
    const value = encoded[2 * i + 1];
    store<u32>(base + 4 + 8 * i, name.byteLength);
    store<u32>(base + 8 + 8 * i, value.byteLength);
    memory.copy(data, changetype<usize>(name), name.byteLength);
    data += name.byteLength + 1; // NUL already zero: new ArrayBuffer is zero-filled
    memory.copy(data, changetype<usize>(value), value.byteLength);
    data += value.byteLength + 1;
  }
  return out;
}

/**
 * A header map as the host serialized it, read lazily: parsing records where each name and
 * value lies, and text is decoded only for the headers asked for (a request carries many
 * headers the filter never reads). Decoding is UTF-8 with one U+FFFD per invalid byte, never
 * swallowing what follows it; where exact bytes matter (the request path, whose spelling
 * decides which rule applies) `source`, `valueStart` and `valueEnd` locate them. A
 * malformed map reads as empty.
 */
export class HeaderMapView {
  private bytes: Uint8Array;
  // Per header: name start, name size, value start, value size (byte offsets in `bytes`).
  private spans: StaticArray<i32>;
  private count: i32 = 0;
  /**
   * Bit `n % 64` is set when some header's name is `n` bytes long. Most names a request is
   * asked for are absent (the identity headers a client may have sent, a second Cookie
   * header), and most of those are answered by this mask without a scan.
   */
  private nameLengths: u64 = 0;

  constructor(buffer: ArrayBuffer) {
    const bytes = Uint8Array.wrap(buffer);
    this.bytes = bytes;
    this.spans = new StaticArray<i32>(HeaderMapView.declaredCount(bytes) * 4);
    this.count = this.parse() ? this.spans.length >> 2 : 0;
  }

  /** The count the map's first word declares, when its size table fits in the buffer. */
  private static declaredCount(bytes: Uint8Array): i32 {
    if (bytes.length < 4) return 0;
    const count = <u64>load<u32>(bytes.dataStart);
    return 4 + 8 * count > <u64>bytes.length ? 0 : <i32>count;
  }

  private parse(): bool {
    const total = <u64>this.bytes.length;
    const base = this.bytes.dataStart;
    const spans = this.spans;
    const count = <u64>(spans.length >> 2);
    let lengths: u64 = 0;
    let data: u64 = 4 + 8 * count;
    for (let i: u64 = 0; i < count; i++) {
      const nameSize = <u64>load<u32>(base + <usize>(4 + 8 * i));
      const valueSize = <u64>load<u32>(base + <usize>(8 + 8 * i));
      if (data + nameSize + valueSize + 2 > total) return false;
      const at = <i32>i << 2;
      lengths |= lengthBit(<i32>nameSize);
      unchecked(spans[at] = <i32>data);
      unchecked(spans[at + 1] = <i32>nameSize);
      data += nameSize + 1;
      unchecked(spans[at + 2] = <i32>data);
      unchecked(spans[at + 3] = <i32>valueSize);
      data += valueSize + 1;
    }
    this.nameLengths = lengths;
    return true;
  }

  get length(): i32 {
    return this.count;
  }

  /** True when header `index`'s name is exactly `name` (lowercase ASCII, as Envoy gives). */
  nameIs(index: i32, name: string): bool {
    const at = index << 2;
    return this.spelledAs(unchecked(this.spans[at]), unchecked(this.spans[at + 1]), name);
  }

  /** True when header `index`'s value is exactly `ascii`, an ASCII text. */
  valueIs(index: i32, ascii: string): bool {
    const at = index << 2;
    return this.spelledAs(unchecked(this.spans[at + 2]), unchecked(this.spans[at + 3]), ascii);
  }

  /** True when the `size` bytes at `start` are the characters of `text`, one byte each. */
  private spelledAs(start: i32, size: i32, text: string): bool {
    if (size != text.length) return false;
    const base = this.bytes.dataStart + <usize>start;
    for (let i = 0; i < size; i++) {
      if (<i32>load<u8>(base + <usize>i) != text.charCodeAt(i)) return false;
    }
    return true;
  }

  /** The index of the first header named `name` from `from` on, or -1. */
  indexOf(name: string, from: i32 = 0): i32 {
    if ((this.nameLengths & lengthBit(name.length)) == 0) return -1;
    const count = this.length;
    for (let i = max(from, 0); i < count; i++) if (this.nameIs(i, name)) return i;
    return -1;
  }

  /** The serialized map: names and values lie in it where valueStart/valueEnd say. */
  get source(): Uint8Array {
    return this.bytes;
  }

  valueStart(index: i32): i32 {
    return this.spans[(index << 2) + 2];
  }

  valueEnd(index: i32): i32 {
    return this.spans[(index << 2) + 2] + this.spans[(index << 2) + 3];
  }

  nameAt(index: i32): string {
    const start = this.spans[index << 2];
    return decodeUtf8Lossy(this.bytes, start, start + this.spans[(index << 2) + 1]);
  }

  valueAt(index: i32): string {
    return decodeUtf8Lossy(this.bytes, this.valueStart(index), this.valueEnd(index));
  }

  /** The first value of header `name`, or null when absent. */
  get(name: string): string | null {
    const index = this.indexOf(name);
    return index < 0 ? null : this.valueAt(index);
  }

  /** Every header, decoded. */
  get pairs(): Headers {
    const pairs = new Array<HeaderPair>();
    for (let i = 0; i < this.length; i++) pairs.push(new HeaderPair(this.nameAt(i), this.valueAt(i)));
    return pairs;
  }
}

/** The bit of a name `size` bytes long in HeaderMapView's mask of name lengths. */
// @ts-ignore: decorator
@inline
function lengthBit(size: i32): u64 {
  return (<u64>1) << <u64>(size & 63);
}

/** Parses a serialized map; returns an empty list for anything malformed. */
export function deserializeHeaders(buffer: ArrayBuffer): Headers {
  return new HeaderMapView(buffer).pairs;
}
