// Sessions over weeks of use, in the emulator with its injected clock: expiry, refresh,
// sign-out, secret rotation, large cookies, API clients, CORS preflight and bearer tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  START_MS, answerCallout, cookiePairs, discover, header, headers, request, startFilter,
  type FilterUnderTest,
} from "./support/filter-harness.ts";
import { AUTH_IF_MATCHED, CLIENT_ID, ISSUER } from "./support/provider-fixture.ts";
import { completeLogin, sessionCookieHeader, startLogin } from "./support/login.ts";

const NOW = Math.floor(START_MS / 1000);
const SECRET_A = Buffer.alloc(32, 1).toString("base64");
const SECRET_B = Buffer.alloc(32, 2).toString("base64");

function ready(extra: object = {}, startMs = START_MS): FilterUnderTest {
  const filter = startFilter(AUTH_IF_MATCHED, extra, { clock: startMs });
  discover(filter);
  return filter;
}

function loggedIn(filter: FilterUnderTest, nowSeconds = NOW, options: object = {}): string {
  return sessionCookieHeader(completeLogin(filter, "/api/x", { nowSeconds, ...options }));
}

function answerKeyRefreshes(filter: FilterUnderTest): void {
  for (const call of filter.emu.getPendingCallouts()) {
    if (header(call.headers, ":path") === "/keys") {
      filter.emu.respondToCallout(call.token, { status: 200, body: filter.provider.jwks() });
    }
  }
}

// ---- Expiry ----

test("a session issued in the future beyond five minutes is refused", () => {
  const later = ready({ cookie_secret: SECRET_A }, START_MS + 3600_000);
  const cookie = loggedIn(later, NOW + 3600);
  const now = ready({ cookie_secret: SECRET_A });
  assert.equal(request(now.emu, "/api/x", { cookie }).getLocalResponse()?.status, 302);
  const slightly = ready({ cookie_secret: SECRET_A }, START_MS + 3600_000 - 120_000);
  assert.ok(request(slightly.emu, "/api/x", { cookie }).isContinued(), "two minutes of skew pass");
});

test("cookie_expire 0 sets no Max-Age and puts no age limit on the session", () => {
  const filter = ready({ cookie_secret: SECRET_A, cookie_expire: "0" });
  const callback = completeLogin(filter, "/api/x", { nowSeconds: NOW });
  const [setCookie] = headers(callback.getLocalResponse()?.headers, "set-cookie");
  assert.doesNotMatch(setCookie, /Max-Age/);
  const cookie = sessionCookieHeader(callback);
  const yearLater = ready({ cookie_secret: SECRET_A, cookie_expire: "0" }, START_MS + 400 * 86400_000);
  assert.ok(request(yearLater.emu, "/api/x", { cookie }).isContinued());
});

// ---- Refresh ----

function dueForRefresh(): { filter: FilterUnderTest; cookie: string } {
  const filter = ready({ cookie_refresh: "1m" });
  const cookie = loggedIn(filter);
  filter.emu.advanceTime(61_000);
  answerKeyRefreshes(filter);
  return { filter, cookie };
}

function refreshCallout(filter: FilterUnderTest) {
  const calls = filter.emu.getPendingCallouts().filter((c) => header(c.headers, ":path") === "/oauth/token");
  return calls;
}

test("a session older than cookie_refresh is refreshed before the request goes on", () => {
  const { filter, cookie } = dueForRefresh();
  const stream = request(filter.emu, "/api/x", { cookie });
  assert.ok(stream.isPaused(), "held during the refresh");
  const [call] = refreshCallout(filter);
  const body = new URLSearchParams(call.body.toString());
  assert.equal(body.get("grant_type"), "refresh_token");
  assert.equal(body.get("refresh_token"), "refresh-token-1");
  filter.emu.respondToCallout(call.token, {
    status: 200,
    body: JSON.stringify({ access_token: "access-2", token_type: "Bearer", refresh_token: "refresh-2" }),
  });
  assert.ok(stream.isContinued());
  assert.equal(header(stream.getUpstreamRequestHeaders(), "x-auth-request-user"), "alice");
  stream.callOnResponseHeaders([[":status", "200"]]);
  const setCookie = headers(stream.getResponseHeaders(), "set-cookie");
  assert.equal(setCookie.length, 1);
  const fresh = setCookie[0].split(";")[0];
  // The refreshed session carries the new refresh token: the next refresh uses it.
  filter.emu.advanceTime(61_000);
  answerKeyRefreshes(filter);
  request(filter.emu, "/api/x", { cookie: fresh });
  const [next] = refreshCallout(filter);
  assert.equal(new URLSearchParams(next.body.toString()).get("refresh_token"), "refresh-2");
});

