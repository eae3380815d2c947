// Hostile tokens, in the emulator: every token is tried twice, as the ID token of a login's
// token response (a valid one logs in; anything else ends the login with 403) and as a bearer
// token of an API client with accept_bearer_tokens (a valid one passes with its identity;
// anything else gets 401 invalid_token). Algorithms `none` and HS256 keyed with the public
// key, unknown and injected `kid`s, keys embedded in the header, wrong claims, clock edges,
// bad signatures of both schemes, and malformed compact forms.
import { after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { answerCallout, header, type FilterUnderTest } from "./support/filter-harness.ts";
import { CLIENT_ID, ISSUER } from "./support/provider-fixture.ts";
import {
  API,
  NOW,
  PROVIDER,
  answerIdToken,
  answerKeyFetches,
  beginLogin,
  callback,
  get,
  runCases,
  sessionOf,
  type Expected,
  type HostileCase,
} from "./support/hostile-harness.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-tokens");
after(() => tally.finish());

const ATTACKER_RSA = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ATTACKER_EC = generateKeyPairSync("ec", { namedCurve: "P-256" });
const B64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const P256_N = Buffer.from(
  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
  "hex",
);

type Signer = (input: string) => Buffer;
const rs256 =
  (key: KeyObject): Signer =>
  (input) =>
    sign("sha256", Buffer.from(input), key);
const es256 =
  (key: KeyObject): Signer =>
  (input) =>
    sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
const es256Der =
  (key: KeyObject): Signer =>
  (input) =>
    sign("sha256", Buffer.from(input), key);
const hs256 =
  (secret: Buffer | string): Signer =>
  (input) =>
    createHmac("sha256", secret).update(input).digest();
const PROVIDER_RS = rs256(PROVIDER.rsa.privateKey);
const PROVIDER_ES = es256(PROVIDER.ec.privateKey);

const RS_HEADER = { alg: "RS256", kid: "key-1", typ: "JWT" };
const ES_HEADER = { alg: "ES256", kid: "ec-1", typ: "JWT" };

/** A compact JWS of these parts; header and claims may be objects or raw JSON text. */
function jwt(headerPart: object | string, claims: object | string, signer: Signer): string {
  const text = (part: object | string) => (typeof part === "string" ? part : JSON.stringify(part));
  const input = `${B64(text(headerPart))}.${B64(text(claims))}`;
  return `${input}.${B64(signer(input))}`;
}

function claims(nonce: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return PROVIDER.claims(nonce, NOW, overrides);
}

/** The provider's own valid RS256 token with these claim overrides. */
const valid =
  (overrides: Record<string, unknown> = {}) =>
  (nonce: string) =>
    jwt(RS_HEADER, claims(nonce, overrides), PROVIDER_RS);

function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split(".");
  return [h, p, s];
}

function flipLast(segment: string): string {
  const c = segment[segment.length - 1];
  return segment.slice(0, -1) + (c === "A" ? "Q" : "A");
}

type Make = (nonce: string) => string;

interface TokenCase {
  name: string;
  make: Make;
  /** As the ID token of a login. */
  login: "ok" | "refused";
  /** As a bearer token (default: as for the login). */
  bearer?: "ok" | "refused";
}

const ok = (name: string, make: Make): TokenCase => ({ name, make, login: "ok" });
const bad = (name: string, make: Make): TokenCase => ({ name, make, login: "refused" });
/** Refused after a login (no or another nonce), accepted as a bearer token (no nonce asked). */
const badNonce = (name: string, make: Make): TokenCase => ({
  name,
  make,
  login: "refused",
  bearer: "ok",
});

/** Valid claims under this JWS header, signed with the provider's RSA key. */
const withHeader =
  (h: object | string): Make =>
  (n) =>
    jwt(h, claims(n), PROVIDER_RS);
/** Valid claims under this header, signed with the attacker's RSA key. */
const byAttacker =
  (h: object): Make =>
  (n) =>
    jwt(h, claims(n), rs256(ATTACKER_RSA.privateKey));
/** Valid claims with one member's JSON text replaced (numbers JSON.stringify cannot write). */
const rawMember =
  (name: string, json: string): Make =>
  (n) =>
    jwt(
      RS_HEADER,
      JSON.stringify(claims(n)).replace(new RegExp(`"${name}":\\d+`), `"${name}":${json}`),
      PROVIDER_RS,
    );
/** A valid token with its three segments rewritten. */
const reshaped =
  (f: (h: string, p: string, s: string) => string): Make =>
  (n) =>
    f(...parts(valid()(n)));
