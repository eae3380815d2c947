// HKDF with HMAC-SHA-256 (RFC 5869): derives the filter's separate keys (cookie MAC, cookie
// encryption) from the one secret an operator configures.

import { HmacKey, HMAC_SHA256_SIZE } from "./hmac";

// RFC 5869 §2.3: L <= 255 * HashLen.
export const HKDF_MAX_LENGTH: i32 = 255 * HMAC_SHA256_SIZE;

// Context strings are short labels; the cap keeps the scratch buffer's allocation bounded.
export const HKDF_MAX_INFO_LENGTH: i32 = 1 << 16;

/**
 * HKDF-Extract (§2.2). An empty salt stands for HashLen zero bytes, which as an HMAC key gives
 * the same result as the empty key, since keys are zero-padded to a block.
 */
export function hkdfExtract(salt: Uint8Array, keyMaterial: Uint8Array): Uint8Array {
  return new HmacKey(salt).mac(keyMaterial);
}

/**
 * HKDF-Expand (§2.3). Returns null when `length` is negative or above 255 * 32, when the
 * pseudorandom key is shorter than HashLen (§2.3 requires at least HashLen octets), or when
 * `info` is longer than HKDF_MAX_INFO_LENGTH.
 */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: i32): Uint8Array | null {
  if (length < 0 || length > HKDF_MAX_LENGTH) return null;
  if (prk.length < HMAC_SHA256_SIZE || info.length > HKDF_MAX_INFO_LENGTH) return null;
  const key = new HmacKey(prk);
  const output = new Uint8Array(length);

  // The block input is T(i-1) | info | i; the first block has no T(0), so it starts later.
  // Each T(i) overwrites T(i-1) in place: macAt reads the whole message before writing out.
  const input = new Uint8Array(HMAC_SHA256_SIZE + info.length + 1);
  const inputStart = input.dataStart;
  const previous = inputStart;
  memory.copy(inputStart + HMAC_SHA256_SIZE, info.dataStart, <usize>info.length);
  const counterAt = inputStart + <usize>(HMAC_SHA256_SIZE + info.length);

  let written = 0;
  for (let counter = 1; written < length; counter++) {
    store<u8>(counterAt, <u8>counter);
    if (counter == 1) {
      key.macAt(inputStart + HMAC_SHA256_SIZE, info.length + 1, previous);
    } else {
      key.macAt(inputStart, input.length, previous);
    }
    const take = min(length - written, HMAC_SHA256_SIZE);
    memory.copy(output.dataStart + <usize>written, previous, <usize>take);
    written += take;
  }
  return output;
}

/** Extract then expand (§2); null under the same conditions as `hkdfExpand`. */
export function hkdf(
  salt: Uint8Array,
  keyMaterial: Uint8Array,
  info: Uint8Array,
  length: i32,
): Uint8Array | null {
  return hkdfExpand(hkdfExtract(salt, keyMaterial), info, length);
}
