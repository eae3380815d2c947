// ID token validation (OpenID Connect Core §3.1.3.7). The token is a JWS in compact form
// (RFC 7515 §7.1); only RS256 and ES256 are accepted (RFC 7518 §3.1): never `none`, never an
// HMAC algorithm, whose key an attacker could take from the public key set.
import { JsonObject, JsonParser, JSON_NO_INTEGER } from "../codec/json";
import { base64UrlDecode } from "../codec/base64";
import { sha256 } from "../crypto/sha256";
import { verifyRsaPkcs1Sha256 } from "../crypto/rsa";
import { verifyEcdsaP256Sha256 } from "../crypto/ecdsa";
import { constantTimeEqualText } from "../crypto/ct";
import { Jwk, KeySet, KeyType } from "./jwks";

const MAX_TOKEN_LENGTH = 16384;

/** What the ID token must say, and the clock to judge it by. */
export class IdTokenExpectations {
  issuer: string = "";
  clientId: string = "";
  nonce: string = "";
  /** Now, in seconds since the Unix epoch. */
  now: i64 = 0;
  /** Tolerated clock difference with the provider, in seconds. */
  skew: i64 = 60;
  /**
   * Whether the token must carry `nonce`: yes after a login; no for a refreshed ID token
   * (Core §12.2) or a bearer token, which have no login flow to compare it with.
   */
  requireNonce: bool = true;
}

export enum IdTokenError {
  None,
  Malformed,
  Algorithm,
  UnknownKey,
  Signature,
  Issuer,
  Audience,
  Expired,
  IssuedInFuture,
  NotYetValid,
  Nonce,
  Subject,
}

export class IdTokenResult {
  constructor(
    public error: IdTokenError,
    public claims: JsonObject | null,
    /** The `kid` of the token when it named a key the set does not have. */
    public unknownKid: string = "",
  ) {}

  get ok(): bool {
    return this.error == IdTokenError.None;
  }
}

export function idTokenErrorText(error: IdTokenError): string {
  switch (error) {
    case IdTokenError.Malformed: return "malformed token";
    case IdTokenError.Algorithm: return "algorithm not allowed";
    case IdTokenError.UnknownKey: return "no key for the token";
    case IdTokenError.Signature: return "bad signature";
    case IdTokenError.Issuer: return "wrong issuer";
    case IdTokenError.Audience: return "wrong audience or authorized party";
    case IdTokenError.Expired: return "expired";
    case IdTokenError.IssuedInFuture: return "issued in the future";
    case IdTokenError.NotYetValid: return "not yet valid";
    case IdTokenError.Nonce: return "nonce mismatch";
    case IdTokenError.Subject: return "no subject";
    default: return "valid";
  }
}

function fail(error: IdTokenError): IdTokenResult {
  return new IdTokenResult(error, null);
}

function decodeObject(token: string, start: i32, end: i32): JsonObject | null {
  const bytes = base64UrlDecode(token, start, end);
  return bytes !== null ? new JsonParser(MAX_TOKEN_LENGTH).parseObject(bytes) : null;
}

function verifyWith(key: Jwk, digest: Uint8Array, signature: Uint8Array): bool {
  if (key.type == KeyType.EcP256) return verifyEcdsaP256Sha256(key.x, key.y, digest, signature);
  return verifyRsaPkcs1Sha256(key.n, key.e, digest, signature);
}

/** Validates an ID token's form, signature and claims; the claims when it is valid. */
export function verifyIdToken(
  token: string, keys: KeySet, expect: IdTokenExpectations,
): IdTokenResult {
  if (token.length > MAX_TOKEN_LENGTH) return fail(IdTokenError.Malformed);
  const first = token.indexOf(".");
  const second = first < 0 ? -1 : token.indexOf(".", first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf(".", second + 1) >= 0) {
    return fail(IdTokenError.Malformed);
  }
  const header = decodeObject(token, 0, first);
  const claims = decodeObject(token, first + 1, second);
  const signature = base64UrlDecode(token, second + 1);
  if (header === null || claims === null || signature === null) {
    return fail(IdTokenError.Malformed);
  }
  const alg = header.getString("alg");
  // RFC 7515 §4.1.11: extensions this filter does not understand must be refused.
  if (alg === null || (alg != "RS256" && alg != "ES256") || header.has("crit")) {
    return fail(IdTokenError.Algorithm);
  }
  const kid = header.getString("kid");
  const candidates = keys.candidates(kid, alg);
  if (candidates.length == 0) {
    return new IdTokenResult(IdTokenError.UnknownKey, null, kid === null ? "" : kid);
  }
  const digest = sha256(Uint8Array.wrap(String.UTF8.encode(token.substring(0, second))));
  let verified = false;
  for (let i = 0; i < candidates.length && !verified; i++) {
    verified = verifyWith(candidates[i], digest, signature);
  }
  if (!verified) return fail(IdTokenError.Signature);
  return checkClaims(claims, expect);
}

function checkAudience(claims: JsonObject, clientId: string): bool {
  const single = claims.getString("aud");
  let audiences: Array<string> | null = null;
  if (single !== null) audiences = [single];
  else {
    const list = claims.getArray("aud");
    if (list !== null) audiences = list.strings();
  }
  if (audiences === null || !audiences.includes(clientId)) return false;
  // Core §3.1.3.7 items 4 and 5: with several audiences, azp must be this client; when azp
  // is present it must be this client in any case.
  const azp = claims.getString("azp");
  if (claims.has("azp") && (azp === null || azp != clientId)) return false;
  return audiences.length == 1 || azp !== null;
}

function checkClaims(claims: JsonObject, expect: IdTokenExpectations): IdTokenResult {
  const iss = claims.getString("iss");
  if (iss === null || iss != expect.issuer) return fail(IdTokenError.Issuer);
  if (!checkAudience(claims, expect.clientId)) return fail(IdTokenError.Audience);
  const exp = claims.getInteger("exp");
  if (exp == JSON_NO_INTEGER || exp + expect.skew <= expect.now) return fail(IdTokenError.Expired);
  const iat = claims.getInteger("iat");
  if (iat == JSON_NO_INTEGER || iat > expect.now + expect.skew) {
    return fail(IdTokenError.IssuedInFuture);
  }
  if (claims.has("nbf")) {
    const nbf = claims.getInteger("nbf");
    if (nbf == JSON_NO_INTEGER || nbf > expect.now + expect.skew) {
      return fail(IdTokenError.NotYetValid);
    }
  }
  if (expect.requireNonce) {
    const nonce = claims.getString("nonce");
    if (nonce === null || !constantTimeEqualText(nonce, expect.nonce)) return fail(IdTokenError.Nonce);
  }
  const sub = claims.getString("sub");
  if (sub === null || sub.length == 0) return fail(IdTokenError.Subject);
  return new IdTokenResult(IdTokenError.None, claims);
}
