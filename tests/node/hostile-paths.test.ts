// Hostile request paths against the rules, in the emulator: dot segments plain and encoded,
// encoded slashes and backslashes, ";" parameters, repeated slashes, case, NUL and control
// bytes, invalid or overlong UTF-8 as raw bytes and as escapes, over-long paths, and
// targets that are not origin-form. A path passes without login only when its one
// normalized form is public; every unsafe spelling must log in, in both modes. The cases of
// "auth if matched" that pass because of case or ";" are the documented limits of that mode
// (README, "Configuration"), kept here so that a change to them is seen.
import { after } from "node:test";
import { AUTH_IF_MATCHED, BYPASS_IF_MATCHED } from "./support/provider-fixture.ts";
import { get, runCases, type Expected, type HostileCase } from "./support/hostile-harness.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-paths");
after(() => tally.finish());

const PASS: Expected = { status: "pass" };
const LOGIN: Expected = { status: 302, location: "provider" };

/** Raw bytes of a path, as the latin1 string the host's header maps carry. */
const raw = (bytes: number[]) => Buffer.from(bytes).toString("latin1");

const BYPASS_PASS = [
  "/productpage",
  "/static/app.js",
  "//productpage",
  "/static//app.js",
  "///static///app.js",
  "/static/./app.js",
  "/static/x/../app.js",
  "/x/../productpage",
  "/api/../productpage",
  "/../productpage",
  "/../../static/app.js",
  "/%73tatic/app.js",
  "/static/%61pp.js",
  "/%70roductpage",
  "/static/app.js;v=1",
  "/productpage?x=../../api",
  "/productpage?%2F..%2Fapi",
  "/static/app.js#/../../api",
  "/static/caf\xc3\xa9.js",
  "/static/caf%C3%A9.js",
  "/static/caf%c3%a9.js",
  "/static/%e2%80%ae.js",
  "/static/%2e",
  "/static/.",
  "/static/%7e",
  "/static/a%2Bb",
];

const BYPASS_LOGIN = [
  "/productpage/../api/x",
  "/static/../api/x",
  "/static/%2e%2e/api/x",
  "/static/%2E%2E/api/x",
  "/static/.%2e/api/x",
  "/static/%2e./api/x",
  "/static/%2e%2e%2fapi/x",
  "/static/%2fapi",
  "/static%2fapp.js",
  "/static/..%2fapi/x",
  "/static%2f..%2fapi",
  "/static/%5c..%5capi",
  "/static/..%5Capi",
  "/static\\..\\api",
  "/static/..\\api",
  "/static/..;/api/x",
  "/static/.;x/../api",
  "/static/;/../api",
  "/static/..%3B/api",
  "/static/..%3b/api",
  "/static/;x/../../api",
  "/productpage;x=1",
  "/productpage;",
  "/static;x/app.js",
  "/PRODUCTPAGE",
  "/productPage",
  "/Static/app.js",
  "/STATIC/app.js",
  "/static/%00",
  "/static/x%00.js",
  "/productpage%00",
  "/productpage\x00",
  "/static/\x00",
  "/static/\t.js",
  "/static/\x7f.js",
  "/static/\x1b.js",
  "/static/%252e%252e/api",
  "/static/%25%32%65%25%32%65/api",
  "/static/%252fapi",
  "/static/%c0%ae%c0%ae/api",
  "/static/%C0%AF../api",
  "/static/%e0%80%ae/api",
  "/static/%ed%a0%80.js",
  "/static/%f4%90%80%80.js",
  "/static/%ff.js",
  "/static/%c3",
  raw([0x2f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x2f, 0xc0, 0xae, 0xc0, 0xae, 0x2f, 0x61]),
  raw([0x2f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x2f, 0xff]),
  raw([0x2f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x2f, 0xc3]),
  raw([0x2f, 0x73, 0x74, 0x61, 0x74, 0x69, 0x63, 0x2f, 0xed, 0xa0, 0x80]),
  "/static/%zz",
  "/static/%",
  "/static/%4",
  "/static/%%32%65",
  "/static/" + "a".repeat(8200),
  "/static/" + "%41".repeat(3000),
  "*",
  "",
  "static/app.js",
  "http://app.example.com/static/app.js",
  "/productpage/",
  "/productpage/.",
  "/productpage/x",
  "/productpagex",
  "/static",
  "/staticx/app.js",
  "/static/..",
  "/static/../",
  "/static/%2e%2e",
  "/static/.%2E/",
  "/static/%23/../../api",
  "/oauth2/callback/../../api/x",
  "/static/../oauth2/sign_out",
  "/api/x",
];

const AUTH_MODE: [string, Expected][] = [
  ["/api/x", LOGIN],
  ["/static/app.js", LOGIN],
  ["/productpage", PASS],
  ["/productpage/../api/x", LOGIN],
  ["/productpage/%2e%2e/api/x", LOGIN],
  ["//api/x", LOGIN],
  ["/./api/x", LOGIN],
  ["/%61pi/x", LOGIN],
  ["/api%2Fx", LOGIN],
  ["/x/..%2fapi", LOGIN],
  ["/x%5C..%5Capi/x", LOGIN],
  ["/x\\..\\api\\x", LOGIN],
  ["/productpage;/../api/x", LOGIN],
  ["/productpage\x00/../api/x", LOGIN],
  ["/%c0%ae%c0%ae/api/x", LOGIN],
  ["/" + "a".repeat(9000), LOGIN],
  ["*", LOGIN],
  ["/API/x", PASS],
  ["/Api/x", PASS],
  ["/api;x/y", PASS],
  ["/static;v=1/app.js", PASS],
  ["/apix", PASS],
  ["/api", PASS],
  ["/x/../productpage", PASS],
];

const cases: HostileCase[] = [];
const show = (path: string) =>
  path.length <= 48
    ? JSON.stringify(path)
    : `${JSON.stringify(path.slice(0, 16))}... (${path.length} bytes)`;

for (const path of BYPASS_PASS) {
  cases.push({
    name: `bypass mode, ${show(path)}`,
    setup: { match: BYPASS_IF_MATCHED },
    expect: PASS,
    run: (f) => get(f, path),
  });
}
for (const path of BYPASS_LOGIN) {
  cases.push({
    name: `bypass mode, ${show(path)}`,
    setup: { match: BYPASS_IF_MATCHED },
    expect: LOGIN,
    run: (f) => get(f, path),
  });
}
for (const [path, expect] of AUTH_MODE) {
  cases.push({
    name: `auth-if-matched mode, ${show(path)}`,
    setup: { match: AUTH_IF_MATCHED },
    expect,
    run: (f) => get(f, path),
  });
}
cases.push({
  name: "bypass mode, a public path with the client's identity headers",
  setup: { match: BYPASS_IF_MATCHED },
  expect: PASS,
  run: (f) =>
    get(f, "/static/app.js", {
      headers: [
        ["x-auth-request-user", "mallory"],
        ["x-auth-request-groups", "admins"],
      ],
    }),
});

runCases(tally, "path", cases);
