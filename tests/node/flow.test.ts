// The single sign-on flow of the release filter, in the emulator: discovery, the login
// redirect, the callback with its token exchange, the session, and what reaches upstream.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  APP, START_MS, answerCallout, cookiePairs, discover, header, headers, request, startFilter,
  type FilterUnderTest,
} from "./support/filter-harness.ts";
import { AUTH_IF_MATCHED, BYPASS_IF_MATCHED, CLIENT_ID, CLIENT_SECRET, ISSUER } from "./support/provider-fixture.ts";

const NOW = Math.floor(START_MS / 1000);

interface Login {
  location: URL;
  flowCookie: string;
}

function startLogin(filter: FilterUnderTest, path: string): Login {
  const stream = request(filter.emu, path);
  const reply = stream.getLocalResponse();
  assert.equal(reply?.status, 302, `expected a login redirect for ${path}`);
  const location = new URL(header(reply.headers, "location")!);
  const [flowCookie] = cookiePairs(stream);
  return { location, flowCookie };
}

/** Runs a whole login for `path` and returns the session cookie ("name=value"). */
function logIn(filter: FilterUnderTest, path: string, claims: Record<string, unknown> = {}): string {
  const { location, flowCookie } = startLogin(filter, path);
  const state = location.searchParams.get("state")!;
  const nonce = location.searchParams.get("nonce")!;
  const callback = request(filter.emu, `/oauth2/callback?code=code-1&state=${state}`, {
    cookie: flowCookie,
  });
  assert.ok(callback.isPaused(), "the callback waits for the token endpoint");
  const idToken = filter.provider.idToken(filter.provider.claims(nonce, NOW, claims));
  answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
  const reply = callback.getLocalResponse();
  assert.equal(reply?.status, 302);
  assert.equal(header(reply.headers, "location"), path);
  const session = cookiePairs(callback).find((c) => c.startsWith("_oidc_session="));
  assert.ok(session, "the callback sets the session cookie");
  return session;
}

test("protected requests get 503 with Retry-After until the provider is known; public ones pass", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  const api = request(filter.emu, "/api/v1/products/1");
  assert.equal(api.getLocalResponse()?.status, 503);
  assert.equal(header(api.getLocalResponse()?.headers, "retry-after"), "5");
  assert.ok(request(filter.emu, "/productpage").isContinued());
});

test("discovery is fetched through the provider cluster, then the keys", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  const [call] = filter.emu.getPendingCallouts();
  assert.equal(call.cluster, "idp");
  assert.equal(header(call.headers, ":authority"), "idp.example.com");
  assert.equal(header(call.headers, ":method"), "GET");
  discover(filter);
  assert.equal(filter.emu.getPendingCallouts().length, 0);
  assert.equal(request(filter.emu, "/api/x").getLocalResponse()?.status, 302);
});

test("a discovery document for another issuer is refused and retried with backoff", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  answerCallout(filter.emu, "/.well-known/openid-configuration", 200,
    filter.provider.discovery({ issuer: "https://evil.example" }));
  assert.equal(filter.emu.getPendingCallouts().length, 0);
  filter.emu.advanceTime(1000);
  assert.equal(filter.emu.getPendingCallouts().length, 1, "retried after 1 s");
  answerCallout(filter.emu, "/.well-known/openid-configuration", 500, "{}");
  filter.emu.advanceTime(1000);
  assert.equal(filter.emu.getPendingCallouts().length, 0, "backoff doubled to 2 s");
  filter.emu.advanceTime(1000);
  assert.equal(filter.emu.getPendingCallouts().length, 1);
  assert.ok(filter.emu.getLogs("error").some((r) => r.message.includes("another issuer")));
});

