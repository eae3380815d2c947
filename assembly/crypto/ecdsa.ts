// ES256 signature verification: ECDSA over P-256 with SHA-256 (RFC 7518 §3.4), by SEC 1
// §4.1.4 and FIPS 186-5 §6.4.2. The caller hashes the JWS signing input; this module takes the
// 32-byte digest. Pure module: every bad input gives false, nothing traps.

import {
  Limbs,
  addLimbs,
  compareLimbs,
  copyLimbs,
  isZeroLimbs,
  limbsFromBytes,
  subtractLimbs,
} from "./bignum";
import { Montgomery } from "./montgomery";
import {
  fieldEquals,
  fieldFromBytes,
  fieldFromLimbs,
  fieldMultiply,
  fieldSquare,
  newField,
} from "./p256-field";
import { JacobianPoint, ORDER, isInfinity, isOnCurve, multiplyCombined } from "./p256";

const SCALAR_BYTES: i32 = 32;
const SCALAR_LIMBS: i32 = 8;

// n - 2: s^-1 = s^(n-2) mod n by Fermat, n being prime.
const ORDER_MINUS_TWO: Limbs = [
  0xfc63254f, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff,
];

let orderContext: Montgomery | null = null;

function getOrderContext(): Montgomery | null {
  if (orderContext == null) orderContext = Montgomery.create(ORDER);
  return orderContext;
}

const SUM = new JacobianPoint();

/**
 * Whether `signature` (r || s, 64 bytes, RFC 7518 §3.4) is an ES256 signature of `digest`
 * (SHA-256 of the signing input) by the key (x, y) (32-byte big-endian coordinates, RFC 7518
 * §6.2.1.2). The key must be a point on the curve with coordinates < p (SEC 1 §3.2.2.1);
 * r and s must lie in [1, n-1] (SEC 1 §4.1.4 step 1).
 */
export function verifyEcdsaP256Sha256(
  x: Uint8Array,
  y: Uint8Array,
  digest: Uint8Array,
  signature: Uint8Array,
): bool {
  if (x.length != 32 || y.length != 32) return false;
  if (digest.length != 32 || signature.length != 2 * SCALAR_BYTES) return false;
  const keyX = fieldFromBytes(x, 0);
  const keyY = fieldFromBytes(y, 0);
  if (keyX == null || keyY == null || !isOnCurve(keyX, keyY)) return false;

  const r = scalarFromBytes(signature.subarray(0, SCALAR_BYTES));
  const s = scalarFromBytes(signature.subarray(SCALAR_BYTES));
  const order = getOrderContext();
  if (r == null || s == null || order == null) return false;

  const u1 = order.newNumber();
  const u2 = order.newNumber();
  if (!computeScalars(order, u1, u2, digest, r, s)) return false;

  if (!multiplyCombined(SUM, u1, u2, keyX, keyY) || isInfinity(SUM)) return false;
  return xMatchesModOrder(SUM, r);
}

/** A scalar in [1, n-1] from 32 big-endian bytes; null otherwise. */
function scalarFromBytes(bytes: Uint8Array): Limbs | null {
  const scalar = limbsFromBytes(bytes, SCALAR_LIMBS);
  if (scalar == null || isZeroLimbs(scalar) || compareLimbs(scalar, ORDER) >= 0) return null;
  return scalar;
}

/**
 * u1 = e / s and u2 = r / s mod n (SEC 1 §4.1.4 steps 4-5). The digest is 256 bits, as long
 * as n, so e is the digest itself reduced once mod n (SEC 1 §4.1.3 step 5).
 */
function computeScalars(
  order: Montgomery,
  u1: Limbs,
  u2: Limbs,
  digest: Uint8Array,
  r: Limbs,
  s: Limbs,
): bool {
  const e = limbsFromBytes(digest, SCALAR_LIMBS);
  if (e == null) return false;
  if (compareLimbs(e, ORDER) >= 0) subtractLimbs(e, ORDER);

  const inverse = order.newNumber();
  if (!order.pow(inverse, s, ORDER_MINUS_TWO)) return false;
  if (!order.toMontgomery(inverse, inverse)) return false;
  // A Montgomery product with one factor in Montgomery form is the plain product.
  return order.multiply(u1, e, inverse) && order.multiply(u2, r, inverse);
}

/**
 * Whether x(P) mod n == r, without leaving Jacobian coordinates: x = X / Z^2, and x mod n == r
 * means x == r or x == r + n (as x < p < 2n), so compare X with r Z^2 and (r + n) Z^2.
 */
function xMatchesModOrder(point: JacobianPoint, r: Limbs): bool {
  const zSquared = newField();
  fieldSquare(zSquared, point.z);
  const candidate = fieldFromLimbs(r); // r < n < p
  if (candidate == null) return false;
  fieldMultiply(candidate, candidate, zSquared);
  if (fieldEquals(candidate, point.x)) return true;

  const shifted = new StaticArray<u32>(SCALAR_LIMBS);
  copyLimbs(shifted, r);
  if (addLimbs(shifted, ORDER) != 0) return false;
  const alternative = fieldFromLimbs(shifted); // null when r + n >= p
  if (alternative == null) return false;
  fieldMultiply(alternative, alternative, zSquared);
  return fieldEquals(alternative, point.x);
}
