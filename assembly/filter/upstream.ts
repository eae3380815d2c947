// What the upstream receives. The filter's own cookies never leave the gateway; identity
// headers a client sent are removed, so that only the filter can assert who the user is;
// then the session's identity is added.
import { MapType } from "../abi/types";
import {
  addHeaderBytes, removeHeader, removeHeaderBytes, replaceHeader, replaceHeaderBytes,
} from "../abi/host";
import { Cookie, joinCookies } from "../http/cookies";
import { Config } from "../config/config";
import { Session } from "../session/session";
import { RequestView } from "./request";
import { isSessionCookie } from "./session-cookie";

const COOKIE = String.UTF8.encode("cookie");

/** Rewrites the Cookie header without the filter's cookies (only when it holds any). */
function stripFilterCookies(config: Config, request: RequestView): void {
  const cookies = request.cookies;
  let kept = 0;
  for (let i = 0; i < cookies.length; i++) if (!isSessionCookie(config, cookies[i])) kept++;
  // Several Cookie headers are merged into one, so none can hide a filter cookie.
  if (kept == cookies.length && request.cookieHeaders <= 1) return;
  if (kept == 0) {
    removeHeaderBytes(MapType.HttpRequestHeaders, COOKIE);
    return;
  }
  const others = new Array<Cookie>();
  for (let i = 0; i < cookies.length; i++) {
    if (!isSessionCookie(config, cookies[i])) others.push(cookies[i]);
  }
  replaceHeaderBytes(MapType.HttpRequestHeaders, COOKIE, joinCookies(others));
}

/** Header values must not carry CR, LF, NUL or other controls into the upstream request. */
function headerSafe(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c == 127) return "";
  }
  return value;
}

/** The session's identity header values, encoded on first use and kept with the session. */
function upstreamValues(config: Config, session: Session): Array<ArrayBuffer | null> {
  const cached = session.upstreamValues;
  if (cached !== null) return cached;
  const values = new Array<ArrayBuffer | null>(config.claimHeaders.length);
  for (let i = 0; i < config.claimHeaders.length; i++) {
    const value = session.claim(config.claimHeaders[i].claim);
    const safe = value !== null ? headerSafe(value) : "";
    values[i] = safe.length > 0 ? String.UTF8.encode(safe) : null;
  }
  session.upstreamValues = values;
  return values;
}

/**
 * Prepares the request for the upstream: strips the filter's cookies and every configured
 * identity header, then (with a session) adds the identity and, when configured, the
 * access token. Must run before the request continues: afterwards the host refuses changes.
 */
export function prepareUpstreamRequest(
  config: Config, request: RequestView, session: Session | null,
): void {
  stripFilterCookies(config, request);
  const claimHeaders = config.claimHeaders;
  for (let i = 0; i < claimHeaders.length; i++) {
    if (request.has(claimHeaders[i].header)) {
      removeHeader(MapType.HttpRequestHeaders, claimHeaders[i].header);
    }
  }
  if (session === null) return;
  const values = upstreamValues(config, session);
  for (let i = 0; i < claimHeaders.length; i++) {
    const value = values[i];
    if (value !== null) addHeaderBytes(MapType.HttpRequestHeaders, claimHeaders[i].headerBytes, value);
  }
  if (config.forwardAccessToken && session.accessToken.length > 0) {
    replaceHeader(MapType.HttpRequestHeaders, "authorization", "Bearer " + session.accessToken);
  }
}
