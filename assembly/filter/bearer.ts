// API clients that already hold a token: `Authorization: Bearer <JWT>` is accepted instead of
// a session cookie when the operator enables it and the JWT is signed by the provider for
// this client (RFC 6750 §2.1; signature, issuer, audience and expiry as for an ID token).
import { Config } from "../config/config";
import { KeySet } from "../oidc/jwks";
import { IdTokenExpectations, IdTokenResult, verifyIdToken } from "../oidc/jwt";
import { RequestView } from "./request";
import { asciiLower } from "../http/ascii";

/** The token of an `Authorization: Bearer` header, or null. */
export function bearerToken(request: RequestView): string | null {
  const authorization = request.get("authorization");
  if (authorization === null || authorization.length < 8) return null;
  if (asciiLower(authorization.substring(0, 7)) != "bearer ") return null;
  // trimEnd and trimStart: AssemblyScript's trim() may leave part of a long leading run.
  return authorization.substring(7).trimEnd().trimStart();
}

export function verifyBearer(config: Config, keys: KeySet, token: string, now: i64): IdTokenResult {
  const expect = new IdTokenExpectations();
  expect.issuer = config.issuer;
  expect.clientId = config.clientId;
  expect.now = now;
  expect.requireNonce = false;
  return verifyIdToken(token, keys, expect);
}
