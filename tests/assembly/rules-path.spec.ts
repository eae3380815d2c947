import {
  normalizePath,
  normalizePathBytes,
  PATH_MAX_BYTES,
  UNSAFE_BACKSLASH,
  UNSAFE_CONTROL,
  UNSAFE_BARE_PARAMETERS,
  UNSAFE_DOUBLE_ENCODED,
  UNSAFE_ENCODED_BACKSLASH,
  UNSAFE_ENCODED_NUL,
  UNSAFE_ENCODED_SLASH,
  UNSAFE_INVALID_UTF8,
  UNSAFE_MALFORMED_ESCAPE,
  UNSAFE_NOT_ORIGIN_FORM,
  UNSAFE_TOO_LONG,
} from "../../assembly/rules/path";

// One row of the table: the raw target, then the normalized path, or "" with the reason.
class Row {
  constructor(
    public raw: string,
    public path: string,
    public reason: string,
  ) {}
}

function safe(raw: string, path: string): Row {
  return new Row(raw, path, "");
}

function unsafe(raw: string, reason: string): Row {
  return new Row(raw, "", reason);
}

const ROWS: Row[] = [
  // Already normal.
  safe("/", "/"),
  safe("/productpage", "/productpage"),
  safe("/api/v1/products/1", "/api/v1/products/1"),
  safe("/static/jquery.min.js", "/static/jquery.min.js"),
  safe("/a/", "/a/"),
  safe("/a%20b", "/a%20b"),
  // Query and fragment are cut off, whatever they hold.
  safe("/a?x=1", "/a"),
  safe("/a#frag", "/a"),
  safe("/a?b#c", "/a"),
  safe("/static/x?/../../api", "/static/x"),
  safe("/a?%zz\\", "/a"),
  // Only origin-form is a path.
  unsafe("", UNSAFE_NOT_ORIGIN_FORM),
  unsafe("*", UNSAFE_NOT_ORIGIN_FORM),
  unsafe("http://example.com/api", UNSAFE_NOT_ORIGIN_FORM),
  unsafe("api/x", UNSAFE_NOT_ORIGIN_FORM),
  unsafe("?x=/", UNSAFE_NOT_ORIGIN_FORM),
  // Dot segments (RFC 3986 §5.2.4), raw and encoded.
  safe("/static/../api/x", "/api/x"),
  safe("/static/%2e%2e/api/x", "/api/x"),
  safe("/static/%2E%2E/api/x", "/api/x"),
  safe("/static/.%2e/api/x", "/api/x"),
  safe("/STATIC/%2E%2E/api", "/api"),
  safe("/productpage/../api/x", "/api/x"),
  safe("/productpage;/../api/x", "/api/x"),
  safe("/./api/x", "/api/x"),
  safe("/%2e/api", "/api"),
  safe("/a/b/..", "/a/"),
  safe("/a/b/.", "/a/b/"),
  safe("/a/b/%2E", "/a/b/"),
  safe("/..", "/"),
  safe("/../../..", "/"),
  safe("/../api", "/api"),
  safe("/a/./b/../c", "/a/c"),
  safe("/a/b/../../../c", "/c"),
  safe("/a/.../b", "/a/.../b"),
  safe("/a/..b/c", "/a/..b/c"),
  safe("/a/b../c", "/a/b../c"),
  safe("/a/.b", "/a/.b"),
  // Repeated slashes are merged before dot segments are removed.
  safe("//api/x", "/api/x"),
  safe("//", "/"),
  safe("/a//b///c", "/a/b/c"),
  safe("/static//../api/x", "/api/x"),
  safe("/a/.//b", "/a/b"),
  safe("/a/..//b", "/b"),
  // Case is kept; matrix parameters stay in their segment.
  safe("/STATIC/x", "/STATIC/x"),
  safe("/productpage;x", "/productpage;x"),
  safe("/static/..%3A/api", "/static/..%3A/api"),
  safe("/static/x..%3B/api", "/static/x..%3B/api"),
  // Unreserved escapes decoded, others kept with uppercase hex (RFC 3986 §6.2.2.1-2).
  safe("/%41%42", "/AB"),
  safe("/%7e%5F%2D%30", "/~_-0"),
  safe("/%3a%3B%40%2b", "/%3A%3B%40%2B"),
  safe("/a%0a", "/a%0A"),
  safe("/a%25zz", "/a%25zz"),
  safe("/a%252", "/a%252"),
  // UTF-8: valid sequences kept as escapes, raw ones escaped.
  safe("/caf%C3%A9", "/caf%C3%A9"), // "/café"
  safe("/caf%c3%a9", "/caf%C3%A9"),
  safe("/café", "/caf%C3%A9"),
  safe("/%F0%9F%98%80", "/%F0%9F%98%80"), // U+1F600
  safe("/\u{1F600}", "/%F0%9F%98%80"),
  unsafe("/static/%C0%AE%C0%AE/api", UNSAFE_INVALID_UTF8), // overlong "."
  unsafe("/static/%c0%ae", UNSAFE_INVALID_UTF8),
  unsafe("/%E0%80%AF", UNSAFE_INVALID_UTF8), // overlong "/"
  unsafe("/%ED%A0%80", UNSAFE_INVALID_UTF8), // surrogate U+D800
  unsafe("/%F4%90%80%80", UNSAFE_INVALID_UTF8), // above U+10FFFF
  unsafe("/%F5%80%80%80", UNSAFE_INVALID_UTF8),
  unsafe("/%80", UNSAFE_INVALID_UTF8),
  unsafe("/%C3", UNSAFE_INVALID_UTF8),
  unsafe("/%C3/", UNSAFE_INVALID_UTF8),
  unsafe("/%C3%41", UNSAFE_INVALID_UTF8),
  unsafe("/%C3?%A9", UNSAFE_INVALID_UTF8),
  unsafe("/\uD800", UNSAFE_INVALID_UTF8), // unpaired surrogate
  unsafe("/a\uDC00b", UNSAFE_INVALID_UTF8),
  // Malformed escapes.
  unsafe("/%", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/%4", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/%zz", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/%4g", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/a%", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/a%4?b", UNSAFE_MALFORMED_ESCAPE),
  unsafe("/%%41", UNSAFE_MALFORMED_ESCAPE),
  // Encoded separators and NUL, raw backslash and controls.
  unsafe("/static/%2E%2E%2Fapi", UNSAFE_ENCODED_SLASH),
  unsafe("/static/..%2Fapi/x", UNSAFE_ENCODED_SLASH),
  unsafe("/api%2Fx", UNSAFE_ENCODED_SLASH),
  unsafe("/api%2fx", UNSAFE_ENCODED_SLASH),
  unsafe("/static/x%5C..%5Capi", UNSAFE_ENCODED_BACKSLASH),
  unsafe("/static/x%00", UNSAFE_ENCODED_NUL),
  unsafe("/static/x\\..\\..\\api", UNSAFE_BACKSLASH),
  unsafe("/a\tb", UNSAFE_CONTROL),
  unsafe("/a\0", UNSAFE_CONTROL),
  unsafe("/a\x7F", UNSAFE_CONTROL),
  unsafe("/a\r\nb", UNSAFE_CONTROL),
  // Double encoding, and parameters on an empty or dot segment.
  unsafe("/static/%252e%252e/api", UNSAFE_DOUBLE_ENCODED),
  unsafe("/a%25%32%65", UNSAFE_DOUBLE_ENCODED), // "%25" then "2e" after decoding
  unsafe("/a%2525", UNSAFE_DOUBLE_ENCODED),
  unsafe("/static/..;/api", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/.;x/api", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/%2e%2e;/api", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/..;", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/..%3B/api", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/.%3bx/api", UNSAFE_BARE_PARAMETERS),
  unsafe("/static/;/../api", UNSAFE_BARE_PARAMETERS), // Tomcat: "/static//../api"
  unsafe("/static/%3b/..", UNSAFE_BARE_PARAMETERS),
  unsafe("/;jsessionid=1", UNSAFE_BARE_PARAMETERS),
  safe("/a;x/..", "/"),
  safe("/a/...;x", "/a/...;x"),
];

function repeat(unit: string, count: i32): string {
  let text = "";
  for (let i = 0; i < count; i++) text += unit;
  return text;
}

function bytesOf(values: u8[]): ArrayBuffer {
  const buffer = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(buffer) + i, values[i]);
  return buffer;
}

describe("normalizePath", () => {
  it("gives the expected path or reason for every row of the table", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
    for (let i = 0; i < ROWS.length; i++) {
      const row = ROWS[i];
      const result = normalizePath(row.raw);
      expect(result.ok).toBe(row.reason.length == 0, row.raw);
      expect(result.path).toBe(row.path, row.raw);
      expect(result.reason).toBe(row.reason, row.raw);
    }
  });

  it("accepts a path of exactly the limit and refuses one byte more", () => {
    const atLimit = "/" + repeat("a", PATH_MAX_BYTES - 1);
    expect(normalizePath(atLimit).ok).toBe(true);
    expect(normalizePath(atLimit + "a").reason).toBe(UNSAFE_TOO_LONG);
    expect(normalizePath(atLimit + "?" + repeat("q", 20000)).ok).toBe(true);
  });

  it("counts the limit in UTF-8 bytes, not in characters", () => {
    const accents = "/" + repeat("é", PATH_MAX_BYTES / 2); // 2 bytes each
    expect(normalizePath(accents).reason).toBe(UNSAFE_TOO_LONG);
  });

  it("returns the input string itself when it is already normal", () => {
    const raw = "/api/v1/products/1";
    expect(changetype<usize>(normalizePath(raw).path)).toBe(changetype<usize>(raw));
  });

  it("is not confused by a failure in the call before", () => {
    expect(normalizePath("/%C3").ok).toBe(false);
    expect(normalizePath("/a%C3%A9").path).toBe("/a%C3%A9");
    expect(normalizePath("/x/..;").ok).toBe(false);
    expect(normalizePath("/x/..").path).toBe("/");
  });
});