const signedBy =
  (signer: Signer, h: object = ES_HEADER): Make =>
  (n) =>
    jwt(h, claims(n), signer);
const pem = (key: KeyObject, type: "spki" | "pkcs1") =>
  key.export({ format: "pem", type }) as string;
const modulus = () =>
  Buffer.from(PROVIDER.rsa.publicKey.export({ format: "jwk" }).n as string, "base64url");
const noneToken =
  (h: object): Make =>
  (n) =>
    `${B64(JSON.stringify(h))}.${B64(JSON.stringify(claims(n)))}.`;

const T: TokenCase[] = [
  // ---- Controls ----
  ok("the provider's valid RS256 token", valid()),
  ok("the provider's valid ES256 token", (n) => jwt(ES_HEADER, claims(n), PROVIDER_ES)),
  ok("a valid RS256 token without kid", withHeader({ alg: "RS256" })),
  ok("a valid token with aud as a one-element list", valid({ aud: [CLIENT_ID] })),
  ok(
    "a valid token for two audiences with azp this client",
    valid({ aud: [CLIENT_ID, "other"], azp: CLIENT_ID }),
  ),
  ok("a valid token expired 59 seconds ago (within skew)", valid({ exp: NOW - 59 })),
  ok("a valid token with nbf in the past", valid({ nbf: NOW - 10 })),
  ok(
    "a valid token whose kid is a number (no kid: every RSA key is tried)",
    withHeader({ alg: "RS256", kid: 1 }),
  ),

  // ---- Algorithms ----
  bad("alg none with an empty signature", noneToken({ alg: "none" })),
  bad("alg none with the kid and an empty signature", noneToken({ alg: "none", kid: "key-1" })),
  bad("alg none with a valid RS256 signature", withHeader({ alg: "none", kid: "key-1" })),
  bad("alg None", withHeader({ alg: "None", kid: "key-1" })),
  bad("alg NONE", noneToken({ alg: "NONE" })),
  bad("alg nOnE", noneToken({ alg: "nOnE" })),
  bad("no alg at all", withHeader({ kid: "key-1" })),
  bad("alg null", withHeader({ alg: null, kid: "key-1" })),
  bad("alg as a list", withHeader({ alg: ["RS256"], kid: "key-1" })),
  bad("alg rs256 in lower case", withHeader({ alg: "rs256", kid: "key-1" })),
  bad(
    "HS256 keyed with the PEM public key (SPKI)",
    signedBy(hs256(pem(PROVIDER.rsa.publicKey, "spki")), { alg: "HS256", kid: "key-1" }),
  ),
  bad(
    "HS256 keyed with the PEM public key (PKCS#1)",
    signedBy(hs256(pem(PROVIDER.rsa.publicKey, "pkcs1")), { alg: "HS256", kid: "key-1" }),
  ),
  bad("HS256 keyed with the JWK Set document", signedBy(hs256(PROVIDER.jwks()), { alg: "HS256" })),
  bad(
    "HS256 keyed with the RSA modulus bytes",
    signedBy(hs256(modulus()), { alg: "HS256", kid: "key-1" }),
  ),
  bad(
    "HS256 keyed with the EC public key",
    signedBy(hs256(pem(PROVIDER.ec.publicKey, "spki")), { alg: "HS256", kid: "ec-1" }),
  ),
  bad(
    "HS256 keyed with the client secret",
    signedBy(hs256("test-client-secret"), { alg: "HS256" }),
  ),
  ...["HS512", "RS384", "RS512", "PS256", "ES384", "ES512", "EdDSA"].map((alg) =>
    bad(`alg ${alg} over a valid RS256 signature`, withHeader({ alg, kid: "key-1" })),
  ),
  bad("alg RS256 with the EC key's kid", signedBy(PROVIDER_ES, { alg: "RS256", kid: "ec-1" })),
  bad("alg ES256 with the RSA key's kid", withHeader({ alg: "ES256", kid: "key-1" })),
  bad("a crit header the filter does not understand", withHeader({ ...RS_HEADER, crit: ["exp"] })),
  bad("an empty crit list", withHeader({ ...RS_HEADER, crit: [] })),

  // ---- Keys: unknown, injected, embedded ----
  bad("an unknown kid, signed by an attacker's key", byAttacker({ alg: "RS256", kid: "attacker" })),
  bad("an unknown kid, signed by the provider's key", withHeader({ alg: "RS256", kid: "key-9" })),
  bad("the provider's kid, signed by an attacker's RSA key", byAttacker(RS_HEADER)),
  bad(
    "the provider's EC kid, signed by an attacker's EC key",
    signedBy(es256(ATTACKER_EC.privateKey)),
  ),
  bad("no kid, signed by an attacker's RSA key", byAttacker({ alg: "RS256" })),
  ...[
    "../../../../etc/passwd",
    "' OR '1'='1",
    "key-1\u0000",
    "key-1 ",
    "KEY-1",
    " key-1",
    'key-1" ,"x":"',
    "k".repeat(10000),
  ].map((kid) =>
    bad(
      `kid injection ${JSON.stringify(kid.slice(0, 24))}, attacker's key`,
      byAttacker({ alg: "RS256", kid }),
    ),
  ),
  bad("kid as an object, attacker's key", byAttacker({ alg: "RS256", kid: { $ne: "" } })),
  bad("kid as a list, attacker's key", byAttacker({ alg: "RS256", kid: ["key-1"] })),
  bad(
    "an embedded jwk of the attacker's key",
    byAttacker({ alg: "RS256", jwk: ATTACKER_RSA.publicKey.export({ format: "jwk" }) }),
  ),
  bad(
    "an embedded jwk of the attacker's key with the provider's kid",
    byAttacker({
      ...RS_HEADER,
      jwk: { ...ATTACKER_RSA.publicKey.export({ format: "jwk" }), kid: "key-1" },
    }),
  ),
  bad(
    "a jku pointing at the attacker's key set",
    byAttacker({ alg: "RS256", kid: "a", jku: "https://evil.example/keys" }),
  ),
  bad(
    "an x5u pointing at the attacker's certificate",
    byAttacker({ alg: "RS256", x5u: "https://evil.example/cert" }),
  ),
  bad(
    "an x5c with the attacker's key",
    byAttacker({
      alg: "RS256",
      x5c: [ATTACKER_RSA.publicKey.export({ format: "der", type: "spki" }).toString("base64")],
    }),
  ),

  // ---- Claims ----
  bad("another issuer", valid({ iss: "https://evil.example" })),
  bad("the issuer with a trailing slash", valid({ iss: `${ISSUER}/` })),
  bad("the issuer over http", valid({ iss: ISSUER.replace("https:", "http:") })),
  bad("the issuer in upper case", valid({ iss: ISSUER.toUpperCase() })),
  bad("no issuer", valid({ iss: undefined })),
  bad("the issuer as a list", valid({ iss: [ISSUER] })),
  bad("another audience", valid({ aud: "someone-else" })),
  bad("no audience", valid({ aud: undefined })),
  bad("an empty audience", valid({ aud: "" })),
  bad("the audience in upper case", valid({ aud: CLIENT_ID.toUpperCase() })),
  bad("an audience list without this client", valid({ aud: ["other", "third"] })),
  bad("two audiences and no azp", valid({ aud: [CLIENT_ID, "other"] })),
  bad("two audiences and azp another client", valid({ aud: [CLIENT_ID, "other"], azp: "other" })),
  bad("one audience and azp another client", valid({ azp: "other" })),
  bad("azp null", valid({ azp: null })),
  bad("the audience as a number", valid({ aud: 1 })),
  badNonce("another nonce", (n) => valid({ nonce: `${n}x` })(n)),
  badNonce("no nonce", valid({ nonce: undefined })),
  badNonce("a numeric nonce", valid({ nonce: 1 })),
  badNonce("the nonce in a list", (n) => valid({ nonce: [n] })(n)),
  bad("expired 61 seconds ago", valid({ exp: NOW - 61 })),
  bad("expired a day ago", valid({ exp: NOW - 86400 })),
  bad("no exp", valid({ exp: undefined })),
  bad("exp as a string", valid({ exp: String(NOW + 300) })),
  bad("exp as a fraction", valid({ exp: NOW + 300.5 })),
  bad("exp of 1e20 (beyond i64)", rawMember("exp", "1e20")),
  bad("exp of 1e400 (beyond f64)", rawMember("exp", "1e400")),
  bad("exp of 2^63 (i64 overflow)", rawMember("exp", "9223372036854775808")),
  bad(
    "exp of i64 max (exp + skew overflows: refused, failing closed)",
    rawMember("exp", "9223372036854775807"),
  ),
  bad("exp true", valid({ exp: true })),
  bad("issued 61 seconds in the future", valid({ iat: NOW + 61 })),
  bad("no iat", valid({ iat: undefined })),
  bad("iat as a string", valid({ iat: String(NOW) })),
  bad(
    "iat of i64 min (the reader's no-integer value: refused)",
    rawMember("iat", "-9223372036854775808"),
  ),
  bad("not valid before 61 seconds from now", valid({ nbf: NOW + 61 })),
  bad("nbf as a string", valid({ nbf: String(NOW) })),
  bad("nbf null", valid({ nbf: null })),
  bad("no subject", valid({ sub: undefined })),
  bad("an empty subject", valid({ sub: "" })),
  bad("a numeric subject", valid({ sub: 42 })),
  bad("duplicate sub claims (JSON with a repeated key)", (n) =>
    jwt(RS_HEADER, JSON.stringify(claims(n)).replace("{", '{"sub":"mallory",'), PROVIDER_RS),
  ),
  bad("a duplicate alg in the header", withHeader('{"alg":"none","alg":"RS256","kid":"key-1"}')),

  // ---- Signatures ----
  bad(
    "one byte of the signature flipped",
    reshaped((h, p, s) => `${h}.${p}.${flipLast(s.slice(0, 20)) + s.slice(20)}`),
  ),
  bad(
    "the signature cut by one byte",
    reshaped((h, p, s) => `${h}.${p}.${B64(Buffer.from(s, "base64url").subarray(1))}`),
  ),
  bad(
    "the signature extended by a zero byte",
    reshaped(
      (h, p, s) =>
        `${h}.${p}.${B64(Buffer.concat([Buffer.from(s, "base64url"), Buffer.alloc(1)]))}`,
    ),
  ),
  bad(
    "a leading zero byte before the RSA signature",
    reshaped(
      (h, p, s) =>
        `${h}.${p}.${B64(Buffer.concat([Buffer.alloc(1), Buffer.from(s, "base64url")]))}`,
    ),
  ),
  bad(
    "an empty signature",
    reshaped((h, p) => `${h}.${p}.`),
  ),
  bad(
    "an RSA signature of zeros",
    signedBy(() => Buffer.alloc(256), RS_HEADER),
  ),
  bad(
    "an RSA signature equal to the modulus",
    signedBy(() => modulus(), RS_HEADER),
  ),
  bad(
    "an RSA signature of ones (0xFF...)",
    signedBy(() => Buffer.alloc(256, 0xff), RS_HEADER),
  ),
  bad(
    "an RSA signature of one",
    signedBy(() => Buffer.concat([Buffer.alloc(255), Buffer.from([1])]), RS_HEADER),
  ),
  bad("the claims changed to mallory under the original signature", (n) => {
    const [h, , s] = parts(valid()(n));
    return `${h}.${B64(JSON.stringify(claims(n, { sub: "mallory" })))}.${s}`;
  }),
  bad(
    "the header changed under the original signature",
    reshaped((_, p, s) => `${B64(JSON.stringify({ ...RS_HEADER, typ: "at+jwt" }))}.${p}.${s}`),
  ),
  bad("the signature padded with =", (n) => `${valid()(n)}==`),
  bad(
    "the signature in the standard base64 alphabet",
    reshaped((h, p, s) => {
      const std = s.replaceAll("-", "+").replaceAll("_", "/");
      return `${h}.${p}.${std === s ? `${s.slice(0, -1)}+` : std}`;
    }),
  ),
  bad("an ES256 signature in DER form", signedBy(es256Der(PROVIDER.ec.privateKey))),
  bad(
    "an ES256 signature with s + n",
    signedBy((input) => {
      const sig = PROVIDER_ES(input);
      const s =
        BigInt(`0x${sig.subarray(32).toString("hex")}`) + BigInt(`0x${P256_N.toString("hex")}`);
      const wide = Buffer.from(s.toString(16).padStart(66, "0"), "hex").subarray(-32);
      return Buffer.concat([sig.subarray(0, 32), wide]);
    }),
  ),
  bad(
    "an ES256 signature with r = s = 0",
    signedBy(() => Buffer.alloc(64)),
  ),
  bad(
    "an ES256 signature with r = s = n",
    signedBy(() => Buffer.concat([P256_N, P256_N])),
  ),
  bad(
    "an ES256 signature of 63 bytes",
    signedBy((i) => PROVIDER_ES(i).subarray(1)),
  ),
  bad(
    "an ES256 signature with r and s swapped",
    signedBy((i) => {
      const sig = PROVIDER_ES(i);
      return Buffer.concat([sig.subarray(32), sig.subarray(0, 32)]);
    }),
  ),
  bad(
    "the signature of another token",
    (n) => `${parts(valid()(n)).slice(0, 2).join(".")}.${parts(valid({ sub: "bob" })(n))[2]}`,
  ),

  // ---- Malformed compact forms ----
  bad("an empty token", () => ""),
  bad("two segments", (n) => parts(valid()(n)).slice(0, 2).join(".")),
  bad("four segments", (n) => `${valid()(n)}.AAAA`),
  bad("a single dot", () => "."),
  bad("two dots", () => ".."),
  bad("three dots", () => "..."),
  bad("a header that is not JSON", withHeader("not json")),
  bad("a header that is a JSON list", withHeader('["RS256"]')),
  bad("a header that is a JSON string", withHeader('"RS256"')),
  bad("claims that are not JSON", () => jwt(RS_HEADER, "not json", PROVIDER_RS)),
  bad("claims that are a JSON list", (n) =>
    jwt(RS_HEADER, JSON.stringify([claims(n)]), PROVIDER_RS),
  ),
  bad("claims with a byte order mark", (n) =>
    jwt(RS_HEADER, `\ufeff${JSON.stringify(claims(n))}`, PROVIDER_RS),
  ),
  bad("claims with trailing garbage after the JSON", (n) =>
    jwt(RS_HEADER, `${JSON.stringify(claims(n))}x`, PROVIDER_RS),
  ),
  bad("claims nested 10,000 levels deep", (n) =>
    jwt(
      RS_HEADER,
      JSON.stringify(claims(n)).replace("{", `{"x":${"[".repeat(10000)}${"]".repeat(10000)},`),
      PROVIDER_RS,
    ),
  ),
  bad("claims with invalid UTF-8", (n) => {
    const text = JSON.stringify(claims(n)).slice(0, -1);
    const body = Buffer.concat([Buffer.from(text), Buffer.from(',"x":"\xff"}', "latin1")]);
    const input = `${B64(JSON.stringify(RS_HEADER))}.${B64(body)}`;
    return `${input}.${B64(PROVIDER_RS(input))}`;
  }),
  bad("claims with a lone surrogate escape", (n) =>
    jwt(RS_HEADER, JSON.stringify(claims(n)).replace("{", '{"x":"\\ud800",'), PROVIDER_RS),
  ),
  bad(
    "a header segment with = padding",
    reshaped((h, p, s) => `${h}=.${p}.${s}`),
  ),
  bad(
    "a claims segment in the standard alphabet",
    reshaped((h, p, s) => {
      const std = p.replaceAll("-", "+").replaceAll("_", "/");
      return `${h}.${std === p ? `${p}+` : std}.${s}`;
    }),
  ),
  bad("a space inside the token", (n) => valid()(n).replace(/^(.{30})/, "$1 ")),
  bad("a NUL inside the token", (n) => valid()(n).replace(/^(.{30})/, "$1\u0000")),
  bad("a 20,000-character token", valid({ pad: "p".repeat(15000) })),
  bad("the token in JSON quotes", (n) => `"${valid()(n)}"`),
];

