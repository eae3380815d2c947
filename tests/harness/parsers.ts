// Exposes every parser and decoder the filter runs on client or provider bytes to the
// property tests (tests/node/property-*.test.ts), each reduced to a string, a number or
// bytes: cookies, paths, query strings, JSON, JWTs and key sets, base64, sealed cookie
// values and the records inside them, header maps and the request view built on them, the
// session lookup, redirect targets, URLs, authorities, rule patterns and configurations.
// A call that traps throws in Node: that is the failure the tests look for first.
import { HeaderMapView, HeaderPair, serializeHeaders } from "../../assembly/abi/headers";
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
} from "../../assembly/codec/base64";
import { JsonParser } from "../../assembly/codec/json";
import { formEncode, parseQuery, QueryParam } from "../../assembly/codec/percent";
import { parseConfig } from "../../assembly/config/config";
import { parseDuration } from "../../assembly/config/duration";
import { parseCookieHeader } from "../../assembly/http/cookies";
import { isSafeLocalTarget } from "../../assembly/http/redirect";
import { isPlainAuthority, parseUrl } from "../../assembly/http/url";
import { parseDiscovery } from "../../assembly/oidc/discovery";
import { KeySet, parseKeySet } from "../../assembly/oidc/jwks";
import { IdTokenExpectations, verifyIdToken } from "../../assembly/oidc/jwt";
import { parseTokenResponse } from "../../assembly/oidc/token";
import { normalizePath, normalizePathBytes } from "../../assembly/rules/path";
import { parseHostPattern, parsePathPattern } from "../../assembly/rules/pattern";
import { FlowState } from "../../assembly/session/flow";
import { CookieKeys, sealValue, unsealValue } from "../../assembly/session/sealed";
import { Session } from "../../assembly/session/session";
import { Config } from "../../assembly/config/config";
import { RequestView } from "../../assembly/filter/request";
import { SessionReader, SessionVerdict } from "../../assembly/filter/sessions";
import { bearerToken } from "../../assembly/filter/bearer";