test("parallel requests during a refresh share one token request and all succeed", () => {
  const { filter, cookie } = dueForRefresh();
  const streams = [1, 2, 3].map(() => request(filter.emu, "/api/x", { cookie }));
  const calls = refreshCallout(filter);
  assert.equal(calls.length, 1, "one refresh for three requests");
  filter.emu.respondToCallout(calls[0].token, {
    status: 200, body: JSON.stringify({ access_token: "a2", token_type: "Bearer" }),
  });
  for (const stream of streams) assert.ok(stream.isContinued());
  const late = request(filter.emu, "/api/x", { cookie });
  assert.ok(late.isContinued(), "a request just after the refresh reuses its result");
  assert.equal(refreshCallout(filter).length, 0);
});

test("a failed refresh clears the session and asks for a new login", () => {
  const { filter, cookie } = dueForRefresh();
  const browser = request(filter.emu, "/api/x", { cookie });
  const api = request(filter.emu, "/api/y", { cookie, accept: "application/json" });
  const [call] = refreshCallout(filter);
  filter.emu.respondToCallout(call.token, { status: 400, body: '{"error":"invalid_grant"}' });
  assert.equal(browser.getLocalResponse()?.status, 302);
  assert.ok(headers(browser.getLocalResponse()?.headers, "set-cookie")
    .some((c) => /^_oidc_session=; .*Max-Age=0/.test(c)), "session cookie cleared");
  assert.equal(api.getLocalResponse()?.status, 401);
  assert.equal(filter.emu.getMetrics()["oidc_sso.refreshes_failed"].value, 1);
});

test("a refreshed ID token about another user is refused", () => {
  const { filter, cookie } = dueForRefresh();
  const stream = request(filter.emu, "/api/x", { cookie });
  const [call] = refreshCallout(filter);
  const idToken = filter.provider.idToken(filter.provider.claims("", NOW + 61, { sub: "mallory", nonce: undefined }));
  filter.emu.respondToCallout(call.token, {
    status: 200, body: JSON.stringify({ access_token: "a", token_type: "Bearer", id_token: idToken }),
  });
  assert.equal(stream.getLocalResponse()?.status, 302);
});

test("a session due for refresh passes unrefreshed while the provider is not known yet", () => {
  const filter = ready({ cookie_secret: SECRET_A, cookie_refresh: "1m" });
  const cookie = loggedIn(filter);
  const restarted = startFilter(AUTH_IF_MATCHED, { cookie_secret: SECRET_A, cookie_refresh: "1m" },
    { clock: START_MS + 120_000 });
  const stream = request(restarted.emu, "/api/x", { cookie });
  assert.ok(stream.isContinued(), "not logged out by a restart");
  assert.equal(header(stream.getUpstreamRequestHeaders(), "x-auth-request-user"), "alice");
  assert.equal(refreshCallout(restarted).length, 0, "no refresh before discovery");
});

test("sessions without a refresh token are not refreshed", () => {
  const filter = ready({ cookie_refresh: "1m" });
  const cookie = loggedIn(filter, NOW, { tokens: { refresh_token: undefined } });
  filter.emu.advanceTime(61_000);
  answerKeyRefreshes(filter);
  assert.ok(request(filter.emu, "/api/x", { cookie }).isContinued());
  assert.equal(refreshCallout(filter).length, 0);
});

// ---- Sign-out ----

