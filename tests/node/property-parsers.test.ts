// Generated input (fast-check) through the filter's parsers compiled to WebAssembly
// (tests/harness/parsers.ts): Cookie headers, request paths, query strings, JSON, base64,
// redirect targets, URLs and authorities, header maps and the request view with its session
// lookup, rule patterns, durations and whole configurations. First, none may trap (a trap
// throws here); then each agrees with an independent reading: a model of the documented
// rule, Node's own parser, or the WHATWG URL parser a browser uses.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import * as wasm from "../../build/test/harness/parsers.js";
import { serializePairs, type HeaderPairs } from "../../host/pairs.ts";
import { lenientBackendPath, modelNormalize, modelNormalizeBytes } from "./support/path-model.ts";
import { keysFromSecret, seal, sessionRecord } from "./support/hostile-seal.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("property-parsers");
after(() => tally.finish());

/** fc.assert with a run count that goes into the summary. */
function check<T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { numRuns });
  tally.add("propertyRuns", numRuns);
}

const pieces = (list: string[], maxLength = 24) =>
  fc.array(fc.constantFrom(...list), { maxLength }).map((parts) => parts.join(""));

// ---- Cookies ----

/** RFC 6265 §5.4 as the filter documents it: pairs split on ";", each split at its first "=". */
function modelCookies(header: string): string[] {
  const out: string[] = [];
  for (const piece of header.split(";")) {
    const eq = piece.indexOf("=");
    if (eq <= 0) continue;
    const name = piece.slice(0, eq).trim();
    if (name.length > 0) out.push(name, piece.slice(eq + 1).trim());
  }
  return out;
}

describe("Cookie headers", () => {
  const cookieText = pieces(
    [
      ";",
      ";",
      "=",
      "=",
      " ",
      "\t",
      "a",
      "b",
      "_oidc_session",
      "_oidc_session_0",
      "1.",
      ".",
      "x y",
      "\u00a0",
      "\ufeff",
      "\u3000",
      "\u2028",
      '"',
      ",",
      "\u00e9",
      "\ud83d\ude00",
      "\r\n",
    ],
    30,
  );

  it("split as the model says, for 4,000 generated headers", () => {
    check(
      fc.property(cookieText, (header) => {
        assert.deepEqual(wasm.cookies(header), modelCookies(header), JSON.stringify(header));
      }),
      4000,
    );
  });

  it("end a value at its ';' whatever its length (long values are skipped by words)", () => {
    // A value of every length from 0 to 80 (past several 8- and 16-byte strides), then a
    // second cookie; with and without a third whose value runs to the header's end.
    for (let length = 0; length <= 80; length++) {
      const value = "v".repeat(length);
      for (const tail of ["", "; c=" + "w".repeat(length + 3), ";" + "=".repeat(length)]) {
        const header = `a=${value};b=1${tail}`;
        assert.deepEqual(wasm.cookies(header), modelCookies(header), JSON.stringify(header));
      }
    }
  });

  it("never trap on arbitrary text, 3,000 runs", () => {
    check(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (header) => {
        wasm.cookies(header);
      }),
      3000,
    );
  });
});

// ---- Paths ----

