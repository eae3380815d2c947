// The hostile-input suites' driver: a fresh emulator per case, with the provider discovered
// (one provider fixture per process, so its keys are made once), sessions made by real logins
// and reused across emulators (they share the cookie secret), and one check of every outcome:
// the exact status, nothing upstream that should not be there (no identity without a valid
// session, never a filter cookie), Location headers that stay on the origin, no reflected
// input, and no trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Emulator, type EmulatorOptions } from "../../../host/emulator.ts";
import type { EmulatorStream } from "../../../host/emulator-stream.ts";
import type { HeaderPairs } from "../../../host/pairs.ts";
import {
  APP,
  RELEASE_WASM,
  START_MS,
  answerCallout,
  cookiePairs,
  header,
  headers,
  request,
  type FilterUnderTest,
  type RequestOptions,
} from "./filter-harness.ts";
import { completeLogin, sessionCookieHeader, startLogin } from "./login.ts";
import { AUTH_IF_MATCHED, ISSUER, ProviderFixture, filterConfig } from "./provider-fixture.ts";
import type { Tally } from "./hostile-tally.ts";

export const NOW = Math.floor(START_MS / 1000);
export const ORIGIN = `https://${APP}`;
/** One provider (RSA and EC keys) for every case of a process. */
export const PROVIDER = new ProviderFixture();

export const IDENTITY_HEADERS = [
  "x-auth-request-user",
  "x-auth-request-email",
  "x-auth-request-preferred-username",
  "x-auth-request-groups",
];
/** Text that must never come back in a response body: it would be reflected input. */
const REFLECTION_MARKERS = ["evil", "<script", "javascript:", "mallory"];

export interface Setup {
  /** The match rules; undefined: everything requires login. Default AUTH_IF_MATCHED. */
  match?: object;
  /** Further configuration. */
  config?: object;
  /** Emulator clock (ms). Default START_MS. */
  clock?: number;
  /** Skip discovery: the provider stays unknown. */
  undiscovered?: boolean;
}

/** A started filter whose provider is discovered and whose keys are loaded. */
export function ready(setup: Setup = {}): FilterUnderTest {
  const match = "match" in setup ? setup.match : AUTH_IF_MATCHED;
  const options: EmulatorOptions = {
    wasm: RELEASE_WASM,
    pluginConfig: filterConfig(match, setup.config ?? {}),
    clusters: ["idp"],
    clock: setup.clock ?? START_MS,
    logLevel: "debug",
  };
  const emu = new Emulator(options);
  assert.ok(emu.start().configured, "the filter refused its configuration");
  const filter = { emu, provider: PROVIDER };
  if (!setup.undiscovered) {
    answerCallout(emu, "/.well-known/openid-configuration", 200, PROVIDER.discovery());
    answerCallout(emu, "/keys", 200, PROVIDER.jwks());
  }
  return filter;
}

// ---- Sessions ----

const sessions = new Map<string, string>();

/**
 * The Cookie header of a session for `sub` made by a real login through a filter with this
 * configuration (cached: every emulator with the same cookie secret accepts it).
 */
export function sessionOf(
  sub = "alice",
  setup: Setup = {},
  claims: Record<string, unknown> = {},
): string {
  const key = JSON.stringify([sub, setup, claims]);
  const cached = sessions.get(key);
  if (cached !== undefined) return cached;
  const filter = ready(setup);
  const nowSeconds = Math.floor((setup.clock ?? START_MS) / 1000);
  const callback = completeLogin(filter, "/api/x", {
    nowSeconds,
    claims: { sub, preferred_username: sub, email: `${sub}@example.com`, ...claims },
  });
  const cookie = sessionCookieHeader(callback);
  assert.ok(cookie.length > 0, "the login set a session cookie");
  sessions.set(key, cookie);
  return cookie;
}

/** The value of the single session cookie in a Cookie header made by sessionOf. */
export function sessionValue(cookieHeader: string): string {
  const pair = cookieHeader.split("; ").find((c) => c.startsWith("_oidc_session="));
  assert.ok(pair, "a whole session cookie");
  return pair.slice("_oidc_session=".length);
}

// ---- Requests ----