test("sign-out clears every session cookie and goes through the provider's logout", () => {
  const filter = ready({ sign_out_redirect: "/goodbye" });
  const cookie = loggedIn(filter);
  const stream = request(filter.emu, "/oauth2/sign_out", { cookie: `${cookie}; _oidc_session_flow_abc=x; _oidc_session_1=y` });
  const reply = stream.getLocalResponse();
  assert.equal(reply?.status, 302);
  const location = new URL(header(reply.headers, "location")!);
  assert.equal(location.origin + location.pathname, `${ISSUER}/logout`);
  assert.ok(location.searchParams.get("id_token_hint")!.split(".").length === 3);
  assert.equal(location.searchParams.get("post_logout_redirect_uri"), "https://app.example.com/goodbye");
  assert.equal(location.searchParams.get("client_id"), CLIENT_ID);
  const cleared = cookiePairs(stream).map((c) => c.split("=")[0]).sort();
  assert.deepEqual(cleared, ["_oidc_session", "_oidc_session_1", "_oidc_session_flow_abc"]);
});

test("sign-out started from another site is refused and keeps the session", () => {
  const filter = ready();
  const cookie = loggedIn(filter);
  const stream = request(filter.emu, "/oauth2/sign_out", {
    cookie, headers: [["sec-fetch-site", "cross-site"]],
  });
  assert.equal(stream.getLocalResponse()?.status, 403);
  assert.equal(cookiePairs(stream).length, 0, "no cookie cleared");
  for (const site of ["same-origin", "same-site", "none"]) {
    const ok = request(filter.emu, "/oauth2/sign_out", { cookie, headers: [["sec-fetch-site", site]] });
    assert.equal(ok.getLocalResponse()?.status, 302, site);
  }
});

test("sign-out without a session goes to a safe local target only", () => {
  const filter = ready();
  const ok = request(filter.emu, "/oauth2/sign_out?rd=%2Fproductpage").getLocalResponse();
  assert.equal(header(ok?.headers, "location"), "/productpage");
  for (const rd of ["%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%5Cevil.example"]) {
    const reply = request(filter.emu, `/oauth2/sign_out?rd=${rd}`).getLocalResponse();
    assert.equal(header(reply?.headers, "location"), "https://app.example.com/", rd);
  }
});

// ---- Secret rotation ----

test("a session sealed with a previous secret is accepted and re-issued with the current one", () => {
  const old = ready({ cookie_secret: SECRET_A });
  const cookie = loggedIn(old);
  const rotated = ready({ cookie_secret: SECRET_B, cookie_secret_previous: [SECRET_A] });
  const stream = request(rotated.emu, "/api/x", { cookie });
  assert.ok(stream.isContinued());
  stream.callOnResponseHeaders([[":status", "200"]]);
  const [reissued] = headers(stream.getResponseHeaders(), "set-cookie");
  assert.match(reissued, /^_oidc_session=1\./);
  const onlyNew = ready({ cookie_secret: SECRET_B });
  assert.equal(request(onlyNew.emu, "/api/x", { cookie }).getLocalResponse()?.status, 302);
  assert.ok(request(onlyNew.emu, "/api/x", { cookie: reissued.split(";")[0] }).isContinued());
});

// ---- Large sessions ----

test("a session over 4000 bytes is split into parts and joined on read", () => {
  const groups = Array.from({ length: 300 }, (_, i) => `group-with-a-long-name-${i}`);
  const filter = ready();
  const callback = completeLogin(filter, "/api/x", { nowSeconds: NOW, claims: { groups } });
  const names = cookiePairs(callback).map((c) => c.split("=")[0]);
  assert.ok(names.includes("_oidc_session_0") && names.includes("_oidc_session_1"), names.join());
  for (const setCookie of headers(callback.getLocalResponse()?.headers, "set-cookie")) {
    assert.ok(setCookie.length < 4000, `Set-Cookie of ${setCookie.length} bytes`);
  }
  const cookie = sessionCookieHeader(callback);
  const stream = request(filter.emu, "/api/x", { cookie });
  assert.ok(stream.isContinued());
  assert.equal(header(stream.getUpstreamRequestHeaders(), "x-auth-request-groups"), groups.join(","));
  assert.equal(header(stream.getUpstreamRequestHeaders(), "cookie"), undefined, "parts stripped");
});

test("a smaller session clears the parts a larger one left behind", () => {
  const filter = ready();
  const { location, flowCookie } = startLogin(filter, "/api/x");
  const q = location.searchParams;
  const callback = request(filter.emu, `/oauth2/callback?code=c&state=${q.get("state")}`, {
    cookie: `${flowCookie}; _oidc_session_0=stale; _oidc_session_1=stale`,
  });
  const idToken = filter.provider.idToken(filter.provider.claims(q.get("nonce")!, NOW));
  answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
  const setCookies = headers(callback.getLocalResponse()?.headers, "set-cookie");
  assert.ok(setCookies.some((c) => /^_oidc_session=1\./.test(c)));
  assert.ok(setCookies.some((c) => /^_oidc_session_0=; .*Max-Age=0/.test(c)));
  assert.ok(setCookies.some((c) => /^_oidc_session_1=; .*Max-Age=0/.test(c)));
});

