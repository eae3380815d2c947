// Section 2: the HMAC that authenticates a session cookie, as the filter computes it, beside
// node:crypto on the very same bytes. The message is what assembly/session/sealed.ts MACs for
// a real session (name, "=", and the value up to its last "."), taken from a login through
// the filter; the key is the MAC key the filter derives from the cookie secret. Node's HMAC
// of those bytes must equal the tag in the cookie, which proves both sides hash the same.
// The WebAssembly side loops inside the harness module (benchHmac: the key's pads are
// computed once, as the filter's HmacKey does), so the JavaScript boundary is crossed once
// per round.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import * as harness from "../build/test/harness/crypto_sym.js";
import { SESSION_COOKIE, cookieKeys, type LoggedIn } from "./filter-lanes.ts";
import { macInput } from "./sealed-cookie.ts";
import { compareRounds, nowNs } from "./stats.ts";
import type { Row } from "./table.ts";

const ITERATIONS = 20_000;
const ROUNDS = 9;
const TARGET_RATIO = 2;

export function benchCookieHmac(lane: LoggedIn): Row[] {
  const key = new Uint8Array(cookieKeys().mac);
  const message = new Uint8Array(macInput(SESSION_COOKIE, lane.sessionValue));
  const tag = lane.sessionValue.slice(lane.sessionValue.lastIndexOf(".") + 1);
  assert.equal(createHmac("sha256", key).update(message).digest("base64url"), tag,
    "node:crypto's HMAC of the message must be the cookie's tag");
  const { medians, ratios } = compareRounds(
    [
      (n) => {
        const start = nowNs();
        for (let i = 0; i < n; i++) createHmac("sha256", key).update(message).digest();
        return nowNs() - start;
      },
      (n) => {
        const start = nowNs();
        harness.benchHmac(key, message, n);
        return nowNs() - start;
      },
    ],
    ITERATIONS,
    ROUNDS,
  );
  const [inNode, inWasm] = medians;
  return [
    {
      name: `Session cookie HMAC-SHA-256, ${message.length} B message (filter's code)`,
      value: inWasm / 1000,
      unit: "µs",
      ratio: ratios[1],
      versus: "node:crypto",
      target: `<= ${TARGET_RATIO}x node:crypto`,
      met: ratios[1] <= TARGET_RATIO,
      note: `The message a real session cookie (value ${lane.sessionValue.length} B) is MACed ` +
        "over; node:crypto createHmac on the same bytes and key: " +
        `${(inNode / 1000).toFixed(2)} µs.`,
    },
  ];
}
