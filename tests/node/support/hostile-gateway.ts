// Real parts for the fault and load tests: gateways (the host's HTTP face running the release
// filter) in front of the sample app, a proxy between a gateway and the provider that can
// misbehave on the token endpoint, a view of each gateway VM's linear memory, and a scripted
// login through the provider's real login page.
import assert from "node:assert/strict";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { startGateway, type Gateway } from "../../../host/gateway.ts";
import { freePort } from "../../../host/cli/stack.ts";
import { RELEASE_WASM } from "./filter-harness.ts";
import type { ScriptedBrowser, Hop } from "./browser.ts";

export { freePort };

export const CLIENT_ID = "hardening-gateway";
/** Fake values for tests only. */
export const CLIENT_SECRET = "hardening-client-secret";
export const COOKIE_SECRET = Buffer.alloc(32, 5).toString("base64");

/** The filter configuration of these tests: /api/* and /static/* need a login. */
export function gatewayConfig(
  issuer: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    issuer,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    cookie_secret: COOKIE_SECRET,
    scopes: ["openid", "email", "profile", "groups"],
    match: { mode: "auth_if_matched", rules: [{ paths: ["/api/*", "/static/*"] }] },
    ...extra,
    provider: { cluster: "idp", timeout: "2s", ...(extra.provider as object | undefined) },
  };
}

// ---- The VM's linear memory ----

const instances: WebAssembly.Instance[] = [];
let watching = false;

/** Records every WebAssembly instance made from now on (the host makes one per VM). */
function watchInstances(): void {
  if (watching) return;
  watching = true;
  const original = WebAssembly.Instance;
  (WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = new Proxy(original, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(target, args, newTarget) as WebAssembly.Instance;
      instances.push(instance);
      return instance;
    },
  });
}

export interface WatchedGateway {
  gateway: Gateway;
  url: string;
  /** The size of the serving VM's linear memory, in bytes. */
  memoryBytes(): number;
}

export interface GatewayPlan {
  config: Record<string, unknown>;
  /** The URL of the provider cluster (the provider itself, or a proxy before it). */
  cluster: string;
  upstream: string;
  port?: number;
}

/** Starts a gateway, remembering its VM to read its memory. */
export async function startWatchedGateway(plan: GatewayPlan): Promise<WatchedGateway> {
  watchInstances();
  const before = instances.length;
  const gateway = await startGateway({
    wasm: RELEASE_WASM,
    pluginConfig: plan.config,
    port: plan.port ?? 0,
    upstream: plan.upstream,
    clusters: { idp: plan.cluster },
    logLevel: "warn",
    onLog: false,
  });
  const main = instances[instances.length - 1];
  assert.ok(instances.length > before, "the gateway made its VM");
  return {
    gateway,
    url: gateway.url,
    memoryBytes: () => (main.exports.memory as WebAssembly.Memory).buffer.byteLength,
  };
}

// ---- A proxy before the provider that can misbehave on /token ----

export type TokenFault = "none" | "500" | "garbage" | "slow" | "hang" | "reset" | "truncated";

export interface FaultProxy {
  url: string;
  /** What the next requests to /token get. */
  fault: TokenFault;
  /** Delay of the "slow" fault, in ms. */
  slowMs: number;
  tokenRequests: number;
  close(): Promise<void>;
}

/** A proxy to `target` (http://host:port) on 127.0.0.1. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const base = new URL(target);
  const hanging = new Set<ServerResponse>();
  const proxy: FaultProxy = {
    url: "",
    fault: "none",
    slowMs: 300,
    tokenRequests: 0,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = httpRequest(
      {
        hostname: base.hostname,
        port: base.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    out.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (!(req.url ?? "").startsWith("/token")) return forward(req, res, body);
      proxy.tokenRequests++;
      switch (proxy.fault) {
        case "500":
          res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
          return;
        case "garbage":
          res.writeHead(200, { "content-type": "application/json" }).end("\u0000{not json at all");
          return;
        case "truncated":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end('{"access_token":"a","token_type":"Bearer","id_token":"ey');
          return;
        case "reset":
          req.socket.destroy();
          return;
        case "hang":
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        case "slow":
          setTimeout(() => forward(req, res, body), proxy.slowMs);
          return;
        default:
          forward(req, res, body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

// ---- Logging in as a user would ----

function last(hops: Hop[]): Hop {
  return hops[hops.length - 1];
}

/**
 * Opens `path` through the gateway with `browser`, logs in at the provider as `user`, and
 * returns every hop after the login form (the callback among them, the page last).
 */
export async function logIn(
  browser: ScriptedBrowser,
  gatewayUrl: string,
  path: string,
  user: string,
): Promise<Hop[]> {
  const first = await browser.navigate(`${gatewayUrl}${path}`);
  assert.equal(first[0].status, 302, `${path} asks for a login`);
  const page = last(first);
  assert.equal(page.status, 200, `the provider shows its login page (${page.url})`);
  return browser.logIn(page, user);
}

export function callbackHop(hops: Hop[], gatewayUrl: string): Hop | undefined {
  return hops.find((h) => h.url.startsWith(`${gatewayUrl}/oauth2/callback`));
}

/** What the sample app saw (it echoes it in every answer). */
export function seenBy(hop: Hop): { identity: Record<string, string>; cookieNames: string[] } {
  const text = hop.body.trim();
  if (text.startsWith("{")) return JSON.parse(text).seen;
  const script = /<script type="application\/json" id="seen">([^<]*)<\/script>/.exec(text);
  assert.ok(script, `no view of the upstream in ${hop.url} (${hop.status})`);
  return JSON.parse(script[1].replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
}

/** Waits until the gateway has loaded the provider's metadata (protected paths stop getting 503). */
export async function waitReady(gatewayUrl: string, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  for (let i = 0; Date.now() - started < timeoutMs && i < 1000; i++) {
    const res = await fetch(`${gatewayUrl}/api/ready-probe`, {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    await res.arrayBuffer();
    if (res.status !== 503) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the gateway at ${gatewayUrl} never loaded the provider's metadata`);
}

export { last };
