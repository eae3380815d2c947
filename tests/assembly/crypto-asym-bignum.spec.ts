// Multi-precision arithmetic under RSA and ECDSA verification (assembly/crypto/bignum.ts and
// montgomery.ts): conversions, carries across limbs, and exponentiation with known answers.
import {
  Limbs,
  addLimbs,
  bitLength,
  bytesFromLimbs,
  compareLimbs,
  isZeroLimbs,
  limbsFromBytes,
  subtractLimbs,
} from "../../assembly/crypto/bignum";
import { Montgomery } from "../../assembly/crypto/montgomery";

function bytes(values: u8[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function limbs(values: u32[]): Limbs {
  const out = new StaticArray<u32>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

function context(modulus: Limbs): Montgomery {
  const made = Montgomery.create(modulus);
  assert(made != null, "modulus refused");
  return made!;
}

function power(modulus: Limbs, base: Limbs, exponent: Limbs): Limbs {
  const ctx = context(modulus);
  const out = ctx.newNumber();
  assert(ctx.pow(out, base, exponent), "pow refused");
  return out;
}

// 2^64 - 59, the largest prime below 2^64: limbs 0xffffffc5, 0xffffffff.
const PRIME_64: u32[] = [0xffffffc5, 0xffffffff];
// The P-256 group order n, a 256-bit prime.
const ORDER_N: u32[] = [
  0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000, 0xffffffff,
];

describe("limb conversion", () => {
  it("reads big-endian bytes into little-endian limbs", () => {
    const value = limbsFromBytes(bytes([0x01, 0x02, 0x03, 0x04, 0x05]), 2)!;
    expect(value[0]).toBe(0x02030405);
    expect(value[1]).toBe(0x01);
  });

  it("accepts leading zero bytes beyond the limb count and refuses a value that overflows", () => {
    expect(limbsFromBytes(bytes([0, 0, 0, 0, 0, 0, 0, 7]), 1)![0]).toBe(7);
    expect(limbsFromBytes(bytes([1, 0, 0, 0, 0]), 1)).toBeNull();
    expect(limbsFromBytes(bytes([1]), 0)).toBeNull();
  });

  it("reads empty input as zero", () => {
    expect(isZeroLimbs(limbsFromBytes(new Uint8Array(0), 3)!)).toBe(true);
  });

  it("writes the low bytes big-endian, zero-padded", () => {
    const out = bytesFromLimbs(limbs([0x0a0b0c0d, 0x01]), 6);
    const expected: u8[] = [0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0d];
    for (let i = 0; i < 6; i++) expect(out[i]).toBe(expected[i]);
    expect(bytesFromLimbs(limbs([1]), -1).length).toBe(0);
  });
});

describe("limb arithmetic", () => {
  it("compares from the top limb, missing limbs counting as zero", () => {
    expect(compareLimbs(limbs([0xffffffff, 1]), limbs([0, 2]))).toBe(-1);
    expect(compareLimbs(limbs([5, 0, 0]), limbs([5]))).toBe(0);
    expect(compareLimbs(limbs([0, 0, 1]), limbs([0xffffffff, 0xffffffff]))).toBe(1);
  });

  it("carries an addition across every limb", () => {
    const a = limbs([0xffffffff, 0xffffffff, 0xffffffff]);
    expect(addLimbs(a, limbs([1, 0, 0]))).toBe(1);
    expect(isZeroLimbs(a)).toBe(true);
  });

  it("borrows a subtraction across every limb", () => {
    const a = limbs([0, 0, 1]);
    expect(subtractLimbs(a, limbs([1, 0, 0]))).toBe(0);
    expect(compareLimbs(a, limbs([0xffffffff, 0xffffffff, 0]))).toBe(0);
    expect(subtractLimbs(limbs([0, 0]), limbs([1, 0]))).toBe(1);
  });

  it("counts significant bits", () => {
    expect(bitLength(limbs([0, 0]))).toBe(0);
    expect(bitLength(limbs([1]))).toBe(1);
    expect(bitLength(limbs([0, 0x80000000]))).toBe(64);
    expect(bitLength(limbs([0xffffffff, 1, 0]))).toBe(33);
  });
});

describe("Montgomery exponentiation", () => {
  it("refuses an even modulus, the modulus 1, zero and a zero top limb", () => {
    expect(Montgomery.create(limbs([10]))).toBeNull();
    expect(Montgomery.create(limbs([1]))).toBeNull();
    expect(Montgomery.create(limbs([0]))).toBeNull();
    expect(Montgomery.create(limbs([7, 0]))).toBeNull();
    expect(Montgomery.create(new StaticArray<u32>(0))).toBeNull();
  });

  it("computes small known powers: 3^5 mod 7 = 5, 2^10 mod 1000003 = 1024", () => {
    expect(power(limbs([7]), limbs([3]), limbs([5]))[0]).toBe(5);
    expect(power(limbs([1000003]), limbs([2]), limbs([10]))[0]).toBe(1024);
  });

  it("keeps R^2 mod n exact: 2^64 mod (2^64 - 59) = 59", () => {
    const out = power(limbs(PRIME_64), limbs([2, 0]), limbs([64]));
    expect(out[0]).toBe(59);
    expect(out[1]).toBe(0);
  });

  it("gives a^(n-1) = 1 for primes n (Fermat), with a = n - 1 and a = 0x12345678", () => {
    const prime = limbs(ORDER_N);
    const exponent = limbs(ORDER_N);
    exponent[0] -= 1;
    const minusOne = limbs(ORDER_N);
    minusOne[0] -= 1;
    for (let i = 0; i < 2; i++) {
      const base = i == 0 ? minusOne : limbs([0x12345678, 0, 0, 0, 0, 0, 0, 0]);
      const out = power(prime, base, exponent);
      expect(out[0]).toBe(1);
      expect(bitLength(out)).toBe(1);
    }
  });

  it("gives 0^e = 0 and 1^e = 1, and (n-1)^2 = 1 across two limbs", () => {
    const prime = limbs(PRIME_64);
    expect(isZeroLimbs(power(prime, limbs([0, 0]), limbs([3])))).toBe(true);
    expect(power(prime, limbs([1, 0]), limbs([0xffffffff]))[0]).toBe(1);
    const square = power(prime, limbs([0xffffffc4, 0xffffffff]), limbs([2]));
    expect(square[0]).toBe(1);
    expect(square[1]).toBe(0);
  });

  it("refuses a zero exponent and numbers of the wrong size", () => {
    const ctx = context(limbs(PRIME_64));
    const out = ctx.newNumber();
    expect(ctx.pow(out, limbs([2, 0]), limbs([0]))).toBe(false);
    expect(ctx.pow(out, limbs([2]), limbs([3]))).toBe(false);
    expect(ctx.powU32(out, limbs([2, 0]), 0)).toBe(false);
    expect(ctx.multiply(out, limbs([2, 0, 0]), limbs([2, 0]))).toBe(false);
  });

  it("agrees between powU32 and pow", () => {
    const ctx = context(limbs(ORDER_N));
    const base = limbs([0xdeadbeef, 0xcafebabe, 1, 2, 3, 4, 5, 6]);
    const a = ctx.newNumber();
    const b = ctx.newNumber();
    ctx.powU32(a, base, 65537);
    ctx.pow(b, base, limbs([65537]));
    expect(compareLimbs(a, b)).toBe(0);
    expect(isZeroLimbs(a)).toBe(false);
  });
});
