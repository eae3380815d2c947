// Differential tests: the symmetric primitives compiled to WebAssembly (through the harness
// module tests/harness/crypto_sym.ts) against node:crypto, on random inputs whose lengths
// cluster around the block boundaries where padding and buffering go wrong. Poly1305 alone,
// which node:crypto does not expose, is checked against a BigInt transcription of RFC 8439
// §2.5.1. The inputs come from a seeded generator: set CRYPTO_SYM_SEED to replay a failure.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, createHash, createHmac, hkdfSync } from "node:crypto";
import * as wasm from "../../build/test/harness/crypto_sym.js";

const SEED = Number(process.env.CRYPTO_SYM_SEED ?? 0x5eed_2026) >>> 0;
const CASES = 1000;
const MAX_LENGTH = 4096;

/** Weyl sequence through a 32-bit finalizer: small, seedable, good enough to pick inputs. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor((this.nextU32() / 0x1_0000_0000) * bound);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.nextU32() & 0xff;
    return out;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.below(values.length)];
  }
}

/**
 * Lengths next to every multiple of `block` up to MAX_LENGTH, plus, for SHA-256, the last
 * lengths whose padding still fits in the final block (55) and the first that does not (56).
 */
function boundaryLengths(block: number): number[] {
  const lengths = new Set<number>();
  for (let edge = 0; edge <= MAX_LENGTH; edge += block) {
    for (const offset of [-9, -8, -1, 0, 1]) {
      const length = edge + offset;
      if (length >= 0 && length <= MAX_LENGTH) lengths.add(length);
    }
  }
  return [...lengths].sort((a, b) => a - b);
}

/** Case i's length: each boundary once, then half boundaries, half uniform over 0..4096. */
function lengthFor(random: Random, boundaries: number[], i: number): number {
  if (i < boundaries.length) return boundaries[i];
  return random.below(2) === 0 ? random.pick(boundaries) : random.below(MAX_LENGTH + 1);
}

/** Runs `check` for CASES random cases; a failure names the seed and the case. */
function forCases(name: string, block: number, check: (random: Random, length: number) => void) {
  const boundaries = boundaryLengths(block);
  let nameHash = 0;
  for (const char of name) nameHash = (Math.imul(nameHash, 31) + char.charCodeAt(0)) >>> 0;
  const random = new Random(SEED ^ nameHash);
  for (let i = 0; i < CASES; i++) {
    const length = lengthFor(random, boundaries, i);
    try {
      check(random, length);
    } catch (error) {
      const replay = `seed ${SEED} (CRYPTO_SYM_SEED=${SEED}), case ${i}, length ${length}`;
      throw new Error(`${name}: ${(error as Error).message}\n${replay}`, { cause: error });
    }
  }
}

const hex = (bytes: Uint8Array | null): string =>
  bytes === null ? "null" : Buffer.from(bytes).toString("hex");

