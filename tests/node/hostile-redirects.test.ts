// Hostile redirect targets, in the emulator: the page a login started from (replayed in the
// callback's Location) and the `rd` parameter of sign-out. Whatever the target, the final
// Location must stay on the origin as a browser's URL parser reads it (Node's WHATWG URL:
// "/\host" and tab-stripped forms included), and must carry no CR or LF. Every case has the
// exact Location it must get.
import { after } from "node:test";
import assert from "node:assert/strict";
import {
  answerCallout,
  cookiePairs,
  header,
  type FilterUnderTest,
} from "./support/filter-harness.ts";
import { ISSUER } from "./support/provider-fixture.ts";
import {
  NOW,
  ORIGIN,
  PROVIDER,
  callback,
  get,
  runCases,
  sessionOf,
  type HostileCase,
} from "./support/hostile-harness.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-redirects");
after(() => tally.finish());

/** Everything requires login: no rules, so that any target starts a login. */
const ALL_PROTECTED = { match: undefined };

/** Starts a login from raw `path`, completes it, and returns the callback's stream. */
function loginFrom(path: string) {
  return (f: FilterUnderTest) => {
    const start = get(f, path);
    const reply = start.getLocalResponse();
    assert.equal(reply?.status, 302, `${JSON.stringify(path)} starts a login`);
    const location = new URL(header(reply.headers, "location")!);
    assert.equal(location.origin + location.pathname, `${ISSUER}/authorize`);
    assert.equal(location.searchParams.get("redirect_uri"), `${ORIGIN}/oauth2/callback`);
    const flowCookie = cookiePairs(start).find((c) => c.includes("_flow_"))!;
    const stream = callback(f, `code=c&state=${location.searchParams.get("state")}`, flowCookie);
    const idToken = PROVIDER.idToken(PROVIDER.claims(location.searchParams.get("nonce")!, NOW));
    answerCallout(f.emu, "/oauth/token", 200, PROVIDER.tokenResponse(idToken));
    return stream;
  };
}

const cases: HostileCase[] = [];

/** A target as a test name shows it: JSON, with long ones cut and their size given. */
function show(text: string): string {
  return text.length <= 48
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, 16))}... (${text.length} bytes)`;
}

// ---- The page a login started from ----
const SAFE_TARGETS = [
  "/api/x?a=1&b=%2F",
  "/%2F%2Fevil.example",
  "/%2fevil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "/x%0d%0aSet-Cookie:%20a=b",
  "/..//evil.example",
  "/.//evil.example",
  "/%2e%2e//evil.example",
  "/?next=//evil.example",
  "/?next=https://evil.example",
  "/@evil.example",
  "/javascript:alert(1)",
  "/#//evil.example",
  "/" + "a".repeat(4095),
];
for (const target of SAFE_TARGETS) {
  cases.push({
    name: `a login started from ${show(target)} returns there`,
    setup: ALL_PROTECTED,
    expect: { status: 302, login: true, location: target },
    run: loginFrom(target),
  });
}

const UNSAFE_TARGETS = [
  "//evil.example",
  "//evil.example/path",
  "///evil.example",
  "////evil.example",
  "/\\evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "https://evil.example",
  "https://evil.example/",
  "http:evil.example",
  "HTTPS://evil.example",
  "javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/ /evil.example",
  "/x\r\nSet-Cookie: a=b",
  "/x\r\nLocation: https://evil.example",
  "/x\x00y",
  "/x\x7fy",
  "/\xc3\xa9",
  "/\xff",
  "/\xc0\xafevil.example",
  "/\xe2\x88\x95evil.example",
  "/" + "a".repeat(4096),
  "/" + "a".repeat(20000),
  "",
  "*",
  "evil.example",
];
for (const target of UNSAFE_TARGETS) {
  cases.push({
    name: `a login started from ${show(target)} returns to /`,
    setup: ALL_PROTECTED,
    expect: { status: 302, login: true, location: "/" },
    run: loginFrom(target),
  });
}

// ---- rd of sign-out (no session: the target is local) ----
const HOME = `${ORIGIN}/`;
const RD: [string, string][] = [
  ["%2Fproductpage", "/productpage"],
  ["/productpage?x=1", "/productpage?x=1"],
  ["%2F%252F%252Fevil.example", "/%2F%2Fevil.example"],
  ["%2F%2Fevil.example", HOME],
  ["//evil.example", HOME],
  ["%2F%5Cevil.example", HOME],
  ["/%5Cevil.example", HOME],
  ["%5C%5Cevil.example", HOME],
  ["https%3A%2F%2Fevil.example", HOME],
  ["https://evil.example", HOME],
  ["HTTPS%3A%2F%2Fevil.example", HOME],
  ["%2F%2F%2Fevil.example", HOME],
  ["/%2F/evil.example", HOME],
  ["javascript%3Aalert(1)", HOME],
  ["data%3Atext%2Fhtml%2Cx", HOME],
  ["evil.example", HOME],
  ["%2Fok%0D%0ASet-Cookie%3A%20a%3Db", HOME],
  ["%2Fok%0ASet-Cookie%3A%20a%3Db", HOME],
  ["%2F%09%2Fevil.example", HOME],
  ["%2F%20%2Fevil.example", HOME],
  ["%2Fx%00y", HOME],
  ["%2F%C3%A9", HOME],
  ["%2F%E2%80%A8", HOME],
  ["%2F%C0%AFevil.example", HOME],
  ["", HOME],
  ["%zz", HOME],
  [`%2F${"a".repeat(5000)}`, HOME],
  ["%2Fa&rd=%2F%2Fevil.example", "/a"],
  ["%2F%2Fevil.example&rd=%2Fa", HOME],
  ["+%2F%2Fevil.example", HOME],
];
for (const [rd, location] of RD) {
  cases.push({
    name: `sign-out with rd=${show(rd)} goes to ${show(location)}`,
    expect: { status: 302, location },
    run: (f) => get(f, `/oauth2/sign_out?rd=${rd}`),
  });
}
cases.push({
  name: "sign-out with rd=//evil.example and a session goes through the provider's logout",
  expect: { status: 302, location: "provider" },
  run: (f) => {
    const stream = get(f, "/oauth2/sign_out?rd=%2F%2Fevil.example", { cookie: sessionOf("alice") });
    const location = new URL(header(stream.getLocalResponse()?.headers, "location")!);
    assert.equal(location.searchParams.get("post_logout_redirect_uri"), HOME);
    return stream;
  },
});
cases.push({
  name: "sign-out with rd=//evil.example and sign_out_redirect /goodbye",
  setup: { config: { sign_out_redirect: "/goodbye" } },
  expect: { status: 302, location: `${ORIGIN}/goodbye` },
  run: (f) => get(f, "/oauth2/sign_out?rd=%2F%2Fevil.example"),
});
cases.push({
  name: "sign-out with a 10,000-byte rd full of CR LF",
  expect: { status: 302, location: HOME },
  run: (f) => get(f, `/oauth2/sign_out?rd=${"%0D%0A".repeat(1700)}`),
});

runCases(tally, "redirect", cases);
