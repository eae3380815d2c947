// Hostile callbacks, in the emulator with a discovered provider: the state missing,
// mismatched or from another flow; the flow cookie missing, forged, expired or from the
// future; callbacks replayed and codes moved between flows; the provider's error
// parameters; and a token endpoint that answers badly. Each case has its exact status; a
// failed callback never sets a session and never sends the browser off the origin.
//
// Replay, as it is: the flow cookie is stateless, so a callback replayed with a copy of the
// old flow cookie (a browser drops it after the first callback, an attacker need not) is
// read again and its code is sent to the token endpoint a second time. What stops the replay
// is the provider's one-time authorization code (RFC 6749 §4.1.2: "MUST NOT use the
// authorization code more than once"); the cases below show both the refusal and what would
// happen with a provider that broke that rule.
import { after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { EmulatorStream } from "../../host/emulator-stream.ts";
import { answerCallout, type FilterUnderTest } from "./support/filter-harness.ts";
import { COOKIE_SECRET } from "./support/provider-fixture.ts";
import {
  API,
  NOW,
  PROVIDER,
  answerIdToken,
  answerToken,
  beginLogin,
  callback,
  get,
  runCases,
  sessionOf,
  type Expected,
  type HostileCase,
} from "./support/hostile-harness.ts";
import {
  flowCookieNameOf,
  flowRecord,
  keysFromSecret,
  seal,
  type FlowRecord,
} from "./support/hostile-seal.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-flow");
after(() => tally.finish());

const PREFIX = "_oidc_session_flow_";
const KEYS = keysFromSecret(COOKIE_SECRET);
const OTHER_KEYS = keysFromSecret(Buffer.alloc(32, 9).toString("base64"));

const LOGGED_IN: Expected = { status: 302, login: true, location: "/api/x" };
const BAD_CALLBACK: Expected = { status: 400 };
const PROVIDER_ERROR: Expected = { status: 502 };
const REFUSED: Expected = { status: 403 };

/** A flow cookie sealed by the test for `state` (the filter's secret unless told). */
function forgedFlow(
  record: Partial<FlowRecord>,
  keys = KEYS,
): { state: string; cookie: string; nonce: string } {
  const full: FlowRecord = {
    state: randomBytes(16).toString("base64url"),
    nonce: randomBytes(16).toString("base64url"),
    codeVerifier: randomBytes(32).toString("base64url"),
    target: "/api/x",
    createdAt: BigInt(NOW),
    ...record,
  };
  const name = flowCookieNameOf(PREFIX, full.state);
  return {
    state: full.state,
    nonce: full.nonce,
    cookie: `${name}=${seal(keys, name, flowRecord(full), randomBytes(12))}`,
  };
}

/** Plays a callback for a started login and answers its token request with valid tokens. */
function completes(
  f: FilterUnderTest,
  query: (state: string) => string,
  claims = {},
): EmulatorStream {
  const login = beginLogin(f);
  const stream = callback(f, query(login.state), login.flowCookie);
  answerToken(f, login.nonce, claims);
  return stream;
}

/** A fresh login's callback, sent with a valid state and flow cookie: the token request waits. */
function awaitingTokens(f: FilterUnderTest): EmulatorStream {
  const login = beginLogin(f);
  return callback(f, `code=c&state=${login.state}`, login.flowCookie);
}

/** A callback for a fresh login whose token request is answered with `status` and `body`. */
function tokenAnswer(status: number, body: string) {
  return (f: FilterUnderTest) => {
    const stream = awaitingTokens(f);
    answerCallout(f.emu, "/oauth/token", status, body);
    return stream;
  };
}

function noTokenRequest(f: FilterUnderTest, stream: EmulatorStream): EmulatorStream {
  const calls = f.emu
    .getPendingCallouts()
    .filter((c) => c.headers.some(([n, v]) => n === ":path" && v === "/oauth/token"));
  assert.equal(calls.length, 0, "no token request was made");
  return stream;
}