describe("request paths", () => {
  const TOKENS = [
    "/",
    "/",
    "/",
    ".",
    "..",
    "%2e",
    "%2E",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "%00",
    "%25",
    "%3b",
    ";",
    "\\",
    "a",
    "b",
    "static",
    "api",
    "%41",
    "%7e",
    "%c3%a9",
    "\u00e9",
    "%c0%ae",
    "%ff",
    "%",
    "%4",
    "?",
    "#",
    "\t",
    "\u0000",
    "~",
    "%252e",
  ];
  const pathText = fc
    .tuple(fc.constantFrom("/", "//", "/static/", "", "*", "a/"), pieces(TOKENS, 30))
    .map(([start, rest]) => start + rest);
  const BYTES = [
    0x2f, 0x2f, 0x2e, 0x25, 0x32, 0x65, 0x66, 0x61, 0x3b, 0x5c, 0x00, 0x80, 0xc0, 0xc3, 0xa9, 0xe2,
    0xed, 0xf0, 0xf4, 0xff,
  ];
  const pathBytes = fc
    .array(fc.oneof(fc.constantFrom(...BYTES), fc.integer({ min: 0, max: 255 })), { maxLength: 40 })
    .map((bytes) => Uint8Array.from([0x2f, ...bytes]));

  it("normalize as the reference model does, from text (4,000 runs)", () => {
    check(
      fc.property(pathText, (raw) => {
        const model = modelNormalize(raw);
        assert.equal(wasm.pathText(raw), model.ok ? model.path : "", JSON.stringify(raw));
      }),
      4000,
    );
  });

  it("normalize as the reference model does, from raw bytes (4,000 runs)", () => {
    check(
      fc.property(pathBytes, (raw) => {
        const model = modelNormalizeBytes(raw);
        assert.equal(
          wasm.pathBytes(raw),
          model.ok ? model.path : "",
          Buffer.from(raw).toString("hex"),
        );
      }),
      4000,
    );
  });

  it("normalize as the model does for arbitrary Unicode text (2,000 runs)", () => {
    check(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (rest) => {
        const model = modelNormalize(`/${rest}`);
        assert.equal(wasm.pathText(`/${rest}`), model.ok ? model.path : "", JSON.stringify(rest));
      }),
      2000,
    );
  });

  it("agree with the model at the 8,192-byte limit (300 runs)", () => {
    const long = fc
      .tuple(
        fc.integer({ min: 8150, max: 8250 }),
        fc.constantFrom("a", "/", "%41", "\u00e9", "/.."),
      )
      .map(([size, unit]) => `/${unit.repeat(Math.ceil(size / unit.length))}`.slice(0, size));
    check(
      fc.property(long, (raw) => {
        const model = modelNormalize(raw);
        assert.equal(wasm.pathText(raw), model.ok ? model.path : "", `${raw.length} bytes`);
      }),
      300,
    );
  });

  it("put under /static/ only what a credulous backend also reads under /static/ (3,000 runs)", () => {
    check(
      fc.property(pathText, (raw) => {
        const path = wasm.pathText(raw);
        if (!path.startsWith("/static/")) return;
        assert.ok(lenientBackendPath(raw).startsWith("/static/"), JSON.stringify(raw));
      }),
      3000,
    );
  });
});

// ---- Query strings ----

describe("query strings", () => {
  const queryText = pieces(
    [
      "a",
      "b",
      "=",
      "=",
      "&",
      "&",
      "+",
      "%20",
      "%2B",
      "%26",
      "%3D",
      "%",
      "%zz",
      "%c3%a9",
      "%ff",
      "\u00e9",
      "state",
      "code",
      "?",
      "#",
      "%00",
      ";",
    ],
    30,
  );

  it("accepted ones read as URLSearchParams reads them (4,000 runs)", () => {
    check(
      fc.property(queryText, (q) => {
        const flat = wasm.query(q);
        if (flat === null) return;
        // "&" first: URLSearchParams would drop a leading "?", which the filter never sees.
        assert.deepEqual(flat, [...new URLSearchParams(`&${q}`)].flat(), JSON.stringify(q));
      }),
      4000,
    );
  });

  it("without any escape, every query is accepted (2,000 runs)", () => {
    check(
      fc.property(pieces(["a", "=", "&", "+", "b", "\u00e9", "?"], 30), (q) => {
        assert.notEqual(wasm.query(q), null, JSON.stringify(q));
      }),
      2000,
    );
  });

  it("form-encoded pairs read back as themselves (2,000 runs)", () => {
    const text = fc.string({ unit: "grapheme", maxLength: 12 });
    check(
      fc.property(
        fc.array(
          fc.tuple(
            text.filter((s) => s.length > 0),
            text,
          ),
          { maxLength: 8 },
        ),
        (pairs) => {
          const encoded = wasm.form(
            pairs.map(([n]) => n),
            pairs.map(([, v]) => v),
          );
          assert.deepEqual(wasm.query(encoded), pairs.flat(), encoded);
        },
      ),
      2000,
    );
  });

  it("never trap on arbitrary text, 3,000 runs", () => {
    check(
      fc.property(fc.string({ unit: "binary", maxLength: 120 }), (q) => void wasm.query(q)),
      3000,
    );
  });
});

// ---- JSON ----

