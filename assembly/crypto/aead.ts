// AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8): encrypts and authenticates the session cookie.
// `open` checks the tag before it decrypts anything, so a forged cookie yields no plaintext,
// not even a partial one.

import { chacha20BlockAt, chacha20XorAt, CHACHA20_KEY_SIZE, CHACHA20_NONCE_SIZE } from "./chacha20";
import { Poly1305, POLY1305_TAG_SIZE } from "./poly1305";
import { constantTimeEqualAt } from "./ct";

export const AEAD_KEY_SIZE: i32 = CHACHA20_KEY_SIZE;
export const AEAD_NONCE_SIZE: i32 = CHACHA20_NONCE_SIZE;
export const AEAD_TAG_SIZE: i32 = POLY1305_TAG_SIZE;

// Larger sealed outputs could not be allocated (AssemblyScript buffers stay under 1 GiB).
export const AEAD_MAX_PLAINTEXT: i32 = (1 << 30) - 1024;

// Scratch areas: WebAssembly runs one call at a time and nothing here reenters.
const ONE_TIME_KEY: usize = memory.data(64);
const LENGTHS_BLOCK: usize = memory.data(16);
const EXPECTED_TAG: usize = memory.data(16);
const authenticator = new Poly1305();

/**
 * Writes the tag over aad and ciphertext to `out` (§2.8): the one-time key is the first half
 * of keystream block 0 (§2.6), and the MAC input is aad, padding, ciphertext, padding, then
 * both lengths as 64-bit little-endian numbers.
 */
function computeTag(
  key: usize,
  nonce: usize,
  aad: Uint8Array,
  ciphertext: usize,
  ciphertextLength: i32,
  out: usize,
): void {
  chacha20BlockAt(key, 0, nonce, ONE_TIME_KEY);
  authenticator.start(ONE_TIME_KEY);
  memory.fill(ONE_TIME_KEY, 0, 64);

  authenticator.updateAt(aad.dataStart, aad.length).padToBlock();
  authenticator.updateAt(ciphertext, ciphertextLength).padToBlock();
  store<u64>(LENGTHS_BLOCK, <u64>aad.length, 0);
  store<u64>(LENGTHS_BLOCK, <u64>ciphertextLength, 8);
  authenticator.updateAt(LENGTHS_BLOCK, 16).finishAt(out);
}

/** True when the key and nonce have the sizes §2.8 requires. */
function sizesFit(key: Uint8Array, nonce: Uint8Array): bool {
  return key.length == AEAD_KEY_SIZE && nonce.length == AEAD_NONCE_SIZE;
}

/**
 * Encrypts `plaintext` and returns ciphertext followed by the 16-byte tag. Null when the key
 * is not 32 bytes, the nonce not 12, or the plaintext longer than AEAD_MAX_PLAINTEXT.
 */
export function seal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (!sizesFit(key, nonce) || plaintext.length > AEAD_MAX_PLAINTEXT) return null;
  const length = plaintext.length;
  const sealed = new Uint8Array(length + AEAD_TAG_SIZE);
  const out = sealed.dataStart;

  chacha20XorAt(key.dataStart, 1, nonce.dataStart, plaintext.dataStart, out, <usize>length);
  computeTag(key.dataStart, nonce.dataStart, aad, out, length, out + <usize>length);
  return sealed;
}

/**
 * Verifies and decrypts ciphertext followed by its tag. Null when the tag does not match (the
 * comparison takes constant time), when the input is shorter than a tag, or when the key or
 * nonce has the wrong size.
 */
export function open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  if (!sizesFit(key, nonce) || sealed.length < AEAD_TAG_SIZE) return null;
  const length = sealed.length - AEAD_TAG_SIZE;
  const ciphertext = sealed.dataStart;

  computeTag(key.dataStart, nonce.dataStart, aad, ciphertext, length, EXPECTED_TAG);
  const tag = ciphertext + <usize>length;
  if (!constantTimeEqualAt(EXPECTED_TAG, tag, AEAD_TAG_SIZE)) return null;

  const plaintext = new Uint8Array(length);
  chacha20XorAt(key.dataStart, 1, nonce.dataStart, ciphertext, plaintext.dataStart, <usize>length);
  return plaintext;
}