test("the login redirect carries code flow, state, nonce and an S256 PKCE challenge", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/v1/products/1?x=1");
  assert.equal(location.origin + location.pathname, `${ISSUER}/authorize`);
  const q = location.searchParams;
  assert.equal(q.get("response_type"), "code");
  assert.equal(q.get("client_id"), CLIENT_ID);
  assert.equal(q.get("redirect_uri"), `https://${APP}/oauth2/callback`);
  assert.deepEqual(q.get("scope")!.split(" "), ["openid", "email", "profile"]);
  assert.equal(q.get("code_challenge_method"), "S256");
  assert.match(q.get("code_challenge")!, /^[A-Za-z0-9_-]{43}$/);
  assert.ok(q.get("state")!.length >= 22 && q.get("nonce")!.length >= 22);
  assert.match(flowCookie, /^_oidc_session_flow_[A-Za-z0-9_-]{16}=1\./);
  assert.ok(!flowCookie.includes(q.get("state")!), "the state is not readable in the cookie");
});

test("flow cookies are HttpOnly, Secure, SameSite=Lax and short-lived", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const stream = request(filter.emu, "/api/x");
  const [setCookie] = headers(stream.getLocalResponse()?.headers, "set-cookie");
  assert.match(setCookie, /; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/);
});

test("an API client gets 401 with WWW-Authenticate instead of a redirect", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const stream = request(filter.emu, "/api/v1/products/1", { accept: "application/json" });
  const reply = stream.getLocalResponse();
  assert.equal(reply?.status, 401);
  assert.match(header(reply.headers, "www-authenticate")!, /^Bearer/);
  assert.deepEqual(JSON.parse(reply.body.toString()).error, "login_required");
});

test("a full login exchanges the code with Basic auth and the PKCE verifier", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/v1/products/1");
  const state = location.searchParams.get("state")!;
  request(filter.emu, `/oauth2/callback?code=the-code&state=${state}`, { cookie: flowCookie });
  const [call] = filter.emu.getPendingCallouts();
  assert.equal(header(call.headers, ":method"), "POST");
  assert.equal(header(call.headers, ":path"), "/oauth/token");
  const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64");
  assert.equal(header(call.headers, "authorization"), `Basic ${basic}`);
  const body = new URLSearchParams(call.body.toString());
  assert.equal(body.get("grant_type"), "authorization_code");
  assert.equal(body.get("code"), "the-code");
  assert.equal(body.get("redirect_uri"), `https://${APP}/oauth2/callback`);
  const verifier = body.get("code_verifier")!;
  assert.equal(createHash("sha256").update(verifier).digest("base64url"),
    location.searchParams.get("code_challenge"));
});

test("after login the session passes, with identity headers and without filter cookies", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const session = logIn(filter, "/api/v1/products/1");
  const stream = request(filter.emu, "/api/v1/products/1", {
    cookie: `theme=dark; ${session}`,
    headers: [["x-auth-request-user", "mallory"], ["x-auth-request-email", "m@evil.example"]],
  });
  assert.ok(stream.isContinued());
  const upstream = stream.getUpstreamRequestHeaders();
  assert.deepEqual(headers(upstream, "x-auth-request-user"), ["alice"]);
  assert.deepEqual(headers(upstream, "x-auth-request-email"), ["alice@example.com"]);
  assert.equal(header(upstream, "x-auth-request-preferred-username"), "alice");
  assert.equal(header(upstream, "x-auth-request-groups"), "admins,users");
  assert.equal(header(upstream, "cookie"), "theme=dark");
  assert.equal(header(upstream, "authorization"), undefined);
});

test("the cookies kept for the upstream keep the bytes they were sent with", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const session = logIn(filter, "/api/v1/products/1");
  // Header strings here are latin1: one char per byte. "\xc3\xa9" is UTF-8 for e-acute;
  // "\xff\xfe" is not UTF-8 at all, and must not come out as U+FFFD replacement bytes.
  const stream = request(filter.emu, "/api/v1/products/1", {
    cookie: `a=caf\xc3\xa9; ${session}; b=\xff\xfe;  c = spaced `,
  });
  assert.ok(stream.isContinued());
  assert.equal(header(stream.getUpstreamRequestHeaders(), "cookie"),
    "a=caf\xc3\xa9; b=\xff\xfe; c=spaced");
});