// ---- Running each token both ways ----
const WITH_BEARER = { config: { accept_bearer_tokens: true } };

function asLogin(make: TokenCase["make"]) {
  return (f: FilterUnderTest) => {
    const login = beginLogin(f);
    const stream = callback(f, `code=c&state=${login.state}`, login.flowCookie);
    answerIdToken(f, make(login.nonce));
    answerKeyFetches(f); // an unknown kid makes the filter fetch the keys once more
    return stream;
  };
}

function asBearer(make: TokenCase["make"], refused: boolean) {
  return (f: FilterUnderTest) => {
    const stream = get(f, "/api/x", {
      ...API,
      headers: [["authorization", `Bearer ${make("any-nonce")}`]],
    });
    if (refused) {
      const challenge = header(stream.getLocalResponse()?.headers, "www-authenticate") ?? "";
      assert.match(challenge, /invalid_token/, "a refused bearer token is named invalid_token");
    }
    assert.equal(f.emu.getPendingCallouts().length, 0, "a bearer token makes no callout");
    return stream;
  };
}

const cases: HostileCase[] = [];
for (const t of T) {
  const loginExpect: Expected =
    t.login === "ok" ? { status: 302, login: true, location: "/api/x" } : { status: 403 };
  cases.push({ name: `as ID token, ${t.name}`, expect: loginExpect, run: asLogin(t.make) });
  const bearer = t.bearer ?? t.login;
  if (t.name === "an empty token") continue; // "Bearer " alone is no bearer token: see below
  cases.push({
    name: `as bearer token, ${t.name}`,
    setup: WITH_BEARER,
    expect: bearer === "ok" ? { status: "pass", user: "alice" } : { status: 401 },
    run: asBearer(t.make, bearer === "refused"),
  });
}

