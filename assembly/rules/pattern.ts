// The conditions a rule is made of: path patterns, host patterns, methods and header
// conditions. Each is parsed once, when the configuration is read, and matched on every
// request without allocating. Path patterns follow Istio AuthorizationPolicy semantics, the
// scheme operators of Istio gateways already write (ASM's OIDC rules use it too).
// Pure module: no host imports, never traps.

import { normalizePath } from "./path";
import { asciiLower, asciiUpper } from "../http/ascii";

/** What parsing a pattern gives: the value, or an error naming the key and the rule. */
export class Parsed<T> {
  constructor(
    readonly value: T | null,
    readonly error: string,
  ) {}
}

/** `value` in double quotes, with quotes, backslashes and controls escaped for a log line. */
export function quote(value: string): string {
  let text = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c == 0x22 || c == 0x5c) text += "\\" + String.fromCharCode(c);
    else if (c < 0x20 || c == 0x7f) text += "\\u" + c.toString(16).padStart(4, "0");
    else text += String.fromCharCode(c);
  }
  return text + '"';
}

function refuse<T>(key: string, value: string, rule: string): Parsed<T> {
  return new Parsed<T>(null, key + ": " + quote(value) + ": " + rule);
}

// ---- Paths ----

export enum PathKind {
  EXACT,
  PREFIX,
  SUFFIX,
  ANY,
}

/**
 * An Istio path pattern: "/productpage" (exact), "/api/*" (prefix "/api/"), "*.js" (suffix)
 * or "*" (any path). Istio turns "/api/*" into the prefix "/api/", so it does NOT match
 * "/api" itself; list "/api" as well to protect it. It is matched against the normalized
 * path, so its text must already be in normal form.
 */
export class PathPattern {
  constructor(
    readonly kind: PathKind,
    readonly text: string, // the pattern without its "*"
  ) {}

  matches(path: string): bool {
    if (path.length == 0) return false; // an unsafe path matches nothing
    if (this.kind == PathKind.EXACT) return path == this.text;
    if (this.kind == PathKind.PREFIX) return path.startsWith(this.text);
    if (this.kind == PathKind.SUFFIX) return path.endsWith(this.text);
    return true;
  }
}

/** Parses a path pattern; `key` names it in errors, e.g. "rules[1].paths[0]". */
export function parsePathPattern(key: string, value: string): Parsed<PathPattern> {
  if (value == "*") return new Parsed<PathPattern>(new PathPattern(PathKind.ANY, ""), "");
  const star = value.indexOf("*");
  if (star >= 0 && value.indexOf("*", star + 1) >= 0) {
    return refuse<PathPattern>(key, value, 'a path pattern may hold only one "*"');
  }
  if (star > 0 && star < value.length - 1) {
    return refuse<PathPattern>(key, value, '"*" may only start or end a path pattern');
  }
  if (value.length == 0 || (star != 0 && value.charCodeAt(0) != 0x2f)) {
    return refuse<PathPattern>(key, value, 'a path pattern must start with "/" or "*"');
  }
  if (value.includes("?") || value.includes("#")) {
    return refuse<PathPattern>(key, value, "a path pattern holds no query or fragment");
  }
  if (star == 0) return checkNormal(key, value, PathKind.SUFFIX, value.substring(1));
  if (star > 0) return checkNormal(key, value, PathKind.PREFIX, value.substring(0, star));
  return checkNormal(key, value, PathKind.EXACT, value);
}

// The pattern's text must be what normalizePath makes of it, or it could never match. A
// prefix may end inside a segment and a suffix may start inside one, so each is checked
// joined to a filler: the prefix "/a/." is fine, as "/a/.x" is normal.
function checkNormal(
  key: string,
  value: string,
  kind: PathKind,
  text: string,
): Parsed<PathPattern> {
  const head = kind == PathKind.SUFFIX ? "/x" : "";
  const tail = kind == PathKind.PREFIX ? "x" : "";
  const probe = head + text + tail;
  const normal = normalizePath(probe);
  if (!normal.ok) {
    return refuse<PathPattern>(key, value, "it names an unsafe path (" + normal.reason + ")");
  }
  if (normal.path == probe) return new Parsed<PathPattern>(new PathPattern(kind, text), "");

  const path = normal.path;
  const fits = path.startsWith(head) && path.endsWith(tail) && path.length > head.length;
  if (!fits) return refuse<PathPattern>(key, value, "it is not in normal form");
  const middle = path.substring(head.length, path.length - tail.length);
  const written = (head.length > 0 ? "*" : "") + middle + (tail.length > 0 ? "*" : "");
  return refuse<PathPattern>(key, value, "it is not in normal form: write " + quote(written));
}

// ---- Hosts ----

/**
 * A host pattern, matched against `:authority` without regard to case (RFC 3986 §3.2.2):
 * "example.com" (exact) or "*.example.com" (any subdomain, at any depth, not example.com
 * itself). Without a port in the pattern the request's port is ignored; with one, the
 * request must name that port. A trailing dot is not folded: "example.com." is another
 * name to Envoy's routing too.
 */
export class HostPattern {
  constructor(
    readonly host: string, // lowercase; for a wildcard, the suffix from the first "."
    readonly wildcard: bool,
    readonly port: string, // "" when the pattern has none
  ) {}

  matches(authority: string): bool {
    const hostEnd = authorityHostEnd(authority);
    if (this.port.length > 0 && !portIs(authority, hostEnd, this.port)) return false;
    const size = this.host.length;
    if (this.wildcard) {
      return hostEnd > size && equalsIgnoreCase(authority, hostEnd - size, this.host);
    }
    return hostEnd == size && equalsIgnoreCase(authority, 0, this.host);
  }
}