test("a session value one byte away from a cached one is refused", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const session = logIn(filter, "/api/v1/products/1");
  // The first request puts the opened session in the filter's cache.
  assert.ok(request(filter.emu, "/api/v1/products/1", { cookie: session }).isContinued());
  for (const at of [session.indexOf("=") + 3, session.length - 1]) {
    const changed = session.slice(0, at) + (session[at] === "A" ? "B" : "A") + session.slice(at + 1);
    const stream = request(filter.emu, "/api/v1/products/1", { cookie: changed });
    assert.equal(stream.isContinued(), false, `changed at ${at}`);
  }
  assert.ok(request(filter.emu, "/api/v1/products/1", { cookie: session }).isContinued());
});

test("identity headers a client sends are removed on public paths too", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  const stream = request(filter.emu, "/productpage", {
    headers: [["x-auth-request-user", "mallory"]],
  });
  assert.ok(stream.isContinued());
  assert.equal(header(stream.getUpstreamRequestHeaders(), "x-auth-request-user"), undefined);
});

test("the session cookie is HttpOnly, Secure, SameSite=Lax with Max-Age from cookie_expire", () => {
  const filter = startFilter(AUTH_IF_MATCHED, { cookie_expire: "8h" });
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/x");
  const callback = request(filter.emu,
    `/oauth2/callback?code=c&state=${location.searchParams.get("state")}`, { cookie: flowCookie });
  const idToken = filter.provider.idToken(filter.provider.claims(location.searchParams.get("nonce")!, NOW));
  answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
  const setCookies = headers(callback.getLocalResponse()?.headers, "set-cookie");
  assert.match(setCookies[0], /^_oidc_session=1\.[^;]+; Path=\/; Max-Age=28800; Secure; HttpOnly; SameSite=Lax$/);
  assert.match(setCookies[1], /^_oidc_session_flow_[^=]+=; Path=\/; Max-Age=0;/);
});

test("forward_access_token sends the access token upstream as a bearer token", () => {
  const filter = startFilter(AUTH_IF_MATCHED, { upstream: { forward_access_token: true } });
  discover(filter);
  const session = logIn(filter, "/api/x");
  const stream = request(filter.emu, "/api/x", { cookie: session });
  assert.equal(header(stream.getUpstreamRequestHeaders(), "authorization"), "Bearer access-token-1");
});

test("a tampered or foreign session cookie sends the user to log in again", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const session = logIn(filter, "/api/x");
  const tampered = session.slice(0, -2) + (session.endsWith("A") ? "B" : "A") + session.slice(-1);
  for (const cookie of [tampered, "_oidc_session=1.AAAA.BBBB", "_oidc_session=", "_oidc_session=x"]) {
    const stream = request(filter.emu, "/api/x", { cookie });
    assert.equal(stream.getLocalResponse()?.status, 302, cookie.slice(0, 40));
  }
  assert.ok(filter.emu.getMetrics()["oidc_sso.sessions_rejected"].value >= 3);
});

test("requests let through are counted, and the counts reach the host on the next tick", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const session = logIn(filter, "/api/x");
  const counted = (name: string) => filter.emu.getMetrics()[name]?.value ?? 0;
  const accepted = counted("oidc_sso.sessions_accepted");
  const bypassed = counted("oidc_sso.bypassed");
  for (let i = 0; i < 3; i++) {
    assert.ok(request(filter.emu, "/api/x", { cookie: session }).isContinued());
    assert.ok(request(filter.emu, "/productpage").isContinued());
  }
  filter.emu.tick();
  assert.equal(counted("oidc_sso.sessions_accepted") - accepted, 3);
  assert.equal(counted("oidc_sso.bypassed") - bypassed, 3);
  filter.emu.tick(); // nothing new: nothing more counted, and no increment of 0 (refused)
  assert.equal(counted("oidc_sso.sessions_accepted") - accepted, 3);
});

test("a log level raised at run time applies from the next tick", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const debugLines = () => filter.emu.getLogs().filter((r) => r.levelName === "debug").length;
  request(filter.emu, "/productpage");
  const before = debugLines();
  filter.emu.setLogLevel("debug");
  filter.emu.tick();
  request(filter.emu, "/productpage");
  assert.ok(debugLines() > before, "a debug line after the tick");
});

