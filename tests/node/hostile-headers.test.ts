// Hostile request headers, in the emulator: identity headers the client sends, several
// Cookie headers, huge headers and header maps, raw bytes that are not UTF-8 in :path and in
// cookie values, and tricks with :authority, :scheme and X-Forwarded-Host. The upstream must
// see an identity only with a valid session, and never a filter cookie; a redirect built from
// the request's own address must stay on it (or be relative when that address is not a
// plain host).
import { after } from "node:test";
import assert from "node:assert/strict";
import type { EmulatorStream } from "../../host/emulator-stream.ts";
import type { HeaderPairs } from "../../host/pairs.ts";
import { APP, header, headers, type FilterUnderTest } from "./support/filter-harness.ts";
import {
  API,
  ORIGIN,
  get,
  runCases,
  sessionOf,
  sessionValue,
  type Expected,
  type HostileCase,
} from "./support/hostile-harness.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-headers");
after(() => tally.finish());

const NAME = "_oidc_session";
const PASS: Expected = { status: "pass" };
const ALICE: Expected = { status: "pass", user: "alice" };
const LOGIN: Expected = { status: 302, location: "provider" };

const alice = () => sessionOf("alice");
const GROUPS = Array.from({ length: 300 }, (_, i) => `group-with-a-long-name-${i}`);
const bigParts = () => sessionOf("alice", {}, { groups: GROUPS }).split("; ");
const MALLORY: HeaderPairs = [
  ["x-auth-request-user", "mallory"],
  ["x-auth-request-email", "mallory@evil.example"],
  ["x-auth-request-preferred-username", "mallory"],
  ["x-auth-request-groups", "admins"],
];

/** A request carrying raw header pairs (several Cookie headers among them). */
function send(f: FilterUnderTest, path: string, extra: HeaderPairs, options = {}): EmulatorStream {
  return get(f, path, { ...options, headers: extra });
}

function upstreamCookies(stream: EmulatorStream): string[] {
  return headers(stream.getUpstreamRequestHeaders(), "cookie");
}

const cases: HostileCase[] = [];
const add = (
  name: string,
  expect: Expected,
  run: HostileCase["run"],
  setup?: HostileCase["setup"],
) => cases.push({ name, expect, run, setup });

// ---- Identity headers sent by the client ----
add("the four identity headers on a public path", PASS, (f) => send(f, "/productpage", MALLORY));
add("the identity headers three times each on a public path", PASS, (f) =>
  send(f, "/productpage", [...MALLORY, ...MALLORY, ...MALLORY]),
);
add("identity headers with upper-case names on a public path", PASS, (f) =>
  send(f, "/productpage", [
    ["X-Auth-Request-User", "mallory"],
    ["X-AUTH-REQUEST-GROUPS", "admins"],
  ]),
);
add("identity headers with empty values on a public path", PASS, (f) =>
  send(f, "/productpage", [
    ["x-auth-request-user", ""],
    ["x-auth-request-groups", ""],
  ]),
);
add("identity headers with a valid session: replaced by the session's", ALICE, (f) => {
  const stream = get(f, "/api/x", { cookie: alice(), headers: MALLORY });
  const upstream = stream.getUpstreamRequestHeaders();
  assert.deepEqual(headers(upstream, "x-auth-request-groups"), ["admins,users"]);
  assert.deepEqual(headers(upstream, "x-auth-request-email"), ["alice@example.com"]);
  return stream;
});
add("identity headers without a session on a protected path", LOGIN, (f) =>
  send(f, "/api/x", MALLORY),
);
add("identity headers without a session, API client", { status: 401 }, (f) =>
  send(f, "/api/x", MALLORY, API),
);
add("identity headers with a forged session", LOGIN, (f) =>
  get(f, "/api/x", { cookie: `${NAME}=1.AAAA.BBBB`, headers: MALLORY }),
);
add("identity headers on a CORS preflight", PASS, (f) =>
  get(f, "/api/x", {
    method: "OPTIONS",
    accept: "*/*",
    headers: [
      ["origin", "https://web.example"],
      ["access-control-request-method", "POST"],
      ...MALLORY,
    ],
  }),
);
add("identity headers on the callback path", { status: 400 }, (f) =>
  send(f, "/oauth2/callback?code=c&state=s", MALLORY),
);
add(
  "a configured claim header sent by the client on a public path",
  PASS,
  (f) => {
    const stream = send(f, "/productpage", [
      ["x-user", "mallory"],
      ["x-user", "root"],
    ]);
    assert.equal(header(stream.getUpstreamRequestHeaders(), "x-user"), undefined);
    return stream;
  },
  { config: { upstream: { claim_headers: { "x-user": "sub" } } } },
);
add(
  "a client Authorization header with forward_access_token: the session's token wins",
  ALICE,
  (f) => {
    const session = sessionOf("alice", { config: { upstream: { forward_access_token: true } } });
    const stream = get(f, "/api/x", {
      cookie: session,
      headers: [["authorization", "Bearer mallory"]],
    });
    assert.deepEqual(headers(stream.getUpstreamRequestHeaders(), "authorization"), [
      "Bearer access-token-1",
    ]);
    return stream;
  },
  { config: { upstream: { forward_access_token: true } } },
);

