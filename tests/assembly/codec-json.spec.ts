import {
  JSON_ERROR_CONTROL,
  JSON_ERROR_DUPLICATE_KEY,
  JSON_ERROR_END,
  JSON_ERROR_NOT_OBJECT,
  JSON_ERROR_RANGE,
  JSON_ERROR_SURROGATE,
  JSON_ERROR_TOO_DEEP,
  JSON_ERROR_TOO_LARGE,
  JSON_ERROR_TRAILING,
  JSON_ERROR_UTF8,
  JSON_NO_INTEGER,
  JsonKind,
  JsonParser,
  JsonValue,
  parseJson,
  parseJsonObject,
} from "../../assembly/codec/json";

function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function parse(s: string): JsonValue | null {
  return parseJson(utf8(s));
}

// The error message for `s`, or "" when it parses.
function errorOf(s: string): string {
  const parser = new JsonParser();
  return parser.parse(utf8(s)) == null ? parser.error : "";
}

function bytesWithin(prefix: string, middle: i32[], suffix: string): Uint8Array {
  const head = utf8(prefix);
  const tail = utf8(suffix);
  const out = new Uint8Array(head.length + middle.length + tail.length);
  out.set(head, 0);
  for (let i = 0; i < middle.length; i++) out[head.length + i] = <u8>middle[i];
  out.set(tail, head.length + middle.length);
  return out;
}

function nested(depth: i32): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

// Accepted documents (RFC 8259 grammar), in the spirit of JSONTestSuite's y_ cases.
const ACCEPTED: string[] = [
  "[]", "{}", "[[]]", " [1] ", "\t\n\r{}\r\n", "1", "-0", "0.5", "-1.25e-3", "1E22", "1e+2",
  "\"x\"", "true", "false", "null", "[\"\\u0000\"]", "[\"\\/\\\\\\\"\\b\\f\\n\\r\\t\"]",
  "[\"\\ud834\\udd1e\"]", "[\"\u00e9\u{1f600}\"]", "{\"a\":{\"b\":[true,false,null]}}",
  "{\"\":0}", "[1e-400]", "{\"a\" : 1 , \"b\" :2}", "[\"\\uFFFF\"]", "[\"\u007f\"]",
];

// Refused documents, in the spirit of JSONTestSuite's n_ cases.
const REFUSED: string[] = [
  "", " ", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\"}", "{a:1}", "{'a':1}", "[\"a\\x\"]",
  "[01]", "[-01]", "[1.]", "[.1]", "[1e]", "[1e+]", "[+1]", "[-]", "[NaN]", "[Infinity]",
  "[0x10]", "[\"\\u12\"]", "[\"\\uZZZZ\"]", "[\"a\tb\"]", "[\"a\nb\"]", "[1]x", "[1][2]",
  "[1", "{\"a\":1", "\"abc", "tru", "nulls", "True", "\ufeff[]", "[1 2]", "{\"a\" 1}",
  "{\"a\":1 \"b\":2}", "[\u00a01]", "\f[]", "[\"\\U0041\"]", "[\"\\", "{\"a\":}", "[1,,2]",
  "{,}", "{\"a\":1}}", "]", "[-2.]", "[2.e3]", "[1e1.5]", "[\"\\u00\"]", "[\u3000]",
];

describe("JSON grammar (RFC 8259)", () => {
  it("accepts valid documents", () => {
    for (let i = 0; i < ACCEPTED.length; i++) {
      expect<string>(errorOf(ACCEPTED[i])).toBe("", ACCEPTED[i]);
    }
  });
  it("refuses invalid documents", () => {
    for (let i = 0; i < REFUSED.length; i++) {
      expect<bool>(errorOf(REFUSED[i]) != "").toBe(true, REFUSED[i]);
    }
  });
  it("refuses trailing data and says where it starts", () => {
    const parser = new JsonParser();
    expect(parser.parse(utf8("{\"a\":1} x"))).toBeNull();
    expect(parser.error).toBe(JSON_ERROR_TRAILING);
    expect(parser.position).toBe(8);
  });
  it("reports a truncated document as an unexpected end", () => {
    const parser = new JsonParser();
    expect(parser.parse(utf8("{\"a\":[1,"))).toBeNull();
    expect(parser.error).toBe(JSON_ERROR_END);
    expect(parser.position).toBe(8);
  });
  it("refuses raw control characters in strings", () => {
    expect(errorOf("[\"a\u0001\"]")).toBe(JSON_ERROR_CONTROL);
    expect(errorOf("[\"a\u001f\"]")).toBe(JSON_ERROR_CONTROL);
  });
});

