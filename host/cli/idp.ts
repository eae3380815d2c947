// A local OpenID provider for the demo and the tests: `oidc-provider` (an OpenID Certified
// implementation) with its development login page, two demo users and one client.
// Any password is accepted for a demo user; unknown user names are refused.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export interface DemoUser {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

export const DEMO_USERS: Record<string, DemoUser> = {
  alice: { sub: "alice", email: "alice@example.com", name: "Alice Example", groups: ["admins", "users"] },
  bob: { sub: "bob", email: "bob@example.com", name: "Bob Example", groups: ["users"] },
};

export interface IdpOptions {
  port?: number;
  clientId: string;
  clientSecret: string;
  /** Callback URLs of the gateway(s) the client may use. */
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Signing algorithm of ID tokens for the client (RS256 by default, or ES256). */
  idTokenAlg?: "RS256" | "ES256";
  /** Lifetimes in seconds. */
  accessTokenTtl?: number;
  idTokenTtl?: number;
}

export interface Idp {
  issuer: string;
  port: number;
  provider: Provider;
  close(): Promise<void>;
}

function findAccount(_ctx: KoaContextWithOIDC, id: string) {
  const user = DEMO_USERS[id];
  if (!user) return undefined;
  return {
    accountId: id,
    claims: async () => ({
      sub: user.sub,
      email: user.email,
      email_verified: true,
      name: user.name,
      preferred_username: id,
      groups: user.groups,
    }),
  };
}

/**
 * What the demo provider and the tests' provider (tests/node/support/hostile-idp.ts) set
 * alike: the claims of each scope, put into the ID token as most providers do (not only into
 * userinfo), the development login page, RP-initiated logout, and consent granted without a
 * second page (the client is first-party).
 */
export function sharedSettings(): Configuration {
  return {
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
      groups: ["groups"],
    },
    scopes: ["openid", "offline_access", "email", "profile", "groups"],
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope("openid email profile groups offline_access");
      await grant.save();
      return grant;
    },
  };
}

function configuration(options: IdpOptions, keys: object[]): Configuration {
  return {
    clients: [{
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: options.redirectUris,
      post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      id_token_signed_response_alg: options.idTokenAlg ?? "RS256",
    }],
    jwks: { keys: keys as never },
    findAccount: findAccount as never,
    ...sharedSettings(),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      IdToken: options.idTokenTtl ?? 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    cookies: { keys: ["demo-idp-cookie-key-not-a-secret"] },
  };
}

async function signingKeys(): Promise<object[]> {
  const { generateKeyPairSync } = await import("node:crypto");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  return [
    { ...rsa, kid: "demo-rs256", use: "sig", alg: "RS256" },
    { ...ec, kid: "demo-es256", use: "sig", alg: "ES256" },
  ];
}

/** Starts the provider on 127.0.0.1 (port 0: any free port). */
export async function startIdp(options: IdpOptions): Promise<Idp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration(options, await signingKeys()));
  server.on("request", provider.callback());
  return {
    issuer,
    port,
    provider,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
