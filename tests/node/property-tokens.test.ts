// Generated input (fast-check) through the filter's token and cookie decoders compiled to
// WebAssembly (tests/harness/parsers.ts): JWTs against a key set, the claim checks against a
// model of OpenID Connect Core §3.1.3.7 as the filter applies it, sealed cookie values
// against the TypeScript model of the format (support/hostile-seal.ts), the session and flow
// records, and the provider's key sets, discovery documents and token responses. None may
// trap; no mutated token or cookie may be accepted.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import * as wasm from "../../build/test/harness/parsers.js";
import { CLIENT_ID, ISSUER, ProviderFixture } from "./support/provider-fixture.ts";
import { deriveKeys, flowRecord, seal, sessionRecord } from "./support/hostile-seal.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("property-tokens");
after(() => tally.finish());

function check<T>(property: fc.IProperty<T>, numRuns: number): void {
  fc.assert(property, { numRuns });
  tally.add("propertyRuns", numRuns);
}

const PROVIDER = new ProviderFixture();
const JWKS = PROVIDER.jwks();
const NOW = 1_800_000_000;
const NONCE = "nonce-0S6_WzA2Mj";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function verify(token: string, requireNonce = true): number {
  return wasm.jwtVerify(token, JWKS, ISSUER, CLIENT_ID, NONCE, BigInt(NOW), requireNonce);
}

/** One edit of a string: a character replaced, inserted or deleted. */
const edit = fc.tuple(
  fc.nat(),
  fc.constantFrom(...`${B64URL}.=+/ \u0000\u00e9`.split("")),
  fc.constantFrom(0, 1, 2),
);
function applyEdit(text: string, [at, c, how]: [number, string, number]): string {
  const i = at % (text.length + (how === 1 ? 1 : 0));
  if (how === 0) return text.slice(0, i) + c + text.slice(i + 1);
  if (how === 1) return text.slice(0, i) + c + text.slice(i);
  return text.slice(0, i) + text.slice(i + 1);
}

// ---- JWTs ----

describe("JWTs", () => {
  const RS = PROVIDER.idToken(PROVIDER.claims(NONCE, NOW));
  const ES = PROVIDER.idToken(PROVIDER.claims(NONCE, NOW), { alg: "ES256", kid: "ec-1" });

  it("the unmodified tokens are valid (controls)", () => {
    assert.equal(verify(RS), 0);
    assert.equal(verify(ES), 0);
  });

  it("no edit of a valid RS256 token is accepted (3,000 runs)", () => {
    check(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const token = edits.reduce(applyEdit, RS);
        if (token !== RS) assert.notEqual(verify(token), 0, token);
      }),
      3000,
    );
  });

  it("no edit of a valid ES256 token is accepted (2,000 runs)", () => {
    check(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const token = edits.reduce(applyEdit, ES);
        if (token !== ES) assert.notEqual(verify(token), 0, token);
      }),
      2000,
    );
  });

  it("random text is never a valid token, and never traps (3,000 runs)", () => {
    check(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        assert.notEqual(verify(text), 0);
      }),
      3000,
    );
  });

  it("random headers and claims with any signature are refused (2,000 runs)", () => {
    const part = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '{"alg":"RS256","kid":"key-1"}',
        '{"alg":"ES256","kid":"ec-1"}',
        '{"alg":"none"}',
        '{"alg":"HS256"}',
        JSON.stringify(PROVIDER.claims(NONCE, NOW)),
      ),
    );
    const signature = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(new Uint8Array(64), new Uint8Array(256)),
    );
    check(
      fc.property(part, part, signature, (h, p, s) => {
        const token = `${Buffer.from(h).toString("base64url")}.${Buffer.from(p).toString("base64url")}.${Buffer.from(s).toString("base64url")}`;
        assert.notEqual(verify(token), 0, token);
      }),
      2000,
    );
  });

  // The claim checks, as the filter documents them (IdTokenError codes of assembly/oidc/jwt.ts).
  const E = {
    Issuer: 5,
    Audience: 6,
    Expired: 7,
    IssuedInFuture: 8,
    NotYetValid: 9,
    Nonce: 10,
    Subject: 11,
  };
  const isInteger = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v);

  function modelClaims(c: Record<string, unknown>, requireNonce: boolean): number {
    if (c.iss !== ISSUER) return E.Issuer;
    const aud =
      typeof c.aud === "string"
        ? [c.aud]
        : Array.isArray(c.aud) && c.aud.every((a) => typeof a === "string")
          ? (c.aud as string[])
          : null;
    if (aud === null || !aud.includes(CLIENT_ID)) return E.Audience;
    if ("azp" in c && c.azp !== CLIENT_ID) return E.Audience;
    if (aud.length > 1 && typeof c.azp !== "string") return E.Audience;
    if (!isInteger(c.exp) || (c.exp as number) + 60 <= NOW) return E.Expired;
    if (!isInteger(c.iat) || (c.iat as number) > NOW + 60) return E.IssuedInFuture;
    if ("nbf" in c && (!isInteger(c.nbf) || (c.nbf as number) > NOW + 60)) return E.NotYetValid;
    if (requireNonce && c.nonce !== NONCE) return E.Nonce;
    if (typeof c.sub !== "string" || c.sub.length === 0) return E.Subject;
    return 0;
  }

  const time = fc.oneof(
    fc.integer({ min: NOW - 200, max: NOW + 200 }),
    fc.constantFrom(NOW - 60, NOW - 61, NOW + 60, NOW + 61, 0, -1),
    fc.constantFrom("1800000000", 1.5, null, true, 2 ** 70),
  );
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });
  const claimSet = fc
    .record({
      iss: maybe(fc.constantFrom(ISSUER, `${ISSUER}/`, "https://evil.example", 1)),
      aud: maybe(
        fc.constantFrom<unknown>(
          CLIENT_ID,
          "other",
          [CLIENT_ID],
          [CLIENT_ID, "other"],
          ["other"],
          [1],
          "",
          [],
        ),
      ),
      azp: maybe(fc.constantFrom<unknown>(CLIENT_ID, "other", null)),
      exp: maybe(time),
      iat: maybe(time),
      nbf: fc.option(time, { nil: undefined, freq: 2 }),
      nonce: maybe(fc.constantFrom<unknown>(NONCE, "other", 1, [NONCE])),
      sub: maybe(fc.constantFrom<unknown>("alice", "", 7)),
    })
    .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));

  it("judge signed claim sets as the model of Core §3.1.3.7 does (2,000 runs)", () => {
    check(
      fc.property(claimSet, fc.boolean(), (claims, requireNonce) => {
        const token = PROVIDER.idToken(claims);
        assert.equal(
          verify(token, requireNonce),
          modelClaims(claims, requireNonce),
          JSON.stringify(claims),
        );
      }),
      2000,
    );
  });
});

