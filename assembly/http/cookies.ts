// Reading the Cookie request header and writing Set-Cookie response headers
// (RFC 6265 §4.1 for Set-Cookie, §5.4 for the Cookie header a browser sends).

/** One cookie of a Cookie header, name and value exactly as sent. */
export class Cookie {
  constructor(public name: string, public value: string) {}
}

/**
 * `text` without leading and trailing white space. Not String#trim: in AssemblyScript 0.27 it
 * stops trimming the start once the white space there is half of what is left, so a name
 * padded with enough spaces kept some, and a filter cookie went unseen (and unstripped).
 */
function trimSpace(text: string): string {
  return text.trimEnd().trimStart();
}

/**
 * Splits a Cookie header into its cookies, in order, duplicates kept (a client may send
 * two cookies of one name; the caller decides what that means). Pairs without '=' and
 * empty names are skipped; surrounding spaces are trimmed (RFC 6265 §5.4 joins with "; ").
 */
export function parseCookieHeader(header: string): Array<Cookie> {
  const cookies = new Array<Cookie>();
  let start = 0;
  const length = header.length;
  while (start < length) {
    let end = header.indexOf(";", start);
    if (end < 0) end = length;
    const eq = header.indexOf("=", start);
    if (eq > start && eq < end) {
      const name = trimSpace(header.substring(start, eq));
      const value = trimSpace(header.substring(eq + 1, end));
      if (name.length > 0) cookies.push(new Cookie(name, value));
    }
    start = end + 1;
  }
  return cookies;
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