// ---- The Authorization header itself ----
const bearerWith =
  (value: string | string[], options = API) =>
  (f: FilterUnderTest) =>
    get(f, "/api/x", {
      ...options,
      headers: [value].flat().map((v): [string, string] => ["authorization", v]),
    });
const token = () => valid()("n");
const HEADER_CASES: [string, Expected, HostileCase["run"], HostileCase["setup"]?][] = [
  ["Authorization: Bearer with nothing after it", { status: 401 }, bearerWith("Bearer ")],
  [
    "Authorization: bearer in lower case",
    { status: "pass", user: "alice" },
    (f) => bearerWith(`bearer ${token()}`)(f),
  ],
  [
    "Authorization: BEARER in upper case",
    { status: "pass", user: "alice" },
    (f) => bearerWith(`BEARER ${token()}`)(f),
  ],
  [
    "Authorization: Bearer with two spaces",
    { status: "pass", user: "alice" },
    (f) => bearerWith(`Bearer  ${token()}`)(f),
  ],
  [
    "Authorization: Basic with a valid JWT",
    { status: 401 },
    (f) => bearerWith(`Basic ${token()}`)(f),
  ],
  [
    "Authorization: Bearer with a token and more words",
    { status: 401 },
    (f) => bearerWith(`Bearer ${token()} extra`)(f),
  ],
  [
    "two Authorization headers, garbage first",
    { status: 401 },
    (f) => bearerWith(["Bearer x.y.z", `Bearer ${token()}`])(f),
  ],
  [
    "a valid bearer token from a browser",
    { status: "pass", user: "alice" },
    (f) => bearerWith(`Bearer ${token()}`, {})(f),
  ],
  [
    "an invalid bearer token from a browser",
    { status: 401 },
    (f) => bearerWith("Bearer x.y.z", {})(f),
  ],
  [
    "a valid bearer token with bob's valid session: the session wins",
    { status: "pass", user: "bob" },
    (f) =>
      get(f, "/api/x", {
        ...API,
        cookie: sessionOf("bob"),
        headers: [["authorization", `Bearer ${token()}`]],
      }),
  ],
  [
    "a valid bearer token with a forged session",
    { status: "pass", user: "alice" },
    (f) =>
      get(f, "/api/x", {
        ...API,
        cookie: "_oidc_session=1.AAAA.BBBB",
        headers: [["authorization", `Bearer ${token()}`]],
      }),
  ],
  [
    "a bearer token on a public path adds no identity",
    { status: "pass" },
    (f) => get(f, "/productpage", { ...API, headers: [["authorization", `Bearer ${token()}`]] }),
  ],
];
for (const [name, expect, run] of HEADER_CASES)
  cases.push({ name, expect, run, setup: WITH_BEARER });
