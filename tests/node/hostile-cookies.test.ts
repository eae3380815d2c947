// Hostile session cookies, in the emulator with a discovered provider: tampered, truncated,
// empty, oversized, duplicated, split with parts missing, of another version, expired,
// issued in the future, badly encoded, sealed with an unknown secret, or sealed with the
// right secret around a hostile record. Each case has its exact status; none may reach the
// upstream with an identity, and none may trap the VM.
import { after } from "node:test";
import { randomBytes } from "node:crypto";
import type { FilterUnderTest } from "./support/filter-harness.ts";
import { COOKIE_SECRET } from "./support/provider-fixture.ts";
import {
  API,
  NOW,
  get,
  runCases,
  sessionOf,
  sessionValue,
  type Expected,
  type HostileCase,
  type Setup,
} from "./support/hostile-harness.ts";
import {
  keysFromSecret,
  seal,
  sessionRecord,
  signRaw,
  type SessionRecord,
} from "./support/hostile-seal.ts";
import { Tally } from "./support/hostile-tally.ts";

const tally = new Tally("hostile-cookies");
after(() => tally.finish());

const NAME = "_oidc_session";
const KEYS = keysFromSecret(COOKIE_SECRET);
const OTHER_SECRET = Buffer.alloc(32, 9).toString("base64");
const HOUR = 3600;

const LOGIN: Expected = { status: 302, location: "provider" };
const REFUSED_API: Expected = { status: 401 };
const ALICE: Expected = { status: "pass", user: "alice" };

const alice = () => sessionOf("alice");
const aliceValue = () => sessionValue(alice());
const bobValue = () => sessionValue(sessionOf("bob"));
/** A session large enough to be split into parts (_0, _1, ...). */
const GROUPS = Array.from({ length: 300 }, (_, i) => `group-with-a-long-name-${i}`);
const bigSession = () => sessionOf("alice", {}, { groups: GROUPS });
const parts = () => bigSession().split("; ");

/** A request for /api/x with this Cookie header (computed when the case runs). */
function withCookie(cookie: () => string, options = {}, path = "/api/x") {
  return (f: FilterUnderTest) => get(f, path, { ...options, cookie: cookie() });
}

function flip(text: string, at: number): string {
  const c = text[at];
  return text.slice(0, at) + (c === "A" ? "B" : "A") + text.slice(at + 1);
}

/** The value with its MAC (after the last ".") replaced by `mac`. */
function withMac(value: string, mac: string): string {
  return value.slice(0, value.lastIndexOf(".") + 1) + mac;
}

function macOfValue(value: string): string {
  return value.slice(value.lastIndexOf(".") + 1);
}

/** A value sealed by the test with the filter's secret around `record`. */
function forged(record: Partial<SessionRecord>, name = NAME): string {
  const full: SessionRecord = {
    issuedAt: BigInt(NOW),
    subject: "alice",
    claims: [
      ["email", "alice@example.com"],
      ["preferred_username", "alice"],
    ],
    ...record,
  };
  return seal(KEYS, name, sessionRecord(full), randomBytes(12));
}

/** A session cookie sealed by the test with the filter's secret around these bytes. */
function forgedBytes(...parts: Uint8Array[]): string {
  return `${NAME}=${seal(KEYS, NAME, Buffer.concat(parts), randomBytes(12))}`;
}

/** alice's record, as the filter writes it. */
const aliceRecord = () => sessionRecord({ issuedAt: BigInt(NOW), subject: "alice" });
/** A record whose subject's length field says `length` and is followed by "alice". */
const lyingLength = (length: number) =>
  forgedBytes(Buffer.from([1]), u64le(BigInt(NOW)), u32le(length), Buffer.from("alice"));

const cases: HostileCase[] = [];
function add(
  name: string,
  expect: Expected,
  cookie: () => string,
  setup?: Setup,
  options = {},
): void {
  cases.push({ name, expect, setup, run: withCookie(cookie, options) });
}

// ---- Controls: what must pass, so that each refusal below means something ----
add("a valid session cookie", ALICE, alice);
add("a valid session cookie from an API client", ALICE, alice, undefined, API);
add("a record sealed by the test's model of the format", ALICE, () => `${NAME}=${forged({})}`);
add("a valid session with other cookies around it", ALICE, () => `a=1; ${alice()}; b=2`);
add("a valid session with spaces around the pair", ALICE, () => `  ${alice()}  ;x=y`);

