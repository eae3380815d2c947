import {
  formEncode,
  parseQuery,
  percentDecode,
  percentDecodeBytes,
  percentEncode,
  QueryParam,
  queryCount,
  queryGet,
} from "../../assembly/codec/percent";

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

describe("percentDecode", () => {
  it("decodes escapes in either case and leaves other characters", () => {
    expect<string | null>(percentDecode("a%2Fb%2fc", false)).toBe("a/b/c");
    expect<string | null>(percentDecode("plain-text_~.", false)).toBe("plain-text_~.");
    expect<string | null>(percentDecode("", false)).toBe("");
  });
  it("turns '+' into a space only when asked (forms and queries, not paths)", () => {
    expect<string | null>(percentDecode("a+b%2B", true)).toBe("a b+");
    expect<string | null>(percentDecode("a+b", false)).toBe("a+b");
  });
  it("decodes escaped UTF-8 and keeps unescaped non-ASCII characters", () => {
    // %C3%A9 is U+00E9, %F0%9F%98%80 is U+1F600
    expect<string | null>(percentDecode("%C3%A9%F0%9F%98%80", false)).toBe("\u00e9\u{1f600}");
    expect<string | null>(percentDecode("\u00e9%20x", false)).toBe("\u00e9 x");
  });
  it("refuses a malformed escape", () => {
    expect<string | null>(percentDecode("%", false)).toBeNull();
    expect<string | null>(percentDecode("%4", false)).toBeNull();
    expect<string | null>(percentDecode("a%zz", false)).toBeNull();
    expect<string | null>(percentDecode("%%41", false)).toBeNull();
    expect<string | null>(percentDecode("%4g", false)).toBeNull();
    expect<string | null>(percentDecode("%\u0661\u0662", false)).toBeNull(); // Arabic digits
  });
  it("refuses escapes that decode to invalid UTF-8", () => {
    expect<string | null>(percentDecode("%C3", false)).toBeNull(); // truncated
    expect<string | null>(percentDecode("%C0%AF", false)).toBeNull(); // overlong "/"
    expect<string | null>(percentDecode("%ED%A0%80", false)).toBeNull(); // surrogate
    expect<string | null>(percentDecode("%FF", false)).toBeNull();
  });
  it("refuses a string holding a lone surrogate", () => {
    expect<string | null>(percentDecode("a\ud800", false)).toBeNull();
  });
});

describe("percentDecodeBytes (paths)", () => {
  it("reports which sensitive bytes were escaped", () => {
    const decoded = percentDecodeBytes("/a%2Fb%5c%00")!;
    expect(hex(decoded.bytes)).toBe("2f612f625c00");
    expect(decoded.encodedSlash).toBe(true);
    expect(decoded.encodedBackslash).toBe(true);
    expect(decoded.encodedNul).toBe(true);
    expect(decoded.wasEncoded(0x61)).toBe(false);
  });
  it("does not report a literal '/' as escaped", () => {
    const decoded = percentDecodeBytes("/a/b%41")!;
    expect(decoded.encodedSlash).toBe(false);
    expect(decoded.wasEncoded(0x41)).toBe(true);
  });
  it("keeps '+' and bytes that are not UTF-8", () => {
    expect(hex(percentDecodeBytes("a+%FF")!.bytes)).toBe("612bff");
  });
  it("refuses a malformed escape", () => {
    expect(percentDecodeBytes("/a%2")).toBeNull();
    expect(percentDecodeBytes("/a%g0")).toBeNull();
  });
});

describe("percentEncode (RFC 3986 §2.1, §2.3)", () => {
  it("keeps the unreserved characters", () => {
    expect(percentEncode("AZaz09-._~")).toBe("AZaz09-._~");
  });
  it("escapes everything else as uppercase %XX of the UTF-8 bytes", () => {
    expect(percentEncode("a b/c?d=e&f+g%")).toBe("a%20b%2Fc%3Fd%3De%26f%2Bg%25");
    expect(percentEncode("\u00e9\u{1f600}")).toBe("%C3%A9%F0%9F%98%80");
    expect(percentEncode("")).toBe("");
  });
  it("escapes a lone surrogate as U+FFFD", () => {
    expect(percentEncode("\ud800")).toBe("%EF%BF%BD");
  });
});

describe("formEncode (WHATWG application/x-www-form-urlencoded)", () => {
  it("writes a token request body", () => {
    const pairs = [
      new QueryParam("grant_type", "authorization_code"),
      new QueryParam("redirect_uri", "https://app.example/cb?x=1"),
      new QueryParam("code", "a b~*"),
    ];
    expect(formEncode(pairs)).toBe(
      "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1" +
        "&code=a+b%7E*",
    );
  });
  it("writes nothing for no pairs", () => {
    expect(formEncode([])).toBe("");
  });
});

describe("parseQuery", () => {
  it("decodes names and values, '+' as space, in order", () => {
    const params = parseQuery("code=abc%2B1&state=x+y")!;
    expect(params.length).toBe(2);
    expect(params[0].name).toBe("code");
    expect(params[0].value).toBe("abc+1");
    expect(params[1].value).toBe("x y");
  });
  it("keeps duplicates so that a repeated state can be refused", () => {
    const params = parseQuery("state=a&code=1&state=b")!;
    expect(queryCount(params, "state")).toBe(2);
    expect<string | null>(queryGet(params, "state")).toBe("a");
    expect<string | null>(queryGet(params, "missing")).toBeNull();
  });
  it("skips empty pieces and gives a piece without '=' an empty value", () => {
    const params = parseQuery("&&flag&a=&=v&")!;
    expect(params.length).toBe(3);
    expect(params[0].name).toBe("flag");
    expect(params[0].value).toBe("");
    expect(params[1].name).toBe("a");
    expect(params[2].name).toBe("");
    expect(params[2].value).toBe("v");
  });
  it("splits on the first '=' only", () => {
    expect(parseQuery("a=b=c")![0].value).toBe("b=c");
  });
  it("reads an empty query as no parameters", () => {
    expect(parseQuery("")!.length).toBe(0);
  });
  it("refuses the whole query when one escape is malformed", () => {
    expect(parseQuery("code=abc&state=%zz")).toBeNull();
    expect(parseQuery("c%=1")).toBeNull();
    expect(parseQuery("a=%C3")).toBeNull();
  });
  it("refuses more parameters than the limit", () => {
    expect(parseQuery("a&b&c", 2)).toBeNull();
    expect(parseQuery("a&b", 2)!.length).toBe(2);
  });
});
