// RS256 and ES256 verification (assembly/crypto/rsa.ts, ecdsa.ts) and the arithmetic under
// them, checked against node:crypto and BigInt through the harness module crypto_asym.
// Keys are generated here; node:crypto signs, the harness verifies.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import {
  constants,
  createECDH,
  createHash,
  generateKeyPair,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  randomInt,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { promisify } from "node:util";
import * as h from "../../build/test/harness/crypto_asym.js";

// ---- shared helpers --------------------------------------------------------------------

type RsaKey = { privateKey: KeyObject; n: Uint8Array; e: Uint8Array };
type EcKey = { privateKey: KeyObject; d: bigint; x: Uint8Array; y: Uint8Array };

const fromBase64url = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const toBigInt = (bytes: Uint8Array) =>
  bytes.length === 0 ? 0n : BigInt("0x" + Buffer.from(bytes).toString("hex"));

function toBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, "0");
  assert.equal(hex.length, length * 2, "value does not fit");
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n % modulus;
  base %= modulus;
  for (; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

const generate = promisify(generateKeyPair);

async function rsaKey(modulusLength: number): Promise<RsaKey> {
  const { privateKey, publicKey } = await generate("rsa", { modulusLength });
  const jwk = publicKey.export({ format: "jwk" });
  return { privateKey, n: fromBase64url(jwk.n!), e: fromBase64url(jwk.e!) };
}

async function ecKey(): Promise<EcKey> {
  const { privateKey, publicKey } = await generate("ec", { namedCurve: "prime256v1" });
  const jwk = publicKey.export({ format: "jwk" });
  const d = toBigInt(fromBase64url(privateKey.export({ format: "jwk" }).d!));
  return { privateKey, d, x: fromBase64url(jwk.x!), y: fromBase64url(jwk.y!) };
}

function signRsa(key: RsaKey, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign("sha256", message, key.privateKey));
}

function signEc(key: EcKey, message: Uint8Array): Uint8Array {
  const options = { key: key.privateKey, dsaEncoding: "ieee-p1363" as const };
  return new Uint8Array(sign("sha256", message, options));
}

// ---- P-256 in BigInt, affine, for expected values --------------------------------------

const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;
type Point = { x: bigint; y: bigint } | null; // null is the point at infinity

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
const inverse = (a: bigint, m: bigint) => modPow(mod(a, m), m - 2n, m);

