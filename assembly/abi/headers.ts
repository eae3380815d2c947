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
 * A parsed header map that also keeps the bytes as the host sent them. Names and values are
 * decoded as UTF-8, each invalid byte becoming U+FFFD (never swallowing what follows it);
 * where exact bytes matter (the request path, whose spelling decides which rule applies)
 * `rawValue` gives them.
 */
export class HeaderMapView {
  readonly pairs: Headers = new Array<HeaderPair>();
  private valueStarts: Array<i32> = new Array<i32>();
  private valueSizes: Array<i32> = new Array<i32>();

  constructor(private buffer: ArrayBuffer) {
    if (!this.parse()) {
      this.pairs.length = 0;
      this.valueStarts.length = 0;
      this.valueSizes.length = 0;
    }
  }

  private parse(): bool {
    const total = <u64>this.buffer.byteLength;
    if (total < 4) return true;
    const base = changetype<usize>(this.buffer);
    const bytes = Uint8Array.wrap(this.buffer);
    const count = <u64>load<u32>(base);
    let data: u64 = 4 + 8 * count;
    if (data > total) return false;
    for (let i: u64 = 0; i < count; i++) {
      const nameSize = <u64>load<u32>(base + <usize>(4 + 8 * i));
      const valueSize = <u64>load<u32>(base + <usize>(8 + 8 * i));
      if (data + nameSize + valueSize + 2 > total) return false;
      const name = decodeUtf8Lossy(bytes, <i32>data, <i32>(data + nameSize));
      data += nameSize + 1;
      const value = decodeUtf8Lossy(bytes, <i32>data, <i32>(data + valueSize));
      this.valueStarts.push(<i32>data);
      this.valueSizes.push(<i32>valueSize);
      data += valueSize + 1;
      this.pairs.push(new HeaderPair(name, value));
    }
    return true;
  }

  /** The exact bytes of the first value of header `name`, or null when absent. */
  rawValue(name: string): ArrayBuffer | null {
    for (let i = 0; i < this.pairs.length; i++) {
      if (this.pairs[i].name != name) continue;
      const start = this.valueStarts[i];
      return this.buffer.slice(start, start + this.valueSizes[i]);
    }
    return null;
  }
}

/** Parses a serialized map; returns an empty list for anything malformed. */
export function deserializeHeaders(buffer: ArrayBuffer): Headers {
  return new HeaderMapView(buffer).pairs;
}
