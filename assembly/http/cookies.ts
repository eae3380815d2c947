import { isSpace } from "util/string";

// Reading the Cookie request header and writing Set-Cookie response headers
// (RFC 6265 §4.1 for Set-Cookie, §5.4 for the Cookie header a browser sends).

/** One cookie of a Cookie header, name and value exactly as sent. */
export class Cookie {
  constructor(public name: string, public value: string) {}
}

/**
 * Splits a Cookie header into its cookies, in order, duplicates kept (a client may send
 * two cookies of one name; the caller decides what that means), appending them to `into`.
 * Pairs without '=' and empty names are skipped; white space around names and values is
 * trimmed (RFC 6265 §5.4 joins with "; "). One pass over the characters: this runs on every
 * request. (Not String#trim: in AssemblyScript 0.27 it stops trimming the start once the
 * white space there is half of what is left, which let a padded filter cookie go unseen.)
 */
export function parseCookieHeader(
  header: string, into: Array<Cookie> = new Array<Cookie>(),
): Array<Cookie> {
  const length = header.length;
  const chars = changetype<usize>(header);
  let start = 0;
  while (start < length) {
    let end = start;
    let eq = -1;
    for (; end < length; end++) {
      const c = <i32>load<u16>(chars + (<usize>end << 1)); // end < length: within the string
      if (c == 59) break; // ';'
      if (c == 61 && eq < 0) eq = end; // '='
    }
    if (eq > start) addCookie(header, start, eq, end, into);
    start = end + 1;
  }
  return into;
}

function addCookie(header: string, start: i32, eq: i32, end: i32, into: Array<Cookie>): void {
  let nameStart = start;
  let nameEnd = eq;
  while (nameStart < nameEnd && isSpace(header.charCodeAt(nameStart))) nameStart++;
  while (nameEnd > nameStart && isSpace(header.charCodeAt(nameEnd - 1))) nameEnd--;
  if (nameEnd == nameStart) return;
  let valueStart = eq + 1;
  let valueEnd = end;
  while (valueStart < valueEnd && isSpace(header.charCodeAt(valueStart))) valueStart++;
  while (valueEnd > valueStart && isSpace(header.charCodeAt(valueEnd - 1))) valueEnd--;
  into.push(new Cookie(
    header.substring(nameStart, nameEnd), header.substring(valueStart, valueEnd),
  ));
}

/** Every cookie of the request's Cookie headers (Envoy may hand several joined by "; "). */
export function findCookies(cookies: Array<Cookie>, name: string): Array<Cookie> {
  const found = new Array<Cookie>();
  for (let i = 0; i < cookies.length; i++) {
    if (cookies[i].name == name) found.push(cookies[i]);
  }
  return found;
}

/** Rebuilds a Cookie header from the cookies the filter keeps for the upstream. */
export function joinCookies(cookies: Array<Cookie>): string {
  const parts = new Array<string>(cookies.length);
  for (let i = 0; i < cookies.length; i++) parts[i] = cookies[i].name + "=" + cookies[i].value;
  return parts.join("; ");
}

export enum SameSite {
  Lax,
  Strict,
  None,
}

/** The attributes every cookie of the filter carries. */
export class CookieAttributes {
  path: string = "/";
  domain: string = "";
  secure: bool = true;
  httpOnly: bool = true;
  sameSite: SameSite = SameSite.Lax;
}

function sameSiteName(value: SameSite): string {
  if (value == SameSite.Strict) return "Strict";
  if (value == SameSite.None) return "None";
  return "Lax";
}

/**
 * A Set-Cookie value. `maxAge` < 0 leaves Max-Age out (a browser-session cookie); 0 deletes
 * the cookie. Name and value must already be cookie-safe (base64url and '.' here).
 */
export function buildSetCookie(
  name: string, value: string, attributes: CookieAttributes, maxAge: i64,
): string {
  let header = name + "=" + value + "; Path=" + attributes.path;
  if (attributes.domain.length > 0) header += "; Domain=" + attributes.domain;
  if (maxAge >= 0) header += "; Max-Age=" + maxAge.toString();
  if (attributes.secure) header += "; Secure";
  if (attributes.httpOnly) header += "; HttpOnly";
  header += "; SameSite=" + sameSiteName(attributes.sameSite);
  return header;
}

/** A Set-Cookie value that makes the browser drop the cookie now. */
export function buildClearCookie(name: string, attributes: CookieAttributes): string {
  return buildSetCookie(name, "", attributes, 0);
}
