// Poly1305 (RFC 8439 §2.5): the one-time authenticator of the session cookie's AEAD. The
// accumulator and r are kept in five 26-bit limbs, so every product of two limbs, and the sum
// of five such products, fits in a u64 without the 128-bit multiply WebAssembly lacks.

export const POLY1305_KEY_SIZE: i32 = 32;
export const POLY1305_TAG_SIZE: i32 = 16;

const LIMB_MASK: u32 = 0x3ffffff;

// §2.5.1: each full 16-byte block gets a 0x01 byte appended, i.e. bit 128, which is bit 24 of
// the fifth limb (128 = 4 * 26 + 24). A short final block carries its 0x01 byte in its padding.
const FULL_BLOCK_BIT: u32 = 1 << 24;

export class Poly1305 {
  private r0: u32 = 0;
  private r1: u32 = 0;
  private r2: u32 = 0;
  private r3: u32 = 0;
  private r4: u32 = 0;
  private h0: u32 = 0;
  private h1: u32 = 0;
  private h2: u32 = 0;
  private h3: u32 = 0;
  private h4: u32 = 0;
  private s0: u32 = 0;
  private s1: u32 = 0;
  private s2: u32 = 0;
  private s3: u32 = 0;
  private pending: StaticArray<u8> = new StaticArray<u8>(16);
  private pendingLength: i32 = 0;

  /** Starts a MAC under the 32-byte one-time key at `key`: r clamped, then s (§2.5.1). */
  start(key: usize): Poly1305 {
    const t0 = load<u32>(key, 0) & 0x0fffffff;
    const t1 = load<u32>(key, 4) & 0x0ffffffc;
    const t2 = load<u32>(key, 8) & 0x0ffffffc;
    const t3 = load<u32>(key, 12) & 0x0ffffffc;
    this.r0 = t0 & LIMB_MASK;
    this.r1 = ((t0 >>> 26) | (t1 << 6)) & LIMB_MASK;
    this.r2 = ((t1 >>> 20) | (t2 << 12)) & LIMB_MASK;
    this.r3 = ((t2 >>> 14) | (t3 << 18)) & LIMB_MASK;
    this.r4 = t3 >>> 8;
    this.s0 = load<u32>(key, 16);
    this.s1 = load<u32>(key, 20);
    this.s2 = load<u32>(key, 24);
    this.s3 = load<u32>(key, 28);
    this.h0 = this.h1 = this.h2 = this.h3 = this.h4 = 0;
    this.pendingLength = 0;
    return this;
  }

