// Arithmetic in the field of NIST P-256, p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-5 /
// SP 800-186 §3.2.1.3). Products are reduced by the fast reduction of FIPS 186-4 §D.2.3
// (Solinas), which needs only additions of the product's 32-bit words. Pure module.
// Not constant time: ECDSA verification works on public values only.

import { Limbs, limb, setLimb } from "./bignum";

export const FIELD_LIMBS: i32 = 8;
const FIELD_BYTES: i32 = 4 * FIELD_LIMBS;

/**
 * An element of the field, always < p: eight 32-bit limbs, least significant first. The limbs
 * are fields rather than an array so that the type itself fixes the size. The arithmetic
 * reads them by address (limb i at changetype<usize>(element) + 4i; AssemblyScript lays fields
 * out in declaration order, which a unit test checks): a reference read inside a loop makes
 * AssemblyScript spill it to its shadow stack at every access, which made a multiplication
 * three times as slow. Nothing here allocates while an address is held.
 */
@final
export class FieldElement {
  limb0: u32 = 0;
  limb1: u32 = 0;
  limb2: u32 = 0;
  limb3: u32 = 0;
  limb4: u32 = 0;
  limb5: u32 = 0;
  limb6: u32 = 0;
  limb7: u32 = 0;
}

// p, least significant limb first.
const PRIME: StaticArray<u32> = [
  0xffffffff, 0xffffffff, 0xffffffff, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0xffffffff,
];

// The 512-bit product of two elements, before reduction.
const PRODUCT = new StaticArray<u32>(2 * FIELD_LIMBS);

export function newField(): FieldElement {
  return new FieldElement();
}

/** The element for a 32-byte big-endian value at `offset`; null when short or >= p. */
export function fieldFromBytes(bytes: Uint8Array, offset: i32): FieldElement | null {
  if (offset < 0 || bytes.length - offset < 32) return null;
  const out = newField();
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const last = offset + 31 - 4 * i;
    const value =
      <u32>bytes[last] |
      (<u32>bytes[last - 1] << 8) |
      (<u32>bytes[last - 2] << 16) |
      (<u32>bytes[last - 3] << 24);
    setLimb(changetype<usize>(out), i, value);
  }
  return compareToPrime(changetype<usize>(out)) < 0 ? out : null;
}

/** The element for a number of 8 limbs; null for another size or a value >= p. */
export function fieldFromLimbs(limbs: Limbs): FieldElement | null {
  if (limbs.length != FIELD_LIMBS) return null;
  const out = newField();
  memory.copy(changetype<usize>(out), changetype<usize>(limbs), FIELD_BYTES);
  return compareToPrime(changetype<usize>(out)) < 0 ? out : null;
}

export function fieldToBytes(a: FieldElement): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[31 - i] = <u8>(limb(changetype<usize>(a), i >> 2) >> ((<u64>(i & 3)) << 3));
  }
  return out;
}

/** The element for a 64-digit hex constant (most significant first); zero on a bad digit. */
export function fieldFromHex(hex: string): FieldElement {
  const out = newField();
  if (hex.length != 64) return out;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const value = parseInt(hex.substr(56 - 8 * i, 8), 16);
    if (isNaN(value)) return newField();
    setLimb(changetype<usize>(out), i, <u64>value);
  }
  return out;
}

export function fieldCopy(out: FieldElement, a: FieldElement): void {
  memory.copy(changetype<usize>(out), changetype<usize>(a), FIELD_BYTES);
}

export function fieldSetSmall(out: FieldElement, value: u32): void {
  memory.fill(changetype<usize>(out), 0, FIELD_BYTES);
  out.limb0 = value;
}

export function fieldIsZero(a: FieldElement): bool {
  const x = changetype<usize>(a);
  let bits: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) bits |= limb(x, i);
  return bits == 0;
}