// ---- Several Cookie headers ----
add("the session in a second Cookie header", ALICE, (f) => {
  const stream = send(f, "/api/x", [
    ["cookie", "a=1"],
    ["cookie", alice()],
    ["cookie", "b=2"],
  ]);
  assert.deepEqual(upstreamCookies(stream), ["a=1; b=2"], "merged, without the session");
  return stream;
});
add("split session parts spread over two Cookie headers", ALICE, (f) => {
  const [first, ...rest] = bigParts();
  return send(f, "/api/x", [
    ["cookie", first],
    ["cookie", rest.join("; ")],
  ]);
});
add("a flow cookie in a second Cookie header on a public path", PASS, (f) =>
  send(f, "/productpage", [
    ["cookie", "a=1"],
    ["cookie", `${NAME}_flow_abc=x`],
  ]),
);
add("a session in a third Cookie header on a public path", PASS, (f) =>
  send(f, "/productpage", [
    ["cookie", "a=1"],
    ["cookie", "b=2"],
    ["cookie", alice()],
  ]),
);
add("garbage session in one Cookie header, the valid one in another", ALICE, (f) =>
  send(f, "/api/x", [
    ["cookie", `${NAME}=garbage`],
    ["cookie", alice()],
  ]),
);
add("alice's session in one Cookie header, bob's in another", LOGIN, (f) =>
  send(f, "/api/x", [
    ["cookie", alice()],
    ["cookie", sessionOf("bob")],
  ]),
);
add("fifty Cookie headers with the session in the last", ALICE, (f) =>
  send(f, "/api/x", [
    ...Array.from({ length: 49 }, (_, i): [string, string] => ["cookie", `c${i}=${i}`]),
    ["cookie", alice()],
  ]),
);
add("empty Cookie headers around the session", ALICE, (f) =>
  send(f, "/api/x", [
    ["cookie", ""],
    ["cookie", alice()],
    ["cookie", ""],
  ]),
);
add("a Cookie header of only separators and the session", ALICE, (f) =>
  send(f, "/api/x", [["cookie", `;;; ;${alice()};;`]]),
);

// ---- Huge headers ----
add("a 60 KiB custom header with a valid session", ALICE, (f) =>
  get(f, "/api/x", { cookie: alice(), headers: [["x-big", "x".repeat(60 * 1024)]] }),
);
add("1,000 headers with a valid session", ALICE, (f) =>
  get(f, "/api/x", {
    cookie: alice(),
    headers: Array.from({ length: 1000 }, (_, i): [string, string] => [`x-h${i}`, `${i}`]),
  }),
);
add("a 100 KiB Cookie header of junk before the session", ALICE, (f) =>
  get(f, "/api/x", { cookie: `junk=${"j".repeat(100 * 1024)}; ${alice()}` }),
);
add("10,000 cookies in one header before the session", ALICE, (f) =>
  get(f, "/api/x", {
    cookie: Array.from({ length: 10000 }, (_, i) => `k${i}=v`).join("; ") + `; ${alice()}`,
  }),
);
add("a 300 KiB header on a public path", PASS, (f) =>
  send(f, "/productpage", [["x-big", "y".repeat(300 * 1024)]]),
);
add("a 64 KiB Accept header on a protected path", LOGIN, (f) =>
  get(f, "/api/x", { accept: "text/html," + "a".repeat(64 * 1024) }),
);
add(
  "a 64 KiB Authorization header, bearer tokens enabled",
  { status: 401 },
  (f) =>
    get(f, "/api/x", { ...API, headers: [["authorization", `Bearer ${"a".repeat(64 * 1024)}`]] }),
  { config: { accept_bearer_tokens: true } },
);

// ---- Bytes that are not UTF-8 ----
// Header values reach the filter through HeaderMapView (assembly/abi/headers.ts), which
// decodes them with String.UTF8.decodeUnsafe. That decoder does not replace a byte that
// starts no valid sequence: it takes the following bytes as the rest of the sequence, "; _"
// included. A cookie ending in such a byte then hides the next cookie from the filter, which
// neither finds the session (the user must log in) nor strips it (on a public path the
// upstream receives it). The cases below fail until header values are decoded strictly
// (each invalid byte as U+FFFD, ASCII bytes never consumed).
add("raw non-UTF-8 bytes in :path with a valid session", ALICE, (f) =>
  get(f, "/api/\xff\xfe\xc0\xaf", { cookie: alice() }),
);
add("raw non-UTF-8 bytes in :path without a session", LOGIN, (f) => get(f, "/api/\xff\xfe"));
add("a valid UTF-8 cookie (é) next to the session: kept byte for byte", ALICE, (f) => {
  const stream = get(f, "/api/x", { cookie: `theme=caf\xc3\xa9; ${alice()}` });
  assert.deepEqual(upstreamCookies(stream), ["theme=caf\xc3\xa9"]);
  return stream;
});
add("a non-UTF-8 byte in a cookie after the session", ALICE, (f) =>
  get(f, "/api/x", { cookie: `${alice()}; x=\xff` }),
);
for (const [label, byte] of [
  ["0xE0", "\xe0"],
  ["0xF0", "\xf0"],
  ["0xC3", "\xc3"],
  ["0xFF", "\xff"],
]) {
  add(`a cookie ending in byte ${label} before the session, on a public path`, PASS, (f) =>
    get(f, "/productpage", { cookie: `x=${byte}; ${alice()}` }),
  );
  add(`a cookie ending in byte ${label} before the session, on a protected path`, ALICE, (f) =>
    get(f, "/api/x", { cookie: `x=${byte}; ${alice()}` }),
  );
}
add("a non-UTF-8 byte in a second Cookie header before the session's header", ALICE, (f) =>
  send(f, "/api/x", [
    ["cookie", "x=\xf0"],
    ["cookie", alice()],
  ]),
);
add("identity headers with raw bytes on a public path", PASS, (f) =>
  send(f, "/productpage", [["x-auth-request-user", "\xff\xfemallory"]]),
);
add("a session value with a raw byte appended", LOGIN, (f) =>
  get(f, "/api/x", { cookie: `${NAME}=${sessionValue(alice())}\xff` }),
);