describe("JSON", () => {
  const doc = fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v));
  const enc = (s: string) => new TextEncoder().encode(s);

  it("accepts every document JSON.stringify writes (2,000 runs)", () => {
    check(
      fc.property(doc, (text) => {
        assert.equal(wasm.jsonAccepts(enc(text)), 1, text.slice(0, 200));
      }),
      2000,
    );
  });

  it("accepts only what JSON.parse accepts, on mutated documents (4,000 runs)", () => {
    const edit = fc.tuple(
      fc.nat(),
      fc.constantFrom(...'{}[]",:0-1.eE\\u \u0000\u00ff'.split("")),
      fc.constantFrom("insert", "replace", "delete"),
    );
    const mutated = fc
      .tuple(doc, fc.array(edit, { minLength: 1, maxLength: 3 }))
      .map(([text, edits]) => {
        let out = text;
        for (const [at, c, how] of edits) {
          const i = at % (out.length + 1);
          out =
            how === "insert"
              ? out.slice(0, i) + c + out.slice(i)
              : how === "replace"
                ? out.slice(0, i) + c + out.slice(i + 1)
                : out.slice(0, i) + out.slice(i + 1);
        }
        return out;
      });
    check(
      fc.property(mutated, (text) => {
        if (wasm.jsonAccepts(enc(text)) === 0) return;
        assert.doesNotThrow(() => JSON.parse(text), text.slice(0, 200));
      }),
      4000,
    );
  });

  it("refuses duplicate keys and keeps member order (1,000 runs)", () => {
    const keys = fc.uniqueArray(fc.string({ unit: "grapheme", maxLength: 6 }), {
      minLength: 1,
      maxLength: 6,
    });
    check(
      fc.property(keys, fc.boolean(), (names, duplicate) => {
        const members = names.map((k, i) => `${JSON.stringify(k)}:${i}`);
        if (duplicate) members.push(`${JSON.stringify(names[0])}:0`);
        const got = wasm.jsonObjectKeys(enc(`{${members.join(",")}}`));
        assert.equal(got, duplicate ? null : names.join("\n"));
      }),
      1000,
    );
  });

  it("never traps on random bytes (3,000 runs)", () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void wasm.jsonAccepts(bytes)),
      3000,
    );
  });
});

// ---- Base64 ----

describe("base64 and base64url", () => {
  const text = pieces(
    [..."AQgwBCz09+/-_=".split(""), " ", "\n", "\u00e9", "AAAA", "QQ==", "QQ"],
    20,
  );

  it("decode only canonical strings, to what Buffer decodes (4,000 runs)", () => {
    check(
      fc.property(text, (s) => {
        const url = wasm.b64UrlDecode(s);
        if (url !== null) {
          assert.equal(Buffer.from(url).toString("base64url"), s);
          assert.deepEqual(Buffer.from(url), Buffer.from(s, "base64url"));
        }
        const std = wasm.b64Decode(s);
        if (std !== null) assert.equal(Buffer.from(std).toString("base64"), s);
      }),
      4000,
    );
  });

  it("never trap on arbitrary text (2,000 runs)", () => {
    check(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (s) => {
        wasm.b64UrlDecode(s);
        wasm.b64Decode(s);
      }),
      2000,
    );
  });
});

// ---- Redirect targets, URLs, authorities ----