const cases: HostileCase[] = [];
const add = (
  name: string,
  expect: Expected,
  run: HostileCase["run"],
  setup?: HostileCase["setup"],
) => cases.push({ name, expect, run, setup });

// ---- Control ----
add("a callback with its state, code and flow cookie", LOGGED_IN, (f) =>
  completes(f, (s) => `code=c&state=${s}`),
);
add("a callback for a flow sealed by the test's model of the format", LOGGED_IN, (f) => {
  const flow = forgedFlow({});
  const stream = callback(f, `code=c&state=${flow.state}`, flow.cookie);
  answerToken(f, flow.nonce);
  return stream;
});

// ---- State and code missing or wrong ----
const missing: [string, (state: string) => string][] = [
  ["no state", () => "code=c"],
  ["an empty state", () => "code=c&state="],
  ["no code", (s) => `state=${s}`],
  ["an empty code", (s) => `code=&state=${s}`],
  ["the state twice", (s) => `code=c&state=${s}&state=${s}`],
  ["the code twice", (s) => `code=c&code=d&state=${s}`],
  ["another random state", () => `code=c&state=${randomBytes(16).toString("base64url")}`],
  [
    "the state with one character changed",
    (s) => `code=c&state=${s.slice(0, -1)}${s.endsWith("A") ? "B" : "A"}`,
  ],
  ["the state cut short", (s) => `code=c&state=${s.slice(0, -1)}`],
  ["the state with a character appended", (s) => `code=c&state=${s}A`],
  ["a 10,000-character state", () => `code=c&state=${"A".repeat(10000)}`],
  ["a malformed escape in the query", (s) => `code=%zz&state=${s}`],
  ["an empty query", () => ""],
  ["the state followed by an encoded NUL", (s) => `code=c&state=${s}%00`],
];
for (const [name, query] of missing) {
  add(`a callback with ${name}`, BAD_CALLBACK, (f) => {
    const login = beginLogin(f);
    return noTokenRequest(f, callback(f, query(login.state), login.flowCookie));
  });
}
add("a callback with no state, API client", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(f, get(f, "/oauth2/callback?code=c", { ...API, cookie: login.flowCookie }));
});

