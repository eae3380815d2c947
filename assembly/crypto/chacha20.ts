// ChaCha20 (RFC 8439 §2.3, §2.4): the stream cipher under the session cookie's AEAD. The block
// function keeps its 16 state words in locals, which V8 can hold in registers.

export const CHACHA20_KEY_SIZE: i32 = 32;
export const CHACHA20_NONCE_SIZE: i32 = 12;
export const CHACHA20_BLOCK_SIZE: i32 = 64;

// §2.3: the constant words, "expand 32-byte k" read as four little-endian words.
const SIGMA0: u32 = 0x61707865;
const SIGMA1: u32 = 0x3320646e;
const SIGMA2: u32 = 0x79622d32;
const SIGMA3: u32 = 0x6b206574;

// One keystream block; WebAssembly runs one call at a time and nothing here reenters.
const KEYSTREAM: usize = memory.data(64);

/**
 * Writes the 64-byte block for (key, counter, nonce) to `out` (§2.3): twenty rounds, as ten
 * column-then-diagonal double rounds, then the input state added word by word. The quarter
 * rounds (§2.1) are written out because AssemblyScript cannot pass locals by reference.
 */
export function chacha20BlockAt(key: usize, counter: u32, nonce: usize, out: usize): void {
  let x0 = SIGMA0, x1 = SIGMA1, x2 = SIGMA2, x3 = SIGMA3;
  let x4 = load<u32>(key, 0), x5 = load<u32>(key, 4);
  let x6 = load<u32>(key, 8), x7 = load<u32>(key, 12);
  let x8 = load<u32>(key, 16), x9 = load<u32>(key, 20);
  let x10 = load<u32>(key, 24), x11 = load<u32>(key, 28);
  let x12 = counter, x13 = load<u32>(nonce, 0);
  let x14 = load<u32>(nonce, 4), x15 = load<u32>(nonce, 8);

  // prettier-ignore
  for (let round = 0; round < 10; round++) {
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 16); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 12);
    x0 += x4; x12 = rotl<u32>(x12 ^ x0, 8); x8 += x12; x4 = rotl<u32>(x4 ^ x8, 7);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 16); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 12);
    x1 += x5; x13 = rotl<u32>(x13 ^ x1, 8); x9 += x13; x5 = rotl<u32>(x5 ^ x9, 7);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 16); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 12);
    x2 += x6; x14 = rotl<u32>(x14 ^ x2, 8); x10 += x14; x6 = rotl<u32>(x6 ^ x10, 7);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 16); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 12);
    x3 += x7; x15 = rotl<u32>(x15 ^ x3, 8); x11 += x15; x7 = rotl<u32>(x7 ^ x11, 7);

    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 16); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 12);
    x0 += x5; x15 = rotl<u32>(x15 ^ x0, 8); x10 += x15; x5 = rotl<u32>(x5 ^ x10, 7);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 16); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 12);
    x1 += x6; x12 = rotl<u32>(x12 ^ x1, 8); x11 += x12; x6 = rotl<u32>(x6 ^ x11, 7);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 16); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 12);
    x2 += x7; x13 = rotl<u32>(x13 ^ x2, 8); x8 += x13; x7 = rotl<u32>(x7 ^ x8, 7);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 16); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 12);
    x3 += x4; x14 = rotl<u32>(x14 ^ x3, 8); x9 += x14; x4 = rotl<u32>(x4 ^ x9, 7);
  }

  store<u32>(out, x0 + SIGMA0, 0);
  store<u32>(out, x1 + SIGMA1, 4);
  store<u32>(out, x2 + SIGMA2, 8);
  store<u32>(out, x3 + SIGMA3, 12);
  store<u32>(out, x4 + load<u32>(key, 0), 16);
  store<u32>(out, x5 + load<u32>(key, 4), 20);
  store<u32>(out, x6 + load<u32>(key, 8), 24);
  store<u32>(out, x7 + load<u32>(key, 12), 28);
  store<u32>(out, x8 + load<u32>(key, 16), 32);
  store<u32>(out, x9 + load<u32>(key, 20), 36);
  store<u32>(out, x10 + load<u32>(key, 24), 40);
  store<u32>(out, x11 + load<u32>(key, 28), 44);
  store<u32>(out, x12 + counter, 48);
  store<u32>(out, x13 + load<u32>(nonce, 0), 52);
  store<u32>(out, x14 + load<u32>(nonce, 4), 56);
  store<u32>(out, x15 + load<u32>(nonce, 8), 60);
}

/**
 * XORs `length` bytes at `input` with the keystream starting at block `counter` into `output`
 * (§2.4); `output` may equal `input`. The caller has checked the sizes and that the counter
 * does not wrap.
 */
export function chacha20XorAt(
  key: usize,
  counter: u32,
  nonce: usize,
  input: usize,
  output: usize,
  length: usize,
): void {
  let done: usize = 0;
  let block = counter;
  while (length - done >= 64) {
    chacha20BlockAt(key, block, nonce, KEYSTREAM);
    for (let i: usize = 0; i < 64; i += 8) {
      store<u64>(output + done + i, load<u64>(input + done + i) ^ load<u64>(KEYSTREAM + i));
    }
    done += 64;
    block++;
  }
  if (done == length) return;

  chacha20BlockAt(key, block, nonce, KEYSTREAM);
  for (let i: usize = 0; done + i < length; i++) {
    store<u8>(output + done + i, load<u8>(input + done + i) ^ load<u8>(KEYSTREAM + i));
  }
  // The unused rest of the block would decrypt the next message bytes under this nonce.
  memory.fill(KEYSTREAM, 0, 64);
}

/** The number of 64-byte blocks `length` bytes need. */
function blockCount(length: i32): u64 {
  return (<u64>length + 63) >> 6;
}

/** One keystream block (§2.3); null when the key or nonce has the wrong size. */
export function chacha20Block(
  key: Uint8Array,
  counter: u32,
  nonce: Uint8Array,
): Uint8Array | null {
  if (key.length != CHACHA20_KEY_SIZE || nonce.length != CHACHA20_NONCE_SIZE) return null;
  const block = new Uint8Array(CHACHA20_BLOCK_SIZE);
  chacha20BlockAt(key.dataStart, counter, nonce.dataStart, block.dataStart);
  return block;
}

/**
 * Encrypts or decrypts `input` (§2.4) starting at block `counter`. Null when the key or nonce
 * has the wrong size, or when the 32-bit block counter would wrap, which would reuse keystream.
 */
export function chacha20(
  key: Uint8Array,
  counter: u32,
  nonce: Uint8Array,
  input: Uint8Array,
): Uint8Array | null {
  if (key.length != CHACHA20_KEY_SIZE || nonce.length != CHACHA20_NONCE_SIZE) return null;
  if (<u64>counter + blockCount(input.length) > 0x100000000) return null;
  const output = new Uint8Array(input.length);
  chacha20XorAt(
    key.dataStart, counter, nonce.dataStart, input.dataStart, output.dataStart,
    <usize>input.length,
  );
  return output;
}