function add(a: Point, b: Point): Point {
  if (a === null) return b;
  if (b === null) return a;
  let slope: bigint;
  if (a.x === b.x) {
    if (mod(a.y + b.y, P) === 0n) return null;
    slope = mod((3n * a.x * a.x - 3n) * inverse(2n * a.y, P), P);
  } else {
    slope = mod((b.y - a.y) * inverse(b.x - a.x, P), P);
  }
  const x = mod(slope * slope - a.x - b.x, P);
  return { x, y: mod(slope * (a.x - x) - a.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  for (let bit = 255; bit >= 0; bit--) {
    result = add(result, result);
    if ((k >> BigInt(bit)) & 1n) result = add(result, point);
  }
  return result;
}

/** k*G by node:crypto's ECDH (an independent implementation), null for k = 0 mod n. */
function baseMultiple(k: bigint): Uint8Array | null {
  const scalar = mod(k, N);
  if (scalar === 0n) return null;
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(toBytes(scalar, 32));
  return new Uint8Array(ecdh.getPublicKey().subarray(1));
}

// ---- keys, made once for all tests -------------------------------------------------------

const rsa = new Map<number, RsaKey>();
let rsaOther: RsaKey; // a second 2048-bit key: the "wrong key"
let rsaSmall: RsaKey; // 1024 bits: below the accepted size
const ec: EcKey[] = [];

before(async () => {
  const [k2048, k3072, k4096, other, small] = await Promise.all([
    rsaKey(2048),
    rsaKey(3072),
    rsaKey(4096),
    rsaKey(2048),
    rsaKey(1024),
  ]);
  rsa.set(2048, k2048).set(3072, k3072).set(4096, k4096);
  rsaOther = other;
  rsaSmall = small;
  ec.push(...(await Promise.all(Array.from({ length: 10 }, () => ecKey()))));
});

// ---- RS256 -------------------------------------------------------------------------------

describe("RS256 verification", () => {
  for (const bits of [2048, 3072, 4096]) {
    it(`accepts 200 node:crypto signatures with a ${bits}-bit key`, () => {
      const key = rsa.get(bits)!;
      for (let i = 0; i < 200; i++) {
        const message = randomBytes(randomInt(0, 200));
        const signature = signRsa(key, message);
        assert.equal(h.verifyRsa(key.n, key.e, sha256(message), signature), true, `message ${i}`);
      }
    });
  }

  it("rejects a signature made by another key", () => {
    const message = randomBytes(64);
    const signature = signRsa(rsaOther, message);
    const key = rsa.get(2048)!;
    assert.equal(h.verifyRsa(key.n, key.e, sha256(message), signature), false);
  });

  it("rejects every single flipped bit of the signature and of the digest tried", () => {
    const key = rsa.get(2048)!;
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signRsa(key, message);
    for (let bit = 0; bit < signature.length * 8; bit += 7) {
      assert.equal(h.verifyRsa(key.n, key.e, digest, flipBit(signature, bit)), false, `bit ${bit}`);
    }
    for (let bit = 0; bit < 256; bit++) {
      assert.equal(h.verifyRsa(key.n, key.e, flipBit(digest, bit), signature), false, `bit ${bit}`);
    }
  });

  it("rejects truncated and extended signatures, even with a leading zero byte", () => {
    const key = rsa.get(2048)!;
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signRsa(key, message);
    const variants = [
      signature.subarray(0, signature.length - 1),
      signature.subarray(1),
      concat(signature, new Uint8Array([0])),
      concat(new Uint8Array([0]), signature),
      new Uint8Array(0),
    ];
    for (const variant of variants) assert.equal(h.verifyRsa(key.n, key.e, digest, variant), false);
  });

  it("rejects signature values s >= n, s = 0 and s = 1", () => {
    const key = rsa.get(2048)!;
    const n = toBigInt(key.n);
    const digest = sha256(randomBytes(32));
    for (const s of [n, n + 1n, 2n ** 2048n - 1n, 0n, 1n]) {
      assert.equal(h.verifyRsa(key.n, key.e, digest, toBytes(s, 256)), false, `s = ${s}`);
    }
  });

  it("rejects s + n (the valid s modulo n) whenever it fits in the 256 signature bytes", () => {
    const key = rsa.get(2048)!;
    const n = toBigInt(key.n);
    let tried = 0;
    for (let i = 0; tried < 5 && i < 200; i++) {
      const message = randomBytes(32);
      const s = toBigInt(signRsa(key, message));
      if (s + n >= 2n ** 2048n) continue;
      tried++;
      assert.equal(h.verifyRsa(key.n, key.e, sha256(message), toBytes(s + n, 256)), false);
    }
    assert.equal(tried, 5, "found signatures with s + n < 2^2048");
  });

  it("rejects a valid signature by a 1024-bit key (moduli of 2048 to 4096 bits only)", () => {
    const message = randomBytes(64);
    const signature = signRsa(rsaSmall, message);
    assert.equal(h.verifyRsa(rsaSmall.n, rsaSmall.e, sha256(message), signature), false);
  });

  it("accepts leading zero bytes on n and e, as some JWKS publish them", () => {
    const key = rsa.get(2048)!;
    const message = randomBytes(64);
    const signature = signRsa(key, message);
    const n = concat(new Uint8Array([0, 0]), key.n);
    const e = concat(new Uint8Array([0, 0, 0]), key.e);
    assert.equal(h.verifyRsa(n, e, sha256(message), signature), true);
  });

  it("rejects e = 1 (the signature would be the encoding itself), even e, e over 32 bits", () => {
    const key = rsa.get(2048)!;
    const digest = sha256(randomBytes(32));
    const encoded = encodeRsa(256, { info: SHA256_INFO, digest });
    assert.equal(h.verifyRsa(key.n, new Uint8Array([1]), digest, encoded), false);
    const signature = signRsaRaw(key, encoded);
    for (const e of [[0x01, 0x00, 0x00], [0x01, 0x00, 0x00, 0x00, 0x01], [], [0]]) {
      assert.equal(h.verifyRsa(key.n, new Uint8Array(e), digest, signature), false);
    }
  });

  it("rejects an even modulus and digests that are not 32 bytes", () => {
    const key = rsa.get(2048)!;
    const message = randomBytes(64);
    const signature = signRsa(key, message);
    const evenN = Uint8Array.from(key.n);
    evenN[evenN.length - 1] &= 0xfe;
    assert.equal(h.verifyRsa(evenN, key.e, sha256(message), signature), false);
    for (const length of [0, 20, 31, 33, 64]) {
      const digest = concat(sha256(message), new Uint8Array(32)).subarray(0, length);
      assert.equal(h.verifyRsa(key.n, key.e, digest, signature), false, `length ${length}`);
    }
  });
});

// ---- RS256: encodings a lenient PKCS#1 parser would accept --------------------------------

const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s/g, ""), "hex"));
// DigestInfo prefixes (RFC 8017 §9.2 note 1): SEQUENCE { SEQUENCE { OID, params }, OCTET STRING }
const SHA256_INFO = fromHex("3031 300d 0609 608648016503040201 0500 0420"); // sha256, NULL
const SHA1_INFO = fromHex("3021 3009 0605 2b0e03021a 0500 0414"); // sha1, NULL, 20 bytes
const SHA1_OID_32 = fromHex("302d 3009 0605 2b0e03021a 0500 0420"); // sha1 OID, 32 bytes
const NO_NULL_INFO = fromHex("302f 300b 0609 608648016503040201 0420"); // parameters absent
const LONG_LENGTH_INFO = fromHex("308131 300d 0609 608648016503040201 0500 0420"); // BER length

