import { request as httpRequest } from "node:http";

// A scripted browser for integration tests: keeps cookies per host (like a browser, ports do
// not separate them), follows redirects step by step so each hop can be inspected, and can
// fill in the development login form of the local provider.

export interface Hop {
  url: string;
  status: number;
  location: string | null;
  setCookies: string[];
  body: string;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
}

interface RawResponse {
  status: number;
  headers: Headers;
  setCookies: string[];
  body: string;
}

function send(
  url: string, method: string, headers: Record<string, string>, body: string | undefined,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (name !== "set-cookie" && value !== undefined) out.set(name, String(value));
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: out,
          setCookies: res.headers["set-cookie"] ?? [],
          body: Buffer.concat(chunks).toString("utf8"),
        });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number | null;
}

/** RFC 6265 §5.1.4: a cookie path matches the request path at a '/' boundary. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}

export class ScriptedBrowser {
  private jars = new Map<string, Map<string, StoredCookie>>();
  /** Sent with every request: a browser navigation accepts HTML. */
  accept = "text/html,application/xhtml+xml";
  now: () => number = () => Date.now();

  private jar(host: string): Map<string, StoredCookie> {
    let jar = this.jars.get(host);
    if (!jar) {
      jar = new Map();
      this.jars.set(host, jar);
    }
    return jar;
  }

  cookieHeader(url: string): string {
    const { hostname, pathname } = new URL(url);
    const jar = this.jar(hostname);
    const now = this.now();
    const parts: string[] = [];
    // Longer paths first, as browsers order them (RFC 6265 §5.4).
    const entries = [...jar].sort(([, a], [, b]) => b.path.length - a.path.length);
    for (const [key, cookie] of entries) {
      if (cookie.expiresAt !== null && cookie.expiresAt <= now) jar.delete(key);
      else if (pathMatches(cookie.path, pathname)) parts.push(`${cookie.name}=${cookie.value}`);
    }
    return parts.join("; ");
  }

  /** The cookies of `host` by name (for the root path). */
  cookies(host: string): Map<string, string> {
    return new Map([...this.jar(host).values()].map((cookie) => [cookie.name, cookie.value]));
  }

  private store(url: string, header: string): void {
    const [pair, ...attributes] = header.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let expiresAt: number | null = null;
    let path = "/";
    for (const attribute of attributes) {
      const [key, val] = attribute.split("=");
      if (key.toLowerCase() === "max-age") expiresAt = this.now() + Number(val) * 1000;
      if (key.toLowerCase() === "expires") expiresAt = Date.parse(val);
      if (key.toLowerCase() === "path" && val?.startsWith("/")) path = val;
    }
    const jar = this.jar(new URL(url).hostname);
    const key = `${name};${path}`;
    if (expiresAt !== null && expiresAt <= this.now()) jar.delete(key);
    else jar.set(key, { name, value, path, expiresAt });
  }

  /** One request, no redirect followed. (node:http, since fetch forces Sec-Fetch-Mode: cors.) */
  async request(url: string, init: RequestOptions = {}): Promise<Hop> {
    const headers: Record<string, string> = { accept: this.accept, "sec-fetch-mode": "navigate" };
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    const body = init.body === undefined ? undefined : String(init.body);
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const response = await send(url, init.method ?? "GET", headers, body);
    const setCookies = response.setCookies;
    for (const header of setCookies) this.store(url, header);
    const location = response.headers.get("location");
    return {
      url,
      status: response.status,
      location: location === null ? null : new URL(location, url).toString(),
      setCookies,
      body: response.body,
      headers: response.headers,
    };
  }

  /** Follows redirects (at most `limit`), returning every hop. */
  async navigate(url: string, limit = 10): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: string | null = url;
    while (next !== null && hops.length < limit) {
      const hop = await this.request(next);
      hops.push(hop);
      next = hop.status >= 300 && hop.status < 400 ? hop.location : null;
    }
    return hops;
  }

  /**
   * Completes the provider's development login page (oidc-provider devInteractions): posts
   * the user name and a password to the form the page shows, then follows the redirects
   * back to the gateway. Returns every hop after the form.
   */
  async logIn(loginPage: Hop, user: string): Promise<Hop[]> {
    const action = /<form[^>]*action="([^"]+)"/.exec(loginPage.body)?.[1];
    if (!action) throw new Error(`no login form at ${loginPage.url}`);
    const target = new URL(action.replace(/&amp;/g, "&"), loginPage.url).toString();
    const body = new URLSearchParams({ prompt: "login", login: user, password: "any" });
    const posted = await this.request(target, {
      method: "POST",
      body: body.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const rest = posted.location ? await this.navigate(posted.location) : [];
    return [posted, ...rest];
  }
}
