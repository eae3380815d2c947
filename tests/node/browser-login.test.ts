// A real browser (Debian's Chromium, driven by playwright-core) opens a protected page, signs
// in on the provider's real login page, and lands on the page it asked for, with the user's
// identity seen by the upstream.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startStack, type Stack } from "../../host/cli/stack.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let stack: Stack;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), "Chromium is required: apt-get install chromium");
  const config = JSON.parse(readFileSync(new URL("../../deploy/local/auth-if-matched.json",
    import.meta.url), "utf8"));
  stack = await startStack({ config, onLog: false });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  await stack?.close();
});

test("a browser signs in on the provider's page and lands on the page it asked for", async () => {
  const page = await browser.newPage();
  await waitForProvider(stack);
  await page.goto(`${stack.url}/api/v1/products/1`);
  assert.ok(page.url().startsWith(`${stack.idp.issuer}/interaction/`), `at ${page.url()}`);
  await page.fill("input[name=login]", "alice");
  await page.fill("input[name=password]", "any-password");
  await Promise.all([page.waitForURL(`${stack.url}/api/v1/products/1`), page.click("button[type=submit]")]);
  const product = JSON.parse(await page.locator("body").innerText());
  assert.equal(product.id, "1");
  assert.equal(product.seen.identity["x-auth-request-user"], "alice");
  assert.equal(product.seen.identity["x-auth-request-email"], "alice@example.com");
  const cookies = await page.context().cookies(stack.url);
  const session = cookies.find((c) => c.name === "_oidc_session");
  assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Lax");
  // The public page loads without a login, and the filter sends no identity there.
  const response = await page.goto(`${stack.url}/productpage`);
  assert.equal(response?.status(), 200);
  assert.equal(await page.locator("#user").innerText(), "anonymous");
  // Back on the protected path, the session still holds: no second login.
  await page.goto(`${stack.url}/static/jquery.min.js`);
  assert.match(await page.locator("body").innerText(), /"x-auth-request-user":"alice"/);
  await page.close();
});

async function waitForProvider(target: Stack): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${target.url}/api/probe`, { redirect: "manual" });
    await response.text();
    if (response.status !== 503) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the filter never loaded the provider's metadata");
}
