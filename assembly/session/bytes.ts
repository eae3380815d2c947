// A compact binary record format for what the filter keeps in cookies: integers little-endian,
// strings as a u32 length and UTF-8 bytes. The reader checks every bound and turns any
// malformed input into a failed read, never a trap; its input has been authenticated before,
// but a bug must still not be able to break the VM.

export class ByteWriter {
  private buffer: Uint8Array = new Uint8Array(256);
  private length: i32 = 0;

  private reserve(extra: i32): void {
    if (this.length + extra <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const grown = new Uint8Array(capacity);
    memory.copy(grown.dataStart, this.buffer.dataStart, <usize>this.length);
    this.buffer = grown;
  }

  u8(value: u8): ByteWriter {
    this.reserve(1);
    store<u8>(this.buffer.dataStart + <usize>this.length, value);
    this.length += 1;
    return this;
  }

  u64(value: u64): ByteWriter {
    this.reserve(8);
    store<u64>(this.buffer.dataStart + <usize>this.length, value);
    this.length += 8;
    return this;
  }

  string(value: string): ByteWriter {
    const bytes = String.UTF8.encode(value);
    const size = bytes.byteLength;
    this.reserve(4 + size);
    const at = this.buffer.dataStart + <usize>this.length;
    store<u32>(at, size);
    memory.copy(at + 4, changetype<usize>(bytes), <usize>size);
    this.length += 4 + size;
    return this;
  }

  strings(values: Array<string>): ByteWriter {
    this.u64(values.length);
    for (let i = 0; i < values.length; i++) this.string(values[i]);
    return this;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Reads what ByteWriter wrote. After any failed read `ok` is false and stays false. */
export class ByteReader {
  ok: bool = true;
  private position: i32 = 0;

  constructor(private bytes: Uint8Array) {}

  private take(size: i32): usize {
    if (!this.ok || size < 0 || size > this.bytes.length - this.position) {
      this.ok = false;
      return 0;
    }
    const at = this.bytes.dataStart + <usize>this.position;
    this.position += size;
    return at;
  }

  u8(): u8 {
    const at = this.take(1);
    return at == 0 ? 0 : load<u8>(at);
  }

  u64(): u64 {
    const at = this.take(8);
    return at == 0 ? 0 : load<u64>(at);
  }

  string(): string {
    const sizeAt = this.take(4);
    if (sizeAt == 0) return "";
    const size = load<u32>(sizeAt);
    if (size > <u32>i32.MAX_VALUE) {
      this.ok = false;
      return "";
    }
    const at = this.take(<i32>size);
    if (at == 0 || size == 0) return "";
    return String.UTF8.decodeUnsafe(at, <usize>size);
  }

  /** A list of strings; at most `maxCount` entries, else the read fails. */
  strings(maxCount: i32): Array<string> {
    const values = new Array<string>();
    const count = this.u64();
    if (count > <u64>maxCount) {
      this.ok = false;
      return values;
    }
    for (let i: u64 = 0; i < count && this.ok; i++) values.push(this.string());
    return values;
  }

  /** True when every byte was read and no read failed. */
  done(): bool {
    return this.ok && this.position == this.bytes.length;
  }
}