export const API: RequestOptions = { accept: "application/json" };

export function get(
  filter: FilterUnderTest,
  path: string,
  options: RequestOptions = {},
): EmulatorStream {
  return request(filter.emu, path, options);
}

/** Starts a login for `path` and returns the state, nonce and flow cookie. */
export function beginLogin(filter: FilterUnderTest, path = "/api/x") {
  const { location, flowCookie } = startLogin(filter, path);
  const q = location.searchParams;
  return { state: q.get("state")!, nonce: q.get("nonce")!, flowCookie, location };
}

/** A callback request for `state` with `cookie`; the token callout, if any, stays pending. */
export function callback(filter: FilterUnderTest, query: string, cookie?: string): EmulatorStream {
  return request(filter.emu, `/oauth2/callback?${query}`, { cookie });
}

/** Answers the pending token callout with an ID token made of these claims and header. */
export function answerToken(
  filter: FilterUnderTest,
  nonce: string,
  claims: Record<string, unknown> = {},
  jwtHeader: Record<string, unknown> = {},
): void {
  const idToken = PROVIDER.idToken(PROVIDER.claims(nonce, NOW, claims), jwtHeader);
  answerCallout(filter.emu, "/oauth/token", 200, PROVIDER.tokenResponse(idToken));
}

/** Answers the pending token callout with a given ID token (any text). */
export function answerIdToken(filter: FilterUnderTest, idToken: unknown): void {
  answerCallout(
    filter.emu,
    "/oauth/token",
    200,
    JSON.stringify({
      access_token: "access-token-1",
      token_type: "Bearer",
      expires_in: 300,
      id_token: idToken,
    }),
  );
}

/** Answers every pending key fetch with the provider's keys. */
export function answerKeyFetches(filter: FilterUnderTest): void {
  for (const call of filter.emu.getPendingCallouts()) {
    if (header(call.headers, ":path") === "/keys") {
      filter.emu.respondToCallout(call.token, { status: 200, body: PROVIDER.jwks() });
    }
  }
}

// ---- Outcomes ----

export interface Expected {
  /** The local response status, or "pass": the request went upstream. */
  status: number | "pass";
  /** The user whose identity upstream must see ("pass" only); none when absent. */
  user?: string;
  /** The response completes a login: it may set the session cookie. */
  login?: boolean;
  /** Where a redirect must go: this origin's paths (default: origin or the provider). */
  location?: "origin" | "provider" | string;
  /** The origin the request was made on, for Location checks. Default ORIGIN. */
  origin?: string;
}

function describe(expected: Expected): string {
  if (expected.status === "pass") {
    return expected.user ? `passes as ${expected.user}` : "passes without identity";
  }
  if (expected.status === 302 && expected.location === "provider") return "302 to the provider";
  if (expected.status === 302)
    return expected.login ? "302 back to the page, logged in" : "302 on the origin";
  return `${expected.status}, nothing upstream`;
}

function identityOf(upstream: HeaderPairs): string[] {
  return IDENTITY_HEADERS.flatMap((name) => headers(upstream, name).map((v) => `${name}: ${v}`));
}

function filterCookiesIn(upstream: HeaderPairs): string[] {
  return headers(upstream, "cookie")
    .flatMap((c) => c.split(";").map((p) => p.trim()))
    .filter((p) => p.toLowerCase().startsWith("_oidc_session"));
}

/** Checks a Location header: no CR/LF, and where a browser would go stays where it should. */
function checkLocation(location: string, expected: Expected, label: string): void {
  assert.doesNotMatch(location, /[\r\n\0]/, `${label}: control characters in Location`);
  const origin = expected.origin ?? ORIGIN;
  const resolved = new URL(location, `${origin}/some/page`); // the WHATWG parser, as browsers
  const where = expected.location ?? "any";
  const onOrigin = resolved.origin === origin;
  const toProvider =
    resolved.origin === ISSUER &&
    (resolved.pathname === "/authorize" || resolved.pathname === "/logout");
  if (where === "origin") assert.ok(onOrigin, `${label}: Location ${location} leaves ${origin}`);
  else if (where === "provider")
    assert.ok(toProvider, `${label}: Location ${location} is not the provider`);
  else if (where !== "any") assert.equal(location, where, `${label}: Location`);
  else assert.ok(onOrigin || toProvider, `${label}: Location ${location} leaves ${origin}`);
}

