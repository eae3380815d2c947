// Access to the module's linear memory with Envoy's bounds checks. The memory can grow during
// any call into the module (the allocator included), which detaches the old ArrayBuffer; the
// one view kept here is taken again whenever that has happened (a detached view has length
// 0, and a wasm memory is never empty once instantiated), so no access uses a stale buffer.

import { pairsSize, storeU32, writeLatin1, writePairs } from "./pairs.ts";

/** Pointers and sizes arrive as i32 (signed in JS); the ABI means them as u32. */
export const u32 = (value: number): number => value >>> 0;

/** Header texts up to this length are kept by address (see readHeaderText). */
const SHORT_STRING = 48;
const MAX_U64 = 2n ** 64n - 1n;
/** Addresses whose last header text is kept; the whole set is dropped when it is full. */
const TEXT_CACHE_LIMIT = 512;

export class GuestMemory {
  private view: Buffer = Buffer.alloc(0);
  private memoryObject: WebAssembly.Memory | null = null;
  /** The last header text read at each address (see readHeaderText). */
  private readonly texts = new Map<number, string>();
  /** The last value writeU64 wrote, and its low and high words. */
  private lastU64: bigint | null = null;
  private lastU64Low = 0;
  private lastU64High = 0;

  constructor(
    private readonly memory: () => WebAssembly.Memory,
    /** Calls the module's allocator; returns 0 when it fails. */
    private readonly allocate: (size: number) => number,
  ) {}

  /** A view of the whole memory as it is now. */
  private bytes(): Buffer {
    if (this.view.length === 0) {
      if (this.memoryObject === null) this.memoryObject = this.memory();
      const buffer = this.memoryObject.buffer;
      this.view = Buffer.from(buffer, 0, buffer.byteLength);
    }
    return this.view;
  }

  private fits(ptr: number, size: number): boolean {
    return u32(ptr) + u32(size) <= this.bytes().length;
  }

  /** The size of the module's linear memory now, in bytes (it only ever grows). */
  get byteLength(): number {
    return this.bytes().length;
  }

  /** A copy of `size` bytes at `ptr`, or null when the range is outside memory. */
  read(ptr: number, size: number): Uint8Array | null {
    if (!this.fits(ptr, size)) return null;
    // A copy (Buffer#slice would share memory): the module's memory may grow (and move) at
    // its next allocation, and the copy owns its whole ArrayBuffer.
    return new Uint8Array(this.view.subarray(u32(ptr), u32(ptr) + u32(size)));
  }

  /**
   * readString for header names and values (latin1: one char per byte). A filter hands the
   * same short names and values again and again, often from the same address, so the last
   * text read at each address is kept and given again when the bytes there still spell it.
   */
  readHeaderText(ptr: number, size: number): string | null {
    if (!this.fits(ptr, size)) return null;
    const start = u32(ptr);
    const length = u32(size);
    if (length > SHORT_STRING) return this.view.toString("latin1", start, start + length);
    const bytes = this.view;
    const known = this.texts.get(start);
    if (known !== undefined && known.length === length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = known.charCodeAt(i) === bytes[start + i];
      if (same) return known;
    }
    const text = bytes.toString("latin1", start, start + length);
    if (this.texts.size >= TEXT_CACHE_LIMIT) this.texts.clear();
    this.texts.set(start, text);
    return text;
  }

  /** UTF-8 text of `size` bytes at `ptr`, or null when the range is outside memory. */
  readString(ptr: number, size: number): string | null {
    if (!this.fits(ptr, size)) return null;
    // Decoded straight from the module's memory: the string is the copy.
    return this.view.toString("utf8", u32(ptr), u32(ptr) + u32(size));
  }

  write(ptr: number, data: Uint8Array): boolean {
    if (!this.fits(ptr, data.length)) return false;
    this.view.set(data, u32(ptr));
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.fits(ptr, 4)) return false;
    storeU32(this.view, u32(ptr), u32(value));
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.fits(ptr, 8)) return false;
    // Splitting a BigInt into words makes new BigInts; the clocks hand the same value for a
    // whole millisecond, read again and again, so the words of the last value are kept.
    if (value !== this.lastU64) {
      // BigInt.asUintN makes a new BigInt: only for a value outside the u64 range.
      const unsigned = value >= 0n && value <= MAX_U64 ? value : BigInt.asUintN(64, value);
      this.lastU64Low = Number(unsigned & 0xffffffffn);
      this.lastU64High = Number(unsigned >> 32n);
      this.lastU64 = value;
    }
    storeU32(this.view, u32(ptr), this.lastU64Low);
    storeU32(this.view, u32(ptr) + 4, this.lastU64High);
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

  /** copyOut for latin1 text, written straight into the module's memory. */
  copyOutLatin1(text: string, ptrPtr: number, sizePtr: number): boolean {
    let pointer = 0;
    if (text.length > 0) {
      pointer = this.allocate(text.length);
      if (pointer === 0 || !this.fits(pointer, text.length)) return false;
      writeLatin1(this.view, pointer, text);
    }
    return this.writeU32(ptrPtr, pointer) && this.writeU32(sizePtr, text.length);
  }

  /**
   * copyOut for a header map in the ABI's pairs format (see pairs.ts), serialized straight
   * into the module's memory instead of into a buffer that is then copied.
   */
  copyOutPairs(pairs: readonly (readonly [string, string])[], ptrPtr: number, sizePtr: number): boolean {
    if (pairs.length === 0) return this.writeU32(ptrPtr, 0) && this.writeU32(sizePtr, 0);
    const size = pairsSize(pairs);
    const pointer = this.allocate(size);
    if (pointer === 0 || !this.fits(pointer, size)) return false;
    writePairs(this.view, pointer, pairs);
    return this.writeU32(ptrPtr, pointer) && this.writeU32(sizePtr, size);
  }
}
