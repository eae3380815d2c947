// P-256 field and curve arithmetic (assembly/crypto/p256-field.ts, p256.ts): reduction edges,
// carries, and group laws checked against the curve's published constants.
import {
  FieldElement,
  fieldAdd,
  fieldEquals,
  fieldFromBytes,
  fieldFromHex,
  fieldInvert,
  fieldIsZero,
  fieldMultiply,
  fieldSetSmall,
  fieldSquare,
  fieldSubtract,
  fieldToBytes,
  newField,
} from "../../assembly/crypto/p256-field";
import {
  JacobianPoint,
  ORDER,
  isInfinity,
  isOnCurve,
  multiplyCombined,
  pointAdd,
  pointAddAffine,
  pointDouble,
  toAffine,
} from "../../assembly/crypto/p256";

const P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const P_MINUS_1 = "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe";
const GX = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const GY = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
// 2G, from SEC 2 test data and node:crypto's ECDH with the private key 2.
const G2X = "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978";
const G2Y = "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1";

function small(value: u32): FieldElement {
  const out = newField();
  fieldSetSmall(out, value);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function scalar(value: u32): StaticArray<u32> {
  const out = new StaticArray<u32>(8);
  out[0] = value;
  return out;
}

function affineOf(point: JacobianPoint, x: FieldElement, y: FieldElement): bool {
  return toAffine(x, y, point);
}

function generator(): JacobianPoint {
  const point = new JacobianPoint();
  pointAddAffine(point, point, fieldFromHex(GX), fieldFromHex(GY)); // infinity + G
  return point;
}

describe("P-256 field", () => {
  it("wraps (p - 1) + 1 to 0 and 0 - 1 to p - 1", () => {
    const out = newField();
    fieldAdd(out, fieldFromHex(P_MINUS_1), small(1));
    expect(fieldIsZero(out)).toBe(true);
    fieldSubtract(out, small(0), small(1));
    expect(fieldEquals(out, fieldFromHex(P_MINUS_1))).toBe(true);
  });

  it("carries 0xffffffff + 1 into the next limb", () => {
    const out = newField();
    fieldAdd(out, small(0xffffffff), small(1));
    const expected = "0000000000000000000000000000000000000000000000000000000100000000";
    expect(fieldEquals(out, fieldFromHex(expected))).toBe(true);
  });

  it("lays out the limb fields in declaration order, as the address arithmetic assumes", () => {
    const element = fieldFromHex(
      "7777777766666666555555554444444433333333222222221111111100000000",
    );
    expect(element.limb0).toBe(0x00000000);
    expect(element.limb1).toBe(0x11111111);
    expect(element.limb4).toBe(0x44444444);
    expect(element.limb7).toBe(0x77777777);
    expect(offsetof<FieldElement>("limb7")).toBe(28);
  });

  it("reduces the largest products: (p-1)^2 = 1 and (p-1)(p-2) = 2", () => {
    const minusOne = fieldFromHex(P_MINUS_1);
    const out = newField();
    fieldSquare(out, minusOne);
    expect(fieldEquals(out, small(1))).toBe(true);
    const minusTwo = newField();
    fieldSubtract(minusTwo, minusOne, small(1));
    fieldMultiply(out, minusOne, minusTwo);
    expect(fieldEquals(out, small(2))).toBe(true);
  });

  it("agrees between squaring and multiplying for values with full limbs", () => {
    const values = [fieldFromHex(GX), fieldFromHex(GY), fieldFromHex(P_MINUS_1), small(0xffffffff)];
    const a = newField();
    const b = newField();
    for (let i = 0; i < values.length; i++) {
      fieldSquare(a, values[i]);
      fieldMultiply(b, values[i], values[i]);
      expect(fieldEquals(a, b)).toBe(true);
    }
  });

  it("inverts: 2 * 2^-1 = 1, Gx * Gx^-1 = 1, and 0 maps to 0", () => {
    const inverse = newField();
    const out = newField();
    fieldInvert(inverse, small(2));
    fieldMultiply(out, inverse, small(2));
    expect(fieldEquals(out, small(1))).toBe(true);
    fieldInvert(inverse, fieldFromHex(GX));
    fieldMultiply(out, inverse, fieldFromHex(GX));
    expect(fieldEquals(out, small(1))).toBe(true);
    fieldInvert(inverse, small(0));
    expect(fieldIsZero(inverse)).toBe(true);
  });

  it("refuses encodings >= p or shorter than 32 bytes, and round-trips p - 1", () => {
    expect(fieldFromBytes(hexBytes(P_HEX), 0)).toBeNull();
    expect(fieldFromBytes(new Uint8Array(31), 0)).toBeNull();
    expect(fieldFromBytes(new Uint8Array(40), 9)).toBeNull();
    expect(fieldFromBytes(new Uint8Array(32), -1)).toBeNull();
    const minusOne = fieldFromBytes(hexBytes(P_MINUS_1), 0)!;
    const back = fieldToBytes(minusOne);
    const expected = hexBytes(P_MINUS_1);
    for (let i = 0; i < 32; i++) expect(back[i]).toBe(expected[i]);
  });
});

describe("P-256 curve", () => {
  it("has G on the curve, and (Gx, y of 2G) and (0, 0) off it", () => {
    expect(isOnCurve(fieldFromHex(GX), fieldFromHex(GY))).toBe(true);
    expect(isOnCurve(fieldFromHex(GX), fieldFromHex(G2Y))).toBe(false);
    expect(isOnCurve(small(0), small(0))).toBe(false);
  });

  it("doubles G into the published 2G, by doubling and by adding G to itself", () => {
    const x = newField();
    const y = newField();
    const doubled = new JacobianPoint();
    pointDouble(doubled, generator());
    expect(affineOf(doubled, x, y)).toBe(true);
    expect(fieldEquals(x, fieldFromHex(G2X)) && fieldEquals(y, fieldFromHex(G2Y))).toBe(true);
    const sum = new JacobianPoint();
    pointAdd(sum, generator(), generator());
    expect(affineOf(sum, x, y)).toBe(true);
    expect(fieldEquals(x, fieldFromHex(G2X))).toBe(true);
  });

  it("gives infinity for G + (-G), and keeps infinity through doubling", () => {
    const minusY = newField();
    fieldSubtract(minusY, small(0), fieldFromHex(GY));
    const sum = generator();
    pointAddAffine(sum, sum, fieldFromHex(GX), minusY);
    expect(isInfinity(sum)).toBe(true);
    pointDouble(sum, sum);
    expect(isInfinity(sum)).toBe(true);
  });

  it("matches repeated addition for k*G, k = 1..20 (the precomputed table)", () => {
    const chain = new JacobianPoint();
    const product = new JacobianPoint();
    const x1 = newField();
    const y1 = newField();
    const x2 = newField();
    const y2 = newField();
    for (let k: u32 = 1; k <= 20; k++) {
      pointAddAffine(chain, chain, fieldFromHex(GX), fieldFromHex(GY));
      multiplyCombined(product, scalar(k), scalar(0), fieldFromHex(GX), fieldFromHex(GY));
      affineOf(chain, x1, y1);
      affineOf(product, x2, y2);
      expect(fieldEquals(x1, x2) && fieldEquals(y1, y2)).toBe(true);
      expect(isOnCurve(x2, y2)).toBe(true);
    }
  });

  it("gives n*G = infinity and (n-1)*G + 1*G = infinity", () => {
    const point = new JacobianPoint();
    const order = ORDER.slice<StaticArray<u32>>(0);
    multiplyCombined(point, order, scalar(0), fieldFromHex(GX), fieldFromHex(GY));
    expect(isInfinity(point)).toBe(true);
    order[0] -= 1;
    multiplyCombined(point, order, scalar(1), fieldFromHex(GX), fieldFromHex(GY));
    expect(isInfinity(point)).toBe(true);
  });

  it("refuses scalars that are not 8 limbs", () => {
    const point = new JacobianPoint();
    const short = new StaticArray<u32>(7);
    const refused = multiplyCombined(point, short, scalar(1), fieldFromHex(GX), fieldFromHex(GY));
    expect(refused).toBe(false);
  });
});
