import { asciiLower } from "./ascii";

// Absolute http(s) URLs from the configuration and the provider's discovery document.
// Callouts need them split: the authority goes to `:authority`, path and query to `:path`.

export class Url {
  constructor(
    public scheme: string,
    /** Host with its port when one was given, lowercase, e.g. "idp.example.com:8443". */
    public authority: string,
    /** Path and query, at least "/". */
    public pathAndQuery: string,
  ) {}

  toString(): string {
    return this.scheme + "://" + this.authority + this.pathAndQuery;
  }

  /** The path without the query. */
  get path(): string {
    const q = this.pathAndQuery.indexOf("?");
    return q < 0 ? this.pathAndQuery : this.pathAndQuery.substring(0, q);
  }
}

function isAuthorityChar(c: i32): bool {
  // RFC 3986 §3.2.2 reg-name and IP literals, and ':' before a port. No userinfo ('@'):
  // credentials in a configured URL are refused rather than sent somewhere by mistake.
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 58 ||
    c == 91 || c == 93;
}

function isPathChar(c: i32): bool {
  // Printable ASCII except space, '"', '<', '>', '\', '^', '`', '{', '|', '}', '#'.
  if (c <= 32 || c >= 127) return false;
  return c != 34 && c != 60 && c != 62 && c != 92 && c != 94 && c != 96 && c != 123 &&
    c != 124 && c != 125 && c != 35;
}

/** Parses an absolute http or https URL; null for anything else (fragments included). */
export function parseUrl(text: string): Url | null {
  const lower = asciiLower(text);
  let rest: string;
  let scheme: string;
  if (lower.startsWith("https://")) {
    scheme = "https";
    rest = text.substring(8);
  } else if (lower.startsWith("http://")) {
    scheme = "http";
    rest = text.substring(7);
  } else {
    return null;
  }
  let slash = rest.indexOf("/");
  const query = rest.indexOf("?");
  if (query >= 0 && (slash < 0 || query < slash)) slash = query;
  const authority = asciiLower(slash < 0 ? rest : rest.substring(0, slash));
  let pathAndQuery = slash < 0 ? "/" : rest.substring(slash);
  if (pathAndQuery.startsWith("?")) pathAndQuery = "/" + pathAndQuery;
  if (authority.length == 0 || authority.startsWith(":")) return null;
  for (let i = 0; i < authority.length; i++) {
    if (!isAuthorityChar(authority.charCodeAt(i))) return null;
  }
  for (let i = 0; i < pathAndQuery.length; i++) {
    if (!isPathChar(pathAndQuery.charCodeAt(i))) return null;
  }
  return new Url(scheme, authority, pathAndQuery);
}

/** True for localhost and loopback addresses, where plain http is acceptable. */
export function isLoopbackAuthority(authority: string): bool {
  let host = authority;
  if (host.startsWith("[")) return host.startsWith("[::1]");
  const colon = host.indexOf(":");
  if (colon >= 0) host = host.substring(0, colon);
  return host == "localhost" || host.startsWith("127.");
}

/**
 * True when a request's authority is a plain host with an optional port, in either case:
 * letters, digits, "-", ".", "_", "~", ":" and the brackets of an IPv6 literal. Anything else
 * (userinfo "@", "/", "\\", "?", "#", spaces, controls, non-ASCII) would make an address
 * built from it point elsewhere, or break the header it is written into.
 */
export function isPlainAuthority(authority: string): bool {
  if (authority.length == 0 || authority.length > 255) return false;
  for (let i = 0; i < authority.length; i++) {
    const c = authority.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    const plain = letter || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126 ||
      c == 58 || c == 91 || c == 93;
    if (!plain) return false;
  }
  return true;
}
