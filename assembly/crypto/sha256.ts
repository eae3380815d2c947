// SHA-256 (FIPS 180-4 §6.2). The session cookie's MAC is checked on every request, so the
// compression works on raw memory: whole blocks are read straight from the caller's buffer, the
// message schedule lives in one static area, and nothing is allocated per block.

export const SHA256_BLOCK_SIZE: i32 = 64;
export const SHA256_DIGEST_SIZE: i32 = 32;

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
const ROUND_CONSTANTS: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: the initial hash value.
const INITIAL_STATE: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// The 64-word message schedule W of §6.2.2 step 1. WebAssembly runs one call at a time and the
// compression calls nothing, so a single static area serves every hasher.
const SCHEDULE: usize = memory.data(64 * 4);

/** Fills W0..W63 from the 16 big-endian words of the block (§6.2.2 step 1). */
// @ts-ignore: decorator
@inline function expandSchedule(block: usize): void {
  for (let i: usize = 0; i < 64; i += 4) {
    store<u32>(SCHEDULE + i, bswap<u32>(load<u32>(block + i)));
  }
  for (let i: usize = 64; i < 256; i += 4) {
    const w15 = load<u32>(SCHEDULE + i - 60);
    const w2 = load<u32>(SCHEDULE + i - 8);
    const sigma0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const sigma1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(
      SCHEDULE + i,
      sigma1 + load<u32>(SCHEDULE + i - 28) + sigma0 + load<u32>(SCHEDULE + i - 64),
    );
  }
}

/**
 * Applies the compression function (§6.2.2) to the 64-byte block at `block`, updating the eight
 * working words stored at `state` (host byte order).
 */
export function compressBlock(state: usize, block: usize): void {
  expandSchedule(block);
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);

  for (let i: usize = 0; i < 256; i += 4) {
    const bigSigma1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const choose = g ^ (e & (f ^ g));
    const t1 =
      h + bigSigma1 + choose + load<u32>(ROUND_CONSTANTS + i) + load<u32>(SCHEDULE + i);
    const bigSigma0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const majority = (a & b) | (c & (a | b));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + bigSigma0 + majority;
  }

  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
  store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24);
  store<u32>(state, load<u32>(state, 28) + h, 28);
}

/**
 * Incremental SHA-256. `update` may be called any number of times; `finish` pads the message
 * (§5.1.1), returns the digest and resets the hasher, so one instance serves many messages.
 */
export class Sha256 {
  private state: StaticArray<u32> = new StaticArray<u32>(8);
  private pending: StaticArray<u8> = new StaticArray<u8>(SHA256_BLOCK_SIZE);
  private pendingLength: i32 = 0;
  private totalLength: u64 = 0;

  constructor() {
    this.reset();
  }

  /** Starts a new message. */
  reset(): Sha256 {
    memory.copy(changetype<usize>(this.state), INITIAL_STATE, 32);
    this.pendingLength = 0;
    this.totalLength = 0;
    return this;
  }

  /** Continues from a state that `saveState` kept after `length` bytes, a multiple of 64. */
  resume(saved: StaticArray<u32>, length: u64): Sha256 {
    memory.copy(changetype<usize>(this.state), changetype<usize>(saved), 32);
    this.pendingLength = 0;
    this.totalLength = length;
    return this;
  }

  /** Copies the working state into `into` (8 words); meaningful only on a block boundary. */
  saveState(into: StaticArray<u32>): void {
    memory.copy(changetype<usize>(into), changetype<usize>(this.state), 32);
  }

  update(data: Uint8Array): Sha256 {
    return this.updateAt(data.dataStart, data.length);
  }

  /** Hashes `length` bytes at `data`; the caller guarantees the range lies in a live buffer. */
  updateAt(data: usize, length: i32): Sha256 {
    if (length <= 0) return this;
    this.totalLength += <u64>length;
    let next = data;
    let left = <usize>length;

    const pending = changetype<usize>(this.pending);
    if (this.pendingLength > 0) {
      const room = <usize>(SHA256_BLOCK_SIZE - this.pendingLength);
      const take = left < room ? left : room;
      memory.copy(pending + <usize>this.pendingLength, next, take);
      this.pendingLength += <i32>take;
      next += take;
      left -= take;
      if (this.pendingLength < SHA256_BLOCK_SIZE) return this;
      compressBlock(changetype<usize>(this.state), pending);
      this.pendingLength = 0;
    }

    const state = changetype<usize>(this.state);
    while (left >= 64) {
      compressBlock(state, next);
      next += 64;
      left -= 64;
    }
    memory.copy(pending, next, left);
    this.pendingLength = <i32>left;
    return this;
  }

  /** Writes the 32-byte digest to `out` and resets the hasher. */
  finishAt(out: usize): void {
    const pending = changetype<usize>(this.pending);
    const state = changetype<usize>(this.state);
    let used = <usize>this.pendingLength;
    store<u8>(pending + used, 0x80);
    used++;

    // §5.1.1: the 64-bit length must fit after the 0x80 byte, else it takes one more block.
    if (used > 56) {
      memory.fill(pending + used, 0, 64 - used);
      compressBlock(state, pending);
      used = 0;
    }
    memory.fill(pending + used, 0, 56 - used);
    store<u64>(pending + 56, bswap<u64>(this.totalLength << 3));
    compressBlock(state, pending);

    for (let i: usize = 0; i < 32; i += 4) {
      store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
    }
    this.reset();
  }

  finish(): Uint8Array {
    const digest = new Uint8Array(SHA256_DIGEST_SIZE);
    this.finishAt(digest.dataStart);
    return digest;
  }
}

// One hasher shared by the one-shot helper, so hashing a value allocates only its digest.
const sharedHasher = new Sha256();

/** SHA-256 of `data` in one call. */
export function sha256(data: Uint8Array): Uint8Array {
  return sharedHasher.reset().update(data).finish();
}