/**
 * The one check every hostile case ends with. Counts a request let through (or given an
 * identity) wrongly, and traps, before asserting, so the summary shows them.
 */
export function checkOutcome(
  tally: Tally,
  filter: FilterUnderTest,
  stream: EmulatorStream,
  expected: Expected,
  label: string,
): void {
  const traps = filter.emu.getTraps();
  tally.add("traps", traps.length);
  assert.deepEqual(
    traps.map((t) => t.message),
    [],
    `${label}: the VM trapped`,
  );
  assert.equal(filter.emu.isFailed(), false, `${label}: the VM is failed`);

  const upstream = stream.getUpstreamRequestHeaders();
  const identity = upstream ? identityOf(upstream) : [];
  const wantIdentity = expected.status === "pass" && expected.user !== undefined;
  const wrong =
    (expected.status !== "pass" && upstream !== null) ||
    (!wantIdentity && identity.length > 0) ||
    (wantIdentity && !identity.includes(`x-auth-request-user: ${expected.user}`)) ||
    (upstream !== null && filterCookiesIn(upstream).length > 0);
  if (wrong) tally.add("letThrough");

  if (expected.status === "pass") {
    assert.ok(
      stream.isContinued(),
      `${label}: expected the request upstream, got ` +
        `${stream.getLocalResponse()?.status ?? (stream.isPaused() ? "paused" : "nothing")}`,
    );
    assert.deepEqual(filterCookiesIn(upstream!), [], `${label}: filter cookies upstream`);
    if (wantIdentity) {
      assert.deepEqual(headers(upstream, "x-auth-request-user"), [expected.user], `${label}: user`);
      for (const name of IDENTITY_HEADERS) {
        assert.ok(headers(upstream, name).length <= 1, `${label}: several ${name}`);
      }
    } else {
      assert.deepEqual(identity, [], `${label}: identity headers without a session`);
    }
    return;
  }

  const reply = stream.getLocalResponse();
  assert.equal(
    reply?.status,
    expected.status,
    `${label}: status` +
      (reply === null && stream.isPaused() ? " (the request is still held)" : ""),
  );
  assert.equal(upstream, null, `${label}: the request went upstream`);
  const location = header(reply.headers, "location");
  if (expected.status >= 300 && expected.status < 400) {
    assert.ok(location !== undefined, `${label}: a redirect without Location`);
    checkLocation(location, expected, label);
  } else {
    assert.equal(location, undefined, `${label}: Location on a ${expected.status}`);
  }
  const body = reply.body.toString("latin1").toLowerCase();
  for (const marker of REFLECTION_MARKERS) {
    assert.ok(!body.includes(marker), `${label}: the body reflects "${marker}"`);
  }
  if (!expected.login) {
    const setsSession = cookiePairs(stream)
      .filter((c) => c.startsWith("_oidc_session") && !c.startsWith("_oidc_session_flow_"))
      .filter((c) => !c.endsWith("="));
    assert.deepEqual(setsSession, [], `${label}: a session cookie was set`);
  }
}

// ---- Tables ----

export interface HostileCase {
  /** The case, as a short phrase: "a session cookie with its MAC cut off". */
  name: string;
  setup?: Setup;
  expect: Expected;
  /** Plays the case; returns the stream whose outcome is checked. */
  run(filter: FilterUnderTest): EmulatorStream;
}

/** One named test per case, each on a fresh filter. */
export function runCases(tally: Tally, group: string, cases: HostileCase[]): void {
  const seen = new Set<string>();
  for (const c of cases) {
    const title = `${group}: ${c.name} -> ${describe(c.expect)}`;
    assert.ok(!seen.has(title), `duplicate case ${title}`);
    seen.add(title);
    test(title, () => {
      tally.add("cases");
      const filter = ready(c.setup);
      const stream = c.run(filter);
      checkOutcome(tally, filter, stream, c.expect, c.name);
    });
  }
}