type Encoding = {
  info: Uint8Array;
  digest: Uint8Array;
  first?: number; // the leading byte, 0x00
  blockType?: number; // 0x01 for signatures
  padding?: number; // PS length; by default PS fills what is left
  padByte?: number; // 0xff
  trailing?: Uint8Array; // bytes after the digest
};

/** 00 || BT || PS || 00 || info || digest || trailing, `length` bytes in all. */
function encodeRsa(length: number, encoding: Encoding): Uint8Array {
  const trailing = encoding.trailing ?? new Uint8Array(0);
  const rest = encoding.info.length + encoding.digest.length + trailing.length;
  const padding = encoding.padding ?? length - 3 - rest;
  const head = new Uint8Array([encoding.first ?? 0, encoding.blockType ?? 1]);
  const ps = new Uint8Array(padding).fill(encoding.padByte ?? 0xff);
  const fill = new Uint8Array(length - 3 - rest - padding).fill(0xab);
  const em = concat(head, ps, new Uint8Array([0]), encoding.info, encoding.digest, fill, trailing);
  assert.equal(em.length, length);
  return em;
}

/** The raw RSA signature of an arbitrary encoded message: em^d mod n (no padding added). */
function signRsaRaw(key: RsaKey, em: Uint8Array): Uint8Array {
  const padding = constants.RSA_NO_PADDING;
  const signature = new Uint8Array(privateDecrypt({ key: key.privateKey, padding }, em));
  const back = publicEncrypt({ key: key.privateKey, padding }, signature);
  assert.deepEqual(new Uint8Array(back), em, "raw RSA round trip");
  return signature;
}

