// Access to the module's linear memory with Envoy's bounds checks. The memory can grow during
// any call into the module (the allocator included), which detaches old ArrayBuffers, so no
// view is ever kept: every access takes a fresh view of the current buffer.

/** Pointers and sizes arrive as i32 (signed in JS); the ABI means them as u32. */
export const u32 = (value: number): number => value >>> 0;

export class GuestMemory {
  constructor(
    private readonly memory: () => WebAssembly.Memory,
    /** Calls the module's allocator; returns 0 when it fails. */
    private readonly allocate: (size: number) => number,
  ) {}

  private fits(ptr: number, size: number): boolean {
    return u32(ptr) + u32(size) <= this.memory().buffer.byteLength;
  }

  /** A copy of `size` bytes at `ptr`, or null when the range is outside memory. */
  /** The size of the module's linear memory now, in bytes (it only ever grows). */
  get byteLength(): number {
    return this.memory().buffer.byteLength;
  }

  read(ptr: number, size: number): Uint8Array | null {
    if (!this.fits(ptr, size)) return null;
    // A copy: the module's memory may grow (and move) at its next allocation.
    return new Uint8Array(this.memory().buffer, u32(ptr), u32(size)).slice();
  }

  readString(ptr: number, size: number, encoding: "utf8" | "latin1" = "utf8"): string | null {
    if (!this.fits(ptr, size)) return null;
    // Decoded straight from the module's memory: the string is the copy.
    return Buffer.from(this.memory().buffer, u32(ptr), u32(size)).toString(encoding);
  }

  write(ptr: number, data: Uint8Array): boolean {
    if (!this.fits(ptr, data.length)) return false;
    new Uint8Array(this.memory().buffer).set(data, u32(ptr));
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.fits(ptr, 4)) return false;
    new DataView(this.memory().buffer).setUint32(u32(ptr), u32(value), true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.fits(ptr, 8)) return false;
    new DataView(this.memory().buffer).setBigUint64(u32(ptr), BigInt.asUintN(64, value), true);
    return true;
  }

  /**
   * Envoy's copyToPointerSize: allocate in the module, copy, then store pointer and size.
   * Empty data is not allocated: pointer 0 and size 0. Nothing is NUL-terminated.
   */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): boolean {
    let pointer = 0;
    if (data.length > 0) {
      pointer = this.allocate(data.length);
      if (pointer === 0 || !this.write(pointer, data)) return false;
    }
    return this.writeU32(ptrPtr, pointer) && this.writeU32(sizePtr, data.length);
  }
}