// ---- Sealed values ----

describe("sealed cookie values", () => {
  const secret = fc.uint8Array({ minLength: 32, maxLength: 64 });
  const name = fc.constantFrom("_oidc_session", "_oidc_session_flow_AAAAAAAAAAAAAAAA", "other");
  const record = fc.uint8Array({ maxLength: 2000 });
  const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 });

  it("are sealed by the filter exactly as the TypeScript model seals them (600 runs)", () => {
    check(
      fc.property(secret, name, record, nonce, (s, n, r, iv) => {
        assert.equal(wasm.sealed(s, n, r, iv), seal(deriveKeys(s), n, r, iv));
      }),
      600,
    );
  });

  it("open to their record when sealed by the model (600 runs)", () => {
    check(
      fc.property(secret, name, record, nonce, (s, n, r, iv) => {
        const opened = wasm.unsealed(s, n, seal(deriveKeys(s), n, r, iv));
        assert.ok(opened !== null);
        assert.deepEqual(Buffer.from(opened), Buffer.from(r));
      }),
      600,
    );
  });

  const SECRET = randomBytes(32);
  const VALUE = seal(
    deriveKeys(SECRET),
    "_oidc_session",
    sessionRecord({ issuedAt: BigInt(NOW), subject: "alice" }),
    randomBytes(12),
  );

  it("never open after any edit (3,000 runs)", () => {
    check(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const value = edits.reduce(applyEdit, VALUE);
        if (value !== VALUE)
          assert.equal(wasm.unsealed(SECRET, "_oidc_session", value), null, value);
      }),
      3000,
    );
  });

  it("never open under another cookie name or secret (1,000 runs)", () => {
    check(
      fc.property(
        name.filter((n) => n !== "_oidc_session"),
        secret,
        (other, otherSecret) => {
          assert.equal(wasm.unsealed(SECRET, other, VALUE), null);
          if (Buffer.compare(Buffer.from(otherSecret), SECRET) !== 0) {
            assert.equal(wasm.unsealed(otherSecret, "_oidc_session", VALUE), null);
          }
        },
      ),
      1000,
    );
  });

  it("random text never opens and never traps (3,000 runs)", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc
        .tuple(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }))
        .map(
          ([p, m]) =>
            `1.${Buffer.from(p).toString("base64url")}.${Buffer.from(m).toString("base64url")}`,
        ),
    );
    check(
      fc.property(text, (value) => {
        assert.equal(wasm.unsealed(SECRET, "_oidc_session", value), null);
      }),
      3000,
    );
  });
});

// ---- Records inside sealed values ----