describe("RS256 verification against crafted PKCS#1 v1.5 encodings", () => {
  const message = randomBytes(48);
  const digest = sha256(message);
  const sha1 = new Uint8Array(createHash("sha1").update(message).digest());

  it("accepts the exact encoding when signed raw (the crafting is sound)", () => {
    const key = rsa.get(2048)!;
    const signature = signRsaRaw(key, encodeRsa(256, { info: SHA256_INFO, digest }));
    assert.equal(h.verifyRsa(key.n, key.e, digest, signature), true);
    assert.equal(verify("sha256", message, key.privateKey, signature), true);
  });

  const cases: [string, Encoding][] = [
    ["a SHA-1 DigestInfo with a SHA-1 digest", { info: SHA1_INFO, digest: sha1 }],
    ["the SHA-1 OID with the SHA-256 digest", { info: SHA1_OID_32, digest }],
    ["a DigestInfo without NULL parameters", { info: NO_NULL_INFO, digest }],
    ["a DigestInfo with a long-form (BER) length", { info: LONG_LENGTH_INFO, digest }],
    ["7 bytes of 0xff padding, garbage after the digest", {
      info: SHA256_INFO, digest, padding: 7, trailing: new Uint8Array(0) }],
    ["full padding but 16 garbage bytes after the digest", {
      info: SHA256_INFO, digest, trailing: new Uint8Array(16).fill(0x5a) }],
    ["block type 0x02 with 0xff padding", { info: SHA256_INFO, digest, blockType: 2 }],
    ["block type 0x02 with 0x5a padding", {
      info: SHA256_INFO, digest, blockType: 2, padByte: 0x5a }],
    ["block type 0x00", { info: SHA256_INFO, digest, blockType: 0, padByte: 0 }],
    ["a leading byte 0x01 instead of 0x00", { info: SHA256_INFO, digest, first: 1 }],
    ["padding bytes 0x00 instead of 0xff", { info: SHA256_INFO, digest, padByte: 0 }],
  ];
  for (const [name, encoding] of cases) {
    it(`rejects ${name}`, () => {
      for (const bits of [2048, 4096]) {
        const key = rsa.get(bits)!;
        const signature = signRsaRaw(key, encodeRsa(bits / 8, encoding));
        assert.equal(h.verifyRsa(key.n, key.e, digest, signature), false, `${bits} bits`);
      }
    });
  }

  it("rejects a zero byte inside the padding", () => {
    const key = rsa.get(2048)!;
    const em = encodeRsa(256, { info: SHA256_INFO, digest });
    em[100] = 0;
    assert.equal(h.verifyRsa(key.n, key.e, digest, signRsaRaw(key, em)), false);
  });
});

// ---- ES256 -------------------------------------------------------------------------------

