// Exposes the filter's OpenID Connect checks to Node tests: ID-token validation against a
// JWK Set, discovery documents and token responses, each reduced to a code or a string.
import { parseKeySet } from "../../assembly/oidc/jwks";
import { IdTokenExpectations, verifyIdToken } from "../../assembly/oidc/jwt";
import { parseDiscovery } from "../../assembly/oidc/discovery";
import { parseTokenResponse } from "../../assembly/oidc/token";
import { codeChallenge } from "../../assembly/oidc/pkce";

/** The IdTokenError code (0: valid), or -1 when the key set does not parse. */
export function verifyToken(
  token: string, jwks: string, issuer: string, clientId: string, nonce: string, now: i64,
): i32 {
  const keys = parseKeySet(Uint8Array.wrap(String.UTF8.encode(jwks)));
  if (keys === null) return -1;
  const expect = new IdTokenExpectations();
  expect.issuer = issuer;
  expect.clientId = clientId;
  expect.nonce = nonce;
  expect.now = now;
  return verifyIdToken(token, keys, expect).error;
}

/** The number of usable keys in a JWK Set, or -1 when it is not one. */
export function countKeys(jwks: string): i32 {
  const keys = parseKeySet(Uint8Array.wrap(String.UTF8.encode(jwks)));
  return keys === null ? -1 : keys.keys.length;
}

/** "token endpoint URL" of an accepted discovery document, or "error: ..." when refused. */
export function discover(document: string, issuer: string): string {
  const result = parseDiscovery(Uint8Array.wrap(String.UTF8.encode(document)), issuer);
  if (result.metadata === null) return "error: " + result.error;
  return result.metadata!.token.toString();
}

/** "access|id|refresh|expiresIn" of an accepted token response, or "error: ...". */
export function tokenResponse(status: u32, body: string): string {
  const result = parseTokenResponse(status, Uint8Array.wrap(String.UTF8.encode(body)), true);
  if (result.response === null) return "error: " + result.error;
  const r = result.response!;
  return r.accessToken + "|" + r.idToken + "|" + r.refreshToken + "|" + r.expiresIn.toString();
}

export function challenge(verifier: string): string {
  return codeChallenge(verifier);
}