describe("JSON strings", () => {
  it("decodes every escape of RFC 8259 §7", () => {
    expect<string | null>(parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"")!.asString()).toBe(
      "\"\\/\b\f\n\r\t",
    );
  });
  it("decodes \\u escapes, including a surrogate pair, to UTF-16", () => {
    // \u00e9 is U+00E9; \ud83d\ude00 is U+1F600
    expect<string | null>(parse("\"a\\u00e9\\ud83d\\ude00\"")!.asString()).toBe(
      "a\u00e9\u{1f600}",
    );
  });
  it("decodes raw UTF-8 of one to four bytes", () => {
    expect<string | null>(parse("\"\u00e9\u20ac\u{1f600}x\"")!.asString()).toBe(
      "\u00e9\u20ac\u{1f600}x",
    );
  });
  it("refuses lone and reversed surrogate escapes", () => {
    expect(errorOf("\"\\ud800\"")).toBe(JSON_ERROR_SURROGATE);
    expect(errorOf("\"\\udc00\"")).toBe(JSON_ERROR_SURROGATE);
    expect(errorOf("\"\\udc00\\ud800\"")).toBe(JSON_ERROR_SURROGATE);
    expect(errorOf("\"\\ud800\\u0041\"")).toBe(JSON_ERROR_SURROGATE);
    expect(errorOf("\"\\ud800x\"")).toBe(JSON_ERROR_SURROGATE);
  });
  it("refuses invalid UTF-8 inside and outside strings", () => {
    const parser = new JsonParser();
    expect(parser.parse(bytesWithin("[\"", [0xff], "\"]"))).toBeNull();
    expect(parser.error).toBe(JSON_ERROR_UTF8);
    expect(parser.position).toBe(2);
    expect(parser.parse(bytesWithin("[\"", [0xc0, 0xaf], "\"]"))).toBeNull(); // overlong
    expect(parser.parse(bytesWithin("[\"", [0xed, 0xa0, 0x80], "\"]"))).toBeNull(); // surrogate
    expect(parser.parse(bytesWithin("[\"", [0xe2, 0x82], "\"]"))).toBeNull(); // truncated
    expect(parser.parse(bytesWithin("[", [0xc3, 0xa9], "]"))).toBeNull();
  });
  it("refuses a lone surrogate in a document given as a string", () => {
    expect(new JsonParser().parseText("[\"\ud800\"]")).toBeNull();
    expect(new JsonParser().parseText("[\"\u{1f600}\"]")).not.toBeNull();
  });
});

describe("JSON numbers", () => {
  it("keeps the text and the nearest f64", () => {
    const number = parse("-1.50e1")!.asNumber()!;
    expect(number.raw).toBe("-1.50e1");
    expect(number.value).toBe(-15.0);
  });
  it("rounds to the nearest f64, ties to even", () => {
    expect(parse("0.1")!.asNumber()!.value).toBe(0.1);
    expect(parse("9007199254740993")!.asNumber()!.value).toBe(9007199254740992.0);
    expect(parse("9007199254740995")!.asNumber()!.value).toBe(9007199254740996.0);
    expect(parse("1.7976931348623157e308")!.asNumber()!.value).toBe(f64.MAX_VALUE);
    expect(parse("2.2250738585072014e-308")!.asNumber()!.value).toBe(f64.MIN_NORMAL_VALUE);
    expect(parse("5e-324")!.asNumber()!.value).toBe(f64.MIN_VALUE);
    expect(parse("123456789012345678901234567890")!.asNumber()!.value).toBe(1.2345678901234568e29);
  });
  it("reads a number whose exponent the standard parseFloat gets wrong", () => {
    expect(parse("-1.2940941325893773e+41")!.asNumber()!.value).toBe(-1.2940941325893773e41);
  });
  it("reads a number below half the smallest subnormal as zero", () => {
    expect(parse("2.4703282292062327e-324")!.asNumber()!.value).toBe(0.0);
    expect(parse("2.4703282292062328e-324")!.asNumber()!.value).toBe(f64.MIN_VALUE);
  });
  it("refuses a number beyond the largest f64", () => {
    expect(errorOf("1e309")).toBe(JSON_ERROR_RANGE);
    expect(errorOf("-1.7976931348623159e308")).toBe(JSON_ERROR_RANGE);
    expect(errorOf("1" + "0".repeat(400))).toBe(JSON_ERROR_RANGE);
  });
  it("reads a very long mantissa correctly", () => {
    const text = "0." + "0".repeat(300) + "1" + "0".repeat(2000) + "1";
    expect(parse(text)!.asNumber()!.value).toBe(1e-301);
  });
});

describe("JSON limits", () => {
  it("accepts nesting up to the depth limit and refuses one more", () => {
    expect(errorOf(nested(32))).toBe("");
    expect(errorOf(nested(33))).toBe(JSON_ERROR_TOO_DEEP);
    expect(new JsonParser(100, 3).parse(utf8("[{\"a\":[1]}]"))).not.toBeNull();
    expect(new JsonParser(100, 2).parse(utf8("[{\"a\":[1]}]"))).toBeNull();
  });
  it("refuses input larger than the size limit before reading it", () => {
    const parser = new JsonParser(8);
    expect(parser.parse(utf8("[1,2,3,4]"))).toBeNull();
    expect(parser.error).toBe(JSON_ERROR_TOO_LARGE);
    expect(parser.parse(utf8("[1,2,34]"))).not.toBeNull();
    expect(parser.parseText("[1,2,3,4]")).toBeNull();
  });
  it("refuses a document that is not an object where one is required", () => {
    const parser = new JsonParser();
    expect(parser.parseObject(utf8("[1]"))).toBeNull();
    expect(parser.error).toBe(JSON_ERROR_NOT_OBJECT);
  });
});