describe("ES256 verification", () => {
  it("accepts 1,000 node:crypto signatures over 10 keys", () => {
    for (let i = 0; i < 1000; i++) {
      const key = ec[i % ec.length];
      const message = randomBytes(randomInt(0, 200));
      const signature = signEc(key, message);
      assert.equal(h.verifyEcdsa(key.x, key.y, sha256(message), signature), true, `message ${i}`);
    }
  });

  it("rejects a signature made by another key", () => {
    const message = randomBytes(64);
    const signature = signEc(ec[0], message);
    assert.equal(h.verifyEcdsa(ec[1].x, ec[1].y, sha256(message), signature), false);
  });

  it("rejects every single flipped bit of the signature and of the digest", () => {
    const key = ec[0];
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signEc(key, message);
    for (let bit = 0; bit < 512; bit++) {
      assert.equal(h.verifyEcdsa(key.x, key.y, digest, flipBit(signature, bit)), false, `${bit}`);
    }
    for (let bit = 0; bit < 256; bit++) {
      assert.equal(h.verifyEcdsa(key.x, key.y, flipBit(digest, bit), signature), false, `${bit}`);
    }
  });

  it("rejects truncated and extended signatures, coordinates and digests of other lengths", () => {
    const key = ec[0];
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signEc(key, message);
    const zero = new Uint8Array([0]);
    const bad = (x: Uint8Array, y: Uint8Array, d: Uint8Array, s: Uint8Array) =>
      assert.equal(h.verifyEcdsa(x, y, d, s), false);
    bad(key.x, key.y, digest, signature.subarray(0, 63));
    bad(key.x, key.y, digest, concat(signature, zero));
    bad(key.x, key.y, digest, concat(zero, signature));
    bad(key.x, key.y, digest, new Uint8Array(0));
    bad(concat(zero, key.x), key.y, digest, signature);
    bad(key.x, key.y.subarray(1), digest, signature);
    bad(key.x, key.y, digest.subarray(1), signature);
    bad(key.x, key.y, concat(digest, zero), signature);
  });

  it("rejects r or s equal to 0, to n, or above n", () => {
    const key = ec[0];
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signEc(key, message);
    const r = signature.subarray(0, 32);
    const s = signature.subarray(32);
    for (const value of [0n, N, N + 1n, 2n ** 256n - 1n]) {
      const bytes = toBytes(value, 32);
      assert.equal(h.verifyEcdsa(key.x, key.y, digest, concat(bytes, s)), false, `r = ${value}`);
      assert.equal(h.verifyEcdsa(key.x, key.y, digest, concat(r, bytes)), false, `s = ${value}`);
    }
  });

  it("rejects s + n, which is the valid s modulo n, as an out-of-range s", () => {
    // A signature with a small s by the known private key d: pick the nonce k, take r from
    // k*G (node:crypto's ECDH), pick s, and solve s = (e + r d) / k for the digest e.
    const key = ec[0];
    const k = mod(toBigInt(randomBytes(32)), N - 1n) + 1n;
    const r = mod(toBigInt(baseMultiple(k)!.subarray(0, 32)), N);
    const s = toBigInt(randomBytes(16)) + 1n;
    const digest = toBytes(mod(s * k - r * key.d, N), 32);
    const valid = concat(toBytes(r, 32), toBytes(s, 32));
    assert.equal(h.verifyEcdsa(key.x, key.y, digest, valid), true);
    const wrapped = concat(toBytes(r, 32), toBytes(s + N, 32));
    assert.equal(h.verifyEcdsa(key.x, key.y, digest, wrapped), false);
  });

  it("rejects public keys off the curve or with a coordinate >= p", () => {
    const key = ec[0];
    const message = randomBytes(64);
    const digest = sha256(message);
    const signature = signEc(key, message);
    const y = toBigInt(key.y);
    const x = toBigInt(key.x);
    const keys: [bigint, bigint][] = [
      [x, mod(y + 1n, P)],
      [mod(x + 1n, P), y],
      [0n, 0n],
      [P, y],
      [x, P],
      [2n ** 256n - 1n, 2n ** 256n - 1n],
    ];
    for (const [kx, ky] of keys) {
      const result = h.verifyEcdsa(toBytes(kx, 32), toBytes(ky, 32), digest, signature);
      assert.equal(result, false, `(${kx}, ${ky})`);
    }
  });

  it("rejects a signature forged for a point off the curve (the invalid-curve attack)", () => {
    // The point formulas never use b, and combineLikeVerifier repeats the verifier's order of
    // operations, so without the curve check this forgery verifies (checked by removing it).
    const offCurve = { x: toBigInt(ec[0].x), y: mod(toBigInt(ec[0].y) + 1n, P) };
    const { digest, signature } = forgeForKey(offCurve, combineLikeVerifier);
    const x = toBytes(offCurve.x, 32);
    assert.equal(h.verifyEcdsa(x, toBytes(offCurve.y, 32), digest, signature), false);
  });

  it("rejects x + p for a key with a small x whose signature verifies with x itself", () => {
    let Q: Point = null;
    for (let x = 1n; Q === null; x++) Q = pointWithX(x);
    const { digest, signature } = forgeForKey(Q);
    const y = toBytes(Q.y, 32);
    assert.equal(h.verifyEcdsa(toBytes(Q.x, 32), y, digest, signature), true);
    assert.equal(h.verifyEcdsa(toBytes(Q.x + P, 32), y, digest, signature), false);
  });

  it("accepts the high-s twin (r, n - s), as node:crypto does: ES256 has no low-s rule", () => {
    const key = ec[0];
    const message = randomBytes(64);
    const signature = signEc(key, message);
    const highS = toBytes(N - toBigInt(signature.subarray(32)), 32);
    const twin = concat(signature.subarray(0, 32), highS);
    assert.equal(h.verifyEcdsa(key.x, key.y, sha256(message), twin), true);
    const options = { key: key.privateKey, dsaEncoding: "ieee-p1363" as const };
    assert.equal(verify("sha256", message, options, twin), true);
  });

  it("accepts a signature whose point R has n <= x(R) < p (r = x - n), like node:crypto", () => {
    const { qx, qy, message, signature } = signatureWithLargeX();
    const jwk = { kty: "EC", crv: "P-256", x: b64url(qx), y: b64url(qy) };
    const options = { key: jwk, format: "jwk" as const, dsaEncoding: "ieee-p1363" as const };
    const nodeResult = verify("sha256", message, options, signature);
    assert.equal(nodeResult, true, "node:crypto accepts the constructed signature");
    assert.equal(h.verifyEcdsa(qx, qy, sha256(message), signature), true);
    const wrongR = toBytes(toBigInt(signature.subarray(0, 32)) + 1n, 32);
    const tampered = concat(wrongR, signature.subarray(32));
    assert.equal(h.verifyEcdsa(qx, qy, sha256(message), tampered), false);
  });
});

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** The point with this x and an even y, or null when x^3 - 3x + b is not a square. */
function pointWithX(x: bigint): Point {
  const rhs = mod(x * x * x - 3n * x + B, P);
  const y = modPow(rhs, (P + 1n) / 4n, P); // p = 3 mod 4
  return mod(y * y, P) === rhs ? { x, y: y % 2n === 0n ? y : P - y } : null;
}