// ---- Tampered ----
add(
  "one character of the sealed payload flipped",
  LOGIN,
  () => `${NAME}=${flip(aliceValue(), 40)}`,
);
add(
  "one character of the payload flipped, API client",
  REFUSED_API,
  () => `${NAME}=${flip(aliceValue(), 40)}`,
  undefined,
  API,
);
add("the first payload character flipped", LOGIN, () => `${NAME}=${flip(aliceValue(), 2)}`);
add(
  "one character of the MAC flipped",
  LOGIN,
  () => `${NAME}=${flip(aliceValue(), aliceValue().length - 5)}`,
);
add("the version 1 changed to 2", LOGIN, () => `${NAME}=2${aliceValue().slice(1)}`);
add(
  "alice's payload with bob's MAC",
  LOGIN,
  () => `${NAME}=${withMac(aliceValue(), macOfValue(bobValue()))}`,
);
add(
  "bob's payload with alice's MAC",
  LOGIN,
  () => `${NAME}=${withMac(bobValue(), macOfValue(aliceValue()))}`,
);
add("a MAC of all zero bytes", LOGIN, () => `${NAME}=${withMac(aliceValue(), "A".repeat(43))}`);
add("an extra dot segment after the MAC", LOGIN, () => `${NAME}=${aliceValue()}.AAAA`);
add(
  "a dot inserted inside the payload",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, 30)}.${aliceValue().slice(30)}`,
);
add("the whole value in upper case", LOGIN, () => `${NAME}=${aliceValue().toUpperCase()}`);
add("a character appended to the MAC", LOGIN, () => `${NAME}=${aliceValue()}A`);
add("a character before the version", LOGIN, () => `${NAME}=x${aliceValue()}`);
add("payload and MAC swapped", LOGIN, () => {
  const v = aliceValue();
  const dot = v.lastIndexOf(".");
  return `${NAME}=1.${v.slice(dot + 1)}.${v.slice(2, dot)}`;
});

// ---- Truncated ----
add("the last character cut off", LOGIN, () => `${NAME}=${aliceValue().slice(0, -1)}`);
add(
  "the MAC cut off, dot kept",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, aliceValue().lastIndexOf(".") + 1)}`,
);
add(
  "the MAC and its dot cut off",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, aliceValue().lastIndexOf("."))}`,
);
add("cut in half", LOGIN, () => `${NAME}=${aliceValue().slice(0, aliceValue().length >> 1)}`);
add("only the version prefix 1.", LOGIN, () => `${NAME}=1.`);
add("only 1..", LOGIN, () => `${NAME}=1..`);
add("only a dot", LOGIN, () => `${NAME}=.`);
add("the payload emptied: 1..MAC", LOGIN, () => `${NAME}=1..${macOfValue(aliceValue())}`);

// ---- Empty and malformed pairs ----
add("an empty session value", LOGIN, () => `${NAME}=`);
add("an empty session value, API client", REFUSED_API, () => `${NAME}=`, undefined, API);
add("the cookie name without =", LOGIN, () => NAME);
add("an empty value and a stray ;", LOGIN, () => `${NAME}=;;;`);
add("a pair with an empty name", LOGIN, () => `=${aliceValue()}`);
add("a value of spaces", LOGIN, () => `${NAME}=   `);
add("the name in upper case", LOGIN, () => `_OIDC_SESSION=${aliceValue()}`);
add("the value in double quotes", LOGIN, () => `${NAME}="${aliceValue()}"`);
add("an empty Cookie header", LOGIN, () => "");

// ---- Oversized ----
add("a 40,000-byte value", LOGIN, () => `${NAME}=1.${"A".repeat(40000)}.${"B".repeat(43)}`);
add("a value just over the 32 KiB limit", LOGIN, () => `${NAME}=1.${"A".repeat(32767)}.x`);
add(
  "a valid session after 2,000 other cookies",
  ALICE,
  () => Array.from({ length: 2000 }, (_, i) => `c${i}=${i}`).join("; ") + `; ${alice()}`,
);
add("sixteen garbage parts of 3,800 bytes", LOGIN, () =>
  Array.from({ length: 16 }, (_, i) => `${NAME}_${i}=${"A".repeat(3800)}`).join("; "),
);
add("a 200,000-byte value", LOGIN, () => `${NAME}=${"1.".repeat(100000)}`);

// ---- Duplicated ----
add("the same valid session twice (two authentic values)", LOGIN, () => `${alice()}; ${alice()}`);
add("garbage first, then the valid session", ALICE, () => `${NAME}=garbage; ${alice()}`);
add("the valid session, then garbage", ALICE, () => `${alice()}; ${NAME}=garbage`);
add("alice's and bob's sessions together", LOGIN, () => `${alice()}; ${NAME}=${bobValue()}`);
add(
  "alice's and bob's sessions together, API client",
  REFUSED_API,
  () => `${alice()}; ${NAME}=${bobValue()}`,
  undefined,
  API,
);
add("the same value whole and as part _0", LOGIN, () => `${alice()}; ${NAME}_0=${aliceValue()}`);
add("an empty session then the valid one", ALICE, () => `${NAME}=; ${alice()}`);

// ---- Split sessions: parts missing, reordered, extended ----
add("a split session with all its parts", ALICE, () => bigSession());
add("a split session with part _1 missing", LOGIN, () =>
  parts()
    .filter((p) => !p.startsWith(`${NAME}_1=`))
    .join("; "),
);
add("a split session with part _0 missing", LOGIN, () =>
  parts()
    .filter((p) => !p.startsWith(`${NAME}_0=`))
    .join("; "),
);
add("a split session with its parts in reverse order", ALICE, () =>
  [...parts()].reverse().join("; "),
);
add(
  "a split session with a garbage part appended",
  LOGIN,
  () => `${bigSession()}; ${NAME}_${parts().length}=AAAA`,
);
add(
  "a split session with part _0 sent twice, garbage second",
  ALICE,
  () => `${bigSession()}; ${NAME}_0=AAAA`,
);
add(
  "a split session with part _0 sent twice, garbage first",
  LOGIN,
  () => `${NAME}_0=AAAA; ${bigSession()}`,
);
add("a split session with two parts swapped in content", LOGIN, () => {
  const [p0, p1, ...rest] = parts();
  const v0 = p0.slice(p0.indexOf("=") + 1);
  const v1 = p1.slice(p1.indexOf("=") + 1);
  return [`${NAME}_0=${v1}`, `${NAME}_1=${v0}`, ...rest].join("; ");
});
add(
  "a split session joined into one cookie",
  ALICE,
  () =>
    `${NAME}=${parts()
      .map((p) => p.slice(p.indexOf("=") + 1))
      .join("")}`,
);
add("only part _5 of nothing", LOGIN, () => `${NAME}_5=${aliceValue()}`);

// ---- Versions and formats ----
add("a record of format 2 sealed with the secret", LOGIN, () => `${NAME}=${forged({ format: 2 })}`);
add("a record of format 0 sealed with the secret", LOGIN, () => `${NAME}=${forged({ format: 0 })}`);
add(
  "a version prefix 2. with a valid MAC",
  LOGIN,
  () =>
    `${NAME}=${signRaw(KEYS, NAME, "2." + aliceValue().slice(2, aliceValue().lastIndexOf(".")))}`,
);
add(
  "a version prefix 0. with a valid MAC",
  LOGIN,
  () =>
    `${NAME}=${signRaw(KEYS, NAME, "0." + aliceValue().slice(2, aliceValue().lastIndexOf(".")))}`,
);
add(
  "a version prefix 01. with a valid MAC",
  LOGIN,
  () =>
    `${NAME}=${signRaw(KEYS, NAME, "01." + aliceValue().slice(2, aliceValue().lastIndexOf(".")))}`,
);
add(
  "no version prefix, with a valid MAC",
  LOGIN,
  () => `${NAME}=${signRaw(KEYS, NAME, aliceValue().slice(2, aliceValue().lastIndexOf(".")))}`,
);
add(
  "a valid MAC over a payload that is not base64url",
  LOGIN,
  () => `${NAME}=${signRaw(KEYS, NAME, "1.***")}`,
);
add(
  "a valid MAC over a payload shorter than the nonce",
  LOGIN,
  () => `${NAME}=${signRaw(KEYS, NAME, "1.AAAA")}`,
);
add("a valid MAC over a payload whose AEAD tag is wrong", LOGIN, () => {
  const v = aliceValue();
  const signed = v.slice(0, v.lastIndexOf("."));
  return `${NAME}=${signRaw(KEYS, NAME, flip(signed, signed.length - 3))}`;
});

// ---- Age: expired and future ----
const DAY_MS = 86_400_000;
add("a session from a login 169 hours ago (cookie_expire 168h)", LOGIN, () =>
  sessionOf("alice", { clock: Date.UTC(2026, 5, 1, 12) - 169 * 3600_000 }),
);
add("a session from a login 167 hours ago", ALICE, () =>
  sessionOf("alice", { clock: Date.UTC(2026, 5, 1, 12) - 167 * 3600_000 }),
);
add(
  "a session issued exactly 168 hours ago",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: BigInt(NOW - 168 * HOUR) })}`,
);
add(
  "a session issued 168 hours less one second ago",
  ALICE,
  () => `${NAME}=${forged({ issuedAt: BigInt(NOW - 168 * HOUR + 1) })}`,
);
add(
  "a session 61 minutes old with cookie_expire 1h",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: BigInt(NOW - 61 * 60) })}`,
  { config: { cookie_expire: "1h" } },
);
add(
  "a session from a login a year ago with cookie_expire 0",
  ALICE,
  () =>
    sessionOf("alice", {
      clock: Date.UTC(2026, 5, 1, 12) - 365 * DAY_MS,
      config: { cookie_expire: "0" },
    }),
  { config: { cookie_expire: "0" } },
);
add(
  "a session from a login 301 seconds in the future",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: BigInt(NOW + 301) })}`,
);
add(
  "a session issued 299 seconds in the future (clock skew)",
  ALICE,
  () => `${NAME}=${forged({ issuedAt: BigInt(NOW + 299) })}`,
);
add("a session from a real login one hour in the future", LOGIN, () =>
  sessionOf("alice", { clock: Date.UTC(2026, 5, 1, 13) }),
);
add("a session issued at time 0", LOGIN, () => `${NAME}=${forged({ issuedAt: 0n })}`);
add(
  "a session issued at u64 max (-1 as i64)",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: (1n << 64n) - 1n })}`,
);
add(
  "a session issued at i64 max",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: (1n << 63n) - 1n })}`,
);
add(
  "a session issued at i64 min (age overflows)",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: 1n << 63n })}`,
);
add(
  "a session issued at i64 min + 1",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: (1n << 63n) + 1n })}`,
);
add(
  "a session issued at i64 min with cookie_expire 0",
  LOGIN,
  () => `${NAME}=${forged({ issuedAt: 1n << 63n })}`,
  { config: { cookie_expire: "0" } },
);

