// Arithmetic in the field of NIST P-256, p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-5 /
// SP 800-186 §3.2.1.3). Products are reduced by the fast reduction of FIPS 186-4 §D.2.3
// (Solinas), which needs only additions of the product's 32-bit words. Pure module.
//
// A field element is a StaticArray<u32> of 8 limbs, least significant first, always < p.
// Every element is made by newField(): the limb loops below index 0..7 (0..15 for the
// product) without bounds checks on that guarantee. Not constant time (public values only).

export type FieldElement = StaticArray<u32>;

export const FIELD_LIMBS: i32 = 8;

// p, least significant limb first.
const PRIME: FieldElement = [
  0xffffffff, 0xffffffff, 0xffffffff, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0xffffffff,
];

// The 512-bit product of two elements, before reduction.
const PRODUCT = new StaticArray<u32>(2 * FIELD_LIMBS);

export function newField(): FieldElement {
  return new StaticArray<u32>(FIELD_LIMBS);
}

/** The element for a 32-byte big-endian value at `offset`; null when short or >= p. */
export function fieldFromBytes(bytes: Uint8Array, offset: i32): FieldElement | null {
  if (offset < 0 || bytes.length - offset < 32) return null;
  const out = newField();
  for (let i = 0; i < 32; i++) {
    const byte = <u32>bytes[offset + 31 - i];
    unchecked((out[i >> 2] |= byte << ((<u32>(i & 3)) << 3)));
  }
  return compareToPrime(out) < 0 ? out : null;
}

export function fieldToBytes(a: FieldElement): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[31 - i] = <u8>(unchecked(a[i >> 2]) >>> ((<u32>(i & 3)) << 3));
  }
  return out;
}

/** The element for a 64-digit hex constant (most significant first); zero on a bad digit. */
export function fieldFromHex(hex: string): FieldElement {
  const out = newField();
  if (hex.length != 64) return out;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const limb = parseInt(hex.substr(56 - 8 * i, 8), 16);
    if (isNaN(limb)) return newField();
    unchecked((out[i] = <u32>limb));
  }
  return out;
}

export function fieldCopy(out: FieldElement, a: FieldElement): void {
  for (let i = 0; i < FIELD_LIMBS; i++) unchecked((out[i] = a[i]));
}

export function fieldSetSmall(out: FieldElement, value: u32): void {
  unchecked((out[0] = value));
  for (let i = 1; i < FIELD_LIMBS; i++) unchecked((out[i] = 0));
}

export function fieldIsZero(a: FieldElement): bool {
  let bits: u32 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) bits |= unchecked(a[i]);
  return bits == 0;
}

export function fieldEquals(a: FieldElement, b: FieldElement): bool {
  let bits: u32 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) bits |= unchecked(a[i]) ^ unchecked(b[i]);
  return bits == 0;
}

/** Whether 8 limbs hold a value < p. */
export function fieldIsReduced(a: FieldElement): bool {
  return a.length == FIELD_LIMBS && compareToPrime(a) < 0;
}

function compareToPrime(a: FieldElement): i32 {
  for (let i = FIELD_LIMBS - 1; i >= 0; i--) {
    const x = unchecked(a[i]);
    const y = unchecked(PRIME[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= p, ignoring the borrow out (the caller knows a >= p, or a carry was dropped). */
function subtractPrime(a: FieldElement): void {
  let borrow: i64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const difference = <i64>unchecked(a[i]) - <i64>unchecked(PRIME[i]) + borrow;
    unchecked((a[i] = <u32>difference));
    borrow = difference >> 32;
  }
}

/** out = a + b mod p. `out` may be `a` or `b`. */
export function fieldAdd(out: FieldElement, a: FieldElement, b: FieldElement): void {
  let carry: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const sum = <u64>unchecked(a[i]) + <u64>unchecked(b[i]) + carry;
    unchecked((out[i] = <u32>sum));
    carry = sum >> 32;
  }
  if (carry != 0 || compareToPrime(out) >= 0) subtractPrime(out);
}

/** out = a - b mod p. `out` may be `a` or `b`. */
export function fieldSubtract(out: FieldElement, a: FieldElement, b: FieldElement): void {
  let borrow: i64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const difference = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) + borrow;
    unchecked((out[i] = <u32>difference));
    borrow = difference >> 32;
  }
  if (borrow == 0) return;
  let carry: u64 = 0; // adding p back wraps past 2^256 exactly once
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const sum = <u64>unchecked(out[i]) + <u64>unchecked(PRIME[i]) + carry;
    unchecked((out[i] = <u32>sum));
    carry = sum >> 32;
  }
}

/** out = a * b mod p. `out` may be `a` or `b`. */
export function fieldMultiply(out: FieldElement, a: FieldElement, b: FieldElement): void {
  const c = PRODUCT;
  for (let i = 0; i < FIELD_LIMBS; i++) unchecked((c[i] = 0));
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const factor = <u64>unchecked(a[i]);
    let carry: u64 = 0;
    for (let j = 0; j < FIELD_LIMBS; j++) {
      const sum = <u64>unchecked(c[i + j]) + factor * <u64>unchecked(b[j]) + carry;
      unchecked((c[i + j] = <u32>sum));
      carry = sum >> 32;
    }
    unchecked((c[i + FIELD_LIMBS] = <u32>carry));
  }
  reduceProduct(out);
}