export function fieldEquals(a: FieldElement, b: FieldElement): bool {
  const x = changetype<usize>(a);
  const y = changetype<usize>(b);
  let bits: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) bits |= limb(x, i) ^ limb(y, i);
  return bits == 0;
}

function compareToPrime(a: usize): i32 {
  const prime = changetype<usize>(PRIME);
  for (let i = FIELD_LIMBS - 1; i >= 0; i--) {
    const x = limb(a, i);
    const y = limb(prime, i);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= p, ignoring the borrow out (the caller knows a >= p, or a carry was dropped). */
function subtractPrime(a: usize): void {
  const prime = changetype<usize>(PRIME);
  let borrow: i64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const difference = <i64>limb(a, i) - <i64>limb(prime, i) + borrow;
    setLimb(a, i, difference);
    borrow = difference >> 32;
  }
}

/** out = a + b mod p. `out` may be `a` or `b`. */
export function fieldAdd(out: FieldElement, a: FieldElement, b: FieldElement): void {
  const o = changetype<usize>(out);
  const x = changetype<usize>(a);
  const y = changetype<usize>(b);
  let carry: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const sum = limb(x, i) + limb(y, i) + carry;
    setLimb(o, i, sum);
    carry = sum >> 32;
  }
  if (carry != 0 || compareToPrime(o) >= 0) subtractPrime(o);
}

/** out = a - b mod p. `out` may be `a` or `b`. */
export function fieldSubtract(out: FieldElement, a: FieldElement, b: FieldElement): void {
  const o = changetype<usize>(out);
  const x = changetype<usize>(a);
  const y = changetype<usize>(b);
  let borrow: i64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const difference = <i64>limb(x, i) - <i64>limb(y, i) + borrow;
    setLimb(o, i, difference);
    borrow = difference >> 32;
  }
  if (borrow == 0) return;
  const prime = changetype<usize>(PRIME);
  let carry: u64 = 0; // adding p back wraps past 2^256 exactly once
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const sum = limb(o, i) + limb(prime, i) + carry;
    setLimb(o, i, sum);
    carry = sum >> 32;
  }
}

/** out = a * b mod p. `out` may be `a` or `b`. */
export function fieldMultiply(out: FieldElement, a: FieldElement, b: FieldElement): void {
  const c = changetype<usize>(PRODUCT);
  const x = changetype<usize>(a);
  const y = changetype<usize>(b);
  memory.fill(c, 0, FIELD_BYTES);
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const factor = limb(x, i);
    let carry: u64 = 0;
    for (let j = 0; j < FIELD_LIMBS; j++) {
      const sum = limb(c, i + j) + factor * limb(y, j) + carry;
      setLimb(c, i + j, sum);
      carry = sum >> 32;
    }
    setLimb(c, i + FIELD_LIMBS, carry);
  }
  reduceProduct(changetype<usize>(out));
}

/** out = a^2 mod p: each cross product a[i]a[j] (i < j) once, doubled, plus the squares. */
export function fieldSquare(out: FieldElement, a: FieldElement): void {
  const c = changetype<usize>(PRODUCT);
  const x = changetype<usize>(a);
  memory.fill(c, 0, 2 * FIELD_BYTES);
  for (let i = 0; i < FIELD_LIMBS - 1; i++) {
    const factor = limb(x, i);
    let carry: u64 = 0;
    for (let j = i + 1; j < FIELD_LIMBS; j++) {
      const sum = limb(c, i + j) + factor * limb(x, j) + carry;
      setLimb(c, i + j, sum);
      carry = sum >> 32;
    }
    setLimb(c, i + FIELD_LIMBS, carry);
  }
  let carry: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const square = limb(x, i) * limb(x, i);
    const low = (limb(c, 2 * i) << 1) + (square & 0xffffffff) + carry;
    setLimb(c, 2 * i, low);
    const high = (limb(c, 2 * i + 1) << 1) + (square >> 32) + (low >> 32);
    setLimb(c, 2 * i + 1, high);
    carry = high >> 32;
  }
  reduceProduct(changetype<usize>(out));
}