/** RFC 8439 §2.5.1 read literally, with BigInt arithmetic. */
function poly1305Reference(key: Uint8Array, message: Uint8Array): Uint8Array {
  const littleEndian = (bytes: Uint8Array): bigint =>
    BigInt("0x" + (Buffer.from(bytes).reverse().toString("hex") || "0"));
  const r = littleEndian(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = littleEndian(key.subarray(16, 32));
  const p = (1n << 130n) - 5n;
  let accumulator = 0n;
  for (let at = 0; at < message.length; at += 16) {
    const block = message.subarray(at, at + 16);
    accumulator = ((accumulator + littleEndian(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  const tag = (accumulator + s) & ((1n << 128n) - 1n);
  return Uint8Array.from(Buffer.from(tag.toString(16).padStart(32, "0"), "hex").reverse());
}

function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

describe("SHA-256 against node:crypto", () => {
  it("one-shot digests match createHash for 1,000 lengths in 0..4096", () => {
    forCases("sha256", 64, (random, length) => {
      const data = random.bytes(length);
      assert.equal(hex(wasm.sha256(data)), createHash("sha256").update(data).digest("hex"));
    });
  });

  it("a reused incremental hasher fed three random pieces matches createHash", () => {
    forCases("sha256 pieces", 64, (random, length) => {
      const data = random.bytes(length);
      const first = random.below(length + 1);
      const second = first + random.below(length - first + 1);
      const expected = createHash("sha256").update(data).digest("hex");
      assert.equal(hex(wasm.sha256Pieces(data, first, second)), expected);
    });
  });
});

describe("HMAC-SHA-256 against node:crypto", () => {
  const keyLengths = [0, 1, 16, 32, 63, 64, 65, 100, 128, 200];

  it("tags match createHmac for 1,000 messages, keys of 0..200 bytes", () => {
    forCases("hmac", 64, (random, length) => {
      const key = random.bytes(random.below(2) ? random.pick(keyLengths) : random.below(201));
      const message = random.bytes(length);
      const expected = createHmac("sha256", key).update(message).digest("hex");
      assert.equal(hex(wasm.hmacSha256(key, message)), expected);
    });
  });

  it("one precomputed key gives createHmac's tags for two messages in a row", () => {
    forCases("hmac reuse", 64, (random, length) => {
      const key = random.bytes(random.pick(keyLengths));
      const first = random.bytes(length);
      const second = random.bytes(random.below(300));
      const expected =
        createHmac("sha256", key).update(first).digest("hex") +
        createHmac("sha256", key).update(second).digest("hex");
      assert.equal(hex(wasm.hmacTwice(key, first, second)), expected);
    });
  });

  it("verify accepts node's tag and rejects it with any one bit flipped", () => {
    forCases("hmac verify", 64, (random, length) => {
      const key = random.bytes(32);
      const message = random.bytes(length);
      const tag = createHmac("sha256", key).update(message).digest();
      assert.equal(wasm.hmacVerify(key, message, tag), true);
      tag[random.below(32)] ^= 1 << random.below(8);
      assert.equal(wasm.hmacVerify(key, message, tag), false);
    });
  });
});

describe("HKDF-SHA-256 against node:crypto", () => {
  it("output matches hkdfSync for 1,000 inputs and lengths of 0..8160", () => {
    forCases("hkdf", 64, (random, length) => {
      const salt = random.bytes(random.below(100));
      const keyMaterial = random.bytes(length);
      const info = random.bytes(random.below(1025));
      const outputLength = random.below(2)
        ? random.pick([0, 1, 31, 32, 33, 8160])
        : random.below(8161);
      const expected = Buffer.from(hkdfSync("sha256", keyMaterial, salt, info, outputLength));
      assert.equal(hex(wasm.hkdf(salt, keyMaterial, info, outputLength)), expected.toString("hex"));
    });
  });

  it("returns null where hkdfSync refuses the length (above 255 * 32)", () => {
    assert.throws(() => hkdfSync("sha256", new Uint8Array(1), new Uint8Array(0), "", 8161));
    assert.equal(wasm.hkdf(new Uint8Array(0), new Uint8Array(1), new Uint8Array(0), 8161), null);
  });
});

describe("ChaCha20 against node:crypto", () => {
  it("keystream XOR matches the 'chacha20' cipher for 1,000 inputs and counters", () => {
    forCases("chacha20", 64, (random, length) => {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const blocks = Math.ceil(length / 64);
      const counter = random.below(2) ? random.below(16) : random.below(0x1_0000_0000 - blocks);
      // OpenSSL's 16-byte IV is the 32-bit little-endian counter followed by the nonce.
      const iv = Buffer.concat([Buffer.alloc(4), nonce]);
      iv.writeUInt32LE(counter, 0);
      const input = random.bytes(length);
      const cipher = createCipheriv("chacha20", key, iv);
      const expected = Buffer.concat([cipher.update(input), cipher.final()]);
      assert.equal(hex(wasm.chacha20(key, counter, nonce, input)), expected.toString("hex"));
    });
  });
});

describe("Poly1305 against RFC 8439 §2.5.1", () => {
  it("tags match a BigInt evaluation of the polynomial for 1,000 messages", () => {
    forCases("poly1305", 16, (random, length) => {
      // Keys of all-ones bytes push every limb to its largest clamped value.
      const key = random.below(8) === 0 ? new Uint8Array(32).fill(0xff) : random.bytes(32);
      const message =
        random.below(8) === 0 ? new Uint8Array(length).fill(0xff) : random.bytes(length);
      assert.equal(hex(wasm.poly1305(key, message)), hex(poly1305Reference(key, message)));
    });
  });
});

describe("ChaCha20-Poly1305 against node:crypto", () => {
  it("seal matches createCipheriv, and open returns the plaintext, for 1,000 inputs", () => {
    forCases("aead", 64, (random, length) => {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const plaintext = random.bytes(length);
      const aadLength = random.below(2) ? random.pick([0, 1, 15, 16, 17, 64]) : random.below(300);
      const aad = random.bytes(aadLength);
      const expected = nodeSeal(key, nonce, plaintext, aad);
      assert.equal(hex(wasm.aeadSeal(key, nonce, plaintext, aad)), expected.toString("hex"));
      assert.equal(hex(wasm.aeadOpen(key, nonce, expected, aad)), hex(plaintext));
    });
  });

  it("open rejects a random one-bit change in ciphertext, tag or aad", () => {
    forCases("aead tamper", 64, (random, length) => {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const aad = random.bytes(random.below(64));
      const sealed = nodeSeal(key, nonce, random.bytes(length), aad);
      const target = aad.length > 0 && random.below(4) === 0 ? aad : sealed;
      target[random.below(target.length)] ^= 1 << random.below(8);
      assert.equal(wasm.aeadOpen(key, nonce, sealed, aad), null);
    });
  });
});

describe("ChaCha20-Poly1305 rejections, exhaustively on one message", () => {
  const random = new Random(SEED);
  const key = random.bytes(32);
  const nonce = random.bytes(12);
  const aad = random.bytes(20);
  const sealed = nodeSeal(key, nonce, random.bytes(100), aad);

  it("open rejects every single-bit flip in ciphertext and tag", () => {
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const changed = Buffer.from(sealed);
      changed[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(wasm.aeadOpen(key, nonce, changed, aad), null, `bit ${bit}, seed ${SEED}`);
    }
  });

  it("open rejects every single-bit flip in the aad", () => {
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const changed = Uint8Array.from(aad);
      changed[bit >> 3] ^= 1 << (bit & 7);
      assert.equal(wasm.aeadOpen(key, nonce, sealed, changed), null, `bit ${bit}, seed ${SEED}`);
    }
  });

  it("open rejects every truncation and an appended byte", () => {
    for (let length = 0; length < sealed.length; length++) {
      assert.equal(wasm.aeadOpen(key, nonce, sealed.subarray(0, length), aad), null, `${length}`);
    }
    assert.equal(wasm.aeadOpen(key, nonce, Buffer.concat([sealed, Buffer.of(0)]), aad), null);
  });

  it("open rejects the right input under another nonce or key", () => {
    const otherNonce = Uint8Array.from(nonce);
    otherNonce[11] ^= 1;
    const otherKey = Uint8Array.from(key);
    otherKey[0] ^= 0x80;
    assert.equal(wasm.aeadOpen(key, otherNonce, sealed, aad), null);
    assert.equal(wasm.aeadOpen(otherKey, nonce, sealed, aad), null);
  });

  it("seal and open return null for every wrong key or nonce size", () => {
    for (const size of [0, 1, 16, 31, 33, 64]) {
      assert.equal(wasm.aeadSeal(new Uint8Array(size), nonce, aad, aad), null, `key ${size}`);
      assert.equal(wasm.aeadOpen(new Uint8Array(size), nonce, sealed, aad), null, `key ${size}`);
    }
    for (const size of [0, 8, 11, 13, 16, 24]) {
      assert.equal(wasm.aeadSeal(key, new Uint8Array(size), aad, aad), null, `nonce ${size}`);
      assert.equal(wasm.aeadOpen(key, new Uint8Array(size), sealed, aad), null, `nonce ${size}`);
    }
  });
});

describe("constantTimeEqual against Buffer.equals", () => {
  it("agrees on 1,000 pairs: equal, one bit apart, or of different lengths", () => {
    forCases("constantTimeEqual", 16, (random, length) => {
      const a = random.bytes(length);
      const b = Uint8Array.from(a);
      const variant = random.below(3);
      if (variant === 1 && length > 0) b[random.below(length)] ^= 1 << random.below(8);
      const c = variant === 2 ? b.subarray(0, random.below(length + 1)) : b;
      assert.equal(wasm.constantTimeEqual(a, c), Buffer.from(a).equals(c));
    });
  });
});
