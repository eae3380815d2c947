import {
  decodeUtf8,
  encodeUtf8,
  isValidUtf8,
  readUtf8,
  UTF8_CODE_POINT_MASK,
  UTF8_INVALID,
  UTF8_LENGTH_SHIFT,
} from "../../assembly/codec/utf8";

function bytes(values: i32[]): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = <u8>values[i];
  return out;
}

describe("strict UTF-8 (RFC 3629 §4)", () => {
  it("accepts one character of each length at the range boundaries", () => {
    expect(isValidUtf8(bytes([0x00, 0x7f]))).toBe(true);
    expect(isValidUtf8(bytes([0xc2, 0x80, 0xdf, 0xbf]))).toBe(true); // U+0080, U+07FF
    expect(isValidUtf8(bytes([0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf]))).toBe(true); // U+0800, U+FFFF
    expect(isValidUtf8(bytes([0xed, 0x9f, 0xbf, 0xee, 0x80, 0x80]))).toBe(true); // U+D7FF, U+E000
    expect(isValidUtf8(bytes([0xf0, 0x90, 0x80, 0x80]))).toBe(true); // U+10000
    expect(isValidUtf8(bytes([0xf4, 0x8f, 0xbf, 0xbf]))).toBe(true); // U+10FFFF
  });
  it("refuses overlong forms", () => {
    expect(isValidUtf8(bytes([0xc0, 0xaf]))).toBe(false); // "/" in two bytes
    expect(isValidUtf8(bytes([0xc1, 0xbf]))).toBe(false);
    expect(isValidUtf8(bytes([0xe0, 0x80, 0xaf]))).toBe(false); // "/" in three bytes
    expect(isValidUtf8(bytes([0xe0, 0x9f, 0xbf]))).toBe(false);
    expect(isValidUtf8(bytes([0xf0, 0x80, 0x80, 0xaf]))).toBe(false);
    expect(isValidUtf8(bytes([0xf0, 0x8f, 0xbf, 0xbf]))).toBe(false);
  });
  it("refuses encoded surrogates and code points above U+10FFFF", () => {
    expect(isValidUtf8(bytes([0xed, 0xa0, 0x80]))).toBe(false); // U+D800
    expect(isValidUtf8(bytes([0xed, 0xbf, 0xbf]))).toBe(false); // U+DFFF
    expect(isValidUtf8(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(false); // U+110000
    expect(isValidUtf8(bytes([0xf5, 0x80, 0x80, 0x80]))).toBe(false);
    expect(isValidUtf8(bytes([0xff]))).toBe(false);
  });
  it("refuses stray continuation bytes and truncated sequences", () => {
    expect(isValidUtf8(bytes([0x80]))).toBe(false);
    expect(isValidUtf8(bytes([0x41, 0xbf]))).toBe(false);
    expect(isValidUtf8(bytes([0xe2, 0x82]))).toBe(false);
    expect(isValidUtf8(bytes([0xf0, 0x9f, 0x98]))).toBe(false);
    expect(isValidUtf8(bytes([0xe2, 0x41, 0xac]))).toBe(false);
  });
  it("reads a character's code point and length in one call", () => {
    const euro = readUtf8(bytes([0x41, 0xe2, 0x82, 0xac]), 1);
    expect(euro >>> UTF8_LENGTH_SHIFT).toBe(3);
    expect(euro & UTF8_CODE_POINT_MASK).toBe(0x20ac);
    expect(readUtf8(bytes([0xe2, 0x82, 0xac]), 0, 2)).toBe(UTF8_INVALID); // cut by `end`
    expect(readUtf8(bytes([0x41]), 5)).toBe(UTF8_INVALID);
  });
  it("decodes valid input and answers null for invalid input", () => {
    expect<string | null>(decodeUtf8(bytes([0x68, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]))).toBe(
      "h\u00e9\u{1f600}",
    );
    expect<string | null>(decodeUtf8(bytes([0xc0, 0xaf]))).toBeNull();
    expect<string | null>(decodeUtf8(bytes([]))).toBe("");
  });
  it("encodes a lone surrogate as U+FFFD", () => {
    const encoded = encodeUtf8("a\ud800b");
    expect(encoded.length).toBe(5);
    expect(encoded[1]).toBe(0xef);
    expect(encoded[2]).toBe(0xbf);
    expect(encoded[3]).toBe(0xbd);
  });
});
