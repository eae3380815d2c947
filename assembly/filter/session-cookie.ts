// The session cookie on the wire. A browser keeps at most about 4 KiB per cookie, and a
// session holding an ID token and a refresh token can be larger, so a long value is split
// into numbered parts `<name>_0`, `<name>_1`, ... and joined again on read. Writing a session
// also clears every part the browser still has from an earlier, longer one.
import { Cookie, CookieAttributes, buildClearCookie, buildSetCookie } from "../http/cookies";
import { Config } from "../config/config";
import { RequestView } from "./request";

/** Room for the value in one Set-Cookie, leaving space for name and attributes under 4096. */
export const MAX_PART_LENGTH = 3800;
const MAX_PARTS = 16;

function partName(config: Config, index: i32): string {
  return config.cookieName + "_" + index.toString();
}

function valueOf(cookies: Array<Cookie>, name: string): Cookie | null {
  for (let i = 0; i < cookies.length; i++) if (cookies[i].nameIs(name)) return cookies[i];
  return null;
}

/**
 * The session value split into parts, joined again: parts 0..n-1, contiguous, as one cookie
 * of the session's name; null when the request has no part 0 (or only empty parts).
 */
export function joinedParts(config: Config, request: RequestView): Cookie | null {
  const cookies = request.cookies;
  if (valueOf(cookies, partName(config, 0)) === null) return null;
  let joined = "";
  for (let i = 0; i < MAX_PARTS; i++) {
    const part = valueOf(cookies, partName(config, i));
    if (part === null) break;
    joined += part.value;
  }
  return joined.length > 0 ? Cookie.of(config.cookieName, joined) : null;
}

/**
 * True for the session cookie, its parts and the login-flow cookies: the name is the
 * configured one, or begins with it and "_" (compared on the name's bytes).
 */
export function isSessionCookie(config: Config, cookie: Cookie): bool {
  const name = config.cookieName;
  if (!cookie.nameStartsWith(name)) return false;
  const size = cookie.nameEnd - cookie.nameStart;
  return size == name.length || load<u8>(cookie.source.dataStart + <usize>(cookie.nameStart + name.length)) == 95; // '_'
}

/** Set-Cookie values that store `value`, clearing the parts the request has left over. */
export function writeSession(
  config: Config, request: RequestView, attributes: CookieAttributes, value: string,
): Array<string> {
  const maxAge: i64 = config.cookieExpire > 0 ? config.cookieExpire : -1;
  const out = new Array<string>();
  let parts = 0;
  if (value.length <= MAX_PART_LENGTH) {
    out.push(buildSetCookie(config.cookieName, value, attributes, maxAge));
  } else {
    for (let start = 0; start < value.length; start += MAX_PART_LENGTH) {
      const part = value.substring(start, start + MAX_PART_LENGTH);
      out.push(buildSetCookie(partName(config, parts), part, attributes, maxAge));
      parts++;
    }
    if (valueOf(request.cookies, config.cookieName) !== null) {
      out.push(buildClearCookie(config.cookieName, attributes));
    }
  }
  for (let i = parts; i < MAX_PARTS; i++) {
    const name = partName(config, i);
    if (valueOf(request.cookies, name) !== null) out.push(buildClearCookie(name, attributes));
  }
  return out;
}

/** Set-Cookie values clearing every session, part and flow cookie the request carries. */
export function clearSessionCookies(
  config: Config, request: RequestView, attributes: CookieAttributes,
): Array<string> {
  const out = new Array<string>();
  const seen = new Array<string>();
  for (let i = 0; i < request.cookies.length; i++) {
    const cookie = request.cookies[i];
    if (!isSessionCookie(config, cookie)) continue;
    const name = cookie.name;
    if (seen.includes(name)) continue;
    seen.push(name);
    out.push(buildClearCookie(name, attributes));
  }
  return out;
}