describe("JSON objects", () => {
  it("refuses duplicate keys, also when written with escapes", () => {
    expect(errorOf("{\"a\":1,\"a\":2}")).toBe(JSON_ERROR_DUPLICATE_KEY);
    expect(errorOf("{\"a\":1,\"\\u0061\":2}")).toBe(JSON_ERROR_DUPLICATE_KEY);
    expect(errorOf("[{\"x\":{\"k\":1,\"k\":1}}]")).toBe(JSON_ERROR_DUPLICATE_KEY);
    expect(errorOf("{\"a\":{\"a\":1}}")).toBe("");
  });
  it("reads typed members of a claim set", () => {
    const claims = parseJsonObject(
      utf8(
        "{\"iss\":\"https://idp.example\",\"exp\":1700000000,\"email_verified\":true," +
          "\"aud\":[\"a\",\"b\"],\"cnf\":{\"jkt\":\"x\"},\"n\":null}",
      ),
    )!;
    expect<string | null>(claims.getString("iss")).toBe("https://idp.example");
    expect(claims.getInteger("exp")).toBe(1700000000);
    expect(claims.getBool("email_verified", false)).toBe(true);
    expect(claims.getArray("aud")!.strings()!.join(",")).toBe("a,b");
    expect<string | null>(claims.getObject("cnf")!.getString("jkt")).toBe("x");
    expect(claims.kindOf("n")).toBe(JsonKind.Null);
    expect(claims.kindOf("nothing")).toBe(JsonKind.Missing);
    expect(claims.keys.join(",")).toBe("iss,exp,email_verified,aud,cnf,n");
  });
  it("answers null, NaN, the fallback or JSON_NO_INTEGER for a missing or mistyped member", () => {
    const object = parseJsonObject(utf8("{\"s\":\"1\",\"b\":1,\"f\":1.5,\"a\":[1]}"))!;
    expect<string | null>(object.getString("b")).toBeNull();
    expect<string | null>(object.getString("missing")).toBeNull();
    expect(isNaN(object.getNumber("s"))).toBe(true);
    expect(object.getNumber("f")).toBe(1.5);
    expect(object.getInteger("s")).toBe(JSON_NO_INTEGER);
    expect(object.getInteger("missing")).toBe(JSON_NO_INTEGER);
    expect(object.getBool("b", true)).toBe(true);
    expect(object.getBool("b", false)).toBe(false);
    expect(object.getArray("s")).toBeNull();
    expect(object.getObject("a")).toBeNull();
    expect(object.getArray("a")!.strings()).toBeNull();
    expect(object.has("a")).toBe(true);
    expect(object.has("A")).toBe(false);
  });
  it("reads integers exactly within i64 and refuses the rest", () => {
    const object = parseJsonObject(
      utf8(
        "{\"max\":9223372036854775807,\"min\":-9223372036854775807,\"over\":9223372036854775808," +
          "\"fraction\":1.0,\"exponent\":1e3,\"zero\":-0}",
      ),
    )!;
    expect(object.getInteger("max")).toBe(i64.MAX_VALUE);
    expect(object.getInteger("min")).toBe(-i64.MAX_VALUE);
    expect(object.getInteger("over")).toBe(JSON_NO_INTEGER);
    expect(object.getInteger("fraction")).toBe(JSON_NO_INTEGER);
    expect(object.getInteger("exponent")).toBe(JSON_NO_INTEGER);
    expect(object.getInteger("zero")).toBe(0);
  });
});

describe("JSON arrays", () => {
  it("reads elements in order and answers null out of range", () => {
    const array = parse("[1,\"two\",[3]]")!.asArray()!;
    expect(array.length).toBe(3);
    expect(array.at(0)!.asNumber()!.value).toBe(1.0);
    expect<string | null>(array.at(1)!.asString()).toBe("two");
    expect(array.at(2)!.kind).toBe(JsonKind.Array);
    expect(array.at(3)).toBeNull();
    expect(array.at(-1)).toBeNull();
  });
});

describe("JsonParser reuse", () => {
  it("clears the error of a previous document", () => {
    const parser = new JsonParser();
    expect(parser.parse(utf8("["))).toBeNull();
    expect(parser.parse(utf8("[\"\\u00e9\"]"))).not.toBeNull();
    expect(parser.error).toBe("");
    expect(parser.position).toBe(-1);
  });
});
