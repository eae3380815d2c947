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

interface StoredCookie {
  value: string;
  expiresAt: number | null;
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
    const jar = this.jar(new URL(url).hostname);
    const now = this.now();
    const parts: string[] = [];
    for (const [name, cookie] of jar) {
      if (cookie.expiresAt !== null && cookie.expiresAt <= now) jar.delete(name);
      else parts.push(`${name}=${cookie.value}`);
    }
    return parts.join("; ");
  }

  cookies(host: string): Map<string, string> {
    return new Map([...this.jar(host)].map(([name, cookie]) => [name, cookie.value]));
  }

  setCookie(host: string, name: string, value: string): void {
    this.jar(host).set(name, { value, expiresAt: null });
  }

  deleteCookie(host: string, name: string): void {
    this.jar(host).delete(name);
  }

  private store(url: string, header: string): void {
    const [pair, ...attributes] = header.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let expiresAt: number | null = null;
    for (const attribute of attributes) {
      const [key, val] = attribute.split("=");
      if (key.toLowerCase() === "max-age") expiresAt = this.now() + Number(val) * 1000;
    }
    const jar = this.jar(new URL(url).hostname);
    if (expiresAt !== null && expiresAt <= this.now()) jar.delete(name);
    else jar.set(name, { value, expiresAt });
  }

  /** One request, no redirect followed. */
  async request(url: string, init: RequestInit = {}): Promise<Hop> {
    const headers = new Headers(init.headers);
    if (!headers.has("accept")) headers.set("accept", this.accept);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    const setCookies = response.headers.getSetCookie();
    for (const header of setCookies) this.store(url, header);
    const location = response.headers.get("location");
    return {
      url,
      status: response.status,
      location: location === null ? null : new URL(location, url).toString(),
      setCookies,
      body: await response.text(),
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
      body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const rest = posted.location ? await this.navigate(posted.location) : [];
    return [posted, ...rest];
  }
}