/**
 * A digest and signature that verify under Q without its private key (the digest is chosen,
 * not hashed): R = u1*G + u2*Q for random u1, u2, then r = x(R), s = r / u2, e = u1 * s.
 */
function forgeForKey(
  Q: Point,
  combine = combineInAnyOrder,
): { digest: Uint8Array; signature: Uint8Array } {
  const u1 = mod(toBigInt(randomBytes(32)), N);
  const u2 = mod(toBigInt(randomBytes(32)), N - 1n) + 1n;
  const R = combine(u1, u2, Q)!;
  const r = mod(R.x, N);
  const s = mod(r * inverse(u2, N), N);
  const e = mod(u1 * s, N);
  return { digest: toBytes(e, 32), signature: concat(toBytes(r, 32), toBytes(s, 32)) };
}

function combineInAnyOrder(u1: bigint, u2: bigint, Q: Point): Point {
  return add(multiply(u1, { x: GX, y: GY }), multiply(u2, Q));
}

/**
 * u1*G + u2*Q in the verifier's order (p256.ts multiplyCombined): tables of 1..15 times each
 * point, then per 4-bit window four doublings and two additions. For Q on the curve the order
 * does not matter; off the curve the group law fails and only this order reproduces the result.
 */
function combineLikeVerifier(u1: bigint, u2: bigint, Q: Point): Point {
  const baseTable: Point[] = [null, { x: GX, y: GY }];
  const keyTable: Point[] = [null, Q, add(Q, Q)];
  for (let i = 2; i < 16; i++) baseTable.push(add(baseTable[i - 1], baseTable[1]));
  for (let i = 3; i < 16; i++) keyTable.push(add(keyTable[i - 1], Q));
  let sum: Point = null;
  for (let window = 63; window >= 0; window--) {
    for (let i = 0; i < 4; i++) sum = add(sum, sum);
    const shift = BigInt(4 * window);
    sum = add(sum, baseTable[Number((u1 >> shift) & 15n)]);
    sum = add(sum, keyTable[Number((u2 >> shift) & 15n)]);
  }
  return sum;
}