cases.push({
  name: "a valid bearer token while bearer tokens are not enabled",
  expect: { status: 401 },
  run: (f) => {
    const stream = bearerWith(`Bearer ${token()}`)(f);
    assert.doesNotMatch(
      header(stream.getLocalResponse()?.headers, "www-authenticate")!,
      /invalid_token/,
    );
    return stream;
  },
});
cases.push({
  name: "a valid bearer token before the provider's keys are loaded",
  expect: { status: 503 },
  setup: { ...WITH_BEARER, undiscovered: true },
  run: (f) => bearerWith(`Bearer ${token()}`)(f),
});
cases.push({
  name: "a login whose unknown kid makes one key fetch, which brings the key",
  expect: { status: 302, login: true, location: "/api/x" },
  run: (f) => {
    const login = beginLogin(f);
    const stream = callback(f, `code=c&state=${login.state}`, login.flowCookie);
    answerIdToken(
      f,
      jwt({ alg: "RS256", kid: "rotated" }, claims(login.nonce), rs256(ATTACKER_RSA.privateKey)),
    );
    const keys = JSON.stringify({
      keys: [
        {
          ...ATTACKER_RSA.publicKey.export({ format: "jwk" }),
          kid: "rotated",
          alg: "RS256",
          use: "sig",
        },
      ],
    });
    answerCallout(f.emu, "/keys", 200, keys);
    return stream;
  },
});

runCases(tally, "token", cases);
