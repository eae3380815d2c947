// RS256 signature verification: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3, RFC 8017
// §8.2.2). The caller hashes the JWS signing input; this module takes the 32-byte digest.
// Pure module: every bad input gives false, nothing traps.

import { bitLength, bytesFromLimbs, compareLimbs, limbsFromBytes } from "./bignum";
import { constantTimeEqual } from "./ct";
import { Montgomery } from "./montgomery";

const MIN_MODULUS_BITS: i32 = 2048;
const MAX_MODULUS_BITS: i32 = 4096;
const DIGEST_BYTES: i32 = 32;

// DER of DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32 bytes) }
// without the digest itself (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: StaticArray<u8> = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
  0x00, 0x04, 0x20,
];

/** An RSA public key checked and prepared once, so a JWKS cache can keep it between logins. */
export class RsaPublicKey {
  constructor(
    readonly context: Montgomery,
    readonly exponent: u32,
    /** The length of the modulus in bytes, which every signature must have. */
    readonly byteLength: i32,
  ) {}
}

/**
 * The key (n, e), both big-endian bytes as in a JWK (RFC 7518 §6.3.1), leading zero bytes
 * allowed; null unless n is odd with 2048 to 4096 bits and e is odd, >= 3 and <= 32 bits.
 */
export function parseRsaPublicKey(n: Uint8Array, e: Uint8Array): RsaPublicKey | null {
  const modulusBytes = n.subarray(leadingZeroBytes(n));
  const byteLength = modulusBytes.length;
  if (byteLength < MIN_MODULUS_BITS / 8 || byteLength > MAX_MODULUS_BITS / 8) return null;
  const exponent = exponentFromBytes(e);
  const modulus = limbsFromBytes(modulusBytes, (byteLength + 3) >> 2);
  if (exponent == 0 || modulus == null) return null;
  const bits = bitLength(modulus);
  if (bits < MIN_MODULUS_BITS || bits > MAX_MODULUS_BITS) return null;
  const context = Montgomery.create(modulus);
  return context == null ? null : new RsaPublicKey(context, exponent, byteLength);
}

/**
 * Whether `signature` is an RS256 signature of `digest` (SHA-256 of the signing input) by the
 * key (n, e). See parseRsaPublicKey for the rules on the key.
 */
export function verifyRsaPkcs1Sha256(
  n: Uint8Array,
  e: Uint8Array,
  digest: Uint8Array,
  signature: Uint8Array,
): bool {
  const key = parseRsaPublicKey(n, e);
  return key != null && verifyWithRsaKey(key, digest, signature);
}

/**
 * RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): the signature must be exactly as long as
 * the modulus and less than it (step 1, §5.2.2 step 1); s^e mod n must then equal, byte for
 * byte, the encoding this module builds for the digest (steps 2-4).
 */
export function verifyWithRsaKey(
  key: RsaPublicKey,
  digest: Uint8Array,
  signature: Uint8Array,
): bool {
  if (digest.length != DIGEST_BYTES || signature.length != key.byteLength) return false;
  const context = key.context;
  const s = limbsFromBytes(signature, context.size);
  if (s == null || compareLimbs(s, context.modulus) >= 0) return false;

  const m = context.newNumber();
  if (!context.powU32(m, s, key.exponent)) return false;
  const encoded = bytesFromLimbs(m, key.byteLength);
  return constantTimeEqual(encoded, expectedEncoding(digest, key.byteLength));
}

function leadingZeroBytes(bytes: Uint8Array): i32 {
  let count = 0;
  while (count < bytes.length && bytes[count] == 0) count++;
  return count;
}

/** The public exponent as a u32, or 0 when it is even, below 3 or longer than 32 bits. */
function exponentFromBytes(bytes: Uint8Array): u32 {
  const start = leadingZeroBytes(bytes);
  if (bytes.length - start > 4) return 0;
  let value: u32 = 0;
  for (let i = start; i < bytes.length; i++) value = (value << 8) | <u32>bytes[i];
  if ((value & 1) == 0 || value < 3) return 0;
  return value;
}

/**
 * EM = 0x00 || 0x01 || PS || 0x00 || DigestInfo || digest, PS being 0xff bytes filling
 * `length` (RFC 8017 §9.2 steps 2-5). The signature is checked by comparing the whole EM
 * with this one, never by parsing it: parsing is where lenient verifiers went wrong.
 */
function expectedEncoding(digest: Uint8Array, length: i32): Uint8Array {
  const out = new Uint8Array(length);
  const tail = SHA256_DIGEST_INFO.length + DIGEST_BYTES;
  const separator = length - tail - 1; // the 0x00 after PS; callers ensure length >= 2048 / 8
  out[1] = 0x01;
  for (let i = 2; i < separator; i++) out[i] = 0xff;
  for (let i = 0; i < SHA256_DIGEST_INFO.length; i++) {
    out[separator + 1 + i] = SHA256_DIGEST_INFO[i];
  }
  for (let i = 0; i < DIGEST_BYTES; i++) out[length - DIGEST_BYTES + i] = digest[i];
  return out;
}
