// Provider faults through real parts: the gateway running the release filter, the sample app,
// oidc-provider (support/hostile-idp.ts), and a proxy of our own between the gateway and the
// provider that breaks the token endpoint on demand. The provider down at start (fail closed
// on protected paths, public ones served, recovery without a restart), a token endpoint that
// answers 500, garbage, truncated JSON, slowly, never, or resets, key rotation at the
// provider, and replays that only the provider's one-time code can stop. After each fault
// the next login must work, and the VM must never trap.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { startSampleApp, type SampleApp } from "../../host/cli/sample-app.ts";
import { ScriptedBrowser, type Hop } from "./support/browser.ts";
import {
  callbackHop,
  freePort,
  gatewayConfig,
  last,
  logIn,
  seenBy,
  startFaultProxy,
  startWatchedGateway,
  waitReady,
  type FaultProxy,
  type TokenFault,
  type WatchedGateway,
} from "./support/hostile-gateway.ts";
import { CLIENT_ID, CLIENT_SECRET } from "./support/hostile-gateway.ts";
import { startTestIdp, type TestIdp } from "./support/hostile-idp.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("faults-provider");
after(() => tally.finish());

function checkNoTrap(gw: WatchedGateway): void {
  const traps = gw.gateway.getTraps();
  tally.add("traps", traps.length);
  assert.deepEqual(
    traps.map((t) => t.message),
    [],
    "the VM trapped",
  );
  assert.equal(gw.gateway.isFailed(), false);
}

