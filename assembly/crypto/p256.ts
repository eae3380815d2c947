// The curve NIST P-256, y^2 = x^3 - 3x + b over the field of p256-field.ts (SP 800-186
// §3.2.1.3), in Jacobian coordinates: (X, Y, Z) stands for (X/Z^2, Y/Z^3), and Z = 0 for the
// point at infinity. What ECDSA verification needs: the public key check (SEC 1 §3.2.2.1) and
// u1*G + u2*Q (SEC 1 §4.1.4 step 5). Pure module. Not constant time: inputs are public.

import {
  FieldElement,
  fieldAdd,
  fieldCopy,
  fieldEquals,
  fieldFromHex,
  fieldInvert,
  fieldIsZero,
  fieldMultiply,
  fieldSetSmall,
  fieldSquare,
  fieldSubtract,
  newField,
} from "./p256-field";
import { Limbs } from "./bignum";

export class JacobianPoint {
  x: FieldElement = newField();
  y: FieldElement = newField();
  z: FieldElement = newField();
}

class AffinePoint {
  constructor(
    public x: FieldElement,
    public y: FieldElement,
  ) {}
}

// The group order n, least significant limb first.
export const ORDER: Limbs = [
  0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff,
];

const CURVE_B = fieldFromHex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

// Scalars are read in windows of this many bits: 15 multiples of each point per table.
const WINDOW_BITS: i32 = 4;
const WINDOW_COUNT: i32 = 256 / WINDOW_BITS;
const TABLE_SIZE: i32 = 1 << WINDOW_BITS;

// 1G .. 15G in affine coordinates (x, y), hex, most significant first; entry 0 is unused.
// The Node tests check u*G for random u against node:crypto, which covers every entry.
const BASE_HEX: string[] = [
  "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
  "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
  "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978",
  "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1",
  "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c",
  "8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032",
  "e2534a3532d08fbba02dde659ee62bd0031fe2db785596ef509302446b030852",
  "e0f1575a4c633cc719dfee5fda862d764efc96c3f30ee0055c42c23f184ed8c6",
  "51590b7a515140d2d784c85608668fdfef8c82fd1f5be52421554a0dc3d033ed",
  "e0c17da8904a727d8ae1bf36bf8a79260d012f00d4d80888d1d0bb44fda16da4",
  "b01a172a76a4602c92d3242cb897dde3024c740debb215b4c6b0aae93c2291a9",
  "e85c10743237dad56fec0e2dfba703791c00f7701c7e16bdfd7c48538fc77fe2",
  "8e533b6fa0bf7b4625bb30667c01fb607ef9f8b8a80fef5b300628703187b2a3",
  "73eb1dbde03318366d069f83a6f5900053c73633cb041b21c55e1a86c1f400b4",
  "62d9779dbee9b0534042742d3ab54cadc1d238980fce97dbb4dd9dc1db6fb393",
  "ad5accbd91e9d8244ff15d771167cee0a2ed51f6bbe76a78da540a6a0f09957e",
  "ea68d7b6fedf0b71878938d51d71f8729e0acb8c2c6df8b3d79e8a4b90949ee0",
  "2a2744c972c9fce787014a964a8ea0c84d714feaa4de823fe85a224a4dd048fa",
  "cef66d6b2a3a993e591214d1ea223fb545ca6c471c48306e4c36069404c5723f",
  "878662a229aaae906e123cdd9d3b4c10590ded29fe751eeeca34bbaa44af0773",
  "3ed113b7883b4c590638379db0c21cda16742ed0255048bf433391d374bc21d1",
  "9099209accc4c8a224c843afa4f4c68a090d04da5e9889dae2f8eefce82a3740",
  "741dd5bda817d95e4626537320e5d55179983028b2f82c99d500c5ee8624e3c4",
  "0770b46a9c385fdc567383554887b1548eeb912c35ba5ca71995ff22cd4481d3",
  "177c837ae0ac495a61805df2d85ee2fc792e284b65ead58a98e15d9d46072c01",
  "63bb58cd4ebea558a24091adb40f4e7226ee14c3a1fb4df39c43bbe2efc7bfd8",
  "54e77a001c3862b97a76647f4336df3cf126acbe7a069c5e5709277324d2920b",
  "f599f1bb29f4317542121f8c05a2e7c37171ea77735090081ba7c82f60d0b375",
  "f0454dc6971abae7adfb378999888265ae03af92de3a0ef163668c63e59b9d5f",
  "b5b93ee3592e2d1f4e6594e51f9643e62a3b21ce75b5fa3f47e59cde0d034f36",
];

const BASE_TABLE = buildBaseTable();
const KEY_TABLE = buildKeyTable();

