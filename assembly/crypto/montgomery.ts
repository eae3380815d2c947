// Modular exponentiation by Montgomery multiplication (Montgomery 1985; the CIOS form of Koç,
// Acar and Kaliski 1996) for any odd modulus of k 32-bit limbs, with R = 2^(32k).
// RSA verification (RFC 8017 §5.2.2) and ECDSA's s^-1 mod n (Fermat) are built on it.
// Pure module: no host imports. Not constant time: verification works on public values.

import {
  Limbs,
  addLimbs,
  bitLength,
  compareLimbs,
  copyLimbs,
  isZeroLimbs,
  limb,
  oneLimbs,
  setLimb,
  subtractLimbs,
} from "./bignum";

// Doublings are cheap next to a multiplication, so R^2 mod n starts with this many of them.
const DOUBLING_BITS: i32 = 6;

export class Montgomery {
  readonly size: i32;
  readonly modulus: Limbs;
  /** -n^-1 mod 2^32: the factor that clears the low limb in each reduction step. */
  readonly inverse: u32;
  /** R^2 mod n: multiplying by it converts a number into Montgomery form. */
  readonly rSquared: Limbs;
  private readonly scratch: Limbs;
  private readonly one: Limbs;

  /** A context for an odd modulus > 1 whose top limb is not zero; null otherwise. */
  static create(modulus: Limbs): Montgomery | null {
    const size = modulus.length;
    if (size == 0 || modulus[size - 1] == 0) return null;
    if ((modulus[0] & 1) == 0 || bitLength(modulus) < 2) return null;
    return new Montgomery(modulus);
  }

  private constructor(modulus: Limbs) {
    const size = modulus.length;
    this.size = size;
    this.modulus = modulus;
    this.inverse = negatedInverse(modulus[0]);
    this.scratch = new StaticArray<u32>(size + 1);
    this.one = oneLimbs(size);
    this.rSquared = new StaticArray<u32>(size);
    this.computeRSquared();
  }

  /** A zero number of this context's size. */
  newNumber(): Limbs {
    return new StaticArray<u32>(this.size);
  }

  /** out = a * b * R^-1 mod n for a, b < n. `out` may be `a` or `b`. False on wrong sizes. */
  multiply(out: Limbs, a: Limbs, b: Limbs): bool {
    const k = this.size;
    if (a.length != k || b.length != k || out.length != k) return false;
    // Limbs are read through raw addresses from here on: a reference read inside a loop makes
    // AssemblyScript spill it to its shadow stack at every access, which made this loop about
    // twice as slow. The sizes were just checked, and nothing allocates until the end.
    const t = changetype<usize>(this.scratch);
    const x = changetype<usize>(a);
    const y = changetype<usize>(b);
    const n = changetype<usize>(this.modulus);
    memory.fill(t, 0, (<usize>k + 1) << 2);
    for (let i = 0; i < k; i++) this.step(t, x, n, <u64>limb(y, i));
    this.finish(out);
    return true;
  }

  /**
   * One CIOS step, t = (t + a * digit + m * n) / 2^32, with m chosen so that the low limb of
   * the sum is zero. Both products run in one loop, each with its own carry. t stays < 2n, so
   * its top limb t[k] is 0 or 1.
   */
  @inline
  private step(t: usize, a: usize, n: usize, digit: u64): void {
    const k = this.size;
    let sum = limb(t, 0) + limb(a, 0) * digit;
    let carry = sum >> 32;
    const m = <u64>(<u32>sum * this.inverse);
    let reduced = (sum & 0xffffffff) + m * limb(n, 0);
    let reducedCarry = reduced >> 32;
    for (let j = 1; j < k; j++) {
      sum = limb(t, j) + limb(a, j) * digit + carry;
      carry = sum >> 32;
      reduced = (sum & 0xffffffff) + m * limb(n, j) + reducedCarry;
      reducedCarry = reduced >> 32;
      setLimb(t, j - 1, reduced);
    }
    const top = limb(t, k) + carry + reducedCarry;
    setLimb(t, k - 1, top);
    setLimb(t, k, top >> 32);
  }

