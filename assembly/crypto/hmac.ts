// HMAC-SHA-256 (RFC 2104). The session cookie is verified with one fixed key on every request,
// so the key's inner and outer padded blocks (§2, K XOR ipad and K XOR opad) are hashed once,
// when the key is made; a MAC then costs the message's blocks plus one block for the outer hash.

import { Sha256, SHA256_BLOCK_SIZE, SHA256_DIGEST_SIZE } from "./sha256";
import { constantTimeEqualAt } from "./ct";

export const HMAC_SHA256_SIZE: i32 = SHA256_DIGEST_SIZE;

// RFC 2104 §2: the bytes XORed into the key block for the inner and the outer hash.
const INNER_PAD: u8 = 0x36;
const OUTER_PAD: u8 = 0x5c;

// Where `verify` puts the expected tag; the computation calls nothing that could reenter it.
const EXPECTED_TAG: usize = memory.data(SHA256_DIGEST_SIZE);

export class HmacKey {
  private innerState: StaticArray<u32> = new StaticArray<u32>(8);
  private outerState: StaticArray<u32> = new StaticArray<u32>(8);
  private innerDigest: StaticArray<u8> = new StaticArray<u8>(SHA256_DIGEST_SIZE);
  private hasher: Sha256 = new Sha256();

  /** Any key length is accepted; RFC 2104 §2 hashes a key longer than one block first. */
  constructor(key: Uint8Array) {
    const block = new StaticArray<u8>(SHA256_BLOCK_SIZE);
    const blockStart = changetype<usize>(block);
    if (key.length > SHA256_BLOCK_SIZE) {
      this.hasher.update(key).finishAt(blockStart);
    } else {
      memory.copy(blockStart, key.dataStart, <usize>key.length);
    }
    this.savePaddedState(blockStart, INNER_PAD, this.innerState);
    this.savePaddedState(blockStart, OUTER_PAD, this.outerState);
    memory.fill(blockStart, 0, SHA256_BLOCK_SIZE);
  }

  /** Hashes the key block XOR `pad` and keeps the resulting state; leaves the block as found. */
  private savePaddedState(block: usize, pad: u8, into: StaticArray<u32>): void {
    for (let i: usize = 0; i < <usize>SHA256_BLOCK_SIZE; i++) {
      store<u8>(block + i, load<u8>(block + i) ^ pad);
    }
    this.hasher.reset().updateAt(block, SHA256_BLOCK_SIZE).saveState(into);
    for (let i: usize = 0; i < <usize>SHA256_BLOCK_SIZE; i++) {
      store<u8>(block + i, load<u8>(block + i) ^ pad);
    }
  }

  /**
   * Writes the 32-byte MAC of `length` bytes at `message` to `out`. The caller guarantees both
   * ranges lie in live buffers.
   */
  macAt(message: usize, length: i32, out: usize): void {
    const innerDigest = changetype<usize>(this.innerDigest);
    this.hasher.resume(this.innerState, SHA256_BLOCK_SIZE);
    this.hasher.updateAt(message, length).finishAt(innerDigest);
    this.hasher.resume(this.outerState, SHA256_BLOCK_SIZE);
    this.hasher.updateAt(innerDigest, SHA256_DIGEST_SIZE).finishAt(out);
  }

  mac(message: Uint8Array): Uint8Array {
    const tag = new Uint8Array(HMAC_SHA256_SIZE);
    this.macAt(message.dataStart, message.length, tag.dataStart);
    return tag;
  }

  /** True when `tag` is the full 32-byte MAC of `message`, compared in constant time. */
  verify(message: Uint8Array, tag: Uint8Array): bool {
    if (tag.length != HMAC_SHA256_SIZE) return false;
    this.macAt(message.dataStart, message.length, EXPECTED_TAG);
    return constantTimeEqualAt(EXPECTED_TAG, tag.dataStart, HMAC_SHA256_SIZE);
  }
}

/** HMAC-SHA-256 in one call; for a key used more than once, keep an `HmacKey` instead. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new HmacKey(key).mac(message);
}