/** A raw GET through the gateway with exactly this Cookie header. */
function rawGet(
  url: string,
  cookie: string,
): Promise<{ status: number; setCookies: string[]; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { headers: { cookie, accept: "text/html", "sec-fetch-mode": "navigate" } },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            setCookies: res.headers["set-cookie"] ?? [],
            location: res.headers.location,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Follows a login up to the provider's redirect to the callback, without requesting it. */
async function untilCallback(
  browser: ScriptedBrowser,
  gatewayUrl: string,
  path: string,
  user: string,
) {
  const first = await browser.request(`${gatewayUrl}${path}`);
  assert.equal(first.status, 302);
  const flowCookie = first.setCookies[0].split(";")[0];
  let hop: Hop = first;
  const hops = [first];
  for (
    let i = 0;
    i < 10 && hop.location && !hop.location.startsWith(`${gatewayUrl}/oauth2/callback`);
    i++
  ) {
    hop = await browser.request(hop.location);
    hops.push(hop);
    if (hop.status === 200 && /<form/.test(hop.body)) {
      const action = /<form[^>]*action="([^"]+)"/.exec(hop.body)![1].replace(/&amp;/g, "&");
      hop = await browser.request(new URL(action, hop.url).toString(), {
        method: "POST",
        body: new URLSearchParams({ prompt: "login", login: user, password: "any" }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
    }
  }
  assert.ok(
    hop.location?.startsWith(`${gatewayUrl}/oauth2/callback`),
    "the provider sends the browser back",
  );
  return { callbackUrl: hop.location!, flowCookie };
}

// ---- The provider down at start ----

describe("the provider is down when the gateway starts", () => {
  let app: SampleApp;
  let idp: TestIdp | undefined;
  let gw: WatchedGateway;

  before(async () => {
    app = await startSampleApp(0);
  });
  after(async () => {
    await gw?.gateway.close();
    await idp?.close();
    await app.close();
  });

  test("protected paths get 503 with Retry-After, public ones are served, and logins work once it is up", async () => {
    const idpPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const gatewayPort = await freePort();
    gw = await startWatchedGateway({
      config: gatewayConfig(issuer),
      cluster: issuer,
      upstream: app.url,
      port: gatewayPort,
    });
    tally.add("faults");

    const browser = new ScriptedBrowser();
    for (let i = 0; i < 3; i++) {
      const api = await browser.request(`${gw.url}/api/v1/products/1`);
      assert.equal(api.status, 503, "fail closed while the provider is unknown");
      assert.equal(api.headers.get("retry-after"), "5");
      const page = await browser.request(`${gw.url}/productpage`);
      assert.equal(page.status, 200, "public paths are served");
      assert.deepEqual(seenBy(page).identity, {});
      await new Promise((resolve) => setTimeout(resolve, 400));
    }

    idp = await startTestIdp({
      port: idpPort,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      gateways: [gw.url],
    });
    const waited = await waitReady(gw.url, 40_000);
    assert.ok(waited < 40_000, "recovered without a restart");
    assert.ok(
      (gw.gateway.getMetrics()["oidc_sso.provider_errors"]?.value ?? 0) >= 1,
      "the failed fetches were counted",
    );

    const hops = await logIn(browser, gw.url, "/api/v1/products/1", "user-1");
    assert.equal(last(hops).status, 200);
    assert.equal(seenBy(last(hops)).identity["x-auth-request-user"], "user-1");
    tally.add("users");
    checkNoTrap(gw);
  });
});

// ---- The token endpoint misbehaves ----

describe("the token endpoint misbehaves", () => {
  let app: SampleApp;
  let idp: TestIdp;
  let proxy: FaultProxy;
  let gw: WatchedGateway;
  let userNumber = 100;

  before(async () => {
    app = await startSampleApp(0);
    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    idp = await startTestIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      gateways: [gatewayUrl],
    });
    proxy = await startFaultProxy(idp.issuer);
    gw = await startWatchedGateway({
      config: gatewayConfig(idp.issuer),
      cluster: proxy.url,
      upstream: app.url,
      port: gatewayPort,
    });
    await waitReady(gw.url);
  });
  after(async () => {
    await gw.gateway.close();
    await proxy.close();
    await idp.close();
    await app.close();
  });

  async function loginWith(
    fault: TokenFault,
  ): Promise<{ callback: Hop; elapsedMs: number; hops: Hop[] }> {
    proxy.fault = fault;
    const browser = new ScriptedBrowser();
    const started = Date.now();
    const hops = await logIn(browser, gw.url, "/api/v1/products/1", `user-${userNumber++}`);
    const callback = callbackHop(hops, gw.url);
    assert.ok(callback, "the provider sent the browser to the callback");
    return { callback, elapsedMs: Date.now() - started, hops };
  }

  async function recovers(): Promise<void> {
    const { callback, hops } = await loginWith("none");
    assert.equal(callback.status, 302, "the next login works");
    assert.equal(last(hops).status, 200);
    assert.match(seenBy(last(hops)).identity["x-auth-request-user"], /^user-\d+$/);
    tally.add("users");
  }

  const FAILING: [TokenFault, string][] = [
    ["500", "answers 500"],
    ["garbage", "answers 200 with garbage"],
    ["truncated", "answers 200 with truncated JSON"],
    ["reset", "resets the connection"],
    ["hang", "never answers (the callout times out after provider.timeout, 2s)"],
  ];
  for (const [fault, what] of FAILING) {
    test(`a token endpoint that ${what}: the login ends with 502 and no session, the next one works`, async () => {
      const before = proxy.tokenRequests;
      const { callback, elapsedMs } = await loginWith(fault);
      assert.equal(proxy.tokenRequests, before + 1, "one token request");
      assert.equal(callback.status, 502);
      assert.ok(
        !callback.setCookies.some((c) => /^_oidc_session=[^;]/.test(c)),
        "no session cookie",
      );
      if (fault === "hang") assert.ok(elapsedMs >= 2000 && elapsedMs < 8000, `${elapsedMs} ms`);
      tally.add("faults");
      await recovers();
      checkNoTrap(gw);
    });
  }

  test("a slow token endpoint within the timeout still completes the login", async () => {
    proxy.slowMs = 300;
    const { callback, hops } = await loginWith("slow");
    assert.equal(callback.status, 302);
    assert.equal(last(hops).status, 200);
    tally.add("faults");
    tally.add("users");
    checkNoTrap(gw);
  });

  test("a token endpoint slower than the timeout ends the login with 502", async () => {
    proxy.slowMs = 3000;
    const { callback, elapsedMs } = await loginWith("slow");
    assert.equal(callback.status, 502);
    assert.ok(elapsedMs >= 2000, `${elapsedMs} ms`);
    tally.add("faults");
    await recovers();
    checkNoTrap(gw);
  });

  test("a replayed callback with the old flow cookie is refused by the provider's one-time code: 502", async () => {
    proxy.fault = "none";
    const browser = new ScriptedBrowser();
    const { callbackUrl, flowCookie } = await untilCallback(
      browser,
      gw.url,
      "/api/v1/products/1",
      "user-900",
    );
    const first = await browser.request(callbackUrl);
    assert.equal(first.status, 302, "the first callback logs in");
    const requests = proxy.tokenRequests;
    const replay = await rawGet(callbackUrl, flowCookie);
    assert.equal(proxy.tokenRequests, requests + 1, "the filter sends the used code again");
    assert.equal(replay.status, 502, "the provider refuses a used code");
    assert.ok(!replay.setCookies.some((c) => /^_oidc_session=[^;]/.test(c)));
    tally.add("cases");
    checkNoTrap(gw);
  });

  test("the victim's code with the attacker's own flow is refused by the provider (PKCE): 502", async () => {
    proxy.fault = "none";
    const victim = await untilCallback(
      new ScriptedBrowser(),
      gw.url,
      "/api/v1/products/1",
      "user-901",
    );
    const attacker = await untilCallback(
      new ScriptedBrowser(),
      gw.url,
      "/api/v1/products/1",
      "user-902",
    );
    const code = new URL(victim.callbackUrl).searchParams.get("code")!;
    const state = new URL(attacker.callbackUrl).searchParams.get("state")!;
    const mixed = await rawGet(
      `${gw.url}/oauth2/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
      attacker.flowCookie,
    );
    assert.equal(mixed.status, 502);
    assert.ok(!mixed.setCookies.some((c) => /^_oidc_session=[^;]/.test(c)));
    tally.add("cases");
    checkNoTrap(gw);
  });

  test("key rotation at the provider: the new kid is fetched once and accepted; older sessions stay", async () => {
    proxy.fault = "none";
    const browser = new ScriptedBrowser();
    const before = await logIn(browser, gw.url, "/api/v1/products/1", "user-910");
    assert.equal(last(before).status, 200);
    const keyFetches = idp.hits.get("/jwks") ?? 0;

    idp.rotateKeys();
    assert.deepEqual(idp.kids(), ["rsa-2", "rsa-1"]);
    const after = await logIn(new ScriptedBrowser(), gw.url, "/api/v1/products/1", "user-911");
    assert.equal(
      callbackHop(after, gw.url)?.status,
      302,
      "an ID token signed with the new key is accepted",
    );
    assert.equal(seenBy(last(after)).identity["x-auth-request-user"], "user-911");
    assert.equal((idp.hits.get("/jwks") ?? 0) - keyFetches, 1, "the keys were fetched once more");

    const again = await browser.request(`${gw.url}/api/v1/products/1`);
    assert.equal(again.status, 200, "a session from before the rotation is still valid");
    assert.equal(seenBy(again).identity["x-auth-request-user"], "user-910");
    tally.add("faults");
    tally.add("users", 2);
    checkNoTrap(gw);
  });
});
