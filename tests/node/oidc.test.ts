// ID-token validation, discovery and token responses, driven from Node with tokens signed by
// node:crypto: every way a token can be wrong must be refused with its own reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import * as oidc from "../../build/test/harness/oidc.js";

// IdTokenError codes (assembly/oidc/jwt.ts).
const E = {
  None: 0, Malformed: 1, Algorithm: 2, UnknownKey: 3, Signature: 4, Issuer: 5, Audience: 6,
  Expired: 7, IssuedInFuture: 8, NotYetValid: 9, Nonce: 10, Subject: 11,
};

const ISSUER = "https://idp.example.com";
const CLIENT = "app";
const NONCE = "n-0S6_WzA2Mj";
const NOW = 1_800_000_000;

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

function jwk(key: KeyObject, kid: string, alg: string): object {
  return { ...key.export({ format: "jwk" }), kid, alg, use: "sig" };
}

const JWKS = JSON.stringify({
  keys: [jwk(rsa.publicKey, "rsa-1", "RS256"), jwk(ec.publicKey, "ec-1", "ES256")],
});

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

interface Claims { [name: string]: unknown }

function claims(overrides: Claims = {}): Claims {
  return {
    iss: ISSUER, sub: "alice", aud: CLIENT, exp: NOW + 300, iat: NOW - 10, nonce: NONCE,
    email: "alice@example.com", ...overrides,
  };
}

