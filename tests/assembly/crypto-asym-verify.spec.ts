// The rejection rules of RS256 and ES256 verification (assembly/crypto/rsa.ts, ecdsa.ts), each
// checked next to a fixture that verifies, so a rejection cannot pass by accident.
import {
  parseRsaPublicKey,
  verifyRsaPkcs1Sha256,
  verifyWithRsaKey,
} from "../../assembly/crypto/rsa";
import { verifyEcdsaP256Sha256 } from "../../assembly/crypto/ecdsa";

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function copy(a: Uint8Array): Uint8Array {
  return a.slice(0);
}

// RS256 fixture, made by node:crypto: a 2048-bit key with e = 65537 signed the JWS signing
// input "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9" ({"alg":"RS256"}.{"sub":"alice"}).
const RSA_N = hexBytes(
  "b626484d411a60d57f10302fa8023ca81a883be93f3572af0315e2b103bef2f7" +
    "4c8d97ba6dc02e170ea1e4cc998a727618765384d14d971c1235f306b8cb215a" +
    "73b1c0989c7670cd3a0ee66fde565ae63183f42e114a3dffc3d2935ff8f36dea" +
    "29a54a8675f64a25ea6447891ad1e2b6600d649c195b724f88c790c023e81c70" +
    "fd2295532299fbad9787615615ab05207be6fb1a4da7b7ea9efd7ffe64beddcf" +
    "94dba4a789465f9c8bf8c50c2d1484adf695c9c4ddae547a2e222dca95e1b7a2" +
    "4bd0531184efbc6737f4865d24e908d81c0138e404d4770b1a237f923c788d93" +
    "2ca60aa519dc3660d34cd1041e2a0359387cd07bb7ff25f7c5b540c552cc3fc5",
);
const RSA_E = hexBytes("010001");
// SHA-256 of the signing input above.
const RSA_DIGEST = hexBytes("4eea6280517e416452193cd4fd37cf19fa358f0b65d9149dd32b1a0bd0e4ccf1");
const RSA_SIGNATURE = hexBytes(
  "4a66daad0521ec618d155f58c0e95a2626cb1db88f7f4d928f3a0f35227ffbfc" +
    "2427d6eac09e9c777b4309209c2c9583e27a6439616d0a379a553dab5a1d7d85" +
    "eb5c59ca08d1a6694d875b177261c7cedc6db61f0b570d343b8f6742aa401a38" +
    "91a7fc40029396b5bebf990f21bb74b248cc65ff3221881a1ff040bbadf3f749" +
    "1b2c66df96d0225c3c7805c3bffe9fc93ba9a087d46037df9c5a0461b4322cd1" +
    "d709cfc0656dd6a62bd3eb9b779dee77a1fa92f22f2ba5a4e70b04876a81fc65" +
    "776c4a94262728960f541989f1bdd09e30dd9d24b605cdf78056be43e541c1b0" +
    "30fbdb11af09d97a847aed1c5a397045defb4d173e068577af4efd6ee1b875a8",
);

// ES256 fixture, made by node:crypto: a P-256 key signed "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGlj
// ZSJ9" ({"alg":"ES256"}.{"sub":"alice"}); the signature is r || s (RFC 7518 §3.4).
const EC_X = hexBytes("43daeadaf71b885227cb78d770c95f844b72c9161f79babcfd93bd9acaf0620c");
const EC_Y = hexBytes("64c4e176e34a12d105a89126b9e1d2a31c8e8a28275b92e0efcdea5776956f30");
const EC_DIGEST = hexBytes("df6ced68891d99accee6a1c85d32119be26e05f21c05f42cff55a213db5adaf2");
const EC_SIGNATURE = hexBytes(
  "7078edfb66e942b035286f5296c489449f69540ea76f970d7fb8698a512f098c" +
    "1dbfcfb68e483f4bc59279cfcd280f188950256ac25b33f6afd75d06da08a6ed",
);
const ORDER_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const PRIME_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

function rsa(n: Uint8Array, e: Uint8Array, digest: Uint8Array, signature: Uint8Array): bool {
  return verifyRsaPkcs1Sha256(n, e, digest, signature);
}

function ecdsa(x: Uint8Array, y: Uint8Array, digest: Uint8Array, signature: Uint8Array): bool {
  return verifyEcdsaP256Sha256(x, y, digest, signature);
}