// ---- Encoding ----
const std = (v: string) => v.replaceAll("-", "+").replaceAll("_", "/");
add("the standard base64 alphabet (+ and /) in the payload", LOGIN, () => {
  const v = forged({ subject: "alice" });
  return std(v) === v ? `${NAME}=${v.slice(0, 10)}+${v.slice(11)}` : `${NAME}=${std(v)}`;
});
add("= padding on the payload", LOGIN, () => {
  const v = aliceValue();
  const dot = v.lastIndexOf(".");
  return `${NAME}=${v.slice(0, dot)}=${v.slice(dot)}`;
});
add("= padding on the MAC", LOGIN, () => `${NAME}=${aliceValue()}=`);
add(
  "a percent-encoded value",
  LOGIN,
  () => `${NAME}=${encodeURIComponent(aliceValue()).replaceAll(".", "%2E")}`,
);
add(
  "a space inside the payload",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, 20)} ${aliceValue().slice(20)}`,
);
add(
  "raw UTF-8 bytes (é) inside the payload",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, 20)}\xc3\xa9${aliceValue().slice(20)}`,
);
add(
  "a raw 0xFF byte inside the payload",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, 20)}\xff${aliceValue().slice(20)}`,
);
add("invalid UTF-8 only (0xFF 0xFE)", LOGIN, () => `${NAME}=\xff\xfe`);
add(
  "a NUL byte inside the value",
  LOGIN,
  () => `${NAME}=${aliceValue().slice(0, 20)}\x00${aliceValue().slice(20)}`,
);
add("a MAC with non-zero trailing bits (non-canonical)", LOGIN, () => {
  const v = aliceValue();
  const mac = macOfValue(v);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(mac[mac.length - 1]);
  return `${NAME}=${withMac(v, mac.slice(0, -1) + alphabet[last ^ 1])}`;
});

// ---- Secrets and names ----
add("a session sealed with an unknown secret", LOGIN, () =>
  sessionOf("alice", { config: { cookie_secret: OTHER_SECRET } }),
);
add(
  "a session sealed with an unknown secret, API client",
  REFUSED_API,
  () => sessionOf("alice", { config: { cookie_secret: OTHER_SECRET } }),
  undefined,
  API,
);
add(
  "a session sealed with a previous secret still configured",
  ALICE,
  () => sessionOf("alice", { config: { cookie_secret: OTHER_SECRET } }),
  { config: { cookie_secret: COOKIE_SECRET, cookie_secret_previous: [OTHER_SECRET] } },
);
add("a session sealed for another cookie name", LOGIN, () =>
  sessionOf("alice", { config: { cookie: { name: "other" } } }).replace(/^other=/, `${NAME}=`),
);
add(
  "a session sealed by the test for another cookie name",
  LOGIN,
  () => `${NAME}=${forged({}, "other")}`,
);
add(
  "a flow cookie's value presented as the session",
  LOGIN,
  () => `${NAME}=${forged({}, `${NAME}_flow_AAAAAAAAAAAAAAAA`)}`,
);
add(
  "a session sealed by the test with a wrong secret",
  LOGIN,
  () => `${NAME}=${seal(keysFromSecret(OTHER_SECRET), NAME, aliceRecord(), randomBytes(12))}`,
);

// ---- Hostile records under a valid MAC (only the secret's holder can make these) ----
add("a record with an empty subject", LOGIN, () => `${NAME}=${forged({ subject: "" })}`);
add("a record claiming 65 claims", LOGIN, () => `${NAME}=${forged({ claimCount: 65n })}`);
add("a record claiming 2^63 claims", LOGIN, () => `${NAME}=${forged({ claimCount: 1n << 63n })}`);
add(
  "a record claiming more claims than it holds",
  LOGIN,
  () => `${NAME}=${forged({ claimCount: 5n })}`,
);
add("a record with a string length of 0xFFFFFFFF", LOGIN, () => lyingLength(0xffffffff));
add("a record with a string length of 0x7FFFFFFF", LOGIN, () => lyingLength(0x7fffffff));
add("a record with one trailing byte", LOGIN, () => forgedBytes(aliceRecord(), Buffer.from([0])));
add("a record missing its last byte", LOGIN, () => forgedBytes(aliceRecord().subarray(0, -1)));
add("an empty record", LOGIN, () => forgedBytes(Buffer.alloc(0)));
add("a record of one format byte", LOGIN, () => forgedBytes(Buffer.from([1])));
add("a record whose subject is one invalid UTF-8 byte", LOGIN, () => {
  const noStrings = Buffer.concat([u32le(0), u32le(0), u32le(0)]);
  const subject = Buffer.concat([u32le(1), Buffer.from([0xff])]);
  const head = Buffer.concat([Buffer.from([1]), u64le(BigInt(NOW))]);
  return forgedBytes(head, subject, Buffer.alloc(8), noStrings, Buffer.alloc(8));
});

function u64le(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}

function u32le(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

// ---- White space before the name (String#trim in AssemblyScript 0.27 left some of it) ----
add(
  "twenty spaces before the session cookie's name",
  ALICE,
  () => `a=1;${" ".repeat(20)}${alice()}`,
);
add(
  "tabs and spaces before the session cookie's name",
  ALICE,
  () => `a=1;${" \t".repeat(12)}${alice()}`,
);
add(
  "no-break spaces before the session cookie's name",
  ALICE,
  () => `a=1;${"\xc2\xa0".repeat(20)}${alice()}`,
);
add(
  "spaces before and after a value",
  ALICE,
  () => `${NAME}=${" ".repeat(30)}${aliceValue()}${" ".repeat(30)}`,
);
cases.push({
  name: "twenty spaces before the session cookie's name on a public path",
  expect: { status: "pass" },
  run: (f) => get(f, "/productpage", { cookie: `a=1;${" ".repeat(20)}${alice()}` }),
});
cases.push({
  name: "twenty spaces before a split part's name on a public path",
  expect: { status: "pass" },
  run: (f) =>
    get(f, "/productpage", {
      cookie: `a=1;${" ".repeat(20)}${NAME}_0=x;${" ".repeat(40)}${NAME}_flow_abc=y`,
    }),
});

// ---- Public paths: a session cookie never goes upstream, and adds no identity there ----
cases.push({
  name: "a valid session on a public path",
  expect: { status: "pass" },
  run: (f) => get(f, "/productpage", { cookie: `theme=dark; ${alice()}` }),
});
cases.push({
  name: "a garbage session on a public path",
  expect: { status: "pass" },
  run: (f) => get(f, "/productpage", { cookie: `${NAME}=garbage; ${NAME}_flow_x=y; ${NAME}_0=z` }),
});

runCases(tally, "cookie", cases);