function buildBaseTable(): StaticArray<AffinePoint> {
  const table = new StaticArray<AffinePoint>(TABLE_SIZE);
  table[0] = new AffinePoint(newField(), newField());
  for (let i = 1; i < TABLE_SIZE; i++) {
    const x = fieldFromHex(BASE_HEX[2 * i - 2]);
    const y = fieldFromHex(BASE_HEX[2 * i - 1]);
    table[i] = new AffinePoint(x, y);
  }
  return table;
}

// Multiples of the public key, rebuilt on every verification (no allocation per request).
function buildKeyTable(): StaticArray<JacobianPoint> {
  const table = new StaticArray<JacobianPoint>(TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) table[i] = new JacobianPoint();
  return table;
}

// Scratch elements for the point formulas; the module runs one call at a time.
const T0 = newField();
const T1 = newField();
const T2 = newField();
const T3 = newField();
const T4 = newField();
const T5 = newField();
const T6 = newField();
const NEXT_X = newField();
const NEXT_Y = newField();
const NEXT_Z = newField();

/** Whether (x, y), both already < p, satisfies y^2 = x^3 - 3x + b (SEC 1 §3.2.2.1 step 3). */
export function isOnCurve(x: FieldElement, y: FieldElement): bool {
  fieldSquare(T0, x);
  fieldMultiply(T0, T0, x);
  fieldAdd(T1, x, x);
  fieldAdd(T1, T1, x);
  fieldSubtract(T0, T0, T1);
  fieldAdd(T0, T0, CURVE_B);
  fieldSquare(T1, y);
  return fieldEquals(T0, T1);
}

export function isInfinity(point: JacobianPoint): bool {
  return fieldIsZero(point.z);
}

export function setInfinity(out: JacobianPoint): void {
  fieldSetSmall(out.x, 1);
  fieldSetSmall(out.y, 1);
  fieldSetSmall(out.z, 0);
}

function setAffine(out: JacobianPoint, x: FieldElement, y: FieldElement): void {
  fieldCopy(out.x, x);
  fieldCopy(out.y, y);
  fieldSetSmall(out.z, 1);
}

function copyPoint(out: JacobianPoint, point: JacobianPoint): void {
  fieldCopy(out.x, point.x);
  fieldCopy(out.y, point.y);
  fieldCopy(out.z, point.z);
}

function storeNext(out: JacobianPoint): void {
  fieldCopy(out.x, NEXT_X);
  fieldCopy(out.y, NEXT_Y);
  fieldCopy(out.z, NEXT_Z);
}

/** out = 2P with a = -3: 3M + 5S ("dbl-2001-b", Bernstein and Lange's formula database). */
export function pointDouble(out: JacobianPoint, point: JacobianPoint): void {
  fieldSquare(T0, point.z); // delta = Z^2
  fieldSquare(T1, point.y); // gamma = Y^2
  fieldMultiply(T2, point.x, T1); // beta = X * gamma
  fieldSubtract(T3, point.x, T0);
  fieldAdd(T4, point.x, T0);
  fieldMultiply(T3, T3, T4);
  fieldAdd(T4, T3, T3);
  fieldAdd(T3, T4, T3); // alpha = 3 (X - delta)(X + delta)

  fieldSquare(NEXT_X, T3);
  fieldAdd(T2, T2, T2);
  fieldAdd(T2, T2, T2); // 4 beta
  fieldAdd(T4, T2, T2);
  fieldSubtract(NEXT_X, NEXT_X, T4); // X3 = alpha^2 - 8 beta

  fieldAdd(T4, point.y, point.z);
  fieldSquare(T4, T4);
  fieldSubtract(T4, T4, T1);
  fieldSubtract(NEXT_Z, T4, T0); // Z3 = (Y + Z)^2 - gamma - delta

  fieldSubtract(T4, T2, NEXT_X);
  fieldMultiply(T4, T3, T4);
  fieldSquare(T1, T1);
  fieldAdd(T1, T1, T1);
  fieldAdd(T1, T1, T1);
  fieldAdd(T1, T1, T1);
  fieldSubtract(NEXT_Y, T4, T1); // Y3 = alpha (4 beta - X3) - 8 gamma^2
  storeNext(out);
}

/**
 * The end of an addition once U1, S1 (of the first point), H = U2 - U1 (T3), R = S2 - S1
 * (T5) and Z3 are known: X3 = R^2 - H^3 - 2 U1 H^2, Y3 = R (U1 H^2 - X3) - S1 H^3.
 * Equal points (H = R = 0) go to doubling and opposite points (H = 0) give infinity.
 */