test("cookie.store_tokens false keeps the tokens out of the cookie", () => {
  const full = ready();
  const minimal = ready({ cookie: { store_tokens: false } });
  const fullSize = loggedIn(full).length;
  const cookie = loggedIn(minimal);
  assert.ok(cookie.length < fullSize - 500, `${cookie.length} vs ${fullSize}`);
  assert.ok(request(minimal.emu, "/api/x", { cookie }).isContinued());
});

// ---- API clients, preflight, bearer tokens ----

test("XHR, fetch and configured API paths get 401 instead of a redirect", () => {
  const filter = ready({ api_paths: ["/static/*"] });
  const cases: [string, [string, string][]][] = [
    ["/api/x", [["x-requested-with", "XMLHttpRequest"]]],
    ["/api/x", [["sec-fetch-mode", "cors"]]],
    ["/static/app.js", []],
  ];
  for (const [path, extra] of cases) {
    assert.equal(request(filter.emu, path, { headers: extra }).getLocalResponse()?.status, 401, path);
  }
  assert.equal(request(filter.emu, "/api/x", { headers: [["sec-fetch-mode", "navigate"]] })
    .getLocalResponse()?.status, 302);
});

test("CORS preflight passes without login unless configured otherwise", () => {
  const preflight = (filter: FilterUnderTest) => request(filter.emu, "/api/x", {
    method: "OPTIONS", accept: "*/*",
    headers: [["origin", "https://web.example.com"], ["access-control-request-method", "POST"]],
  });
  assert.ok(preflight(ready()).isContinued());
  assert.equal(preflight(ready({ allow_cors_preflight: false })).getLocalResponse()?.status, 401);
  const plainOptions = request(ready().emu, "/api/x", { method: "OPTIONS", accept: "*/*" });
  assert.equal(plainOptions.getLocalResponse()?.status, 401, "OPTIONS alone is not a preflight");
});

test("a bearer JWT from the provider for this client is accepted when enabled", () => {
  const filter = ready({ accept_bearer_tokens: true });
  const token = filter.provider.idToken(filter.provider.claims("", NOW, { nonce: undefined, sub: "svc" }));
  const ok = request(filter.emu, "/api/x", { accept: "application/json", headers: [["authorization", `Bearer ${token}`]] });
  assert.ok(ok.isContinued());
  assert.equal(header(ok.getUpstreamRequestHeaders(), "x-auth-request-user"), "svc");
  const wrongAudience = filter.provider.idToken(filter.provider.claims("", NOW, { aud: "other" }));
  const expired = filter.provider.idToken(filter.provider.claims("", NOW, { exp: NOW - 120 }));
  for (const bad of [wrongAudience, expired, "not.a.jwt", `${token}x`]) {
    const reply = request(filter.emu, "/api/x", { accept: "application/json",
      headers: [["authorization", `Bearer ${bad}`]] }).getLocalResponse();
    assert.equal(reply?.status, 401);
    assert.match(header(reply.headers, "www-authenticate")!, /invalid_token/);
  }
});

test("bearer tokens are ignored unless enabled", () => {
  const filter = ready();
  const token = filter.provider.idToken(filter.provider.claims("", NOW));
  const reply = request(filter.emu, "/api/x", { accept: "application/json",
    headers: [["authorization", `Bearer ${token}`]] }).getLocalResponse();
  assert.equal(reply?.status, 401);
  assert.doesNotMatch(header(reply.headers, "www-authenticate")!, /invalid_token/);
});

test("no trap in any of the lifecycle paths", () => {
  const { filter, cookie } = dueForRefresh();
  request(filter.emu, "/api/x", { cookie });
  for (const call of filter.emu.getPendingCallouts()) filter.emu.failCallout(call.token, "reset");
  request(filter.emu, "/oauth2/sign_out", { cookie });
  assert.deepEqual(filter.emu.getTraps(), []);
});
