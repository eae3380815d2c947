// Exposes the symmetric crypto primitives to the Node differential tests and the benchmark.
// The bench* functions loop inside WebAssembly so that a measurement is not dominated by
// copying arguments across the JavaScript boundary.
import { constantTimeEqual as equalInConstantTime } from "../../assembly/crypto/ct";
import { Sha256, sha256 as sha256Once } from "../../assembly/crypto/sha256";
import { HmacKey, hmacSha256 as hmacOnce } from "../../assembly/crypto/hmac";
import {
  hkdf as hkdfOnce,
  hkdfExpand as expand,
  hkdfExtract as extract,
} from "../../assembly/crypto/hkdf";
import { chacha20 as chacha20Xor, chacha20Block as block } from "../../assembly/crypto/chacha20";
import { poly1305 as poly1305Once } from "../../assembly/crypto/poly1305";
import { open, seal } from "../../assembly/crypto/aead";

const reusedHasher = new Sha256();

export function sha256(data: Uint8Array): Uint8Array {
  return sha256Once(data);
}

/** Hashes `data` fed in pieces cut at `firstCut` and `secondCut`, with a reused hasher. */
export function sha256Pieces(data: Uint8Array, firstCut: i32, secondCut: i32): Uint8Array {
  reusedHasher.update(data.subarray(0, firstCut));
  reusedHasher.update(data.subarray(firstCut, secondCut));
  reusedHasher.update(data.subarray(secondCut));
  return reusedHasher.finish();
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmacOnce(key, message);
}

/** MACs two messages with one precomputed key, returning both tags one after the other. */
export function hmacTwice(key: Uint8Array, first: Uint8Array, second: Uint8Array): Uint8Array {
  const hmacKey = new HmacKey(key);
  const tags = new Uint8Array(64);
  tags.set(hmacKey.mac(first), 0);
  tags.set(hmacKey.mac(second), 32);
  return tags;
}

export function hmacVerify(key: Uint8Array, message: Uint8Array, tag: Uint8Array): bool {
  return new HmacKey(key).verify(message, tag);
}

export function hkdfExtract(salt: Uint8Array, keyMaterial: Uint8Array): Uint8Array {
  return extract(salt, keyMaterial);
}

export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: i32): Uint8Array | null {
  return expand(prk, info, length);
}

export function hkdf(
  salt: Uint8Array,
  keyMaterial: Uint8Array,
  info: Uint8Array,
  length: i32,
): Uint8Array | null {
  return hkdfOnce(salt, keyMaterial, info, length);
}

export function chacha20Block(key: Uint8Array, counter: u32, nonce: Uint8Array): Uint8Array | null {
  return block(key, counter, nonce);
}

export function chacha20(
  key: Uint8Array,
  counter: u32,
  nonce: Uint8Array,
  input: Uint8Array,
): Uint8Array | null {
  return chacha20Xor(key, counter, nonce, input);
}

export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array | null {
  return poly1305Once(key, message);
}

export function aeadSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  return seal(key, nonce, plaintext, aad);
}

export function aeadOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | null {
  return open(key, nonce, sealed, aad);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  return equalInConstantTime(a, b);
}

/** MACs `message` `iterations` times with one precomputed key; returns a byte of the last tag. */
export function benchHmac(key: Uint8Array, message: Uint8Array, iterations: i32): u8 {
  const hmacKey = new HmacKey(key);
  const tag = new Uint8Array(32);
  for (let i = 0; i < iterations; i++) {
    hmacKey.macAt(message.dataStart, message.length, tag.dataStart);
  }
  return tag[0];
}

/** Hashes `data` `iterations` times; returns a byte of the last digest. */
export function benchSha256(data: Uint8Array, iterations: i32): u8 {
  const digest = new Uint8Array(32);
  for (let i = 0; i < iterations; i++) {
    reusedHasher.updateAt(data.dataStart, data.length).finishAt(digest.dataStart);
  }
  return digest[0];
}

/** Seals then opens `plaintext` `iterations` times; returns 1 when every round trip opened. */
export function benchAead(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  iterations: i32,
): i32 {
  let opened = 0;
  for (let i = 0; i < iterations; i++) {
    const sealed = seal(key, nonce, plaintext, aad);
    if (sealed == null) return 0;
    if (open(key, nonce, sealed, aad) != null) opened++;
  }
  return opened == iterations ? 1 : 0;
}
