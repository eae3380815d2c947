// Path normalization compiled to WebAssembly, driven from Node: generated paths must give
// what the independent model in support/path-model.ts gives, no input may trap, and no
// path the filter lets through a bypass rule may resolve elsewhere for a credulous backend.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as wasm from "../../build/test/harness/rules.js";
import {
  lenientBackendPath,
  modelNormalize,
  modelNormalizeBytes,
  type ModelResult,
} from "./support/path-model.ts";

const RUNS = 5000;

// Pieces that make dot segments, escapes and parameters likely, with letters to make
// ordinary segments; and, less often, pieces that make a path unsafe.
const TOKENS = [
  "/", "/", "/", ".", ".", "..", "2", "e", "E", "f", "F", "5", "c", "C", "0", ";", "a", "b",
  "s", "static", "api", "%2e", "%2E", "%25", "%3B", "%3b", "%c3%a9", "é", "%41", "%7e", "~",
  "/..", "/..", "/%2e%2E", "/.%2e", "/.",
];
const RISKY_TOKENS = ["%", "\\", "?", "#", "%2f", "%2F", "%5c", "%5C", "%00", "%C0", "%AE", "\t"];
const STARTS = ["/", "//", "/static/", "/static/", "/static/", "/static", "/api/"];
const ODD_STARTS = ["", "*", "a", "http://example.com/static/"];

const tokenArb = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKENS), weight: 8 },
  { arbitrary: fc.constantFrom(...RISKY_TOKENS), weight: 1 },
);
const pathArb = fc
  .tuple(
    fc.oneof({ arbitrary: fc.constantFrom(...STARTS), weight: 12 }, fc.constantFrom(...ODD_STARTS)),
    fc.array(tokenArb, { maxLength: 24 }),
  )
  .map(([start, tokens]) => start + tokens.join(""));

// Raw bytes: the same pieces as UTF-8, plus single bytes of every non-ASCII kind.
const RAW_BYTES = [0x80, 0xbf, 0xc0, 0xc1, 0xc3, 0xa9, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff];
const bytesArb = fc
  .array(
    fc.oneof(
      tokenArb.map((t) => Array.from(Buffer.from(t, "utf8"))),
      fc.constantFrom(...RAW_BYTES).map((b) => [b]),
    ),
    { maxLength: 24 },
  )
  .map((parts) => Uint8Array.from([0x2f, ...parts.flat()]));

function asWasm(result: ModelResult): string {
  return result.ok ? result.path : "";
}

function bypassed(path: string): boolean {
  return path === "/productpage" || path.startsWith("/static/");
}

describe("path normalization in WebAssembly", () => {
  it("agrees with the model on generated paths", () => {
    fc.assert(
      fc.property(pathArb, (raw) => {
        assert.equal(wasm.normalize(raw), asWasm(modelNormalize(raw)), JSON.stringify(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it("agrees with the model on generated raw bytes", () => {
    fc.assert(
      fc.property(bytesArb, (raw) => {
        const expected = asWasm(modelNormalizeBytes(raw));
        assert.equal(wasm.normalizeBytes(raw), expected, Buffer.from(raw).toString("hex"));
      }),
      { numRuns: RUNS },
    );
  });

  it("never traps, whatever the text or bytes", () => {
    const text = fc.string({ unit: "binary", maxLength: 64 });
    fc.assert(
      fc.property(text, fc.uint8Array({ maxLength: 64 }), (raw, bytes) => {
        wasm.normalize("/" + raw);
        wasm.normalize(raw);
        wasm.normalizeBytes(bytes);
      }),
      { numRuns: RUNS },
    );
    assert.equal(wasm.normalize("/" + "a".repeat(8191)).length, 8192);
    assert.equal(wasm.normalize("/" + "é".repeat(4095)).length, 1 + 6 * 4095); // "%C3%A9"
    assert.equal(wasm.normalize("/" + "é".repeat(4096)), ""); // 8193 bytes
  });

  it("lets through /static/* or /productpage no path a credulous backend reads elsewhere", () => {
    fc.assert(
      fc.property(pathArb, (raw) => {
        const path = wasm.normalize(raw);
        if (!bypassed(path)) return;
        const model = modelNormalize(raw);
        assert.ok(model.ok && bypassed(model.path), JSON.stringify(raw));
        assert.ok(bypassed(lenientBackendPath(raw)), `${JSON.stringify(raw)} -> ${path}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("login decision in WebAssembly", () => {
  before(() => {
    assert.equal(wasm.configure(true, "/productpage\n/static/*"), "");
  });

  it("in bypass mode logs in exactly the paths the model puts outside the bypass rules", () => {
    fc.assert(
      fc.property(pathArb, (raw) => {
        const model = modelNormalize(raw);
        const expected = !(model.ok && bypassed(model.path));
        assert.equal(wasm.requiresLogin(raw), expected, JSON.stringify(raw));
      }),
      { numRuns: RUNS },
    );
  });

  it("follows both reference scenarios", () => {
    assert.equal(wasm.configure(false, "/static/*\n/api/*"), "");
    assert.equal(wasm.requiresLogin("/productpage"), false);
    assert.equal(wasm.requiresLogin("/api/v1/products/1"), true);
    assert.equal(wasm.requiresLogin("/static/jquery.min.js"), true);
    assert.equal(wasm.requiresLogin("/productpage%2F"), true); // unsafe: logs in anyway

    assert.equal(wasm.configure(true, "/productpage\n/static/*"), "");
    assert.equal(wasm.requiresLogin("/productpage"), false);
    assert.equal(wasm.requiresLogin("/static/jquery.min.js"), false);
    assert.equal(wasm.requiresLogin("/api/v1/products/1"), true);
    assert.equal(wasm.requiresLogin("/static/%2e%2e/api/v1/products/1"), true);
  });

  it("reports configuration errors with key, value and rule", () => {
    const errors = wasm.configure(true, "/ok\n/a*b\n/x/../y");
    assert.equal(
      errors,
      'rules[1].paths[0]: "/a*b": "*" may only start or end a path pattern\n' +
        'rules[2].paths[0]: "/x/../y": it is not in normal form: write "/y"\n',
    );
  });
});
