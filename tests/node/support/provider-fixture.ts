// A provider for emulator tests: its discovery document, signing keys and ID tokens, made with
// node:crypto. The test answers the filter's callouts with these, so every byte the filter
// reads from "the provider" is under the test's control.
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";

export const ISSUER = "https://idp.example.com";
export const CLIENT_ID = "app";
/** Fake values for tests only. */
export const CLIENT_SECRET = "test-client-secret";
export const COOKIE_SECRET = Buffer.alloc(32, 7).toString("base64");

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

export class ProviderFixture {
  readonly rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  readonly ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  kid = "key-1";

  discovery(overrides: Record<string, unknown> = {}): string {
    return JSON.stringify({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/oauth/token`,
      jwks_uri: `${ISSUER}/keys`,
      end_session_endpoint: `${ISSUER}/logout`,
      ...overrides,
    });
  }

  jwks(): string {
    const jwk = (key: KeyObject, kid: string, alg: string) => ({
      ...key.export({ format: "jwk" }), kid, alg, use: "sig",
    });
    return JSON.stringify({
      keys: [jwk(this.rsa.publicKey, this.kid, "RS256"), jwk(this.ec.publicKey, "ec-1", "ES256")],
    });
  }

  idToken(claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const fullHeader = { alg: "RS256", kid: this.kid, typ: "JWT", ...header };
    const input = `${b64url(JSON.stringify(fullHeader))}.${b64url(JSON.stringify(claims))}`;
    const key = fullHeader.alg === "ES256" ? this.ec.privateKey : this.rsa.privateKey;
    const options = fullHeader.alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" as const } : key;
    return `${input}.${b64url(sign("sha256", Buffer.from(input), options))}`;
  }

  /** The claims of a valid ID token for `nonce`, at `nowSeconds`. */
  claims(nonce: string, nowSeconds: number, overrides: Record<string, unknown> = {}) {
    return {
      iss: ISSUER, aud: CLIENT_ID, sub: "alice", email: "alice@example.com",
      preferred_username: "alice", groups: ["admins", "users"], nonce,
      iat: nowSeconds, exp: nowSeconds + 300, ...overrides,
    };
  }

  tokenResponse(idToken: string, extra: Record<string, unknown> = {}): string {
    return JSON.stringify({
      access_token: "access-token-1", token_type: "Bearer", expires_in: 300,
      id_token: idToken, refresh_token: "refresh-token-1", ...extra,
    });
  }
}

/** The filter configuration the emulator tests use (rules added per test). */
export function filterConfig(match: object | undefined, extra: object = {}): object {
  return {
    issuer: ISSUER,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    cookie_secret: COOKIE_SECRET,
    provider: { cluster: "idp" },
    ...(match ? { match } : {}),
    ...extra,
  };
}

export const AUTH_IF_MATCHED = { mode: "auth_if_matched", rules: [{ paths: ["/static/*", "/api/*"] }] };
export const BYPASS_IF_MATCHED = {
  mode: "bypass_if_matched", rules: [{ paths: ["/productpage", "/static/*"] }],
};
