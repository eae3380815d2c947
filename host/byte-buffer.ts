// A body buffer with Envoy's read and write rules. Reads clamp to the buffer (Envoy never
// answers BadArgument for a long read: proxy_get_buffer_bytes shortens it). Writes to a body
// follow Envoy's Buffer::copyFrom: start 0 drains `length` bytes then prepends, a start at or
// past the end appends, anything else is BadArgument; read-only buffers refuse every write.
import { WasmResult } from "./abi.ts";

export class ByteBuffer {
  constructor(
    private data: Uint8Array,
    readonly writable: boolean,
  ) {}

  static readOnly(data: Uint8Array): ByteBuffer {
    return new ByteBuffer(data, false);
  }

  get size(): number {
    return this.data.length;
  }

  bytes(): Uint8Array {
    return this.data;
  }

  /** Up to `length` bytes from `start`, shortened at the end of the buffer. */
  slice(start: number, length: number): Uint8Array {
    if (start > this.data.length) return new Uint8Array(0);
    return this.data.subarray(start, Math.min(this.data.length, start + length));
  }

  write(start: number, length: number, value: Uint8Array): WasmResult {
    if (!this.writable) return WasmResult.BadArgument;
    if (start === 0) {
      this.data = concat([value, this.data.subarray(Math.min(length, this.data.length))]);
    } else if (start >= this.data.length) {
      this.data = concat([this.data, value]);
    } else {
      return WasmResult.BadArgument;
    }
    return WasmResult.Ok;
  }

  append(value: Uint8Array): void {
    this.data = concat([this.data, value]);
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