  /** out = t mod n, given t < 2n (k + 1 limbs). */
  private finish(out: Limbs): void {
    const k = this.size;
    const t = changetype<usize>(this.scratch);
    memory.copy(changetype<usize>(out), t, (<usize>k) << 2);
    if (limb(t, k) != 0 || compareLimbs(out, this.modulus) >= 0) {
      subtractLimbs(out, this.modulus);
    }
  }

  /** out = 2a mod n for a < n. */
  private double(out: Limbs, a: Limbs): void {
    copyLimbs(out, a);
    const carry = addLimbs(out, a);
    if (carry != 0 || compareLimbs(out, this.modulus) >= 0) subtractLimbs(out, this.modulus);
  }

  /**
   * R^2 mod n is the Montgomery form of 2^(32k). Start from R mod n (the form of 1) by
   * doublings, double into the form of 2^t for the top bits t of 32k, then square and double
   * through the remaining bits of 32k: about log2(k) multiplications in all.
   */
  private computeRSquared(): void {
    const acc = this.rSquared;
    const bits = bitLength(this.modulus);
    acc[(bits - 1) >> 5] = 1 << (<u32>(bits - 1) & 31);
    const exponent = <u32>(this.size << 5);
    for (let i = bits - 1; i < <i32>exponent; i++) this.double(acc, acc);

    const exponentBits = 32 - <i32>clz(exponent);
    const leadingBits = min(exponentBits, DOUBLING_BITS);
    const shift = exponentBits - leadingBits;
    const leading = exponent >>> (<u32>shift);
    for (let i: u32 = 0; i < leading; i++) this.double(acc, acc);
    for (let bit = shift - 1; bit >= 0; bit--) {
      this.multiply(acc, acc, acc);
      if (((exponent >>> (<u32>bit)) & 1) != 0) this.double(acc, acc);
    }
  }

  toMontgomery(out: Limbs, a: Limbs): bool {
    return this.multiply(out, a, this.rSquared);
  }

  fromMontgomery(out: Limbs, a: Limbs): bool {
    return this.multiply(out, a, this.one);
  }

  /** out = base^exponent mod n for base < n and exponent > 0. False on wrong sizes. */
  powU32(out: Limbs, base: Limbs, exponent: u32): bool {
    if (exponent == 0 || base.length != this.size || out.length != this.size) return false;
    const power = this.newNumber();
    this.toMontgomery(power, base);
    const acc = this.newNumber();
    copyLimbs(acc, power);
    for (let bit = 30 - <i32>clz(exponent); bit >= 0; bit--) {
      this.multiply(acc, acc, acc);
      if (((exponent >>> (<u32>bit)) & 1) != 0) this.multiply(acc, acc, power);
    }
    return this.fromMontgomery(out, acc);
  }

  /** out = base^exponent mod n for base < n and exponent > 0 of any length. */
  pow(out: Limbs, base: Limbs, exponent: Limbs): bool {
    if (isZeroLimbs(exponent) || base.length != this.size || out.length != this.size) {
      return false;
    }
    const power = this.newNumber();
    this.toMontgomery(power, base);
    const acc = this.newNumber();
    copyLimbs(acc, power);
    for (let bit = bitLength(exponent) - 2; bit >= 0; bit--) {
      this.multiply(acc, acc, acc);
      const word = exponent[bit >> 5];
      if (((word >>> (<u32>bit & 31)) & 1) != 0) this.multiply(acc, acc, power);
    }
    return this.fromMontgomery(out, acc);
  }
}

/** -a^-1 mod 2^32 for odd a, by Newton's iteration x = x(2 - ax): each step doubles the bits. */
function negatedInverse(a: u32): u32 {
  let x: u32 = a; // correct to 3 bits: a * a == 1 mod 8 for odd a
  for (let i = 0; i < 4; i++) x = x * (2 - a * x);
  return 0 - x;
}