/**
 * out = PRODUCT mod p by FIPS 186-4 §D.2.3: with c0..c15 the product's words,
 * T + 2S1 + 2S2 + S3 + S4 - D1 - D2 - D3 - D4, written below word by word (each line is the
 * word's column across those nine 256-bit terms). The signed column sums carry into the next.
 */
function reduceProduct(out: usize): void {
  const c = changetype<usize>(PRODUCT);
  const c0 = <i64>limb(c, 0), c1 = <i64>limb(c, 1), c2 = <i64>limb(c, 2), c3 = <i64>limb(c, 3);
  const c4 = <i64>limb(c, 4), c5 = <i64>limb(c, 5), c6 = <i64>limb(c, 6), c7 = <i64>limb(c, 7);
  const c8 = <i64>limb(c, 8), c9 = <i64>limb(c, 9), c10 = <i64>limb(c, 10);
  const c11 = <i64>limb(c, 11), c12 = <i64>limb(c, 12), c13 = <i64>limb(c, 13);
  const c14 = <i64>limb(c, 14), c15 = <i64>limb(c, 15);

  let acc: i64 = c0 + c8 + c9 - c11 - c12 - c13 - c14;
  setLimb(out, 0, acc);
  acc = (acc >> 32) + c1 + c9 + c10 - c12 - c13 - c14 - c15;
  setLimb(out, 1, acc);
  acc = (acc >> 32) + c2 + c10 + c11 - c13 - c14 - c15;
  setLimb(out, 2, acc);
  acc = (acc >> 32) + c3 + 2 * (c11 + c12) + c13 - c15 - c8 - c9;
  setLimb(out, 3, acc);
  acc = (acc >> 32) + c4 + 2 * (c12 + c13) + c14 - c9 - c10;
  setLimb(out, 4, acc);
  acc = (acc >> 32) + c5 + 2 * (c13 + c14) + c15 - c10 - c11;
  setLimb(out, 5, acc);
  acc = (acc >> 32) + c6 + 3 * c14 + 2 * c15 + c13 - c8 - c9;
  setLimb(out, 6, acc);
  acc = (acc >> 32) + c7 + 3 * c15 + c8 - c10 - c11 - c12 - c13;
  setLimb(out, 7, acc);

  foldCarry(out, acc >> 32);
}

/**
 * out + top * 2^256 mod p, for a small signed top: 2^256 = 2^224 - 2^192 - 2^96 + 1 mod p,
 * so top is added at words 7 and 0 and subtracted at words 6 and 3. Two folds bring any top
 * of the reduction to zero; the loop bound only guards that claim.
 */
function foldCarry(out: usize, top: i64): void {
  for (let round = 0; round < 4 && top != 0; round++) {
    let acc: i64 = <i64>limb(out, 0) + top;
    setLimb(out, 0, acc);
    for (let i = 1; i < FIELD_LIMBS; i++) {
      acc = (acc >> 32) + <i64>limb(out, i);
      if (i == 3 || i == 6) acc -= top;
      if (i == 7) acc += top;
      setLimb(out, i, acc);
    }
    top = acc >> 32;
  }
  if (compareToPrime(out) >= 0) subtractPrime(out);
}

/** out = a^-1 mod p (zero for zero) by Fermat: a^(p-2). Off the verification path. */
export function fieldInvert(out: FieldElement, a: FieldElement): void {
  const acc = newField();
  fieldSetSmall(acc, 1);
  // p - 2 differs from p only in its lowest limb: 0xfffffffd.
  for (let bit = 255; bit >= 0; bit--) {
    fieldSquare(acc, acc);
    let word = <u32>limb(changetype<usize>(PRIME), bit >> 5);
    if (bit < 32) word = 0xfffffffd;
    if (((word >>> (<u32>bit & 31)) & 1) != 0) fieldMultiply(acc, acc, a);
  }
  fieldCopy(out, acc);
}
