// Section 1: the filter's time per request in the emulator, beside the no-op filter loaded
// the same way. A request is timed from callOnRequestHeaders to complete() (proxy_on_log,
// on_done, on_delete), with the provider's answer given in-process where the flow makes a
// callout; the no-op filter gets the same request headers. Each figure is the median over
// rounds of many requests, rounds alternating between the filters.
import assert from "node:assert/strict";
import type { Emulator } from "../host/emulator.ts";
import type { HeaderPairs } from "../host/pairs.ts";
import {
  PROTECTED_PATH, PUBLIC_PATH, SESSION_COOKIE, browserRequest, cookieKeys, loggedInFilter,
  noopFilter, runRequest, testFilterLane, type LoggedIn,
} from "./filter-lanes.ts";
import { callbackSetup, refreshSetup, type TimedFlow } from "./request-flows.ts";
import { resealMany } from "./sealed-cookie.ts";
import { compareRounds, nowNs, type Contender } from "./stats.ts";
import type { Row } from "./table.ts";

const VALID_SESSION_TARGET = 1.5;
/** More distinct sessions than the filter caches (CACHE_LIMIT), so none is found in it. */
const UNCACHED_SESSIONS = 5000;
/** Fewer distinct sessions than the filter caches: all found in it after the first round. */
const CACHED_SESSIONS = 1000;

interface Scenario {
  name: string;
  count: number;
  rounds: number;
  filter: Contender;
  noop: Contender;
  target?: number;
  note?: string;
}

/** A contender that sends `requests[i]` in turn, cycling, and times every request. */
function cycling(emu: Emulator, requests: HeaderPairs[]): Contender {
  let next = 0;
  return (count) => {
    const start = nowNs();
    for (let i = 0; i < count; i++) {
      runRequest(emu, requests[next]);
      next = (next + 1) % requests.length;
    }
    return nowNs() - start;
  };
}

function expectContinued(emu: Emulator, headers: HeaderPairs, what: string): void {
  assert.ok(runRequest(emu, headers).isContinued(), `${what}: expected the request to pass`);
}

function simpleScenarios(main: LoggedIn, noop: Emulator, hostCalls: Emulator): Scenario[] {
  const emu = main.filter.emu;
  const publicRequest = browserRequest(PUBLIC_PATH);
  const session = browserRequest(PROTECTED_PATH, `${SESSION_COOKIE}=${main.sessionValue}`);
  const anonymous = browserRequest(PROTECTED_PATH);
  const distinct = resealMany(cookieKeys(), SESSION_COOKIE, main.sessionValue, UNCACHED_SESSIONS)
    .map((value) => browserRequest(PROTECTED_PATH, `${SESSION_COOKIE}=${value}`));
  const manyUsers = distinct.slice(0, CACHED_SESSIONS);
  expectContinued(emu, publicRequest, "public path");
  expectContinued(emu, session, "valid session");
  expectContinued(emu, distinct[0], "resealed session");
  assert.equal(runRequest(emu, anonymous).getLocalResponse()?.status, 302, "login redirect");
  const pair = (requests: HeaderPairs[]) => ({
    filter: cycling(emu, requests), noop: cycling(noop, requests),
  });
  return [
    { name: "public path", count: 4000, rounds: 9, ...pair([publicRequest]) },
    {
      name: "protected path, valid session",
      count: 4000, rounds: 9, ...pair([session]), target: VALID_SESSION_TARGET,
      note: "The same session cookie on every request: after the first, the filter finds the " +
        `opened session in its cache. Cookie value ${main.sessionValue.length} bytes.`,
    },
    {
      name: "the host calls of a valid session alone (test filter host-calls)",
      count: 4000, rounds: 9, filter: cycling(hostCalls, [session]), noop: cycling(noop, [session]),
      note: "tests/filters/host-calls.ts makes the host calls the release filter makes for a " +
        "valid session (header map read, clock read, Cookie removed, four identity headers " +
        "added) and nothing else: what those calls cost in this host, a floor for the row " +
        "above.",
    },
    {
      name: `protected path, valid sessions of ${CACHED_SESSIONS} users, all cached`,
      count: 4000, rounds: 9, ...pair(manyUsers),
      note: `${CACHED_SESSIONS} distinct sessions in turn, fewer than the filter's cache holds: ` +
        "after the first round each is found in the cache, which the collector then marks " +
        "on every collection (the single-session row above keeps one).",
    },
    {
      name: "protected path, valid session not cached (HMAC + decryption)",
      count: 2000, rounds: 9, ...pair(distinct),
      note: `${UNCACHED_SESSIONS} distinct sessions (one record sealed under as many nonces), ` +
        "more than the filter's cache holds: each request checks the HMAC and decrypts.",
    },
    {
      name: "protected path, no session (login redirect)",
      count: 2000, rounds: 9, ...pair([anonymous]),
    },
  ];
}

function flowScenario(name: string, flow: TimedFlow, count: number, note: string): Scenario {
  return { name, count, rounds: 7, filter: flow.filter, noop: flow.noop, note };
}

function toRows(scenario: Scenario, filterNs: number, ratio: number): Row {
  const target = scenario.target;
  return {
    name: `Emulator, ${scenario.name}`,
    value: filterNs / 1000,
    unit: "µs/request",
    ratio,
    versus: "no-op",
    target: target === undefined ? undefined : `<= ${target}x no-op`,
    met: target === undefined ? undefined : ratio <= target,
    note: scenario.note,
  };
}

export async function benchRequestTime(): Promise<Row[]> {
  const noop = await noopFilter();
  const main = loggedInFilter();
  const hostCalls = await testFilterLane("host-calls");
  const scenarios = simpleScenarios(main, noop, hostCalls);
  const callback = callbackSetup(main, noop);
  scenarios.push(flowScenario("callback (token response in-process)", callback, 100,
    "Redirect and ID-token signing are done before the timed part; the timed part is the " +
    "callback request, the token response (RS256 ID token verified), and complete()."));
  const refresh = refreshSetup(await noopFilter({ cookie_refresh: "1m" }), 400, 7);
  scenarios.push(flowScenario("refresh (token response in-process)", refresh.flow, 400,
    "cookie_refresh 1m, sessions 61 s old (already opened once, so cached): the request " +
    "waits for the refresh, the token response (no new ID token) is answered in-process, " +
    "the new session is sealed and the request continues."));
  const rows: Row[] = [];
  let noopNs = 0;
  for (const scenario of scenarios) {
    const { medians, ratios } = compareRounds([scenario.noop, scenario.filter], scenario.count,
      scenario.rounds);
    if (scenario.name === "public path") noopNs = medians[0];
    rows.push(toRows(scenario, medians[1], ratios[1]));
  }
  refresh.verify();
  rows.unshift({
    name: "Emulator, no-op filter (any path)",
    value: noopNs / 1000,
    unit: "µs/request",
    note: "The emulator's own cost per request (contexts, header maps, callbacks): the " +
      "baseline of every ratio in this section.",
  });
  return rows;
}