/**
 * A valid ES256 signature whose R = u1*G + u2*Q has x(R) >= n, a case that random keys hit
 * with probability 2^-128: pick R with such an x, pick s, then solve for the key Q.
 */
function signatureWithLargeX() {
  let R: Point = null;
  while (R === null) R = pointWithX(N + mod(toBigInt(randomBytes(16)), P - N));
  const message = randomBytes(32);
  const e = mod(toBigInt(sha256(message)), N);
  const r = R.x - N;
  const s = mod(toBigInt(randomBytes(32)), N - 1n) + 1n;
  const w = inverse(s, N);
  const u1 = mod(e * w, N);
  const u2 = mod(r * w, N);
  const negated = multiply(u1, { x: GX, y: GY });
  const Q = multiply(inverse(u2, N), add(R, negated && { x: negated.x, y: mod(-negated.y, P) }))!;
  const signature = concat(toBytes(r, 32), toBytes(s, 32));
  return { qx: toBytes(Q.x, 32), qy: toBytes(Q.y, 32), message, signature };
}

// ---- P-256 point arithmetic: u1*G + u2*Q ---------------------------------------------------

describe("P-256 u1*G + u2*Q", () => {
  const combine = (u1: bigint, u2: bigint, q: { x: Uint8Array; y: Uint8Array }) =>
    h.p256Combine(toBytes(u1, 32), toBytes(u2, 32), q.x, q.y);
  const G = { x: toBytes(GX, 32), y: toBytes(GY, 32) };

  it("equals (u1 + u2*d)*G from node:crypto's ECDH for random scalars and keys", () => {
    for (let i = 0; i < 60; i++) {
      const key = ec[i % ec.length];
      const u1 = toBigInt(randomBytes(32));
      const u2 = toBigInt(randomBytes(32));
      assert.deepEqual(combine(u1, u2, key), baseMultiple(u1 + u2 * key.d), `case ${i}`);
    }
  });

  it("matches k*G and k*Q for k = 1..20 (every precomputed table entry)", () => {
    const key = ec[0];
    for (let k = 1n; k <= 20n; k++) {
      assert.deepEqual(combine(k, 0n, key), baseMultiple(k), `${k}G`);
      assert.deepEqual(combine(0n, k, key), baseMultiple(k * key.d), `${k}Q`);
    }
  });

  it("handles the exceptional sums: P + P, P + (-P), zero and scalars >= n", () => {
    const u = toBigInt(randomBytes(31));
    assert.deepEqual(combine(u, u, G), baseMultiple(2n * u), "u*G + u*G doubles");
    assert.equal(combine(u, N - u, G).length, 0, "u*G - u*G is infinity");
    assert.equal(combine(0n, 0n, G).length, 0, "0*G + 0*Q is infinity");
    assert.equal(combine(N, 0n, G).length, 0, "n*G is infinity");
    assert.deepEqual(combine(N - 1n, 0n, G), concat(G.x, toBytes(P - GY, 32)), "(n-1)*G = -G");
    const max = 2n ** 256n - 1n;
    assert.deepEqual(combine(max, max, ec[1]), baseMultiple(max + max * ec[1].d), "2^256 - 1");
  });
});

// ---- Montgomery exponentiation against BigInt ------------------------------------------------

