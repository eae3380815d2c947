// Runs the release filter in the emulator with a provider fixture: starts it, answers the
// discovery and key callouts, and plays requests as a browser or an API client would.
import assert from "node:assert/strict";
import { Emulator, type EmulatorOptions } from "../../../host/emulator.ts";
import type { EmulatorStream } from "../../../host/emulator-stream.ts";
import type { HeaderPairs } from "../../../host/pairs.ts";
import { ProviderFixture, filterConfig, ISSUER } from "./provider-fixture.ts";

export const RELEASE_WASM = new URL("../../../build/oidc-sso.wasm", import.meta.url).pathname;
export const START_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
export const APP = "app.example.com";

export interface FilterUnderTest {
  emu: Emulator;
  provider: ProviderFixture;
}

export function startFilter(
  match: object | undefined, extra: object = {}, options: Partial<EmulatorOptions> = {},
): FilterUnderTest {
  const emu = new Emulator({
    wasm: RELEASE_WASM,
    pluginConfig: filterConfig(match, extra),
    clusters: ["idp"],
    clock: START_MS,
    logLevel: "debug",
    ...options,
  });
  const result = emu.start();
  assert.ok(result.configured, "the filter refused its configuration");
  return { emu, provider: new ProviderFixture() };
}

/** Answers the pending callout to `path` (exactly one must be pending). */
export function answerCallout(
  emu: Emulator, path: string, status: number, body: string, headers: HeaderPairs = [],
): void {
  const pending = emu.getPendingCallouts();
  assert.equal(pending.length, 1, `expected one callout, found ${pending.length}`);
  const call = pending[0];
  assert.equal(call.headers.find(([n]) => n === ":path")?.[1], path);
  emu.respondToCallout(call.token, { status, body, headers: [["content-type", "application/json"], ...headers] });
}

/** Lets the filter discover the provider and load its keys. */
export function discover(filter: FilterUnderTest): void {
  answerCallout(filter.emu, "/.well-known/openid-configuration", 200, filter.provider.discovery());
  answerCallout(filter.emu, "/keys", 200, filter.provider.jwks());
}

export interface RequestOptions {
  method?: string;
  cookie?: string;
  accept?: string;
  headers?: HeaderPairs;
  authority?: string;
}

export function request(emu: Emulator, path: string, options: RequestOptions = {}): EmulatorStream {
  const headers: HeaderPairs = [
    [":method", options.method ?? "GET"],
    [":path", path],
    [":authority", options.authority ?? APP],
    [":scheme", "https"],
    ["accept", options.accept ?? "text/html,application/xhtml+xml"],
  ];
  if (options.cookie !== undefined) headers.push(["cookie", options.cookie]);
  headers.push(...(options.headers ?? []));
  const stream = emu.createStream();
  stream.callOnRequestHeaders(headers, true);
  return stream;
}

export function header(pairs: HeaderPairs | null | undefined, name: string): string | undefined {
  return pairs?.find(([n]) => n === name)?.[1];
}

export function headers(pairs: HeaderPairs | null | undefined, name: string): string[] {
  return (pairs ?? []).filter(([n]) => n === name).map(([, v]) => v);
}

/** "name=value" of each Set-Cookie in a local response. */
export function cookiePairs(stream: EmulatorStream): string[] {
  return headers(stream.getLocalResponse()?.headers, "set-cookie").map((c) => c.split(";")[0]);
}

export { ISSUER };
