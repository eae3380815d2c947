import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
} from "../../assembly/codec/base64";

function ascii(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function hex(bytes: Uint8Array | null): string {
  if (bytes == null) return "null";
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>I32.parseInt(s.substr(i * 2, 2), 16);
  return out;
}

// RFC 4648 §10: the input and its standard (padded) encoding.
const VECTORS: string[][] = [
  ["", ""],
  ["f", "Zg=="],
  ["fo", "Zm8="],
  ["foo", "Zm9v"],
  ["foob", "Zm9vYg=="],
  ["fooba", "Zm9vYmE="],
  ["foobar", "Zm9vYmFy"],
];

describe("base64 (RFC 4648 §4)", () => {
  it("encodes the RFC 4648 §10 test vectors", () => {
    for (let i = 0; i < VECTORS.length; i++) {
      expect(base64Encode(ascii(VECTORS[i][0]))).toBe(VECTORS[i][1]);
    }
  });
  it("decodes the RFC 4648 §10 test vectors", () => {
    for (let i = 0; i < VECTORS.length; i++) {
      expect(hex(base64Decode(VECTORS[i][1]))).toBe(hex(ascii(VECTORS[i][0])));
    }
  });
  it("uses '+' and '/' for values 62 and 63 (RFC 4648 §9 example data)", () => {
    // 14 fb 9c 03 d9 7e -> FPucA9l+ ; 14 fb 9c 03 d9 -> FPucA9k= ; 14 fb 9c 03 -> FPucAw==
    expect(base64Encode(fromHex("14fb9c03d97e"))).toBe("FPucA9l+");
    expect(base64Encode(fromHex("14fb9c03d9"))).toBe("FPucA9k=");
    expect(base64Encode(fromHex("14fb9c03"))).toBe("FPucAw==");
    expect(base64Encode(fromHex("fbff"))).toBe("+/8=");
    expect(hex(base64Decode("FPucA9l+"))).toBe("14fb9c03d97e");
    expect(hex(base64Decode("+/8="))).toBe("fbff");
  });
  it("refuses input without its padding", () => {
    expect(base64Decode("Zg")).toBeNull();
    expect(base64Decode("Zm8")).toBeNull();
    expect(base64Decode("Zm9vYg")).toBeNull();
  });
  it("refuses padding that is misplaced, excessive or in a wrong-length input", () => {
    expect(base64Decode("Zg=")).toBeNull();
    expect(base64Decode("Z===")).toBeNull();
    expect(base64Decode("====")).toBeNull();
    expect(base64Decode("Zg==Zg==")).toBeNull();
    expect(base64Decode("Z=g=")).toBeNull();
    expect(base64Decode("Zm9v=")).toBeNull();
  });
  it("refuses characters outside the alphabet, whitespace and non-ASCII", () => {
    expect(base64Decode("Zm9-")).toBeNull();
    expect(base64Decode("Zm9_")).toBeNull();
    expect(base64Decode("Zm 9v")).toBeNull();
    expect(base64Decode("Zm9v\n")).toBeNull();
    expect(base64Decode("Zm9\u00e9")).toBeNull();
    expect(base64Decode("Zm9\u0176")).toBeNull(); // low byte 0x76 is "v": must not alias
  });
  it("refuses non-zero trailing bits (RFC 4648 §3.5)", () => {
    expect(base64Decode("Zh==")).toBeNull(); // "Zg==" with a low bit set
    expect(base64Decode("Zm9=")).toBeNull(); // "Zm8=" with a low bit set
    expect(hex(base64Decode("Zm8="))).toBe("666f");
  });
});

describe("base64url (RFC 4648 §5, unpadded as in RFC 7515 §2)", () => {
  it("encodes the RFC 4648 §10 vectors without padding", () => {
    for (let i = 0; i < VECTORS.length; i++) {
      const padded = VECTORS[i][1];
      const unpadded = padded.replaceAll("=", "");
      expect(base64UrlEncode(ascii(VECTORS[i][0]))).toBe(unpadded);
      expect(hex(base64UrlDecode(unpadded))).toBe(hex(ascii(VECTORS[i][0])));
    }
  });
  it("uses '-' and '_' for values 62 and 63", () => {
    expect(base64UrlEncode(fromHex("14fb9c03d97e"))).toBe("FPucA9l-");
    expect(base64UrlEncode(fromHex("fbff"))).toBe("-_8");
    expect(hex(base64UrlDecode("-_8"))).toBe("fbff");
  });
  it("refuses '=' anywhere", () => {
    expect(base64UrlDecode("Zg==")).toBeNull();
    expect(base64UrlDecode("Zm8=")).toBeNull();
    expect(base64UrlDecode("=")).toBeNull();
  });
  it("refuses the standard alphabet's '+' and '/'", () => {
    expect(base64UrlDecode("+/8")).toBeNull();
  });
  it("refuses a length that leaves one character over", () => {
    expect(base64UrlDecode("Z")).toBeNull();
    expect(base64UrlDecode("Zm9vY")).toBeNull();
  });
  it("refuses non-zero trailing bits (RFC 4648 §3.5)", () => {
    expect(base64UrlDecode("Zh")).toBeNull();
    expect(base64UrlDecode("Zm9")).toBeNull();
    expect(base64UrlDecode("-_9")).toBeNull();
  });
  it("decodes a part of a string, as for the segments of a JWT", () => {
    const token = "Zm9v.YmFy.";
    expect(hex(base64UrlDecode(token, 0, 4))).toBe("666f6f");
    expect(hex(base64UrlDecode(token, 5, 9))).toBe("626172");
    expect(hex(base64UrlDecode(token, 10))).toBe("");
  });
  it("clamps a range past the end and refuses a reversed one", () => {
    expect(hex(base64UrlDecode("Zm9v", 0, 99))).toBe("666f6f");
    expect(hex(base64UrlDecode("Zm9v", -5, 4))).toBe("666f6f");
    expect(base64UrlDecode("Zm9v", 3, 1)).toBeNull();
  });
});
