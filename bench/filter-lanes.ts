// The emulators the request-time figures compare: the release filter, logged in through its
// own flow (discovery, redirect, callback, token response answered in-process), and the no-op
// test filter loaded with the very same options. A browser's request headers, as Envoy hands
// them to filters, are built here once so that every lane sees the same ones.
import assert from "node:assert/strict";
import { Emulator } from "../host/emulator.ts";
import type { HeaderPairs } from "../host/pairs.ts";
import { testFilter } from "../host/testing/test-filters.ts";
import {
  APP, START_MS, discover, startFilter, type FilterUnderTest,
} from "../tests/node/support/filter-harness.ts";
import { completeLogin, sessionCookieHeader } from "../tests/node/support/login.ts";
import {
  AUTH_IF_MATCHED, COOKIE_SECRET, filterConfig,
} from "../tests/node/support/provider-fixture.ts";
import { deriveKeys, type CookieKeys } from "./sealed-cookie.ts";

export const NOW_SECONDS = Math.floor(START_MS / 1000);
export const PUBLIC_PATH = "/productpage";
export const PROTECTED_PATH = "/api/v1/products/1";
export const SESSION_COOKIE = "_oidc_session";
/** Envoy's default log level: the filter's debug lines are not written. */
const LOG_LEVEL = "info";

/** A browser's navigation request, with the headers Envoy adds before the filters run. */
export function browserRequest(path: string, cookie?: string): HeaderPairs {
  const headers: HeaderPairs = [
    [":authority", APP],
    [":path", path],
    [":method", "GET"],
    [":scheme", "https"],
    ["user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
    ["accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
    ["accept-language", "en-US,en;q=0.5"],
    ["accept-encoding", "gzip, deflate, br"],
    ["sec-fetch-mode", "navigate"],
  ];
  if (cookie !== undefined) headers.push(["cookie", cookie]);
  headers.push(
    ["x-forwarded-proto", "https"],
    ["x-request-id", "6f1b3c55-9a0e-4d67-8d2b-0c7f1e9a2b44"],
    ["x-forwarded-for", "192.0.2.10"],
  );
  return headers;
}

export interface LoggedIn {
  filter: FilterUnderTest;
  /** The session cookie's value, as the callback set it. */
  sessionValue: string;
}

export interface LaneOptions {
  /** Configuration keys added to the emulator tests' configuration. */
  extra?: object;
  /** Another build of the filter (default: build/oidc-sso.wasm). */
  wasm?: string;
  /** The emulator's clock at start, ms since epoch (default: the tests' START_MS). */
  startMs?: number;
}

/** The release filter in the emulator, provider discovered, one user logged in. */
export function loggedInFilter(options: LaneOptions = {}): LoggedIn {
  const startMs = options.startMs ?? START_MS;
  const emulatorOptions = { logLevel: LOG_LEVEL, clock: startMs } as const;
  const filter = startFilter(AUTH_IF_MATCHED, options.extra ?? {},
    options.wasm === undefined ? emulatorOptions : { ...emulatorOptions, wasm: options.wasm });
  discover(filter);
  const nowSeconds = Math.floor(startMs / 1000);
  const callback = completeLogin(filter, PROTECTED_PATH, { nowSeconds });
  const cookie = sessionCookieHeader(callback);
  assert.ok(cookie.startsWith(`${SESSION_COOKIE}=`) && !cookie.includes(";"),
    `expected one session cookie, got ${cookie.slice(0, 40)}...`);
  return { filter, sessionValue: cookie.slice(SESSION_COOKIE.length + 1) };
}

/** The no-op filter with the options the release filter runs with. */
export function noopFilter(extra: object = {}): Promise<Emulator> {
  return testFilterLane("noop", extra);
}

/** Test filter `name` (tests/filters/) loaded as the release filter is. */
export async function testFilterLane(name: string, extra: object = {}): Promise<Emulator> {
  const emu = new Emulator({
    wasm: await testFilter(name),
    pluginConfig: filterConfig(AUTH_IF_MATCHED, extra),
    clusters: ["idp"],
    clock: START_MS,
    logLevel: LOG_LEVEL,
  });
  assert.ok(emu.start().configured, `the ${name} filter did not start`);
  return emu;
}

export function cookieKeys(): CookieKeys {
  return deriveKeys(COOKIE_SECRET);
}

/** One request through `emu`, ended as Envoy ends a stream; returns the stream. */
export function runRequest(emu: Emulator, headers: HeaderPairs) {
  const stream = emu.createStream();
  stream.callOnRequestHeaders(headers, true);
  stream.complete();
  return stream;
}
