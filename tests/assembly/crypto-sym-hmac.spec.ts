// Known answers for HMAC-SHA-256 (RFC 4231 §4.2-4.8) and HKDF-SHA-256 (RFC 5869 A.1-A.3).
import { HmacKey, hmacSha256 } from "../../assembly/crypto/hmac";
import { hkdf, hkdfExpand, hkdfExtract, HKDF_MAX_LENGTH } from "../../assembly/crypto/hkdf";
import { ascii, hex, repeated } from "./support/bytes";

/** The bytes first, first + 1, ..., first + count - 1. */
function counting(first: u8, count: i32): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = <u8>(first + i);
  return out;
}

// RFC 4231 test cases 6 and 7 use a 131-byte key, longer than SHA-256's 64-byte block.
const LONG_KEY = repeated(0xaa, 131);
const CASE_7_DATA =
  "This is a test using a larger than block-size key and a larger than block-size data. " +
  "The key needs to be hashed before being used by the HMAC algorithm.";

describe("HMAC-SHA-256 (RFC 4231 §4)", () => {
  it("case 1: 20-byte key of 0x0b, 'Hi There'", () => {
    expect(hex(hmacSha256(repeated(0x0b, 20), ascii("Hi There")))).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
  });

  it("case 2: key shorter than the output, 'Jefe'", () => {
    expect(hex(hmacSha256(ascii("Jefe"), ascii("what do ya want for nothing?")))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("case 3: 50 bytes of 0xdd under 20 bytes of 0xaa", () => {
    expect(hex(hmacSha256(repeated(0xaa, 20), repeated(0xdd, 50)))).toBe(
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    );
  });

  it("case 4: 50 bytes of 0xcd under the key 0x01..0x19", () => {
    expect(hex(hmacSha256(counting(0x01, 25), repeated(0xcd, 50)))).toBe(
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    );
  });

  it("case 5: the first 128 bits match the truncated tag", () => {
    const tag = hmacSha256(repeated(0x0c, 20), ascii("Test With Truncation"));
    expect(hex(tag.subarray(0, 16))).toBe("a3b6167473100ee06e0c796c2955552b");
  });

  it("case 6: a 131-byte key is hashed first", () => {
    const data = ascii("Test Using Larger Than Block-Size Key - Hash Key First");
    expect(hex(hmacSha256(LONG_KEY, data))).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("case 7: a 131-byte key and a 152-byte message", () => {
    expect(hex(hmacSha256(LONG_KEY, ascii(CASE_7_DATA)))).toBe(
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    );
  });
});

describe("HmacKey", () => {
  it("gives the same tags when one key object MACs several messages in turn", () => {
    const key = new HmacKey(LONG_KEY);
    key.mac(ascii("an unrelated message in between"));
    expect(hex(key.mac(ascii(CASE_7_DATA)))).toBe(
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    );
    expect(hex(key.mac(ascii("Test Using Larger Than Block-Size Key - Hash Key First")))).toBe(
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    );
  });

  it("verifies the right tag", () => {
    const key = new HmacKey(ascii("Jefe"));
    const message = ascii("what do ya want for nothing?");
    expect(key.verify(message, key.mac(message))).toBe(true);
  });

  it("rejects a tag with its last bit flipped", () => {
    const key = new HmacKey(ascii("Jefe"));
    const message = ascii("what do ya want for nothing?");
    const tag = key.mac(message);
    tag[31] ^= 1;
    expect(key.verify(message, tag)).toBe(false);
  });

  it("rejects a truncated tag and an empty tag", () => {
    const key = new HmacKey(ascii("Jefe"));
    const message = ascii("what do ya want for nothing?");
    const tag = key.mac(message);
    expect(key.verify(message, tag.subarray(0, 16))).toBe(false);
    expect(key.verify(message, new Uint8Array(0))).toBe(false);
  });
});

describe("HKDF-SHA-256 (RFC 5869 Appendix A)", () => {
  it("A.1: basic case, PRK and 42-byte OKM", () => {
    const salt = counting(0x00, 13);
    const prk = hkdfExtract(salt, repeated(0x0b, 22));
    expect(hex(prk)).toBe("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    expect(hex(hkdfExpand(prk, counting(0xf0, 10), 42)!)).toBe(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });

  it("A.2: 80-byte inputs and an 82-byte OKM", () => {
    const prk = hkdfExtract(counting(0x60, 80), counting(0x00, 80));
    expect(hex(prk)).toBe("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244");
    expect(hex(hkdfExpand(prk, counting(0xb0, 80), 82)!)).toBe(
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
        "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    );
  });

  it("A.3: empty salt and empty info", () => {
    const okm = hkdf(new Uint8Array(0), repeated(0x0b, 22), new Uint8Array(0), 42);
    expect(hex(okm!)).toBe(
      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    );
  });

  it("returns null for a length above 255 * 32 or below zero", () => {
    const prk = repeated(0x01, 32);
    expect(hkdfExpand(prk, new Uint8Array(0), HKDF_MAX_LENGTH + 1)).toBeNull();
    expect(hkdfExpand(prk, new Uint8Array(0), -1)).toBeNull();
  });

  it("expands to exactly 255 * 32 bytes", () => {
    const okm = hkdfExpand(repeated(0x01, 32), ascii("info"), HKDF_MAX_LENGTH);
    expect(okm!.length).toBe(HKDF_MAX_LENGTH);
  });

  it("returns null for a pseudorandom key shorter than 32 bytes", () => {
    expect(hkdfExpand(repeated(0x01, 31), new Uint8Array(0), 32)).toBeNull();
  });
});