function bytesOf(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

// ---- Cookies ----

/** The cookies of a Cookie header as [name0, value0, name1, value1, ...]. */
export function cookies(header: string): Array<string> {
  const parsed = parseCookieHeader(header);
  const flat = new Array<string>();
  for (let i = 0; i < parsed.length; i++) {
    flat.push(parsed[i].name);
    flat.push(parsed[i].value);
  }
  return flat;
}

// ---- Paths ----

/** The normalized path, or "" when it is unsafe. */
export function pathText(raw: string): string {
  return normalizePath(raw).path;
}

export function pathBytes(raw: Uint8Array): string {
  const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  return normalizePathBytes(copy).path;
}

// ---- Query strings ----

/** The parameters as [name0, value0, ...], or null when the query is refused. */
export function query(text: string): Array<string> | null {
  const params = parseQuery(text);
  if (params === null) return null;
  const flat = new Array<string>();
  for (let i = 0; i < params.length; i++) {
    flat.push(params[i].name);
    flat.push(params[i].value);
  }
  return flat;
}

export function form(names: Array<string>, values: Array<string>): string {
  const pairs = new Array<QueryParam>();
  for (let i = 0; i < names.length && i < values.length; i++)
    pairs.push(new QueryParam(names[i], values[i]));
  return formEncode(pairs);
}

// ---- JSON ----

/** 1 for a document the parser accepts, 0 for one it refuses (with the default limits). */
export function jsonAccepts(bytes: Uint8Array): i32 {
  return new JsonParser().parse(bytes) !== null ? 1 : 0;
}

/** The top-level object's member names, one a line, or null when it is not an object. */
export function jsonObjectKeys(bytes: Uint8Array): string | null {
  const object = new JsonParser().parseObject(bytes);
  return object !== null ? object.keys.join("\n") : null;
}

// ---- Base64 ----

export function b64UrlDecode(text: string): Uint8Array | null {
  return base64UrlDecode(text);
}

export function b64Decode(text: string): Uint8Array | null {
  return base64Decode(text);
}

export function b64UrlEncode(bytes: Uint8Array): string {
  return base64UrlEncode(bytes);
}

export function b64Encode(bytes: Uint8Array): string {
  return base64Encode(bytes);
}

// ---- JWTs and the provider's documents ----

let keySetText = "";
let keySet: KeySet | null = null;

/** The IdTokenError code of `token` against the key set (0: valid); -1 for a bad key set. */
export function jwtVerify(
  token: string,
  jwks: string,
  issuer: string,
  clientId: string,
  nonce: string,
  now: i64,
  requireNonce: bool,
): i32 {
  if (jwks != keySetText) {
    keySet = parseKeySet(bytesOf(jwks));
    keySetText = jwks;
  }
  const keys = keySet;
  if (keys === null) return -1;
  const expect = new IdTokenExpectations();
  expect.issuer = issuer;
  expect.clientId = clientId;
  expect.nonce = nonce;
  expect.now = now;
  expect.requireNonce = requireNonce;
  return verifyIdToken(token, keys, expect).error;
}

/** The number of usable keys, or -1 when the document is not a key set. */
export function keySetSize(bytes: Uint8Array): i32 {
  const keys = parseKeySet(bytes);
  return keys === null ? -1 : keys.keys.length;
}

export function discovery(bytes: Uint8Array, issuer: string): string {
  const result = parseDiscovery(bytes, issuer);
  return result.metadata === null ? "error: " + result.error : result.metadata!.token.toString();
}

export function tokenResponse(status: u32, bytes: Uint8Array, needIdToken: bool): string {
  const result = parseTokenResponse(status, bytes, needIdToken);
  if (result.response === null) return "error: " + result.error;
  const r = result.response!;
  return r.accessToken + "|" + r.idToken + "|" + r.refreshToken + "|" + r.expiresIn.toString();
}

// ---- Sealed values and their records ----

let keyCache: CookieKeys | null = null;
let keySecret: Uint8Array = new Uint8Array(0);

function keysFor(secret: Uint8Array): CookieKeys {
  let same = keyCache !== null && keySecret.length == secret.length;
  for (let i = 0; same && i < secret.length; i++) same = keySecret[i] == secret[i];
  if (!same) {
    keyCache = CookieKeys.derive(secret);
    keySecret = secret.slice(0);
  }
  return keyCache!;
}

export function sealed(
  secret: Uint8Array,
  name: string,
  record: Uint8Array,
  nonce: Uint8Array,
): string | null {
  return sealValue(keysFor(secret), name, record, nonce);
}

export function unsealed(secret: Uint8Array, name: string, value: string): Uint8Array | null {
  return unsealValue(keysFor(secret), name, value);
}

/** A session record decoded and encoded again, or null when it does not decode. */
export function sessionRoundTrip(bytes: Uint8Array): Uint8Array | null {
  const session = Session.decode(bytes);
  return session !== null ? session.encode() : null;
}

export function flowRoundTrip(bytes: Uint8Array): Uint8Array | null {
  const flow = FlowState.decode(bytes);
  return flow !== null ? flow.encode() : null;
}

// ---- Header maps, the request view and the session lookup ----

/** The pairs of a serialized header map as [name0, value0, ...] (empty when malformed). */
export function headerMap(bytes: Uint8Array): Array<string> {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const view = new HeaderMapView(copy);
  const flat = new Array<string>();
  for (let i = 0; i < view.pairs.length; i++) {
    flat.push(view.pairs[i].name);
    flat.push(view.pairs[i].value);
  }
  return flat;
}

export function serializedHeaders(names: Array<string>, values: Array<string>): Uint8Array {
  const pairs = new Array<HeaderPair>();
  for (let i = 0; i < names.length && i < values.length; i++)
    pairs.push(new HeaderPair(names[i], values[i]));
  return Uint8Array.wrap(serializeHeaders(pairs));
}

let reader: SessionReader | null = null;
let readerSecret: Uint8Array = new Uint8Array(0);

/**
 * What the filter reads from a request's header map (serialized bytes): path, origin,
 * browser or not, the cookies, the bearer token, and the session lookup's verdict (with the
 * default configuration and this cookie secret) and subject, one item a line.
 */
export function readRequest(bytes: Uint8Array, secret: Uint8Array, now: i64): string {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const request = new RequestView(new HeaderMapView(copy));
  const config = new Config();
  config.cookieExpire = 7 * 24 * 3600;
  if (reader === null || readerSecret.length != secret.length || readerSecret[0] != secret[0]) {
    reader = new SessionReader(config, [CookieKeys.derive(secret)]);
    readerSecret = secret.slice(0);
  }
  const lookup = reader!.find(request, now);
  const verdict =
    lookup.verdict == SessionVerdict.Valid
      ? "valid"
      : lookup.verdict == SessionVerdict.Rejected
        ? "rejected"
        : "missing";
  const session = lookup.session;
  const bearer = bearerToken(request);
  return [
    request.pathOnly,
    request.origin,
    request.browser ? "browser" : "api",
    request.cookies.length.toString(),
    bearer === null ? "-" : bearer,
    verdict,
    session !== null ? session.subject : "-",
  ].join("\n");
}

// ---- Redirect targets, URLs, authorities ----

export function safeTarget(target: string): bool {
  return isSafeLocalTarget(target);
}

export function url(text: string): string | null {
  const parsed = parseUrl(text);
  return parsed !== null
    ? parsed.scheme + " " + parsed.authority + " " + parsed.pathAndQuery
    : null;
}

export function plainAuthority(authority: string): bool {
  return isPlainAuthority(authority);
}

// ---- Configuration pieces ----

/** "" when the configuration is accepted, else its errors, one a line. */
export function config(bytes: Uint8Array): string {
  const result = parseConfig(bytes);
  return result.config !== null ? "" : result.errors.join("\n");
}

export function duration(text: string): i64 {
  return parseDuration(text);
}

/** "" when the pattern is accepted, else the error. */
export function pathPattern(text: string): string {
  const parsed = parsePathPattern("p", text);
  return parsed.error;
}

export function hostPattern(text: string): string {
  const parsed = parseHostPattern("h", text);
  return parsed.error;
}
