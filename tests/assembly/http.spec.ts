import {
  Cookie, CookieAttributes, SameSite, buildClearCookie, buildSetCookie, findCookies,
  joinCookies, parseCookieHeader,
} from "../../assembly/http/cookies";
import { isSafeLocalTarget, safeLocalTarget } from "../../assembly/http/redirect";
import { isBrowserNavigation } from "../../assembly/http/client";

describe("parseCookieHeader", () => {
  it("splits cookies on ';' and trims spaces", () => {
    const cookies = parseCookieHeader("a=1; b=2;c=3");
    expect(cookies.length).toBe(3);
    expect(cookies[1].name).toBe("b");
    expect(cookies[2].value).toBe("3");
  });
  it("keeps duplicates in order", () => {
    const found = findCookies(parseCookieHeader("s=1; x=0; s=2"), "s");
    expect(found.length).toBe(2);
    expect(found[0].value).toBe("1");
    expect(found[1].value).toBe("2");
  });
  it("keeps '=' inside values (base64 padding)", () => {
    expect(parseCookieHeader("t=YQ==")[0].value).toBe("YQ==");
  });
  it("skips pairs without a name or without '='", () => {
    const cookies = parseCookieHeader("=x; novalue; ;a=1");
    expect(cookies.length).toBe(1);
    expect(cookies[0].name).toBe("a");
  });
  it("reads an empty header as no cookies", () => {
    expect(parseCookieHeader("").length).toBe(0);
  });
  it("rejoins kept cookies for the upstream", () => {
    const joined = joinCookies([Cookie.of("a", "1"), Cookie.of("b", "2")]);
    expect(String.UTF8.decode(joined)).toBe("a=1; b=2");
  });
});

describe("buildSetCookie", () => {
  it("writes the secure defaults: Path, Secure, HttpOnly, SameSite=Lax", () => {
    const attributes = new CookieAttributes();
    expect(buildSetCookie("s", "v", attributes, 3600)).toBe(
      "s=v; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax",
    );
  });
  it("leaves Max-Age out for a browser-session cookie", () => {
    const attributes = new CookieAttributes();
    attributes.secure = false;
    attributes.sameSite = SameSite.Strict;
    attributes.domain = "example.com";
    expect(buildSetCookie("s", "v", attributes, -1)).toBe(
      "s=v; Path=/; Domain=example.com; HttpOnly; SameSite=Strict",
    );
  });
  it("clears a cookie with an empty value and Max-Age=0", () => {
    expect(buildClearCookie("s", new CookieAttributes())).toBe(
      "s=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
    );
  });
});

describe("isSafeLocalTarget", () => {
  it("accepts same-origin paths with queries", () => {
    expect(isSafeLocalTarget("/")).toBe(true);
    expect(isSafeLocalTarget("/api/v1/products/1?x=1&y=%20")).toBe(true);
  });
  it("refuses network-path and absolute references", () => {
    expect(isSafeLocalTarget("//evil.example")).toBe(false);
    expect(isSafeLocalTarget("/\\evil.example")).toBe(false);
    expect(isSafeLocalTarget("https://evil.example")).toBe(false);
    expect(isSafeLocalTarget("javascript:alert(1)")).toBe(false);
    expect(isSafeLocalTarget("evil.example")).toBe(false);
  });
  it("refuses CR, LF, spaces, controls and non-ASCII", () => {
    expect(isSafeLocalTarget("/a\r\nSet-Cookie: x=1")).toBe(false);
    expect(isSafeLocalTarget("/a b")).toBe(false);
    expect(isSafeLocalTarget("/a\tb")).toBe(false);
    expect(isSafeLocalTarget("/caf\u00e9")).toBe(false);
  });
  it("refuses empty and over-long targets", () => {
    expect(isSafeLocalTarget("")).toBe(false);
    expect(isSafeLocalTarget("/" + "a".repeat(5000))).toBe(false);
  });
  it("falls back to / for an unsafe target", () => {
    expect(safeLocalTarget("//evil.example")).toBe("/");
    expect(safeLocalTarget("/ok")).toBe("/ok");
  });
});

describe("isBrowserNavigation", () => {
  it("trusts Sec-Fetch-Mode when the browser sends it", () => {
    expect(isBrowserNavigation("text/html", "navigate", null)).toBe(true);
    expect(isBrowserNavigation("text/html", "cors", null)).toBe(false);
  });
  it("falls back to Accept containing text/html", () => {
    expect(isBrowserNavigation("text/html,application/xhtml+xml", null, null)).toBe(true);
    expect(isBrowserNavigation("application/json", null, null)).toBe(false);
    expect(isBrowserNavigation(null, null, null)).toBe(false);
  });
  it("treats X-Requested-With as an API client", () => {
    expect(isBrowserNavigation("text/html", "navigate", "XMLHttpRequest")).toBe(false);
  });
});