function finishAddition(
  out: JacobianPoint,
  first: JacobianPoint,
  u1: FieldElement,
  s1: FieldElement,
): void {
  if (fieldIsZero(T3)) {
    if (fieldIsZero(T5)) pointDouble(out, first);
    else setInfinity(out);
    return;
  }
  fieldSquare(T0, T3); // H^2
  fieldMultiply(T1, T3, T0); // H^3
  fieldMultiply(T2, u1, T0); // V = U1 H^2
  fieldMultiply(T4, s1, T1); // S1 H^3
  fieldSquare(NEXT_X, T5);
  fieldSubtract(NEXT_X, NEXT_X, T1);
  fieldAdd(T6, T2, T2);
  fieldSubtract(NEXT_X, NEXT_X, T6);
  fieldSubtract(T6, T2, NEXT_X);
  fieldMultiply(T6, T5, T6);
  fieldSubtract(NEXT_Y, T6, T4);
  storeNext(out);
}

/** out = P + Q for any points: 12M + 4S (Jacobian addition of Cohen, Miyaji and Ono, 1998). */
export function pointAdd(out: JacobianPoint, first: JacobianPoint, second: JacobianPoint): void {
  if (isInfinity(first)) {
    copyPoint(out, second);
    return;
  }
  if (isInfinity(second)) {
    copyPoint(out, first);
    return;
  }
  const u1 = NEXT_X; // free until finishAddition writes X3, after its last use of U1
  const s1 = NEXT_Y;
  fieldSquare(T0, first.z);
  fieldSquare(T1, second.z);
  fieldMultiply(u1, first.x, T1);
  fieldMultiply(T3, second.x, T0);
  fieldMultiply(s1, first.y, second.z);
  fieldMultiply(s1, s1, T1);
  fieldMultiply(T5, second.y, first.z);
  fieldMultiply(T5, T5, T0);
  fieldSubtract(T3, T3, u1);
  fieldSubtract(T5, T5, s1);
  fieldMultiply(NEXT_Z, first.z, second.z);
  fieldMultiply(NEXT_Z, NEXT_Z, T3);
  finishAddition(out, first, u1, s1);
}

/** out = P + (x, y) for an affine second point (Z2 = 1 in the addition above): 8M + 3S. */
export function pointAddAffine(
  out: JacobianPoint,
  first: JacobianPoint,
  x: FieldElement,
  y: FieldElement,
): void {
  if (isInfinity(first)) {
    setAffine(out, x, y);
    return;
  }
  fieldSquare(T0, first.z);
  fieldMultiply(T3, x, T0);
  fieldMultiply(T5, y, first.z);
  fieldMultiply(T5, T5, T0);
  fieldSubtract(T3, T3, first.x);
  fieldSubtract(T5, T5, first.y);
  fieldMultiply(NEXT_Z, first.z, T3);
  finishAddition(out, first, first.x, first.y);
}

/** KEY_TABLE[i] = i * Q for i = 1..15. */
function buildKeyMultiples(x: FieldElement, y: FieldElement): void {
  const table = KEY_TABLE;
  setAffine(unchecked(table[1]), x, y);
  pointDouble(unchecked(table[2]), unchecked(table[1]));
  for (let i = 3; i < TABLE_SIZE; i++) {
    pointAddAffine(unchecked(table[i]), unchecked(table[i - 1]), x, y);
  }
}

/** The 4-bit digit `index` (0 = least significant) of a scalar of 8 limbs. */
@inline
function windowDigit(scalar: Limbs, index: i32): i32 {
  const limb = unchecked(scalar[index >> 3]);
  return <i32>((limb >>> ((<u32>index & 7) << 2)) & 15);
}

/**
 * out = u1*G + u2*Q for scalars of 8 limbs and an affine Q on the curve, by interleaved
 * fixed windows (Straus, "Shamir's trick" with 4-bit digits): 252 doublings and at most 64
 * additions for each scalar. False when a scalar has the wrong size.
 */
export function multiplyCombined(
  out: JacobianPoint,
  u1: Limbs,
  u2: Limbs,
  x: FieldElement,
  y: FieldElement,
): bool {
  if (u1.length != 8 || u2.length != 8) return false;
  buildKeyMultiples(x, y);
  setInfinity(out);
  for (let index = WINDOW_COUNT - 1; index >= 0; index--) {
    if (!isInfinity(out)) {
      for (let i = 0; i < WINDOW_BITS; i++) pointDouble(out, out);
    }
    const baseDigit = windowDigit(u1, index);
    if (baseDigit != 0) {
      const entry = unchecked(BASE_TABLE[baseDigit]);
      pointAddAffine(out, out, entry.x, entry.y);
    }
    const keyDigit = windowDigit(u2, index);
    if (keyDigit != 0) pointAdd(out, out, unchecked(KEY_TABLE[keyDigit]));
  }
  return true;
}

/** The affine coordinates of a point; false for the point at infinity. */
export function toAffine(outX: FieldElement, outY: FieldElement, point: JacobianPoint): bool {
  if (isInfinity(point)) return false;
  const inverse = newField();
  fieldInvert(inverse, point.z);
  fieldSquare(T0, inverse);
  fieldMultiply(outX, point.x, T0);
  fieldMultiply(T0, T0, inverse);
  fieldMultiply(outY, point.y, T0);
  return true;
}