describe("RS256 verification", () => {
  it("accepts the fixture, also with a leading zero byte on n and on e", () => {
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST, RSA_SIGNATURE)).toBe(true);
    const zero = new Uint8Array(1);
    expect(rsa(concat(zero, RSA_N), concat(zero, RSA_E), RSA_DIGEST, RSA_SIGNATURE)).toBe(true);
  });

  it("rejects a modulus under 2048 bits and one over 4096 bits", () => {
    const short = copy(RSA_N);
    short[0] = 0x7f; // 2047 bits
    expect(rsa(short, RSA_E, RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    const long = new Uint8Array(513);
    long[0] = 1; // 4097 bits
    long[512] = 1;
    expect(rsa(long, RSA_E, RSA_DIGEST, new Uint8Array(513))).toBe(false);
  });

  it("rejects an even modulus, and exponents 1, 2, 65536 and one over 32 bits", () => {
    const even = copy(RSA_N);
    even[255] ^= 1;
    expect(rsa(even, RSA_E, RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, hexBytes("01"), RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, hexBytes("02"), RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, hexBytes("010000"), RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, hexBytes("0100000001"), RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, new Uint8Array(0), RSA_DIGEST, RSA_SIGNATURE)).toBe(false);
  });

  it("rejects signatures of the wrong length, s = n and a flipped bit", () => {
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST, RSA_SIGNATURE.subarray(1))).toBe(false);
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST, concat(new Uint8Array(1), RSA_SIGNATURE))).toBe(false);
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST, RSA_N)).toBe(false);
    const flipped = copy(RSA_SIGNATURE);
    flipped[128] ^= 0x10;
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST, flipped)).toBe(false);
  });

  it("rejects digests that are not the 32 signed bytes", () => {
    expect(rsa(RSA_N, RSA_E, RSA_DIGEST.subarray(1), RSA_SIGNATURE)).toBe(false);
    expect(rsa(RSA_N, RSA_E, concat(RSA_DIGEST, new Uint8Array(1)), RSA_SIGNATURE)).toBe(false);
    const other = copy(RSA_DIGEST);
    other[31] ^= 1;
    expect(rsa(RSA_N, RSA_E, other, RSA_SIGNATURE)).toBe(false);
  });

  it("keeps a parsed key usable for many verifications, and refuses to parse bad keys", () => {
    const key = parseRsaPublicKey(RSA_N, RSA_E);
    expect(key).not.toBeNull();
    expect(verifyWithRsaKey(key!, RSA_DIGEST, RSA_SIGNATURE)).toBe(true);
    expect(verifyWithRsaKey(key!, RSA_DIGEST, RSA_SIGNATURE)).toBe(true);
    expect(verifyWithRsaKey(key!, RSA_SIGNATURE.subarray(0, 32), RSA_SIGNATURE)).toBe(false);
    expect(parseRsaPublicKey(RSA_N, hexBytes("03"))).not.toBeNull();
    expect(parseRsaPublicKey(RSA_N.subarray(1), RSA_E)).toBeNull();
    expect(parseRsaPublicKey(RSA_N, hexBytes("04"))).toBeNull();
  });

  it("rejects empty inputs without trapping", () => {
    const empty = new Uint8Array(0);
    expect(rsa(empty, empty, empty, empty)).toBe(false);
  });
});

describe("ES256 verification", () => {
  it("accepts the fixture", () => {
    expect(ecdsa(EC_X, EC_Y, EC_DIGEST, EC_SIGNATURE)).toBe(true);
  });

  it("rejects r or s equal to 0 or n", () => {
    const values = [new Uint8Array(32), hexBytes(ORDER_HEX)];
    for (let i = 0; i < values.length; i++) {
      const r = concat(values[i], EC_SIGNATURE.subarray(32));
      const s = concat(EC_SIGNATURE.subarray(0, 32), values[i]);
      expect(ecdsa(EC_X, EC_Y, EC_DIGEST, r)).toBe(false);
      expect(ecdsa(EC_X, EC_Y, EC_DIGEST, s)).toBe(false);
    }
  });

  it("rejects a key off the curve, and coordinates >= p", () => {
    const y = copy(EC_Y);
    y[31] ^= 1;
    expect(ecdsa(EC_X, y, EC_DIGEST, EC_SIGNATURE)).toBe(false);
    expect(ecdsa(hexBytes(PRIME_HEX), EC_Y, EC_DIGEST, EC_SIGNATURE)).toBe(false);
    expect(ecdsa(EC_X, hexBytes(PRIME_HEX), EC_DIGEST, EC_SIGNATURE)).toBe(false);
  });

  it("rejects wrong lengths of every argument", () => {
    const zero = new Uint8Array(1);
    expect(ecdsa(concat(zero, EC_X), EC_Y, EC_DIGEST, EC_SIGNATURE)).toBe(false);
    expect(ecdsa(EC_X, EC_Y.subarray(1), EC_DIGEST, EC_SIGNATURE)).toBe(false);
    expect(ecdsa(EC_X, EC_Y, EC_DIGEST.subarray(1), EC_SIGNATURE)).toBe(false);
    expect(ecdsa(EC_X, EC_Y, EC_DIGEST, EC_SIGNATURE.subarray(1))).toBe(false);
    expect(ecdsa(EC_X, EC_Y, EC_DIGEST, concat(EC_SIGNATURE, zero))).toBe(false);
  });

  it("rejects a flipped bit in the digest or the signature", () => {
    const digest = copy(EC_DIGEST);
    digest[0] ^= 0x80;
    expect(ecdsa(EC_X, EC_Y, digest, EC_SIGNATURE)).toBe(false);
    const signature = copy(EC_SIGNATURE);
    signature[40] ^= 2;
    expect(ecdsa(EC_X, EC_Y, EC_DIGEST, signature)).toBe(false);
  });
});