// ---- :authority, :scheme and forwarded hosts ----
function signOutOn(authority: string, extra: HeaderPairs = []) {
  return (f: FilterUnderTest) => get(f, "/oauth2/sign_out", { authority, headers: extra });
}
add(
  "sign-out on another well-formed host goes to that host",
  { status: 302, location: "https://evil.example/", origin: "https://evil.example" },
  signOutOn("evil.example"),
);
add(
  "sign-out on the host in upper case",
  { status: 302, location: "https://APP.EXAMPLE.COM/" },
  signOutOn("APP.EXAMPLE.COM"),
);
add(
  "sign-out on host and port",
  { status: 302, location: `https://${APP}:8443/`, origin: `https://${APP}:8443` },
  signOutOn(`${APP}:8443`),
);
add(
  "sign-out with X-Forwarded-Host: evil.example (ignored)",
  { status: 302, location: `${ORIGIN}/` },
  signOutOn(APP, [
    ["x-forwarded-host", "evil.example"],
    ["forwarded", "host=evil.example"],
  ]),
);
const BAD_AUTHORITIES = [
  `${APP}@evil.example`,
  "evil.example/x",
  `${APP}\\evil.example`,
  "evil.example#",
  `${APP}?x`,
  `${APP} evil.example`,
  "",
  `${APP}\r\nSet-Cookie: a=b`,
  `${APP}:443@evil.example`,
  `user:pass@${APP}`,
];
for (const authority of BAD_AUTHORITIES) {
  add(
    `sign-out with :authority ${JSON.stringify(authority)} stays relative`,
    { status: 302, location: "/" },
    signOutOn(authority),
  );
}
for (const scheme of ["javascript", "data", "", "https://evil.example/?"]) {
  add(
    `sign-out with :scheme ${JSON.stringify(scheme)} stays relative`,
    { status: 302, location: "/" },
    (f) => {
      const stream = f.emu.createStream();
      stream.callOnRequestHeaders([
        [":method", "GET"],
        [":path", "/oauth2/sign_out"],
        [":authority", APP],
        [":scheme", scheme],
        ["accept", "text/html"],
      ]);
      return stream;
    },
  );
}
add(
  "a login on another well-formed host asks the provider for that host's callback",
  LOGIN,
  (f) => {
    const stream = get(f, "/api/x", { authority: "evil.example" });
    const location = new URL(header(stream.getLocalResponse()?.headers, "location")!);
    assert.equal(
      location.searchParams.get("redirect_uri"),
      "https://evil.example/oauth2/callback",
      "the provider must refuse a redirect URI it does not have registered",
    );
    return stream;
  },
);
add(
  "a login with a fixed callback URL ignores the request's host",
  LOGIN,
  (f) => {
    const stream = get(f, "/api/x", { authority: "evil.example" });
    const location = new URL(header(stream.getLocalResponse()?.headers, "location")!);
    assert.equal(location.searchParams.get("redirect_uri"), `${ORIGIN}/oauth2/callback`);
    return stream;
  },
  { config: { callback: `${ORIGIN}/oauth2/callback` } },
);
add(
  "a login with :authority app@evil.example asks for no absolute callback on evil.example",
  LOGIN,
  (f) => {
    const stream = get(f, "/api/x", { authority: `${APP}@evil.example` });
    const location = new URL(header(stream.getLocalResponse()?.headers, "location")!);
    const redirect = location.searchParams.get("redirect_uri")!;
    assert.ok(!redirect.includes("evil.example"), redirect);
    return stream;
  },
);
add("a login with :authority holding CR LF writes no CR LF anywhere", LOGIN, (f) => {
  const stream = get(f, "/api/x", { authority: `${APP}\r\nx-injected: 1` });
  for (const [, value] of stream.getLocalResponse()!.headers) assert.doesNotMatch(value, /[\r\n]/);
  return stream;
});

runCases(tally, "header", cases);