function signToken(header: object, body: Claims, key: KeyObject, alg = "RS256"): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(body))}`;
  const signature = alg === "ES256"
    ? sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" })
    : sign("sha256", Buffer.from(input), key);
  return `${input}.${b64url(signature)}`;
}

function rs256(body: Claims = claims(), header: object = { alg: "RS256", kid: "rsa-1" }): string {
  return signToken(header, body, rsa.privateKey);
}

function verify(token: string, nonce = NONCE, now = NOW): number {
  return oidc.verifyToken(token, JWKS, ISSUER, CLIENT, nonce, BigInt(now));
}

test("a valid RS256 ID token is accepted", () => {
  assert.equal(verify(rs256()), E.None);
});

test("a valid ES256 ID token is accepted", () => {
  const token = signToken({ alg: "ES256", kid: "ec-1" }, claims(), ec.privateKey, "ES256");
  assert.equal(verify(token), E.None);
});

test("a token without kid is verified against the keys of its algorithm", () => {
  assert.equal(verify(rs256(claims(), { alg: "RS256" })), E.None);
});

test("alg none is refused", () => {
  const token = `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify(claims()))}.`;
  assert.equal(verify(token), E.Algorithm);
  const withSig = `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify(claims()))}.AA`;
  assert.equal(verify(withSig), E.Algorithm);
});

test("HS256 signed with the provider's public key is refused", () => {
  const header = b64url(JSON.stringify({ alg: "HS256", kid: "rsa-1" }));
  const body = b64url(JSON.stringify(claims()));
  const pem = rsa.publicKey.export({ type: "spki", format: "pem" });
  const mac = createHmac("sha256", pem).update(`${header}.${body}`).digest();
  assert.equal(verify(`${header}.${body}.${b64url(mac)}`), E.Algorithm);
});

test("RS256 header with an EC key id finds no key", () => {
  assert.equal(verify(rs256(claims(), { alg: "RS256", kid: "ec-1" })), E.UnknownKey);
});

test("an unknown kid is reported as such (the filter then refetches the keys)", () => {
  assert.equal(verify(rs256(claims(), { alg: "RS256", kid: "rotated-2" })), E.UnknownKey);
});

test("kid injection attempts find no key", () => {
  for (const kid of ["../../etc/passwd", "rsa-1' OR '1'='1", "rsa-1\u0000", ""]) {
    assert.equal(verify(rs256(claims(), { alg: "RS256", kid })), E.UnknownKey, kid);
  }
});

test("a token signed by another key is refused", () => {
  const token = signToken({ alg: "RS256", kid: "rsa-1" }, claims(), otherRsa.privateKey);
  assert.equal(verify(token), E.Signature);
});

test("a changed payload breaks the signature", () => {
  const [h, , s] = rs256().split(".");
  const forged = `${h}.${b64url(JSON.stringify(claims({ sub: "mallory" })))}.${s}`;
  assert.equal(verify(forged), E.Signature);
});

test("crit headers are refused", () => {
  assert.equal(verify(rs256(claims(), { alg: "RS256", kid: "rsa-1", crit: ["x"] })), E.Algorithm);
});

test("issuer, audience and authorized party are checked", () => {
  assert.equal(verify(rs256(claims({ iss: "https://evil.example" }))), E.Issuer);
  assert.equal(verify(rs256(claims({ iss: ISSUER + "/" }))), E.Issuer);
  assert.equal(verify(rs256(claims({ aud: "other" }))), E.Audience);
  assert.equal(verify(rs256(claims({ aud: [CLIENT, "other"] }))), E.Audience);
  assert.equal(verify(rs256(claims({ aud: [CLIENT, "other"], azp: CLIENT }))), E.None);
  assert.equal(verify(rs256(claims({ aud: [CLIENT] }))), E.None);
  assert.equal(verify(rs256(claims({ azp: "other" }))), E.Audience);
});

test("expiry, issue time and not-before are checked with 60 s of skew", () => {
  assert.equal(verify(rs256(claims({ exp: NOW - 61 }))), E.Expired);
  assert.equal(verify(rs256(claims({ exp: NOW - 30 }))), E.None);
  assert.equal(verify(rs256(claims({ exp: undefined }))), E.Expired);
  assert.equal(verify(rs256(claims({ exp: "soon" }))), E.Expired);
  assert.equal(verify(rs256(claims({ iat: NOW + 120 }))), E.IssuedInFuture);
  assert.equal(verify(rs256(claims({ nbf: NOW + 120 }))), E.NotYetValid);
  assert.equal(verify(rs256(claims({ nbf: NOW }))), E.None);
});

test("the nonce must match the flow's nonce", () => {
  assert.equal(verify(rs256(), "another-nonce"), E.Nonce);
  assert.equal(verify(rs256(claims({ nonce: undefined }))), E.Nonce);
});

test("a token without subject is refused", () => {
  assert.equal(verify(rs256(claims({ sub: "" }))), E.Subject);
});

test("malformed tokens are refused without trapping", () => {
  const good = rs256();
  const cases = [
    "", ".", "..", "a.b", "a.b.c.d", good + ".", `.${good}`, good.replace(/\./, ".."),
    good.slice(0, -3), `${b64url("not json")}.${b64url("{}")}.AA`, good.replace(/^e/, "="),
    "x".repeat(20000),
  ];
  for (const token of cases) assert.notEqual(verify(token), E.None, token.slice(0, 40));
  // duplicate claims in the payload are refused by the JSON reader
  const dup = `${b64url('{"alg":"RS256","kid":"rsa-1"}')}.${b64url('{"sub":"a","sub":"b"}')}.AA`;
  assert.equal(verify(dup), E.Malformed);
});

test("key sets keep only usable signature keys", () => {
  const small = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const set = {
    keys: [
      jwk(rsa.publicKey, "a", "RS256"),
      jwk(small.publicKey, "small", "RS256"),
      { ...jwk(rsa.publicKey, "enc", "RSA-OAEP"), use: "enc" },
      { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
      jwk(ec.publicKey, "b", "ES256"),
    ],
  };
  assert.equal(oidc.countKeys(JSON.stringify(set)), 2);
  assert.equal(oidc.countKeys("{}"), -1);
  assert.equal(oidc.countKeys("not json"), -1);
});

test("discovery documents must name the configured issuer and https endpoints", () => {
  const doc = {
    issuer: ISSUER, authorization_endpoint: `${ISSUER}/auth`, token_endpoint: `${ISSUER}/token`,
    jwks_uri: `${ISSUER}/jwks`,
  };
  assert.equal(oidc.discover(JSON.stringify(doc), ISSUER), `${ISSUER}/token`);
  assert.match(oidc.discover(JSON.stringify({ ...doc, issuer: "https://evil" }), ISSUER), /issuer/);
  assert.match(
    oidc.discover(JSON.stringify({ ...doc, token_endpoint: "http://idp.example.com/t" }), ISSUER),
    /token_endpoint/,
  );
  assert.match(oidc.discover("[]", ISSUER), /^error/);
});

test("token responses are checked before use", () => {
  const ok = { access_token: "at", id_token: "it", refresh_token: "rt", token_type: "Bearer", expires_in: 3600 };
  assert.equal(oidc.tokenResponse(200, JSON.stringify(ok)), "at|it|rt|3600");
  assert.equal(oidc.tokenResponse(200, JSON.stringify({ ...ok, token_type: "bearer" })), "at|it|rt|3600");
  assert.match(oidc.tokenResponse(500, JSON.stringify(ok)), /answered 500/);
  assert.match(oidc.tokenResponse(200, "<html>"), /not a JSON object/);
  assert.match(oidc.tokenResponse(200, JSON.stringify({ ...ok, token_type: "mac" })), /Bearer/);
  assert.match(oidc.tokenResponse(200, JSON.stringify({ ...ok, id_token: undefined })), /id_token/);
  assert.match(oidc.tokenResponse(200, JSON.stringify({ ...ok, expires_in: -1 })), /expires_in/);
});

test("the PKCE challenge is BASE64URL(SHA256(verifier)) (RFC 7636 appendix B)", () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  assert.equal(oidc.challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  assert.equal(oidc.challenge("x"), createHash("sha256").update("x").digest("base64url"));
});
