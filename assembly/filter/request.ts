// One request as the filter sees it: its pseudo-headers and the headers the decisions need,
// read once from the host's header map.
import { HeaderMapView } from "../abi/headers";
import { Cookie, parseCookieHeader } from "../http/cookies";
import { isBrowserNavigation } from "../http/client";
import { isPlainAuthority } from "../http/url";
import { HeaderLookup } from "../rules/match";

export class RequestView extends HeaderLookup {
  /** `:path` as sent: path and query. */
  rawPath: string = "";
  /** The path without its query, for matching the filter's own endpoints exactly. */
  pathOnly: string = "";
  query: string = "";
  authority: string = "";
  method: string = "";
  scheme: string = "";
  cookies: Array<Cookie> = new Array<Cookie>();
  /** How many Cookie headers the request has (several are possible in HTTP/1.1). */
  cookieHeaders: i32 = 0;
  browser: bool = false;

  constructor(public map: HeaderMapView) {
    super();
    this.rawPath = this.value(":path");
    const question = this.rawPath.indexOf("?");
    this.pathOnly = question < 0 ? this.rawPath : this.rawPath.substring(0, question);
    this.query = question < 0 ? "" : this.rawPath.substring(question + 1);
    this.authority = this.value(":authority");
    this.method = this.value(":method");
    const scheme = this.get(":scheme");
    this.scheme = scheme === null ? "https" : scheme;
    this.readCookies();
    this.browser = isBrowserNavigation(
      this.get("accept"), this.get("sec-fetch-mode"), this.get("x-requested-with"),
    );
  }

  private readCookies(): void {
    for (let i = this.map.indexOf("cookie"); i >= 0; i = this.map.indexOf("cookie", i + 1)) {
      this.cookieHeaders++;
      parseCookieHeader(this.map.valueAt(i), this.cookies);
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

  /** `:path` exactly as sent: the decoded text may differ where bytes are not UTF-8. */
  rawPathBytes(): ArrayBuffer {
    const raw = this.map.rawValue(":path");
    return raw !== null ? raw : new ArrayBuffer(0);
  }
}