/** out = a^2 mod p: each cross product a[i]a[j] (i < j) once, doubled, plus the squares. */
export function fieldSquare(out: FieldElement, a: FieldElement): void {
  const c = PRODUCT;
  for (let i = 0; i < 2 * FIELD_LIMBS; i++) unchecked((c[i] = 0));
  for (let i = 0; i < FIELD_LIMBS - 1; i++) {
    const factor = <u64>unchecked(a[i]);
    let carry: u64 = 0;
    for (let j = i + 1; j < FIELD_LIMBS; j++) {
      const sum = <u64>unchecked(c[i + j]) + factor * <u64>unchecked(a[j]) + carry;
      unchecked((c[i + j] = <u32>sum));
      carry = sum >> 32;
    }
    unchecked((c[i + FIELD_LIMBS] = <u32>carry));
  }
  let carry: u64 = 0;
  for (let i = 0; i < FIELD_LIMBS; i++) {
    const limb = <u64>unchecked(a[i]);
    const square = limb * limb;
    const low = (<u64>unchecked(c[2 * i]) << 1) + (square & 0xffffffff) + carry;
    unchecked((c[2 * i] = <u32>low));
    const high = (<u64>unchecked(c[2 * i + 1]) << 1) + (square >> 32) + (low >> 32);
    unchecked((c[2 * i + 1] = <u32>high));
    carry = high >> 32;
  }
  reduceProduct(out);
}

/**
 * out = PRODUCT mod p by FIPS 186-4 §D.2.3: with c0..c15 the product's words,
 * T + 2S1 + 2S2 + S3 + S4 - D1 - D2 - D3 - D4, written below word by word (each line is the
 * word's column across those nine 256-bit terms). The signed column sums carry into the next.
 */
function reduceProduct(out: FieldElement): void {
  const c = PRODUCT;
  const c0 = <i64>unchecked(c[0]), c1 = <i64>unchecked(c[1]), c2 = <i64>unchecked(c[2]);
  const c3 = <i64>unchecked(c[3]), c4 = <i64>unchecked(c[4]), c5 = <i64>unchecked(c[5]);
  const c6 = <i64>unchecked(c[6]), c7 = <i64>unchecked(c[7]), c8 = <i64>unchecked(c[8]);
  const c9 = <i64>unchecked(c[9]), c10 = <i64>unchecked(c[10]), c11 = <i64>unchecked(c[11]);
  const c12 = <i64>unchecked(c[12]), c13 = <i64>unchecked(c[13]);
  const c14 = <i64>unchecked(c[14]), c15 = <i64>unchecked(c[15]);

  let acc: i64 = c0 + c8 + c9 - c11 - c12 - c13 - c14;
  unchecked((out[0] = <u32>acc));
  acc = (acc >> 32) + c1 + c9 + c10 - c12 - c13 - c14 - c15;
  unchecked((out[1] = <u32>acc));
  acc = (acc >> 32) + c2 + c10 + c11 - c13 - c14 - c15;
  unchecked((out[2] = <u32>acc));
  acc = (acc >> 32) + c3 + 2 * (c11 + c12) + c13 - c15 - c8 - c9;
  unchecked((out[3] = <u32>acc));
  acc = (acc >> 32) + c4 + 2 * (c12 + c13) + c14 - c9 - c10;
  unchecked((out[4] = <u32>acc));
  acc = (acc >> 32) + c5 + 2 * (c13 + c14) + c15 - c10 - c11;
  unchecked((out[5] = <u32>acc));
  acc = (acc >> 32) + c6 + 3 * c14 + 2 * c15 + c13 - c8 - c9;
  unchecked((out[6] = <u32>acc));
  acc = (acc >> 32) + c7 + 3 * c15 + c8 - c10 - c11 - c12 - c13;
  unchecked((out[7] = <u32>acc));

  foldCarry(out, acc >> 32);
}

/**
 * out + top * 2^256 mod p, for a small signed top: 2^256 = 2^224 - 2^192 - 2^96 + 1 mod p,
 * so top is added at words 7 and 0 and subtracted at words 6 and 3. Two folds bring any top
 * of the reduction to zero; the loop bound only guards that claim.
 */
function foldCarry(out: FieldElement, top: i64): void {
  for (let round = 0; round < 4 && top != 0; round++) {
    let acc: i64 = <i64>unchecked(out[0]) + top;
    unchecked((out[0] = <u32>acc));
    for (let i = 1; i < FIELD_LIMBS; i++) {
      acc = (acc >> 32) + <i64>unchecked(out[i]);
      if (i == 3 || i == 6) acc -= top;
      if (i == 7) acc += top;
      unchecked((out[i] = <u32>acc));
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
    let limb = unchecked(PRIME[bit >> 5]);
    if (bit < 32) limb = 0xfffffffd;
    if (((limb >>> (<u32>bit & 31)) & 1) != 0) fieldMultiply(acc, acc, a);
  }
  fieldCopy(out, acc);
}