describe("redirect targets, URLs and authorities", () => {
  const ORIGIN = "https://app.example.com";
  const targetText = pieces(
    [
      "/",
      "/",
      "\\",
      ".",
      "..",
      ":",
      "@",
      "evil.example",
      "%2F",
      "%5C",
      "%2f",
      "\t",
      "\n",
      "\r",
      " ",
      "http",
      "https",
      "//",
      "javascript:",
      "?",
      "#",
      "\u3002",
      "\uff0f",
      "\u2044",
      "%0a",
      "\u0000",
      "a",
    ],
    12,
  );

  it("a target called safe stays on the origin for a browser's URL parser (5,000 runs)", () => {
    check(
      fc.property(targetText, (target) => {
        if (!wasm.safeTarget(target)) return;
        assert.doesNotMatch(target, /[\u0000-\u0020\u007f-\uffff]/, JSON.stringify(target));
        assert.equal(new URL(target, `${ORIGIN}/a/b?c`).origin, ORIGIN, JSON.stringify(target));
      }),
      5000,
    );
  });

  const authorityText = pieces(
    [
      "app",
      ".",
      "example",
      ".com",
      ":",
      "443",
      "8080",
      "@",
      "evil",
      "/",
      "\\",
      "?",
      "#",
      " ",
      "%40",
      "_",
      "-",
      "~",
      "A",
      "\r\n",
      "\u00e9",
      "[::1]",
      "!",
      "$",
      "'",
      "(",
      ";",
      "=",
    ],
    8,
  );

  it("a plain authority makes a URL whose host comes from it alone (4,000 runs)", () => {
    check(
      fc.property(authorityText, (authority) => {
        if (!wasm.plainAuthority(authority)) return;
        assert.doesNotMatch(authority, /[@/\\?#\s%]/, authority);
        let parsed: URL;
        try {
          parsed = new URL(`https://${authority}/x`);
        } catch {
          return; // no browser sends it: and no address is made on it that leads anywhere
        }
        assert.equal(
          parsed.username + parsed.password + parsed.search + parsed.hash,
          "",
          authority,
        );
        assert.equal(parsed.pathname, "/x", authority);
      }),
      4000,
    );
  });

  const urlText = pieces(
    [
      "http://",
      "https://",
      "HTTPS://",
      "idp",
      ".example",
      ":443",
      ":",
      "@",
      "/",
      "?",
      "#",
      "\\",
      "%40",
      "[::1]",
      "localhost",
      "a",
      " ",
      "\t",
      "\u00e9",
      "..",
      "x=1",
    ],
    10,
  );

  it("an accepted provider URL has the host a browser would read (4,000 runs)", () => {
    check(
      fc.property(urlText, (text) => {
        const parsed = wasm.url(text);
        if (parsed === null) return;
        const [scheme, authority] = parsed.split(" ");
        let browser: URL;
        try {
          browser = new URL(text);
        } catch {
          return; // a browser cannot follow it at all
        }
        assert.equal(browser.protocol, `${scheme}:`, text);
        assert.equal(browser.username + browser.password, "", text);
        assert.ok(
          authority.startsWith(browser.hostname),
          `${text}: ${authority} vs ${browser.hostname}`,
        );
      }),
      4000,
    );
  });
});

// ---- Header maps, the request view and the session lookup ----

describe("header maps and the request view", () => {
  const SECRET = randomBytes(32);
  const KEYS = keysFromSecret(SECRET.toString("base64"));
  const NOW = 1_800_000_000;
  const sealSession = (sub: string) =>
    seal(
      KEYS,
      "_oidc_session",
      sessionRecord({ issuedAt: BigInt(NOW), subject: sub }),
      randomBytes(12),
    );
  const ALICE = sealSession("alice");
  const BOB = sealSession("bob");
  const AUTHENTIC = new Map([
    [ALICE, "alice"],
    [BOB, "bob"],
  ]);
  const HALF = Math.floor(ALICE.length / 2);

  it("never trap on random bytes as a header map (3,000 runs)", () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void wasm.headerMap(bytes)),
      3000,
    );
  });

  it("read serialized ASCII pairs back exactly (1,000 runs)", () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 20,
    });
    check(
      fc.property(fc.array(fc.tuple(ascii, ascii), { maxLength: 12 }), (pairs) => {
        assert.deepEqual(wasm.headerMap(serializePairs(pairs as HeaderPairs)), pairs.flat());
      }),
      1000,
    );
  });

  // Cookie headers made of authentic values, parts of one, garbage and separators.
  const cookiePiece = fc.constantFrom(
    `_oidc_session=${ALICE}`,
    `_oidc_session=${BOB}`,
    "_oidc_session=garbage",
    "_oidc_session=",
    `_oidc_session_0=${ALICE.slice(0, HALF)}`,
    `_oidc_session_1=${ALICE.slice(HALF)}`,
    `_oidc_session_2=${BOB}`,
    "theme=dark",
    "a=b=c",
    " ",
    "",
    "_oidc_session",
    `_OIDC_SESSION=${ALICE}`,
  );
  const cookieHeaders = fc.array(
    fc.array(cookiePiece, { maxLength: 5 }).map((p) => p.join("; ")),
    { maxLength: 3 },
  );

  /** The documented lookup: every whole value plus the joined parts; valid with exactly one authentic. */
  function modelLookup(headerValues: string[]): [string, string] {
    const pairs = headerValues.flatMap(modelCookies);
    const named = (name: string) => pairs.filter((_, i) => i % 2 === 1 && pairs[i - 1] === name);
    const values = named("_oidc_session");
    let joined = "";
    for (let i = 0; i < 16; i++) {
      const part = named(`_oidc_session_${i}`)[0];
      if (part === undefined) break;
      joined += part;
    }
    if (joined.length > 0) values.push(joined);
    if (values.length === 0) return ["missing", "-"];
    const authentic = values.filter((v) => AUTHENTIC.has(v));
    return authentic.length === 1 ? ["valid", AUTHENTIC.get(authentic[0])!] : ["rejected", "-"];
  }

  it("find the session exactly when one authentic value is present (3,000 runs)", () => {
    check(
      fc.property(cookieHeaders, (values) => {
        const headers: HeaderPairs = [
          [":path", "/api/x"],
          [":authority", "app.example.com"],
          [":scheme", "https"],
          ...values.map((v): [string, string] => ["cookie", v]),
        ];
        const read = wasm.readRequest(serializePairs(headers), SECRET, BigInt(NOW)).split("\n");
        assert.deepEqual([read[5], read[6]], modelLookup(values), JSON.stringify(values));
      }),
      3000,
    );
  });

  it("never trap on request headers with raw bytes (2,000 runs)", () => {
    const rawValue = fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString("latin1"));
    const name = fc.constantFrom(
      ":path",
      ":authority",
      ":scheme",
      "cookie",
      "authorization",
      "accept",
      "sec-fetch-mode",
      "x-requested-with",
    );
    check(
      fc.property(fc.array(fc.tuple(name, rawValue), { maxLength: 10 }), (pairs) => {
        wasm.readRequest(serializePairs(pairs), SECRET, BigInt(NOW));
      }),
      2000,
    );
  });
});

