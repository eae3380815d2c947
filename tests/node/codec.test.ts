// The codecs (assembly/codec) against Node's own: Buffer for base64, encodeURIComponent and
// URLSearchParams for percent- and form-encoding, JSON.parse for JSON. Inputs are generated
// (fast-check prints the seed of a failing run), and every call into the wasm must return:
// an exception from it means the filter would have trapped.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import * as h from "../../build/test/harness/codec.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// ---- base64 ---------------------------------------------------------------------------------

const anyBytes = fc
  .integer({ min: 0, max: 4096 })
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));

// A string is canonical when Node's lenient decoder and its encoder give it back unchanged:
// the encoder only writes canonical strings, and writes each one for exactly one input.
function isCanonical(text: string, encoding: "base64" | "base64url"): boolean {
  return Buffer.from(text, encoding).toString(encoding) === text;
}

// Ways to make a valid encoding non-canonical that Node's decoder still accepts.
function spoil(text: string, how: number): string {
  const last = text.length - 1;
  switch (how) {
    case 0: return text.slice(0, 2) + " " + text.slice(2);
    case 1: return text + "\n";
    case 2: return text.replaceAll("=", "");
    case 3: return text + "=";
    case 4: return text.replaceAll("+", "-").replaceAll("/", "_");
    case 5: return text.replaceAll("-", "+").replaceAll("_", "/");
    default: {
      // Set a low bit of the last data character: trailing bits must be zero (RFC 4648 §3.5).
      const data = text.replace(/=+$/, "");
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
      const at = alphabet.indexOf(data[data.length - 1] ?? "");
      if (at < 0 || last < 0) return text + "*";
      const spoiled = alphabet[(at | 1) === at ? at ^ 2 : at | 1] ?? "B";
      return data.slice(0, -1) + spoiled + text.slice(data.length);
    }
  }
}

describe("base64 and base64url against Node's Buffer", () => {
  it("encodes 1,200 random byte strings exactly as Buffer does and decodes them back", () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const buffer = Buffer.from(bytes);
        const standard = h.b64Encode(bytes);
        const url = h.b64UrlEncode(bytes);
        assert.equal(standard, buffer.toString("base64"));
        assert.equal(url, buffer.toString("base64url"));
        assert.deepEqual(h.b64Decode(standard), bytes);
        assert.deepEqual(h.b64UrlDecode(url), bytes);
      }),
      { numRuns: 1200 },
    );
  });

  it("refuses the non-canonical variants that Buffer decodes leniently", () => {
    const sizes = fc.integer({ min: 1, max: 64 });
    const spoiled = fc.tuple(sizes, fc.integer({ min: 0, max: 6 })).map(([n, how]) => {
      const bytes = randomBytes(n);
      return [spoil(bytes.toString("base64"), how), spoil(bytes.toString("base64url"), how)];
    });
    fc.assert(
      fc.property(spoiled, ([standard, url]) => {
        if (!isCanonical(standard, "base64")) assert.equal(h.b64Decode(standard), null);
        if (!isCanonical(url, "base64url")) assert.equal(h.b64UrlDecode(url), null);
      }),
      { numRuns: 1500 },
    );
  });

  it("accepts a random string exactly when it is canonical, and then agrees with Buffer", () => {
    const chars = fc.constantFrom(..."AQgwBC+/-_= =\n\u00e9".split(""));
    const text = fc.string({ unit: chars, maxLength: 12 });
    fc.assert(
      fc.property(text, (s) => {
        const standard = h.b64Decode(s);
        assert.equal(standard !== null, isCanonical(s, "base64"), JSON.stringify(s));
        if (standard) assert.deepEqual(Buffer.from(standard), Buffer.from(s, "base64"));
        const url = h.b64UrlDecode(s);
        assert.equal(url !== null, isCanonical(s, "base64url"), JSON.stringify(s));
        if (url) assert.deepEqual(Buffer.from(url), Buffer.from(s, "base64url"));
      }),
      { numRuns: 4000 },
    );
  });
});

// ---- percent-encoding -----------------------------------------------------------------------

// encodeURIComponent keeps !'()* which RFC 3986 §2.2 reserves; percentEncode escapes them.
const escapeReserved = (c: string) => "%" + c.charCodeAt(0).toString(16).toUpperCase();
const rfc3986Encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, escapeReserved);

// Characters that make malformed and well-formed escapes likely.
const escapeSoup = fc.string({
  unit: fc.constantFrom(..."%%%+=&aF09zC3A9E2ED80BFé😀".split(/(?:)/u)),
  maxLength: 16,
});