  /**
   * Accumulates `length / 16` blocks at `data`: h = (h + block) * r mod 2^130 - 5. A product
   * of limbs i and j with i + j >= 5 lands at 2^130 * 2^(26(i+j-5)), which is congruent to
   * 5 * 2^(26(i+j-5)), hence the multiples of five of r.
   */
  private absorbBlocks(data: usize, length: usize, blockBit: u32): void {
    const r0 = <u64>this.r0, r1 = <u64>this.r1, r2 = <u64>this.r2;
    const r3 = <u64>this.r3, r4 = <u64>this.r4;
    const r1x5 = r1 * 5, r2x5 = r2 * 5, r3x5 = r3 * 5, r4x5 = r4 * 5;
    let h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;

    for (let at: usize = 0; at + 16 <= length; at += 16) {
      const t0 = load<u32>(data + at, 0), t1 = load<u32>(data + at, 4);
      const t2 = load<u32>(data + at, 8), t3 = load<u32>(data + at, 12);
      const a0 = <u64>(h0 + (t0 & LIMB_MASK));
      const a1 = <u64>(h1 + (((t0 >>> 26) | (t1 << 6)) & LIMB_MASK));
      const a2 = <u64>(h2 + (((t1 >>> 20) | (t2 << 12)) & LIMB_MASK));
      const a3 = <u64>(h3 + (((t2 >>> 14) | (t3 << 18)) & LIMB_MASK));
      const a4 = <u64>(h4 + ((t3 >>> 8) | blockBit));

      let d0 = a0 * r0 + a1 * r4x5 + a2 * r3x5 + a3 * r2x5 + a4 * r1x5;
      let d1 = a0 * r1 + a1 * r0 + a2 * r4x5 + a3 * r3x5 + a4 * r2x5;
      let d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * r4x5 + a4 * r3x5;
      let d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * r4x5;
      let d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

      // Partial reduction: limbs back under 2^26, except h1, which may exceed it slightly.
      d1 += d0 >> 26;
      d2 += d1 >> 26;
      d3 += d2 >> 26;
      d4 += d3 >> 26;
      const e0 = (d0 & LIMB_MASK) + (d4 >> 26) * 5;
      h0 = <u32>e0 & LIMB_MASK;
      h1 = (<u32>d1 & LIMB_MASK) + <u32>(e0 >> 26);
      h2 = <u32>d2 & LIMB_MASK;
      h3 = <u32>d3 & LIMB_MASK;
      h4 = <u32>d4 & LIMB_MASK;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
    this.h4 = h4;
  }

  /** Adds `length` bytes at `data` to the message; the caller guarantees the range is live. */
  updateAt(data: usize, length: i32): Poly1305 {
    if (length <= 0) return this;
    let next = data;
    let left = <usize>length;
    const pending = changetype<usize>(this.pending);
    if (this.pendingLength > 0) {
      const room = <usize>(16 - this.pendingLength);
      const take = left < room ? left : room;
      memory.copy(pending + <usize>this.pendingLength, next, take);
      this.pendingLength += <i32>take;
      next += take;
      left -= take;
      if (this.pendingLength < 16) return this;
      this.absorbBlocks(pending, 16, FULL_BLOCK_BIT);
      this.pendingLength = 0;
    }

    const whole = left & ~(<usize>15);
    this.absorbBlocks(next, whole, FULL_BLOCK_BIT);
    memory.copy(pending, next + whole, left - whole);
    this.pendingLength = <i32>(left - whole);
    return this;
  }

  /** Adds zero bytes up to the next multiple of 16, as the AEAD construction does (§2.8). */
  padToBlock(): Poly1305 {
    if (this.pendingLength == 0) return this;
    const pending = changetype<usize>(this.pending);
    const used = <usize>this.pendingLength;
    memory.fill(pending + used, 0, 16 - used);
    this.absorbBlocks(pending, 16, FULL_BLOCK_BIT);
    this.pendingLength = 0;
    return this;
  }

  /** Writes the 16-byte tag to `out`: h reduced mod 2^130 - 5, plus s, mod 2^128 (§2.5.1). */
  finishAt(out: usize): void {
    if (this.pendingLength > 0) {
      const pending = changetype<usize>(this.pending);
      const used = <usize>this.pendingLength;
      store<u8>(pending + used, 1);
      memory.fill(pending + used + 1, 0, 15 - used);
      this.absorbBlocks(pending, 16, 0);
      this.pendingLength = 0;
    }
    this.carryFully();
    this.subtractPrimeIfAbove();
    this.writeTag(out);
    this.forgetKey();
  }

  /** Clears r and s, so that a finished MAC leaves no key in memory. */
  private forgetKey(): void {
    this.r0 = this.r1 = this.r2 = this.r3 = this.r4 = 0;
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
  }

  /** Propagates the carries: every limb ends under 2^26, except h1, which may reach 2^26. */
  private carryFully(): void {
    this.h2 += this.h1 >>> 26;
    this.h1 &= LIMB_MASK;
    this.h3 += this.h2 >>> 26;
    this.h2 &= LIMB_MASK;
    this.h4 += this.h3 >>> 26;
    this.h3 &= LIMB_MASK;
    this.h0 += (this.h4 >>> 26) * 5;
    this.h4 &= LIMB_MASK;
    this.h1 += this.h0 >>> 26;
    this.h0 &= LIMB_MASK;
  }

  /**
   * Replaces h by h - p when h >= p = 2^130 - 5, without branching on h: g = h + 5 - 2^130
   * is negative exactly when h < p, and its sign bit then selects h.
   */
  private subtractPrimeIfAbove(): void {
    let g0 = this.h0 + 5;
    let g1 = this.h1 + (g0 >>> 26);
    g0 &= LIMB_MASK;
    let g2 = this.h2 + (g1 >>> 26);
    g1 &= LIMB_MASK;
    let g3 = this.h3 + (g2 >>> 26);
    g2 &= LIMB_MASK;
    const g4 = this.h4 + (g3 >>> 26) - (1 << 26);
    g3 &= LIMB_MASK;

    const takeG = (g4 >>> 31) - 1;
    const keepH = ~takeG;
    this.h0 = (this.h0 & keepH) | (g0 & takeG);
    this.h1 = (this.h1 & keepH) | (g1 & takeG);
    this.h2 = (this.h2 & keepH) | (g2 & takeG);
    this.h3 = (this.h3 & keepH) | (g3 & takeG);
    this.h4 = (this.h4 & keepH) | (g4 & takeG);
  }

  /** Stores (h + s) mod 2^128 little-endian; limbs are added, not ORed, as h1 may be 2^26. */
  private writeTag(out: usize): void {
    let sum = <u64>this.h0 + (<u64>this.h1 << 26) + <u64>this.s0;
    store<u32>(out, <u32>sum, 0);
    sum = (sum >> 32) + (<u64>this.h2 << 20) + <u64>this.s1;
    store<u32>(out, <u32>sum, 4);
    sum = (sum >> 32) + (<u64>this.h3 << 14) + <u64>this.s2;
    store<u32>(out, <u32>sum, 8);
    sum = (sum >> 32) + (<u64>this.h4 << 8) + <u64>this.s3;
    store<u32>(out, <u32>sum, 12);
  }
}

/** The Poly1305 tag of `message` under a 32-byte one-time key; null for another key size. */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array | null {
  if (key.length != POLY1305_KEY_SIZE) return null;
  const tag = new Uint8Array(POLY1305_TAG_SIZE);
  new Poly1305().start(key.dataStart).updateAt(message.dataStart, message.length).finishAt(
    tag.dataStart,
  );
  return tag;
}