describe("Montgomery modular exponentiation", () => {
  const check = (base: bigint, exponent: bigint, modulus: bigint, bytes: number) => {
    const out = h.modPow(
      toBytes(base, bytes),
      toBytes(exponent, Math.max(bytes, 64)),
      toBytes(modulus, bytes),
    );
    const expected = toBytes(modPow(base, exponent, modulus), bytes);
    assert.deepEqual(out, expected, `${base}^${exponent} mod ${modulus}`);
  };
  const randomOdd = (bytes: number) => {
    const value = toBigInt(randomBytes(bytes)) | 1n | (1n << BigInt(8 * bytes - 8));
    return value > 1n ? value : 3n;
  };

  it("equals BigInt for random odd moduli of 1 to 512 bytes", () => {
    for (const bytes of [1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 64, 127, 256, 384, 512]) {
      for (let i = 0; i < 4; i++) {
        const modulus = randomOdd(bytes);
        const base = toBigInt(randomBytes(bytes)) % modulus;
        const exponent = toBigInt(randomBytes(randomInt(1, bytes < 64 ? 64 : 4))) | 1n;
        check(base, exponent, modulus, bytes);
      }
    }
  });

  it("equals BigInt at the edges: base 0, 1, n-1; moduli 3, 2^k + 1, 2^32k - 1", () => {
    const moduli = [3n, 2n ** 32n - 1n, 2n ** 32n + 1n, 2n ** 64n - 1n, 2n ** 2048n - 1n];
    moduli.push(2n ** 2047n + 1n);
    for (const modulus of moduli) {
      const bytes = Math.ceil(modulus.toString(16).length / 2);
      for (const base of [0n, 1n, 2n, modulus - 1n, modulus / 2n]) {
        for (const exponent of [1n, 2n, 3n, 65537n, modulus - 2n]) {
          check(base, exponent, modulus, bytes);
        }
      }
    }
  });

  it("refuses even moduli, the modulus 1 and a zero exponent (empty result, no trap)", () => {
    assert.equal(h.modPow(toBytes(3n, 2), toBytes(5n, 1), toBytes(1000n, 2)).length, 0);
    assert.equal(h.modPow(toBytes(0n, 1), toBytes(5n, 1), toBytes(1n, 1)).length, 0);
    assert.equal(h.modPow(toBytes(3n, 1), toBytes(0n, 1), toBytes(7n, 1)).length, 0);
    assert.equal(h.modPow(new Uint8Array(0), toBytes(1n, 1), new Uint8Array(0)).length, 0);
  });
});

// ---- no input traps --------------------------------------------------------------------------

describe("hostile input", () => {
  const lengths = [0, 1, 31, 32, 33, 63, 64, 65, 255, 256, 257, 512, 513];
  const randomLength = () => lengths[randomInt(0, lengths.length)];

  it("never throws on random bytes of any length to either verifier", () => {
    for (let i = 0; i < 2000; i++) {
      const args = [0, 1, 2, 3].map(() => randomBytes(randomLength()));
      const [a, b, c, d] = args.map((bytes) => new Uint8Array(bytes));
      assert.equal(h.verifyRsa(a, b, c, d), false);
      assert.equal(h.verifyEcdsa(a, b, c, d), false);
    }
  });

  it("never throws on random signatures for real keys and on random moduli of valid sizes", () => {
    const key = rsa.get(2048)!;
    for (let i = 0; i < 200; i++) {
      const digest = new Uint8Array(randomBytes(32));
      const signature = new Uint8Array(randomBytes(256));
      assert.equal(h.verifyRsa(key.n, key.e, digest, signature), false);
      const n = new Uint8Array(randomBytes(256));
      n[0] |= 0x80;
      n[255] |= 1;
      assert.equal(h.verifyRsa(n, key.e, digest, signature), false);
      const ecSignature = new Uint8Array(randomBytes(64));
      assert.equal(h.verifyEcdsa(ec[0].x, ec[0].y, digest, ecSignature), false);
    }
  });
});