describe("percent-encoding against encodeURIComponent and URLSearchParams", () => {
  it("decodes what encodeURIComponent encoded, and encodes as RFC 3986 §2.1 says", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        assert.equal(h.pctDecode(encodeURIComponent(s), false), s);
        assert.equal(h.pctDecode(encodeURIComponent(s), true), s);
        assert.equal(h.pctEncode(s), rfc3986Encode(s));
        assert.equal(h.pctDecode(h.pctEncode(s), false), s);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses exactly the inputs decodeURIComponent refuses (bad escapes, bad UTF-8)", () => {
    fc.assert(
      fc.property(escapeSoup, (s) => {
        let expected: string | null;
        try {
          expected = decodeURIComponent(s);
        } catch {
          expected = null;
        }
        assert.equal(h.pctDecode(s, false), expected, JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
  });

  it("decodes a path to bytes and reports escaped '/', '\\' and NUL", () => {
    assert.equal(h.pctEncodedFlags("/a/b"), 0);
    assert.equal(h.pctEncodedFlags("/a%2fb"), 1);
    assert.equal(h.pctEncodedFlags("/a%5Cb"), 2);
    assert.equal(h.pctEncodedFlags("/a%00b"), 4);
    assert.equal(h.pctEncodedFlags("/a%2"), -1);
    fc.assert(
      fc.property(escapeSoup, (s) => {
        const bytes = h.pctDecodeBytes(s);
        const wellFormed = !/%(?![0-9A-Fa-f]{2})/.test(s);
        assert.equal(bytes !== null, wellFormed, JSON.stringify(s));
        if (bytes === null) return;
        const expected = Buffer.from(s.replace(/%([0-9A-Fa-f]{2})/g, "\u0000$1"), "utf8");
        assert.deepEqual(Buffer.from(bytes), decodeEscapes(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it("form-encodes pairs as URLSearchParams does", () => {
    const name = fc.string({ unit: "binary", maxLength: 12 });
    const pair = fc.tuple(name, fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 5 }), (pairs) => {
        const names = pairs.map(([name]) => name);
        const values = pairs.map(([, value]) => value);
        assert.equal(h.formEncodePairs(names, values), new URLSearchParams(pairs).toString());
      }),
      { numRuns: 800 },
    );
  });

  it("parses a query URLSearchParams wrote back to the same pairs, duplicates in order", () => {
    const name = fc.string({ unit: "binary", maxLength: 8 });
    const pair = fc.tuple(name, fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 6 }), (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        assert.deepEqual(h.queryParse(query), pairs.flat());
      }),
      { numRuns: 800 },
    );
  });

  it("never traps on random queries and agrees with URLSearchParams when it accepts", () => {
    fc.assert(
      fc.property(escapeSoup, (s) => {
        const parsed = h.queryParse(s);
        if (parsed === null) return;
        assert.deepEqual(parsed, [...new URLSearchParams(s)].flat(), JSON.stringify(s));
      }),
      { numRuns: 2000 },
    );
  });
});

// Replaces each NUL-marked escape (NUL then two hex digits) by its byte.
function decodeEscapes(marked: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < marked.length; i++) {
    if (marked[i] === 0) {
      out.push(parseInt(marked.subarray(i + 1, i + 3).toString("latin1"), 16));
      i += 2;
    } else out.push(marked[i]!);
  }
  return Buffer.from(out);
}

// ---- JSON -----------------------------------------------------------------------------------

// Reasons the wasm may refuse a document JSON.parse accepts: rules JSON.parse does not apply.
const STRICTER = new Set([
  "duplicate object key", // RFC 7519 §4
  "unpaired surrogate escape", // RFC 8259 §8.2: not interoperable
  "number out of range", // JSON.parse gives Infinity
  "nesting too deep", // the depth limit
]);

function parseWithNode(bytes: Uint8Array): { value: unknown } | null {
  try {
    return { value: JSON.parse(strictUtf8.decode(bytes)) };
  } catch {
    return null;
  }
}

// Parses with the wasm and checks it against JSON.parse. Returns whether the wasm accepted.
function compareJson(bytes: Uint8Array): boolean {
  const error = h.jsonError(bytes, 1 << 20, 32);
  const node = parseWithNode(bytes);
  const shown = Buffer.from(bytes).toString("hex");
  if (node === null) {
    assert.notEqual(error, "", `accepted what JSON.parse refuses: ${shown}`);
    return false;
  }
  if (error !== "") {
    assert.ok(STRICTER.has(error), `refused valid JSON (${error}): ${shown}`);
    return false;
  }
  const canonical = h.jsonCanonical(bytes);
  assert.notEqual(canonical, null);
  assert.deepStrictEqual(JSON.parse(canonical!), node.value);
  return true;
}

// One edit of a document's bytes: truncation, deletion, insertion or replacement.
const SIGNIFICANT = [..."{}[],:\"\\0-1e.+ tuEn/"]
  .map((c) => c.charCodeAt(0))
  .concat([0, 0xff, 0xc3, 0xed, 0x80]);
const edit = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.constantFrom(...SIGNIFICANT));

function mutate(bytes: Uint8Array, edits: Array<[number, number, number]>): Uint8Array {
  let out = Array.from(bytes);
  for (const [kind, where, byte] of edits) {
    const at = out.length === 0 ? 0 : where % out.length;
    if (kind === 0) out = out.slice(0, at);
    else if (kind === 1) out.splice(at, 1);
    else if (kind === 2) out.splice(at, 0, byte);
    else out[at] = byte;
  }
  return Uint8Array.from(out);
}

const jsonValue = fc.jsonValue({ maxDepth: 6, stringUnit: "binary" });
const unicodeKeyedObject = fc.dictionary(fc.string({ unit: "binary" }), jsonValue, { maxKeys: 8 });

describe("JSON against JSON.parse", () => {
  it("parses generated values, compact and indented, to the same value", () => {
    fc.assert(
      fc.property(fc.oneof(jsonValue, unicodeKeyedObject), fc.boolean(), (value, indent) => {
        const text = JSON.stringify(value, null, indent ? 2 : undefined);
        assert.ok(compareJson(utf8(text)), text);
        assert.deepStrictEqual(JSON.parse(h.jsonCanonicalText(text)!), JSON.parse(text));
      }),
      { numRuns: 1500 },
    );
  });

  it("never traps on mutated or truncated documents and refuses what JSON.parse refuses", () => {
    const mutated = fc
      .tuple(jsonValue, fc.array(edit, { minLength: 1, maxLength: 3 }))
      .map(([value, edits]) => mutate(utf8(JSON.stringify(value)), edits));
    fc.assert(fc.property(mutated, (bytes) => void compareJson(bytes)), { numRuns: 3000 });
  });

  it("never traps on random bytes", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.array(fc.constantFrom(...SIGNIFICANT), { maxLength: 48 }).map((b) => Uint8Array.from(b)),
    );
    fc.assert(fc.property(bytes, (b) => void compareJson(b)), { numRuns: 3000 });
  });

  it("refuses duplicate keys that JSON.parse would silently collapse", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 6 }), jsonValue, (key, value) => {
        const name = JSON.stringify(key);
        const text = `{${name}:1,"x":${JSON.stringify(value)},${name}:2}`;
        assert.equal(h.jsonError(utf8(text), 1 << 20, 32), "duplicate object key");
      }),
      { numRuns: 300 },
    );
  });

  it("reads every f64 and every halfway point between two f64 as JSON.parse does", () => {
    const view = new DataView(new ArrayBuffer(8));
    const anyBits = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(anyBits, fc.integer({ min: 0, max: 24 }), (bits, digits) => {
        view.setBigUint64(0, bits);
        const x = view.getFloat64(0);
        if (!Number.isFinite(x)) return;
        for (const text of [String(x), x.toExponential(digits), halfwayAbove(bits)]) {
          const expected = Number(text);
          const actual = h.jsonNumber(text);
          if (!Number.isFinite(expected)) assert.ok(Number.isNaN(actual), `${text}: in range`);
          else assert.ok(Object.is(actual, expected), `${text}: ${actual}`);
        }
      }),
      { numRuns: 4000 },
    );
  });

  it("reads integer members exactly beyond 2^53", () => {
    assert.equal(h.jsonInteger('{"sub":9007199254740993}', "sub"), 9007199254740993n);
    assert.equal(h.jsonInteger('{"sub":-42}', "sub"), -42n);
    assert.equal(h.jsonInteger('{"sub":4.2e1}', "sub"), -(1n << 63n));
  });

  it("keeps the sign of negative zero", () => {
    assert.ok(Object.is(JSON.parse(h.jsonCanonicalText("[-0]")!)[0], -0));
    assert.ok(Object.is(h.jsonNumber("-0.0e7"), -0));
  });
});

// The exact decimal of the point halfway between the f64 with these bits and the next one up.
function halfwayAbove(bits: bigint): string {
  const magnitude = bits & ((1n << 63n) - 1n);
  const field = magnitude >> 52n;
  const fraction = magnitude & ((1n << 52n) - 1n);
  const mantissa = field === 0n ? fraction : fraction | (1n << 52n);
  const exponent = (field === 0n ? -1074 : Number(field) - 1075) - 1;
  const odd = 2n * mantissa + 1n; // halfway = odd × 2^exponent
  if (exponent >= 0) return (odd << BigInt(exponent)).toString();
  return (odd * 5n ** BigInt(-exponent)).toString() + "e-" + -exponent;
}
