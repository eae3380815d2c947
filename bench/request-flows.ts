// The two timed flows that need the provider's answer: the login callback (token response
// with a freshly signed ID token) and a session refresh (token response to a refresh grant).
// Everything a real browser and provider would have done before is prepared untimed; the
// timed part is the request's callbacks and the callout's answer, as the filter sees them.
import assert from "node:assert/strict";
import type { Emulator } from "../host/emulator.ts";
import type { HeaderPairs } from "../host/pairs.ts";
import { cookiePairs, discover, header } from "../tests/node/support/filter-harness.ts";
import {
  NOW_SECONDS, PROTECTED_PATH, SESSION_COOKIE, browserRequest, cookieKeys, loggedInFilter,
  runRequest, type LoggedIn,
} from "./filter-lanes.ts";
import { resealMany } from "./sealed-cookie.ts";
import { nowNs, type Contender } from "./stats.ts";

const JSON_HEADERS: HeaderPairs = [["content-type", "application/json"]];
const REFRESH_RESPONSE = JSON.stringify({
  access_token: "access-token-2", token_type: "Bearer", expires_in: 300,
  refresh_token: "refresh-token-2",
});

export interface TimedFlow {
  filter: Contender;
  noop: Contender;
}

interface Exchange {
  request: HeaderPairs;
  answer: string;
}

/**
 * Times `exchanges` through `emu`: the request's headers, then (untimed) the callout is
 * looked up, then its answer and the end of the stream. Throws if a request did not end as
 * `expect` says.
 */
type Stream = ReturnType<Emulator["createStream"]>;

function timeExchanges(
  emu: Emulator, exchanges: Exchange[], expect: (stream: Stream) => boolean,
): number {
  let total = 0;
  let failed = 0;
  for (const exchange of exchanges) {
    const start = nowNs();
    const stream = emu.createStream();
    stream.callOnRequestHeaders(exchange.request, true);
    const paused = nowNs();
    const [call] = emu.getPendingCallouts();
    const answered = nowNs();
    emu.respondToCallout(call.token, { status: 200, headers: JSON_HEADERS, body: exchange.answer });
    stream.complete();
    total += nowNs() - answered + (paused - start);
    if (!expect(stream)) failed++;
  }
  assert.equal(failed, 0, `${failed} of ${exchanges.length} timed exchanges ended unexpectedly`);
  return total;
}

/** The same request headers, `count` times through `emu`, timed. */
function repeated(emu: Emulator, request: HeaderPairs): Contender {
  return (count) => {
    const start = nowNs();
    for (let i = 0; i < count; i++) runRequest(emu, request);
    return nowNs() - start;
  };
}

/** A login started (redirect) and the provider's token response for its callback. */
function newLogin(lane: LoggedIn): Exchange {
  const { emu, provider } = lane.filter;
  const redirect = runRequest(emu, browserRequest(PROTECTED_PATH)).getLocalResponse();
  assert.equal(redirect?.status, 302, "login redirect");
  const location = new URL(header(redirect.headers, "location")!);
  const flowCookie = headerCookie(redirect.headers, "_flow_");
  const state = location.searchParams.get("state")!;
  const nonce = location.searchParams.get("nonce")!;
  const idToken = provider.idToken(provider.claims(nonce, NOW_SECONDS));
  return {
    request: browserRequest(`/oauth2/callback?code=code-1&state=${state}`, flowCookie),
    answer: provider.tokenResponse(idToken),
  };
}

function headerCookie(headers: HeaderPairs, fragment: string): string {
  const found = headers
    .filter(([name]) => name === "set-cookie")
    .map(([, value]) => value.split(";")[0])
    .find((pair) => pair.includes(fragment));
  assert.ok(found, `no Set-Cookie containing ${fragment}`);
  return found;
}

/** The callback: the filter's side, and the no-op filter given the same callback request. */
export function callbackSetup(main: LoggedIn, noop: Emulator): TimedFlow {
  const emu = main.filter.emu;
  const sample = newLogin(main);
  const loggedIn = (stream: Stream) =>
    stream.getLocalResponse()?.status === 302 &&
    cookiePairs(stream).some((pair) => pair.startsWith(`${SESSION_COOKIE}=1.`));
  return {
    filter: (count) => {
      const logins = Array.from({ length: count }, () => newLogin(main));
      return timeExchanges(emu, logins, loggedIn);
    },
    noop: repeated(noop, sample.request),
  };
}

export interface RefreshLane {
  flow: TimedFlow;
  /** Checks that every timed refresh succeeded, after the runs. */
  verify(): void;
}

/**
 * Refreshes: a filter with cookie_refresh 1m, `count * (rounds + 1)` distinct sessions of one
 * user opened once (so cached, as a returning browser's are), then the clock moved past the
 * refresh interval. Each timed request refreshes a different session.
 */
export function refreshSetup(noop: Emulator, count: number, rounds: number): RefreshLane {
  const lane = loggedInFilter({ extra: { cookie_refresh: "1m" } });
  const emu = lane.filter.emu;
  const values = resealMany(cookieKeys(), SESSION_COOKIE, lane.sessionValue, count * (rounds + 1));
  const requests = values.map((value) =>
    browserRequest(PROTECTED_PATH, `${SESSION_COOKIE}=${value}`));
  for (const request of requests) {
    assert.ok(runRequest(emu, request).isContinued(), "a fresh session passes");
  }
  emu.advanceTime(61_000);
  answerProviderFetches(lane);
  let next = 0;
  let done = 0;
  return {
    flow: {
      filter: (n) => {
        assert.ok(next + n <= requests.length, "the refresh benchmark ran out of sessions");
        const exchanges = requests.slice(next, next + n)
          .map((request) => ({ request, answer: REFRESH_RESPONSE }));
        next += n;
        done += n;
        return timeExchanges(emu, exchanges, (stream) => stream.isContinued());
      },
      noop: repeated(noop, requests[0]),
    },
    verify() {
      const metrics = emu.getMetrics();
      assert.equal(metrics["oidc_sso.refreshes_ok"]?.value, done, "every refresh succeeded");
    },
  };
}

/** Answers whatever the provider was asked after the clock moved (keys, discovery). */
function answerProviderFetches(lane: LoggedIn): void {
  const { emu, provider } = lane.filter;
  for (const call of emu.getPendingCallouts()) {
    const path = header(call.headers, ":path");
    if (path === "/keys") {
      const keys = { status: 200, headers: JSON_HEADERS, body: provider.jwks() };
      emu.respondToCallout(call.token, keys);
    } else {
      discover(lane.filter);
    }
  }
}