// ---- Configuration pieces ----

describe("configuration", () => {
  const KEYS = [
    "issuer",
    "client_id",
    "client_secret",
    "cookie_secret",
    "provider",
    "match",
    "cookie",
    "upstream",
    "cookie_expire",
    "cookie_refresh",
    "scopes",
    "callback",
    "sign_out_path",
    "api_paths",
    "unknown",
  ];
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(
      "https://idp.example.com",
      "http://127.0.0.1:9",
      Buffer.alloc(32, 1).toString("base64"),
      "/oauth2/callback",
      { cluster: "idp" },
      { mode: "auth_if_matched", rules: [{ paths: ["/api/*"] }] },
      "168h",
      "0",
      "-1s",
      "1e9h",
    ),
  );

  it("whole configurations never trap (1,500 runs)", () => {
    check(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), value), (object) => {
        wasm.config(new TextEncoder().encode(JSON.stringify(object)));
      }),
      1500,
    );
  });

  // SettingsReader.string (assembly/config/reader.ts) reports a value of the wrong type and
  // returns null, even when it was given a fallback; config.ts then reads that null through a
  // non-null assertion ("!"), which is not checked in a release build: the configuration
  // reader traps (memory access out of bounds) instead of refusing with the error. Fails
  // until the reader returns the fallback (or the callers check for null).
  it("refuses a wrong-typed string setting with an error, without a trap", () => {
    const base = {
      issuer: "https://idp.example.com",
      client_id: "app",
      client_secret: "s",
      cookie_secret: Buffer.alloc(32, 1).toString("base64"),
      provider: { cluster: "idp" },
    };
    const wrong: [string, object][] = [
      ["callback", { callback: [] }],
      ["sign_out_path", { sign_out_path: 1 }],
      ["sign_out_redirect", { sign_out_redirect: {} }],
      ["cookie.name", { cookie: { name: [] } }],
      ["cookie.domain", { cookie: { domain: 1 } }],
      ["cookie.same_site", { cookie: { same_site: true } }],
      ["provider.authority", { provider: { cluster: "idp", authority: 1 } }],
      ["provider.token_auth_method", { provider: { cluster: "idp", token_auth_method: [] } }],
      ["provider.token_endpoint", { provider: { cluster: "idp", token_endpoint: 1 } }],
    ];
    const trapped: string[] = [];
    for (const [key, override] of wrong) {
      let errors: string;
      try {
        errors = wasm.config(new TextEncoder().encode(JSON.stringify({ ...base, ...override })));
      } catch (error) {
        trapped.push(`${key}: ${(error as Error).message}`);
        continue;
      }
      assert.match(errors, new RegExp(`${key.replace(".", "\\.")}: .*must be a string`), key);
    }
    assert.deepEqual(trapped, [], "settings whose wrong type traps the configuration reader");
  });

  it("random bytes as a configuration never trap and are refused (1,000 runs)", () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        assert.notEqual(wasm.config(bytes), "");
      }),
      1000,
    );
  });

  it("patterns and durations never trap (3,000 runs)", () => {
    const text = pieces(
      [
        "/",
        "*",
        "*.",
        "api",
        ".",
        "..",
        "%2e",
        "\u00e9",
        "[",
        ":",
        "h",
        "1",
        "s",
        "m",
        "-",
        "9999999999999999999",
      ],
      10,
    );
    check(
      fc.property(text, (t) => {
        wasm.pathPattern(t);
        wasm.hostPattern(t);
        wasm.duration(t);
      }),
      3000,
    );
  });
});