describe("session and flow records", () => {
  const text = fc.string({ unit: "grapheme", maxLength: 40 });
  const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });

  it("a session record decodes and encodes back to the same bytes (1,500 runs)", () => {
    const session = fc.record({
      issuedAt: i64,
      subject: text.filter((s) => s.length > 0),
      claims: fc.array(fc.tuple(text, text), { maxLength: 64 }),
      accessToken: text,
      idToken: text,
      refreshToken: text,
      accessTokenExpiresAt: i64,
    });
    check(
      fc.property(session, (s) => {
        const bytes = sessionRecord(s);
        const back = wasm.sessionRoundTrip(bytes);
        assert.ok(back !== null);
        assert.deepEqual(Buffer.from(back), bytes);
      }),
      1500,
    );
  });

  it("a flow record decodes and encodes back to the same bytes (1,500 runs)", () => {
    const flow = fc.record({
      state: text.filter((s) => s.length > 0),
      nonce: text,
      codeVerifier: text,
      target: text,
      createdAt: i64,
    });
    check(
      fc.property(flow, (f) => {
        const bytes = flowRecord(f);
        const back = wasm.flowRoundTrip(bytes);
        assert.ok(back !== null);
        assert.deepEqual(Buffer.from(back), bytes);
      }),
      1500,
    );
  });

  it("random and cut records never trap (4,000 runs)", () => {
    const valid = sessionRecord({
      issuedAt: BigInt(NOW),
      subject: "alice",
      claims: [["email", "a@b"]],
      idToken: "x.y.z",
    });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.nat({ max: valid.length }).map((n) => valid.subarray(0, n)),
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }))
        .map(([at, b]) => Uint8Array.from(valid, (v, i) => (i === at ? b : v))),
    );
    check(
      fc.property(bytes, (b) => {
        wasm.sessionRoundTrip(b);
        wasm.flowRoundTrip(b);
      }),
      4000,
    );
  });
});

// ---- The provider's documents ----

describe("the provider's documents", () => {
  const enc = (v: unknown) =>
    new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
  const b64 = fc.oneof(
    fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b).toString("base64url")),
    fc.constantFrom(
      "",
      "AQAB",
      "=",
      "*",
      PROVIDER.rsa.publicKey.export({ format: "jwk" }).n as string,
    ),
  );
  const jwk = fc.record(
    {
      kty: fc.constantFrom<unknown>("RSA", "EC", "oct", 1, null),
      kid: fc.constantFrom<unknown>("k", "", 1, null),
      alg: fc.constantFrom<unknown>("RS256", "ES256", "HS256", "none", 1),
      use: fc.constantFrom<unknown>("sig", "enc", 1),
      crv: fc.constantFrom<unknown>("P-256", "P-384", 1),
      n: b64,
      e: b64,
      x: b64,
      y: b64,
    },
    { requiredKeys: [] },
  );

  it("key sets never trap (2,000 runs)", () => {
    const doc = fc.oneof(
      fc.record({ keys: fc.array(fc.oneof(jwk, fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 }) }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    check(
      fc.property(doc, (d) => void wasm.keySetSize(enc(d))),
      2000,
    );
  });

  const url = fc.constantFrom<unknown>(
    `${ISSUER}/authorize`,
    "https://evil.example/x",
    "javascript:alert(1)",
    "http://idp.example.com/x",
    `${ISSUER}/x?y=1#z`,
    "",
    1,
    null,
    `${ISSUER}/\r\n`,
  );

  it("discovery documents never trap, and one naming another issuer is refused (2,000 runs)", () => {
    const doc = fc.record(
      {
        issuer: fc.constantFrom<unknown>(ISSUER, `${ISSUER}/`, "https://evil.example", 1),
        authorization_endpoint: url,
        token_endpoint: url,
        jwks_uri: url,
        end_session_endpoint: url,
      },
      { requiredKeys: [] },
    );
    check(
      fc.property(doc, (d) => {
        const result = wasm.discovery(enc(d), ISSUER);
        if ((d as { issuer?: unknown }).issuer !== ISSUER) assert.match(result, /^error: /);
      }),
      2000,
    );
  });

  it("token responses never trap; accepted ones carry a bearer access token (2,000 runs)", () => {
    const doc = fc.oneof(
      fc.record(
        {
          access_token: fc.constantFrom<unknown>("a", "", 1, null),
          token_type: fc.constantFrom<unknown>("Bearer", "bearer", "mac", 1),
          id_token: fc.constantFrom<unknown>("x.y.z", "", 1),
          refresh_token: fc.constantFrom<unknown>("r", 1),
          expires_in: fc.constantFrom<unknown>(300, -1, "300", 1.5, 2 ** 70, 0),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    check(
      fc.property(doc, fc.constantFrom(200, 201, 400, 500), (d, status) => {
        const result = wasm.tokenResponse(status, enc(d), true);
        if (result.startsWith("error: ")) return;
        const r = d as Record<string, unknown>;
        assert.equal(status, 200);
        assert.equal(String(r.token_type).toLowerCase(), "bearer");
        assert.ok(typeof r.access_token === "string" && r.access_token.length > 0);
      }),
      2000,
    );
  });
});