// Where the host part of an authority ends: after "]" for an IP literal, else at ":".
function authorityHostEnd(authority: string): i32 {
  const length = authority.length;
  if (length > 0 && authority.charCodeAt(0) == 0x5b) {
    const close = authority.indexOf("]");
    return close < 0 ? length : close + 1;
  }
  const colon = authority.indexOf(":");
  return colon < 0 ? length : colon;
}

function portIs(authority: string, hostEnd: i32, port: string): bool {
  const size = port.length;
  if (authority.length != hostEnd + 1 + size) return false;
  if (authority.charCodeAt(hostEnd) != 0x3a) return false;
  for (let i = 0; i < size; i++) {
    if (authority.charCodeAt(hostEnd + 1 + i) != port.charCodeAt(i)) return false;
  }
  return true;
}

// True when `text` at `start` holds `lower` (lowercase ASCII), folding ASCII case only.
function equalsIgnoreCase(text: string, start: i32, lower: string): bool {
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c != lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Parses a host pattern; `key` names it in errors, e.g. "rules[0].hosts[1]". */
export function parseHostPattern(key: string, value: string): Parsed<HostPattern> {
  const lower = asciiLower(value);
  const hostEnd = authorityHostEnd(lower);
  const host = lower.substring(0, hostEnd);
  const hasPort = hostEnd < lower.length;
  const port = hasPort ? lower.substring(hostEnd + 1) : "";
  if (hasPort && (lower.charCodeAt(hostEnd) != 0x3a || !isPort(port))) {
    return refuse<HostPattern>(key, value, 'a port is ":" and a number from 1 to 65535');
  }
  if (host == "*") return refuse<HostPattern>(key, value, "to match any host, leave hosts out");
  const wildcard = host.startsWith("*.");
  const name = wildcard ? host.substring(2) : host;
  if (!isHostName(name) && (wildcard || !isIpLiteral(name))) {
    return refuse<HostPattern>(key, value, 'a host is a DNS name or IP address ("*." in front)');
  }
  const pattern = new HostPattern(wildcard ? host.substring(1) : host, wildcard, port);
  return new Parsed<HostPattern>(pattern, "");
}

function isPort(text: string): bool {
  if (text.length == 0 || text.length > 5) return false;
  let number = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    number = number * 10 + c - 0x30;
  }
  return number >= 1 && number <= 65535;
}

// Lowercase labels of letters, digits, "-" and "_", separated by single dots (RFC 1123 §2.1;
// "_" appears in service names). No empty label, so no leading or trailing dot.
function isHostName(name: string): bool {
  if (name.length == 0 || name.length > 253) return false;
  let labelSize = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c == 0x2e) {
      if (labelSize == 0) return false;
      labelSize = 0;
      continue;
    }
    const letter = c >= 0x61 && c <= 0x7a;
    const digit = c >= 0x30 && c <= 0x39;
    if (!letter && !digit && c != 0x2d && c != 0x5f) return false;
    labelSize++;
  }
  return labelSize > 0;
}

// "[" hex digits, ":" and "." "]" (RFC 3986 §3.2.2 IP-literal, loosely: Envoy checks it).
function isIpLiteral(name: string): bool {
  const size = name.length;
  if (size < 4 || name.charCodeAt(0) != 0x5b || name.charCodeAt(size - 1) != 0x5d) return false;
  for (let i = 1; i < size - 1; i++) {
    const c = name.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
    if (!hex && c != 0x3a && c != 0x2e) return false;
  }
  return true;
}

// ---- Methods ----

/** Checks a method name: an uppercase token (RFC 9110 §9.1: methods are case-sensitive). */
export function parseMethod(key: string, value: string): Parsed<string> {
  if (value.length == 0 || !isToken(value)) {
    return refuse<string>(key, value, "a method is a token such as GET or POST");
  }
  if (value != asciiUpper(value)) {
    return refuse<string>(key, value, "methods are case-sensitive: write " + asciiUpper(value));
  }
  return new Parsed<string>(value, "");
}

// RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
function isToken(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    if (!alnum && "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) < 0) return false;
  }
  return true;
}

// ---- Headers ----

/**
 * One header condition: the header `name` (lowercase) must be present with a value equal
 * to one of `values` or, for a value written with a trailing "*", starting with it; the
 * value "*" alone asks only for presence. As in Istio's `when` conditions, the values of one
 * name are alternatives (any of them), and the conditions of a rule must all hold.
 */
export class HeaderCondition {
  readonly values: string[] = [];
  readonly prefixes: bool[] = [];

  constructor(readonly name: string) {}

  matches(value: string | null): bool {
    if (value === null) return false;
    for (let i = 0; i < this.values.length; i++) {
      const wanted = unchecked(this.values[i]);
      if (unchecked(this.prefixes[i]) ? value.startsWith(wanted) : value == wanted) return true;
    }
    return false;
  }
}

/** Checks a header name: a token, taken in lowercase (RFC 9110 §5.1). */
export function parseHeaderName(key: string, name: string): Parsed<string> {
  if (name.length == 0 || !isToken(name)) {
    return refuse<string>(key, name, "a header name is a token such as x-env, no pseudo-header");
  }
  return new Parsed<string>(asciiLower(name), "");
}

/** Checks a header value: visible ASCII and spaces, with "*" only at the end. */
export function checkHeaderValue(key: string, value: string): string {
  const star = value.indexOf("*");
  if (star >= 0 && star != value.length - 1) {
    return refuse<string>(key, value, '"*" may only end a header value').error;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      return refuse<string>(key, value, "a header value holds visible ASCII and spaces").error;
    }
  }
  return "";
}
