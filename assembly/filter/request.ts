// One request as the filter sees it: its pseudo-headers and the headers the decisions need,
// read once from the host's header map.
import { HeaderMapView } from "../abi/headers";
import { Cookie, parseCookieBytes } from "../http/cookies";
import { isBrowserNavigation } from "../http/client";
import { isPlainAuthority } from "../http/url";
import { HeaderLookup } from "../rules/match";
import { NormalizedPath, normalizePathAt } from "../rules/path";

/** Methods given as these constants when sent so: the common ones cost no decoding. */
const KNOWN_METHODS: StaticArray<string> = [
  "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH",
];

export class RequestView extends HeaderLookup {
  /** `:path` as sent: path and query. */
  rawPath: string = "";
  /** The path without its query, for matching the filter's own endpoints exactly. */
  pathOnly: string = "";
  authority: string = "";
  method: string = "";
  cookies: Array<Cookie> = new Array<Cookie>();
  /** How many Cookie headers the request has (several are possible in HTTP/1.1). */
  cookieHeaders: i32 = 0;
  // Read on first use: most requests (a valid session, a public path) never need them.
  private queryText: string | null = null;
  private schemeText: string | null = null;
  private browserKnown: bool = false;
  private browserValue: bool = false;

  constructor(public map: HeaderMapView) {
    super();
    this.rawPath = this.value(":path");
    const question = this.rawPath.indexOf("?");
    this.pathOnly = question < 0 ? this.rawPath : this.rawPath.substring(0, question);
    this.authority = this.value(":authority");
    this.method = this.readMethod();
    this.readCookies();
  }

  /** The query after the first '?' of `:path`, "" when there is none. */
  get query(): string {
    const known = this.queryText;
    if (known !== null) return known;
    const question = this.rawPath.indexOf("?");
    const query = question < 0 ? "" : this.rawPath.substring(question + 1);
    this.queryText = query;
    return query;
  }

  /** `:scheme`, "https" when absent. */
  get scheme(): string {
    const known = this.schemeText;
    if (known !== null) return known;
    const sent = this.get(":scheme");
    const scheme = sent !== null ? sent : "https";
    this.schemeText = scheme;
    return scheme;
  }

  /** True for a browser's page navigation (see isBrowserNavigation). */
  get browser(): bool {
    if (!this.browserKnown) {
      this.browserValue = isBrowserNavigation(
        this.get("accept"), this.get("sec-fetch-mode"), this.get("x-requested-with"),
      );
      this.browserKnown = true;
    }
    return this.browserValue;
  }

  /** `:method`, "" when absent; a known method's constant when it is one. */
  private readMethod(): string {
    const map = this.map;
    const index = map.indexOf(":method");
    if (index < 0) return "";
    for (let i = 0; i < KNOWN_METHODS.length; i++) {
      if (map.valueIs(index, unchecked(KNOWN_METHODS[i]))) return unchecked(KNOWN_METHODS[i]);
    }
    return map.valueAt(index);
  }

  private readCookies(): void {
    const map = this.map;
    for (let i = map.indexOf("cookie"); i >= 0; i = map.indexOf("cookie", i + 1)) {
      this.cookieHeaders++;
      parseCookieBytes(map.source, map.valueStart(i), map.valueEnd(i), this.cookies);
    }
  }

  /** The first value of header `name` (lowercase), or null. */
  get(name: string): string | null {
    return this.map.get(name);
  }

  /** The first value of header `name`, or "" when absent. */
  value(name: string): string {
    const found = this.get(name);
    return found === null ? "" : found;
  }

  has(name: string): bool {
    return this.map.indexOf(name) >= 0;
  }

  /**
   * The origin the browser used: scheme and authority, e.g. "https://app.example.com". ""
   * when either is not plain (a hostile :authority such as "app@evil.example" or one with
   * CR LF): addresses built on it then stay relative to wherever the browser is.
   */
  get origin(): string {
    const scheme = this.scheme;
    if ((scheme != "https" && scheme != "http") || !isPlainAuthority(this.authority)) return "";
    return scheme + "://" + this.authority;
  }

  /**
   * `:path` normalized for matching (see normalizePathBytes), read from the exact bytes sent:
   * the decoded text may differ where bytes are not UTF-8.
   */
  normalizedPath(): NormalizedPath {
    const map = this.map;
    const index = map.indexOf(":path");
    if (index < 0) return normalizePathAt(0, 0);
    const start = map.valueStart(index);
    const size = map.valueEnd(index) - start;
    return normalizePathAt(map.source.dataStart + <usize>start, size, this.pathOnly);
  }
}
