// End to end through real parts: the gateway face of the host running the release filter,
// the sample app, and oidc-provider with its real login page. A scripted browser keeps
// cookies and follows every redirect, so each status, redirect and header is checked.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startStack, type Stack } from "../../host/cli/stack.ts";
import { ScriptedBrowser, type Hop } from "./support/browser.ts";

function demoConfig(name: string): Record<string, unknown> {
  const path = new URL(`../../deploy/local/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(path, "utf8"));
}

function last(hops: Hop[]): Hop {
  return hops[hops.length - 1];
}

function seen(hop: Hop): { identity: Record<string, string>; cookieNames: string[] } {
  const json = hop.body.trim().startsWith("{")
    ? JSON.parse(hop.body).seen
    : JSON.parse(/<script type="application\/json" id="seen">([^<]*)<\/script>/.exec(hop.body)![1]
      .replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))));
  return json;
}

/** Opens `path`, expects the provider's login page, logs in, and returns every hop. */
async function loginThrough(browser: ScriptedBrowser, stack: Stack, path: string, user = "alice") {
  const first = await browser.navigate(`${stack.url}${path}`);
  assert.equal(first[0].status, 302, `${path} redirects to the provider`);
  assert.ok(first[0].location!.startsWith(`${stack.idp.issuer}/auth?`));
  const loginPage = last(first);
  assert.equal(loginPage.status, 200);
  assert.match(loginPage.body, /<form/);
  return browser.logIn(loginPage, user);
}

for (const [name, expectations] of [
  ["auth-if-matched", { "/productpage": "pass", "/api/v1/products/1": "login", "/static/jquery.min.js": "login" }],
  ["bypass-if-matched", { "/productpage": "pass", "/api/v1/products/1": "login", "/static/jquery.min.js": "pass" }],
] as const) {
  describe(`reference scenario ${name}`, () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ config: demoConfig(name), onLog: false });
    });
    after(async () => stack.close());

    test("each path passes or asks for login as the rules say", async () => {
      const browser = new ScriptedBrowser();
      await waitReady(stack);
      for (const [path, outcome] of Object.entries(expectations)) {
        const hop = await browser.request(`${stack.url}${path}`);
        if (outcome === "pass") assert.equal(hop.status, 200, path);
        else {
          assert.equal(hop.status, 302, path);
          assert.ok(hop.location!.startsWith(`${stack.idp.issuer}/auth`), path);
        }
      }
    });

    test("a login lands on the page first asked for, with the user's identity upstream", async () => {
      const browser = new ScriptedBrowser();
      const hops = await loginThrough(browser, stack, "/api/v1/products/1");
      const callback = hops.find((h) => h.url.startsWith(`${stack.url}/oauth2/callback`));
      assert.ok(callback, "the provider sent the browser to the callback");
      assert.equal(callback.status, 302);
      assert.equal(callback.location, `${stack.url}/api/v1/products/1`);
      assert.ok(callback.setCookies.some((c) => /^_oidc_session=1\..*HttpOnly; SameSite=Lax$/.test(c)));
      const landing = last(hops);
      assert.equal(landing.status, 200);
      const view = seen(landing);
      assert.equal(view.identity["x-auth-request-user"], "alice");
      assert.equal(view.identity["x-auth-request-email"], "alice@example.com");
      assert.equal(view.identity["x-auth-request-groups"], "admins,users");
      assert.ok(!view.cookieNames.some((n) => n.startsWith("_oidc_session")), "filter cookies stripped");
      // Later requests pass without a new login.
      const again = await browser.request(`${stack.url}/api/v1/products/1`);
      assert.equal(again.status, 200);
      assert.equal(seen(again).identity["x-auth-request-user"], "alice");
    });
  });
}

describe("sessions against the real provider", () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      config: { ...demoConfig("auth-if-matched"), cookie_refresh: "2s", cookie_expire: "1h",
        scopes: ["openid", "email", "profile", "groups", "offline_access"] },
      onLog: false,
    });
    await waitReady(stack);
  });
  after(async () => stack.close());

  test("two logins in parallel tabs of one browser both complete", async () => {
    const browser = new ScriptedBrowser();
    const tabA = await browser.navigate(`${stack.url}/api/v1/products/1`);
    const tabB = await browser.navigate(`${stack.url}/static/jquery.min.js`);
    const doneB = await browser.logIn(last(tabB), "bob");
    const doneA = await browser.logIn(last(tabA), "bob");
    assert.equal(last(doneB).url, `${stack.url}/static/jquery.min.js`);
    assert.equal(last(doneB).status, 200);
    assert.equal(last(doneA).status, 200);
    assert.equal(seen(last(doneA)).identity["x-auth-request-user"], "bob");
  });

  test("an expired refresh interval refreshes the tokens with the provider; parallel requests all pass", async () => {
    const browser = new ScriptedBrowser();
    await loginThrough(browser, stack, "/api/v1/products/1");
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const before = stack.gateway!.getMetrics()["oidc_sso.refreshes_ok"]?.value ?? 0;
    const results = await Promise.all([1, 2, 3, 4].map(() => browser.request(`${stack.url}/api/v1/products/1`)));
    for (const hop of results) assert.equal(hop.status, 200);
    const refreshed = stack.gateway!.getMetrics()["oidc_sso.refreshes_ok"].value - before;
    assert.equal(refreshed, 1, "one refresh served four parallel requests");
    assert.ok(results.some((h) => h.setCookies.some((c) => c.startsWith("_oidc_session="))));
    // The refreshed session keeps working, and refreshes again later with the new token.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal((await browser.request(`${stack.url}/api/v1/products/1`)).status, 200);
    assert.equal(stack.gateway!.getMetrics()["oidc_sso.refreshes_failed"]?.value ?? 0, 0);
  });

  test("sign-out ends the session here and at the provider", async () => {
    const browser = new ScriptedBrowser();
    await loginThrough(browser, stack, "/api/v1/products/1");
    const signOut = await browser.request(`${stack.url}/oauth2/sign_out`);
    assert.equal(signOut.status, 302);
    assert.ok(signOut.location!.startsWith(`${stack.idp.issuer}/session/end?`));
    assert.ok(signOut.setCookies.some((c) => /^_oidc_session=; .*Max-Age=0/.test(c)));
    // The provider asks to confirm the logout; confirm it as a user would.
    const confirm = await browser.request(signOut.location!);
    assert.equal(confirm.status, 200);
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.body)!;
    const fields = new URLSearchParams();
    for (const m of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(m[1], m[2]);
    fields.set("logout", "yes");
    const done = await browser.request(new URL(form[1], confirm.url).toString(), {
      method: "POST", body: fields.toString(), headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(done.status, 303);
    assert.equal(done.location, `${stack.url}/`);
    // Both sessions are gone: the gateway asks for login, and so does the provider.
    const again = await browser.navigate(`${stack.url}/api/v1/products/1`);
    assert.equal(again[0].status, 302);
    assert.match(last(again).body, /<form/, "the provider shows its login page again");
  });
});

async function waitReady(stack: Stack): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const hop = await fetch(`${stack.url}/api/ready-probe`, { redirect: "manual", headers: { accept: "text/html" } });
    await hop.text();
    if (hop.status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the filter never loaded the provider's metadata");
}