add("a callback whose state has a letter percent-encoded (the same state)", LOGGED_IN, (f) =>
  completes(
    f,
    (s) => `code=c&state=${s.replace(/[A-Za-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
  ),
);

// ---- The flow cookie ----
add("a callback without a flow cookie", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(f, callback(f, `code=c&state=${login.state}`));
});
add("a callback with only a session cookie", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(f, callback(f, `code=c&state=${login.state}`, sessionOf("alice")));
});
add("a callback with the state of flow B and the cookie of flow A", BAD_CALLBACK, (f) => {
  const a = beginLogin(f);
  const b = beginLogin(f);
  return noTokenRequest(f, callback(f, `code=c&state=${b.state}`, a.flowCookie));
});
add("flow A's cookie value renamed to flow B's cookie name", BAD_CALLBACK, (f) => {
  const a = beginLogin(f);
  const b = beginLogin(f);
  const renamed =
    b.flowCookie.split("=")[0] + "=" + a.flowCookie.slice(a.flowCookie.indexOf("=") + 1);
  return noTokenRequest(f, callback(f, `code=c&state=${b.state}`, renamed));
});
add("a flow cookie with one character flipped", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  const c = login.flowCookie;
  const at = c.length - 10;
  return noTokenRequest(
    f,
    callback(
      f,
      `code=c&state=${login.state}`,
      c.slice(0, at) + (c[at] === "A" ? "B" : "A") + c.slice(at + 1),
    ),
  );
});
add("a flow cookie cut short", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(
    f,
    callback(f, `code=c&state=${login.state}`, login.flowCookie.slice(0, -4)),
  );
});
add("an empty flow cookie", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(
    f,
    callback(f, `code=c&state=${login.state}`, login.flowCookie.split("=")[0] + "="),
  );
});
add("a flow cookie sealed with an unknown secret", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({}, OTHER_KEYS);
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("the session cookie's value under the flow cookie name", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  const session = sessionOf("alice");
  const renamed = login.flowCookie.split("=")[0] + "=" + session.slice(session.indexOf("=") + 1);
  return noTokenRequest(f, callback(f, `code=c&state=${login.state}`, renamed));
});
add("a garbage flow cookie first, then the real one", LOGGED_IN, (f) => {
  const login = beginLogin(f);
  const stream = callback(
    f,
    `code=c&state=${login.state}`,
    `${login.flowCookie.split("=")[0]}=garbage; ${login.flowCookie}`,
  );
  answerToken(f, login.nonce);
  return stream;
});
add("a hundred other flow cookies around the real one", LOGGED_IN, (f) => {
  const login = beginLogin(f);
  const others = Array.from(
    { length: 100 },
    (_, i) => `${PREFIX}${String(i).padStart(16, "x")}=1.AAAA.BBBB`,
  );
  const stream = callback(
    f,
    `code=c&state=${login.state}`,
    [...others, login.flowCookie].join("; "),
  );
  answerToken(f, login.nonce);
  return stream;
});

// ---- Age of the flow ----
add("a flow cookie 601 seconds old", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ createdAt: BigInt(NOW - 601) });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow cookie 599 seconds old", LOGGED_IN, (f) => {
  const flow = forgedFlow({ createdAt: BigInt(NOW - 599) });
  const stream = callback(f, `code=c&state=${flow.state}`, flow.cookie);
  answerToken(f, flow.nonce);
  return stream;
});
add("a flow cookie from 61 seconds in the future", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ createdAt: BigInt(NOW + 61) });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow cookie made at time 0", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ createdAt: 0n });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow cookie made at i64 min (age overflows)", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ createdAt: 1n << 63n });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow cookie made at u64 max", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ createdAt: (1n << 64n) - 1n });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow record of format 2", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ format: 2 });
  return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
});
add("a flow record whose state differs from its cookie's", BAD_CALLBACK, (f) => {
  const flow = forgedFlow({ state: "the-real-state" });
  const name = flowCookieNameOf(PREFIX, "another-state");
  const value = flow.cookie.slice(flow.cookie.indexOf("=") + 1);
  return noTokenRequest(f, callback(f, "code=c&state=another-state", `${name}=${value}`));
});

// ---- Replay ----
function firstLogin(f: FilterUnderTest) {
  const login = beginLogin(f);
  const url = `code=one-time-code&state=${login.state}`;
  const first = callback(f, url, login.flowCookie);
  answerToken(f, login.nonce);
  assert.equal(first.getLocalResponse()?.status, 302, "the first callback logs in");
  return { login, url };
}

add(
  "a callback replayed with the old flow cookie; the provider refuses the used code",
  PROVIDER_ERROR,
  (f) => {
    const { login, url } = firstLogin(f);
    const replay = callback(f, url, login.flowCookie);
    const [call] = f.emu.getPendingCallouts();
    assert.equal(
      new URLSearchParams(call.body.toString()).get("code"),
      "one-time-code",
      "the filter does send the replayed code to the provider",
    );
    answerCallout(f.emu, "/oauth/token", 400, '{"error":"invalid_grant"}');
    return replay;
  },
);
add("a callback replayed without the flow cookie (as a browser would)", BAD_CALLBACK, (f) => {
  const { url } = firstLogin(f);
  return noTokenRequest(f, callback(f, url));
});
add(
  "a callback replayed to a provider that wrongly accepts a used code: logged in again",
  LOGGED_IN,
  (f) => {
    const { login, url } = firstLogin(f);
    const replay = callback(f, url, login.flowCookie);
    answerToken(f, login.nonce);
    return replay;
  },
);
add("a replayed callback answered with a fresh ID token lacking the flow's nonce", REFUSED, (f) => {
  const { login, url } = firstLogin(f);
  const replay = callback(f, url, login.flowCookie);
  answerToken(f, "another-nonce");
  return replay;
});

// ---- A code moved from one flow into another ----
add("the victim's code with the attacker's flow; the provider checks PKCE", PROVIDER_ERROR, (f) => {
  const victim = beginLogin(f);
  const attacker = beginLogin(f);
  const stream = callback(f, `code=victims-code&state=${attacker.state}`, attacker.flowCookie);
  const [call] = f.emu.getPendingCallouts();
  const verifier = new URLSearchParams(call.body.toString()).get("code_verifier")!;
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  assert.notEqual(
    challenge,
    victim.location.searchParams.get("code_challenge"),
    "the verifier sent is the attacker's flow's, not the victim's",
  );
  answerCallout(f.emu, "/oauth/token", 400, '{"error":"invalid_grant","error_description":"PKCE"}');
  return stream;
});
add(
  "the victim's code with the attacker's flow; a provider without PKCE returns the victim's ID token",
  REFUSED,
  (f) => {
    const victim = beginLogin(f);
    const attacker = beginLogin(f);
    const stream = callback(f, `code=victims-code&state=${attacker.state}`, attacker.flowCookie);
    answerToken(f, victim.nonce, { sub: "victim" });
    return stream;
  },
);
add("the victim's state and code with the attacker's flow cookie", BAD_CALLBACK, (f) => {
  const victim = beginLogin(f);
  const attacker = beginLogin(f);
  return noTokenRequest(f, callback(f, `code=c&state=${victim.state}`, attacker.flowCookie));
});

// ---- The provider's error parameters ----
const errors: [string, string][] = [
  ["error=access_denied", "access_denied"],
  ["error=login_required", "login_required"],
  ["error=consent_required", "consent_required"],
  ["error=interaction_required", "interaction_required"],
  ["error=server_error&error_description=x", "server_error"],
  ["error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "access_denied"],
  ["error=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "invalid"],
  ["error=evil%0d%0aSet-Cookie:%20x=1", "invalid"],
  ["error=", ""],
  [`error=${"a".repeat(200)}`, "invalid"],
  ["error=ACCESS_DENIED", "invalid"],
  ["error=access_denied&error_uri=https%3A%2F%2Fevil.example", "access_denied"],
];
for (const [query, shown] of errors) {
  add(`a provider error (${query.slice(0, 60)}) with a valid state and code`, REFUSED, (f) => {
    const login = beginLogin(f);
    const stream = noTokenRequest(
      f,
      callback(f, `${query}&code=c&state=${login.state}`, login.flowCookie),
    );
    const body = stream.getLocalResponse()!.body.toString();
    assert.ok(body.includes(`(${shown})`), `the page names the error code as ${shown}`);
    return stream;
  });
}
add("a provider error without any state", REFUSED, (f) =>
  noTokenRequest(f, callback(f, "error=access_denied")),
);
add("a provider error, API client", REFUSED, (f) =>
  noTokenRequest(f, get(f, "/oauth2/callback?error=access_denied", API)),
);
add("two error parameters and no state", BAD_CALLBACK, (f) =>
  noTokenRequest(f, callback(f, "error=a&error=b")),
);

// ---- The token endpoint answers badly ----
const idToken = () => PROVIDER.idToken(PROVIDER.claims("n", NOW));
const tokenCases: [string, number, () => string][] = [
  ["400 invalid_grant", 400, () => '{"error":"invalid_grant"}'],
  ["500", 500, () => "internal error"],
  ["200 with a body that is not JSON", 200, () => "<html>oops</html>"],
  ["200 with a JSON array", 200, () => "[]"],
  ["200 with an empty body", 200, () => ""],
  ["200 with truncated JSON", 200, () => '{"access_token":"a","token_type":"Bearer","id_token":"'],
  [
    "200 with token_type mac",
    200,
    () => JSON.stringify({ access_token: "a", token_type: "mac", id_token: idToken() }),
  ],
  ["200 without token_type", 200, () => JSON.stringify({ access_token: "a", id_token: idToken() })],
  [
    "200 without an access token",
    200,
    () => JSON.stringify({ token_type: "Bearer", id_token: idToken() }),
  ],
  [
    "200 without an ID token",
    200,
    () => JSON.stringify({ access_token: "a", token_type: "Bearer" }),
  ],
  [
    "200 with a numeric ID token",
    200,
    () => JSON.stringify({ access_token: "a", token_type: "Bearer", id_token: 1 }),
  ],
  [
    "200 with a negative expires_in",
    200,
    () =>
      JSON.stringify({
        access_token: "a",
        token_type: "Bearer",
        id_token: idToken(),
        expires_in: -1,
      }),
  ],
  [
    "200 with expires_in as a string",
    200,
    () =>
      JSON.stringify({
        access_token: "a",
        token_type: "Bearer",
        id_token: idToken(),
        expires_in: "300",
      }),
  ],
  [
    "200 with a duplicated id_token key",
    200,
    () => `{"access_token":"a","token_type":"Bearer","id_token":"x","id_token":"${idToken()}"}`,
  ],
  [
    "200 with a 70,000-byte body",
    200,
    () =>
      JSON.stringify({
        access_token: "a".repeat(70000),
        token_type: "Bearer",
        id_token: idToken(),
      }),
  ],
  ["302 to elsewhere", 302, () => ""],
];
for (const [name, status, body] of tokenCases) {
  add(`a token endpoint answering ${name}`, PROVIDER_ERROR, (f) => tokenAnswer(status, body())(f));
}
const calloutFailures = [
  ["whose connection is reset", "reset"],
  ["with no healthy upstream", "no-healthy-upstream"],
] as const;
for (const [name, reason] of calloutFailures) {
  add(`a token endpoint ${name}`, PROVIDER_ERROR, (f) => {
    const stream = awaitingTokens(f);
    f.emu.failCallout(f.emu.getPendingCallouts()[0].token, reason);
    return stream;
  });
}
add("a token endpoint that never answers (the callout times out)", PROVIDER_ERROR, (f) => {
  const stream = awaitingTokens(f);
  assert.ok(stream.isPaused());
  f.emu.advanceTime(5_100);
  return stream;
});
add("an ID token whose value is an empty string", REFUSED, (f) => {
  const stream = awaitingTokens(f);
  answerIdToken(f, "");
  return stream;
});

// ---- Other spellings of the callback ----
add(
  "the callback path with a trailing slash (not the callback: a public path)",
  { status: "pass" },
  (f) => {
    const login = beginLogin(f);
    return get(f, `/oauth2/callback/?code=c&state=${login.state}`, { cookie: login.flowCookie });
  },
);
add("the callback as a POST with a form body (form_post is not used)", BAD_CALLBACK, (f) => {
  const login = beginLogin(f);
  return noTokenRequest(
    f,
    get(f, "/oauth2/callback", { method: "POST", cookie: login.flowCookie }),
  );
});
add(
  "the callback with its query in a fragment (not the callback: a public path)",
  { status: "pass" },
  (f) => {
    const login = beginLogin(f);
    return noTokenRequest(
      f,
      get(f, `/oauth2/callback#code=c&state=${login.state}`, { cookie: login.flowCookie }),
    );
  },
);
add(
  "a callback while the provider is not discovered yet",
  BAD_CALLBACK,
  (f) => noTokenRequest(f, callback(f, "code=c&state=s")),
  { undiscovered: true },
);
add(
  "a forged-flow callback while the provider is not discovered yet",
  { status: 503 },
  (f) => {
    const flow = forgedFlow({});
    return noTokenRequest(f, callback(f, `code=c&state=${flow.state}`, flow.cookie));
  },
  { undiscovered: true },
);

runCases(tally, "flow", cases);
