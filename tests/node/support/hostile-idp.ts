// A provider for the fault and load tests: oidc-provider with the settings of the demo
// provider (host/cli/idp.ts, sharedSettings) and what those tests need and the demo provider does not offer: any
// number of users ("user-0", "user-1", ...: a login name is its own subject), storage that
// never evicts (the library's default memory store keeps about a thousand entries, fewer
// than two hundred concurrent logins create), several gateways as registered clients'
// callbacks, and key rotation while it runs (a new key with a new `kid` first, the old one
// still published).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync } from "node:crypto";
import Provider, {
  type Adapter,
  type AdapterPayload,
  type Configuration,
  type KoaContextWithOIDC,
} from "oidc-provider";
import { sharedSettings } from "../../../host/cli/idp.ts";

export const USER_PATTERN = /^(user-\d{1,6}|alice|bob)$/;

export interface TestIdpOptions {
  /** Port to listen on; 0 (default) picks one. A fixed port lets a gateway know it first. */
  port?: number;
  clientId: string;
  clientSecret: string;
  /** Base URLs of the gateways (each gets `<base>/oauth2/callback` and `<base>/`). */
  gateways: string[];
}

export interface TestIdp {
  issuer: string;
  port: number;
  /** The `kid`s published, newest first. */
  kids(): string[];
  /** Publishes a new signing key (signing with it from now on), keeping the old ones. */
  rotateKeys(): void;
  /** Requests served, by path (for checking what the gateway asked). */
  hits: Map<string, number>;
  close(): Promise<void>;
}

// ---- Storage that keeps everything until it expires ----

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

const stores = new Map<string, Map<string, Entry>>();

class KeepingAdapter implements Adapter {
  private readonly entries: Map<string, Entry>;

  constructor(model: string) {
    let entries = stores.get(model);
    if (!entries) stores.set(model, (entries = new Map()));
    this.entries = entries;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.entries.set(id, { payload, expiresAt: Date.now() + expiresIn * 1000 });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const [id, entry] of this.entries) if (entry.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const [id, entry] of this.entries)
      if (entry.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, entry] of this.entries)
      if (entry.payload.grantId === grantId) this.entries.delete(id);
  }
}

function findAccount(_ctx: KoaContextWithOIDC, id: string) {
  if (!USER_PATTERN.test(id)) return undefined;
  return {
    accountId: id,
    claims: async () => ({
      sub: id,
      email: `${id}@example.com`,
      email_verified: true,
      name: id,
      preferred_username: id,
      groups: ["users"],
    }),
  };
}

function rsaKey(kid: string): object {
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
    format: "jwk",
  });
  return { ...jwk, kid, use: "sig", alg: "RS256" };
}

function configuration(options: TestIdpOptions, keys: object[]): Configuration {
  return {
    adapter: KeepingAdapter,
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.gateways.map((g) => `${g}/oauth2/callback`),
        post_logout_redirect_uris: options.gateways.map((g) => `${g}/`),
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: keys as never },
    findAccount: findAccount as never,
    ...sharedSettings(),
    ttl: { AccessToken: 3600, IdToken: 3600, Session: 3600, Interaction: 3600, Grant: 3600 },
    cookies: { keys: ["test-idp-cookie-key-not-a-secret"] },
  };
}

/** Starts the provider on 127.0.0.1. */
export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  let keys: (object & { kid: string })[] = [rsaKey("rsa-1") as object & { kid: string }];
  let provider = new Provider(issuer, configuration(options, keys));
  let handler = provider.callback();
  const hits = new Map<string, number>();
  server.on("request", (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handler(req, res);
  });
  return {
    issuer,
    port,
    hits,
    kids: () => keys.map((k) => k.kid),
    rotateKeys: () => {
      keys = [rsaKey(`rsa-${keys.length + 1}`) as object & { kid: string }, ...keys];
      provider = new Provider(issuer, configuration(options, keys));
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
