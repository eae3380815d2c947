// Exposes the signature verification primitives (RS256, ES256) and the arithmetic under them
// to the Node tests and the benchmark. Scalars and coordinates are big-endian bytes.
import { limbsFromBytes, bytesFromLimbs } from "../../assembly/crypto/bignum";
import { Montgomery } from "../../assembly/crypto/montgomery";
import { verifyRsaPkcs1Sha256 } from "../../assembly/crypto/rsa";
import { verifyEcdsaP256Sha256 } from "../../assembly/crypto/ecdsa";
import { fieldFromBytes, fieldToBytes, newField } from "../../assembly/crypto/p256-field";
import { JacobianPoint, multiplyCombined, toAffine } from "../../assembly/crypto/p256";

export function verifyRsa(n: Uint8Array, e: Uint8Array, digest: Uint8Array, sig: Uint8Array): bool {
  return verifyRsaPkcs1Sha256(n, e, digest, sig);
}

export function verifyEcdsa(
  x: Uint8Array,
  y: Uint8Array,
  digest: Uint8Array,
  sig: Uint8Array,
): bool {
  return verifyEcdsaP256Sha256(x, y, digest, sig);
}

/** Runs the RSA verification `iterations` times; returns how many verified. */
export function benchRsa(
  n: Uint8Array,
  e: Uint8Array,
  digest: Uint8Array,
  sig: Uint8Array,
  iterations: i32,
): i32 {
  let verified = 0;
  for (let i = 0; i < iterations; i++) if (verifyRsaPkcs1Sha256(n, e, digest, sig)) verified++;
  return verified;
}

/** Runs the ECDSA verification `iterations` times; returns how many verified. */
export function benchEcdsa(
  x: Uint8Array,
  y: Uint8Array,
  digest: Uint8Array,
  sig: Uint8Array,
  iterations: i32,
): i32 {
  let verified = 0;
  for (let i = 0; i < iterations; i++) if (verifyEcdsaP256Sha256(x, y, digest, sig)) verified++;
  return verified;
}

/**
 * base^exponent mod modulus (odd modulus, base < modulus), as many bytes as the modulus; empty
 * when the context refuses the modulus or the sizes.
 */
export function modPow(base: Uint8Array, exponent: Uint8Array, modulus: Uint8Array): Uint8Array {
  const limbCount = (modulus.length + 3) >> 2;
  const n = limbsFromBytes(modulus, limbCount);
  const b = limbsFromBytes(base, limbCount);
  const x = limbsFromBytes(exponent, (exponent.length + 3) >> 2);
  if (n == null || b == null || x == null) return new Uint8Array(0);
  const context = Montgomery.create(n);
  if (context == null) return new Uint8Array(0);
  const out = context.newNumber();
  if (!context.pow(out, b, x)) return new Uint8Array(0);
  return bytesFromLimbs(out, modulus.length);
}

/** u1*G + u2*Q in affine coordinates, x || y (64 bytes); empty for infinity or bad input. */
export function p256Combine(
  u1: Uint8Array,
  u2: Uint8Array,
  x: Uint8Array,
  y: Uint8Array,
): Uint8Array {
  const a = limbsFromBytes(u1, 8);
  const b = limbsFromBytes(u2, 8);
  const qx = fieldFromBytes(x, 0);
  const qy = fieldFromBytes(y, 0);
  if (a == null || b == null || qx == null || qy == null) return new Uint8Array(0);
  const sum = new JacobianPoint();
  if (!multiplyCombined(sum, a, b, qx, qy)) return new Uint8Array(0);
  const outX = newField();
  const outY = newField();
  if (!toAffine(outX, outY, sum)) return new Uint8Array(0);
  const out = new Uint8Array(64);
  out.set(fieldToBytes(outX), 0);
  out.set(fieldToBytes(outY), 32);
  return out;
}