test("a session older than cookie_expire is refused", () => {
  const filter = startFilter(AUTH_IF_MATCHED, { cookie_expire: "1h" });
  discover(filter);
  const session = logIn(filter, "/api/x");
  filter.emu.advanceTime(59 * 60 * 1000);
  answerPendingKeyRefreshes(filter);
  assert.ok(request(filter.emu, "/api/x", { cookie: session }).isContinued());
  filter.emu.advanceTime(2 * 60 * 1000);
  assert.equal(request(filter.emu, "/api/x", { cookie: session }).getLocalResponse()?.status, 302);
});

function answerPendingKeyRefreshes(filter: FilterUnderTest): void {
  for (const call of filter.emu.getPendingCallouts()) {
    filter.emu.respondToCallout(call.token, { status: 200, body: filter.provider.jwks() });
  }
}

test("the callback refuses a missing, unknown or replayed state without a redirect loop", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/x");
  const state = location.searchParams.get("state")!;
  const cases: [string, string | undefined][] = [
    ["/oauth2/callback?code=c", flowCookie],
    [`/oauth2/callback?code=c&state=${state}`, undefined],
    [`/oauth2/callback?code=c&state=other-${state}`, flowCookie],
    [`/oauth2/callback?code=c&state=${state}&state=${state}`, flowCookie],
    [`/oauth2/callback?state=${state}`, flowCookie],
    ["/oauth2/callback?code=%zz", flowCookie],
  ];
  for (const [path, cookie] of cases) {
    const reply = request(filter.emu, path, { cookie }).getLocalResponse();
    assert.equal(reply?.status, 400, path);
    assert.equal(header(reply.headers, "location"), undefined);
  }
  assert.equal(filter.emu.getPendingCallouts().length, 0, "no token request was made");
});

test("a flow older than ten minutes is refused", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/x");
  filter.emu.advanceTime(601 * 1000);
  answerPendingKeyRefreshes(filter);
  const reply = request(filter.emu,
    `/oauth2/callback?code=c&state=${location.searchParams.get("state")}`, { cookie: flowCookie })
    .getLocalResponse();
  assert.equal(reply?.status, 400);
});

test("an error from the provider gets a clear page, not a loop", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const reply = request(filter.emu, "/oauth2/callback?error=access_denied&state=x").getLocalResponse();
  assert.equal(reply?.status, 403);
  assert.match(reply.body.toString(), /access_denied/);
  const odd = request(filter.emu, "/oauth2/callback?error=%3Cscript%3E").getLocalResponse();
  assert.doesNotMatch(odd!.body.toString(), /<script>/);
});

test("two logins in parallel tabs both complete", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const first = startLogin(filter, "/api/one");
  const second = startLogin(filter, "/static/two.js");
  assert.notEqual(first.flowCookie.split("=")[0], second.flowCookie.split("=")[0]);
  const both = `${first.flowCookie}; ${second.flowCookie}`;
  for (const [login, path] of [[second, "/static/two.js"], [first, "/api/one"]] as const) {
    const q = login.location.searchParams;
    const callback = request(filter.emu, `/oauth2/callback?code=c&state=${q.get("state")}`, { cookie: both });
    const idToken = filter.provider.idToken(filter.provider.claims(q.get("nonce")!, NOW));
    answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
    assert.equal(header(callback.getLocalResponse()?.headers, "location"), path);
  }
});

test("ID tokens with a wrong nonce, issuer or signature end the login with 403", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const bad = [
    { nonce: "other" }, { iss: "https://evil.example" }, { aud: "someone-else" }, { exp: NOW - 600 },
  ];
  for (const override of bad) {
    const { location, flowCookie } = startLogin(filter, "/api/x");
    const q = location.searchParams;
    const callback = request(filter.emu, `/oauth2/callback?code=c&state=${q.get("state")}`, { cookie: flowCookie });
    const idToken = filter.provider.idToken(filter.provider.claims(q.get("nonce")!, NOW, override));
    answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
    assert.equal(callback.getLocalResponse()?.status, 403, JSON.stringify(override));
    assert.equal(cookiePairs(callback).length, 0, "no session cookie");
  }
});