describe("normalizePathBytes", () => {
  it("escapes raw well-formed UTF-8 bytes", () => {
    const raw = bytesOf([0x2f, 0x63, 0xc3, 0xa9]); // "/cé"
    expect(normalizePathBytes(raw).path).toBe("/c%C3%A9");
  });

  it("refuses raw bytes that are not UTF-8, also where a lenient decoder makes ASCII", () => {
    // "/static/\xC1/../../api": String.UTF8.decode reads "\xC1/" as "o".
    const hidden = bytesOf([0x2f, 0x61, 0xc1, 0x2f, 0x2e, 0x2e, 0x2f, 0x62]);
    expect(normalizePathBytes(hidden).reason).toBe(UNSAFE_INVALID_UTF8);
    expect(normalizePathBytes(bytesOf([0x2f, 0xff])).reason).toBe(UNSAFE_INVALID_UTF8);
    expect(normalizePathBytes(bytesOf([0x2f, 0xe0, 0x2f, 0x2e])).ok).toBe(false);
  });

  it("cuts the query before checking the bytes", () => {
    const raw = bytesOf([0x2f, 0x61, 0x3f, 0xff, 0x00]); // "/a?\xFF\0"
    expect(normalizePathBytes(raw).path).toBe("/a");
    expect(normalizePathBytes(new ArrayBuffer(0)).reason).toBe(UNSAFE_NOT_ORIGIN_FORM);
  });
});
