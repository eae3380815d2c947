// A whole login in the emulator, step by step, for tests that need a session to start from.
import assert from "node:assert/strict";
import type { EmulatorStream } from "../../../host/emulator-stream.ts";
import {
  answerCallout, cookiePairs, header, request, type FilterUnderTest,
} from "./filter-harness.ts";

export interface LoginStart {
  location: URL;
  flowCookie: string;
  stream: EmulatorStream;
}

export function startLogin(filter: FilterUnderTest, path: string): LoginStart {
  const stream = request(filter.emu, path);
  const reply = stream.getLocalResponse();
  assert.equal(reply?.status, 302, `expected a login redirect for ${path}`);
  const location = new URL(header(reply.headers, "location")!);
  const flowCookie = cookiePairs(stream).find((c) => c.includes("_flow_"))!;
  return { location, flowCookie, stream };
}

export interface LoginOptions {
  claims?: Record<string, unknown>;
  tokens?: Record<string, unknown>;
  nowSeconds: number;
}

/** Runs a login for `path`; returns the callback stream (its Set-Cookie headers hold the session). */
export function completeLogin(filter: FilterUnderTest, path: string, options: LoginOptions): EmulatorStream {
  const { location, flowCookie } = startLogin(filter, path);
  const q = location.searchParams;
  const callback = request(filter.emu, `/oauth2/callback?code=c&state=${q.get("state")}`, {
    cookie: flowCookie,
  });
  const claims = filter.provider.claims(q.get("nonce")!, options.nowSeconds, options.claims);
  const idToken = filter.provider.idToken(claims);
  answerCallout(filter.emu, "/oauth/token", 200, filter.provider.tokenResponse(idToken, options.tokens));
  assert.equal(callback.getLocalResponse()?.status, 302, "login completes");
  return callback;
}

/** The Cookie header a browser would send after the callback's Set-Cookie headers. */
export function sessionCookieHeader(callback: EmulatorStream): string {
  return cookiePairs(callback).filter((c) => !c.includes("_flow_") && !c.endsWith("=")).join("; ");
}