test("an unknown kid triggers one key refresh, then the login completes", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/x");
  const q = location.searchParams;
  const callback = request(filter.emu, `/oauth2/callback?code=c&state=${q.get("state")}`, { cookie: flowCookie });
  filter.provider.kid = "key-2";
  const idToken = filter.provider.idToken(filter.provider.claims(q.get("nonce")!, NOW));
  answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken));
  assert.ok(callback.isPaused(), "waits for the keys");
  answerCallout(filter.emu, "/keys", 200, filter.provider.jwks());
  assert.equal(callback.getLocalResponse()?.status, 302);
});

test("a token endpoint failure or timeout gives 502, not a pass", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  const answers: ((token: number) => void)[] = [
    (t) => filter.emu.respondToCallout(t, { status: 500, body: "oops" }),
    (t) => filter.emu.respondToCallout(t, { status: 200, body: "<html>" }),
    (t) => filter.emu.failCallout(t, "reset"),
    () => filter.emu.advanceTime(6000),
  ];
  for (const answer of answers) {
    const { location, flowCookie } = startLogin(filter, "/api/x");
    const callback = request(filter.emu,
      `/oauth2/callback?code=c&state=${location.searchParams.get("state")}`, { cookie: flowCookie });
    answer(filter.emu.getPendingCallouts()[0].token);
    answerPendingKeyRefreshes(filter);
    assert.equal(callback.getLocalResponse()?.status, 502);
  }
});

for (const [name, match, expectations] of [
  ["auth-if-matched on /static/* and /api/*", AUTH_IF_MATCHED,
    { "/productpage": "pass", "/api/v1/products/1": "login", "/static/jquery.min.js": "login" }],
  ["bypass-if-matched on /productpage and /static/*", BYPASS_IF_MATCHED,
    { "/productpage": "pass", "/api/v1/products/1": "login", "/static/jquery.min.js": "pass" }],
] as const) {
  test(`reference scenario: ${name}`, () => {
    const filter = startFilter(match);
    discover(filter);
    for (const [path, outcome] of Object.entries(expectations)) {
      const stream = request(filter.emu, path);
      if (outcome === "pass") assert.ok(stream.isContinued(), path);
      else assert.equal(stream.getLocalResponse()?.status, 302, path);
    }
  });
}

test("no encoding trick reaches the bypass rules with a protected path", () => {
  const filter = startFilter(BYPASS_IF_MATCHED);
  discover(filter);
  for (const path of [
    "/static/../api/v1/products/1", "/static/%2e%2e/api/x", "/static/..%2Fapi/x",
    "/productpage/../api/x", "/static/;/../api", "//api/x", "/static/x\\..\\..\\api",
    "/productpage%00", "/static/%252e%252e/api",
  ]) {
    assert.equal(request(filter.emu, path).getLocalResponse()?.status, 302, path);
  }
});

test("the filter never traps on the way", () => {
  const filter = startFilter(AUTH_IF_MATCHED);
  discover(filter);
  logIn(filter, "/api/x");
  assert.deepEqual(filter.emu.getTraps(), []);
  assert.equal(filter.emu.isFailed(), false);
});

test("secrets can come from the VM environment instead of the configuration", () => {
  const filter = startFilter(AUTH_IF_MATCHED, { client_secret: { env: "OIDC_CLIENT_SECRET" } },
    { environment: { OIDC_CLIENT_SECRET: "secret-from-env" } });
  discover(filter);
  const { location, flowCookie } = startLogin(filter, "/api/x");
  request(filter.emu, `/oauth2/callback?code=c&state=${location.searchParams.get("state")}`,
    { cookie: flowCookie });
  const [call] = filter.emu.getPendingCallouts();
  const basic = Buffer.from(`${CLIENT_ID}:secret-from-env`).toString("base64");
  assert.equal(header(call.headers, "authorization"), `Basic ${basic}`);
});

test("a configuration naming an unset environment variable is refused at start", () => {
  assert.throws(() => startFilter(AUTH_IF_MATCHED, { client_secret: { env: "MISSING" } }),
    /refused its configuration/);
});
