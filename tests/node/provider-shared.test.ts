// The provider's discovery document and keys outlive one configuration of the filter: each
// fetch is left in the host's shared data, and a filter configured again (rules edited, a new
// VM) takes them from there, checked as a fetch is, instead of answering 503 until its own
// fetches are in. Another issuer's documents, stale keys and forged documents are not taken.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Emulator, type EmulatorOptions } from "../../host/emulator.ts";
import {
  RELEASE_WASM, START_MS, discover, request, startFilter,
} from "./support/filter-harness.ts";
import { AUTH_IF_MATCHED, ISSUER, filterConfig } from "./support/provider-fixture.ts";

/** The shared-data key the filter files a document under (see assembly/filter/provider.ts). */
function sharedKey(what: "discovery" | "keys", issuer: string, address = ""): string {
  const digest = createHash("sha256").update(`${issuer}\nidp\n${address}`).digest();
  return `oidc_sso.provider.${what}.${digest.subarray(0, 16).toString("base64url")}`;
}

const DISCOVERY = sharedKey("discovery", ISSUER);
const KEYS = sharedKey("keys", ISSUER, `${ISSUER}/keys`);

/** What a first filter left in shared data after its fetches. */
function fetchedOnce(): Map<string, Buffer> {
  const first = startFilter(AUTH_IF_MATCHED);
  discover(first);
  const shared = new Map<string, Buffer>();
  for (const key of [DISCOVERY, KEYS]) {
    const entry = first.emu.getSharedData(key);
    assert.ok(entry, `nothing shared under ${key}`);
    shared.set(key, entry.value);
  }
  return shared;
}

/** A second filter on a host that already holds `shared`, started at `clockMs`. */
function configuredAgain(
  shared: Map<string, Buffer>, clockMs = START_MS + 60_000, extra: object = {},
): Emulator {
  const options: EmulatorOptions = {
    wasm: RELEASE_WASM,
    pluginConfig: filterConfig(AUTH_IF_MATCHED, extra),
    clusters: ["idp"],
    clock: clockMs,
    logLevel: "debug",
  };
  const emu = new Emulator(options);
  for (const [key, value] of shared) emu.setSharedData(key, value);
  assert.ok(emu.start().configured);
  return emu;
}

const pendingPaths = (emu: Emulator) =>
  emu.getPendingCallouts().map((c) => c.headers.find(([n]) => n === ":path")?.[1]);

test("a filter configured again serves protected paths at once with the shared documents", () => {
  const emu = configuredAgain(fetchedOnce());
  assert.deepEqual(pendingPaths(emu), [], "no fetch needed");
  const stream = request(emu, "/api/v1/products/1");
  assert.equal(stream.getLocalResponse()?.status, 302, "a login redirect, not 503");
  const location = stream.getLocalResponse()!.headers.find(([n]) => n === "location")?.[1] ?? "";
  assert.ok(location.startsWith(`${ISSUER}/authorize?`), location);
  assert.ok(emu.getLogs().some((r) => r.message.startsWith("provider keys taken from an earlier fetch")));
});

test("keys older than the refresh period are fetched again; the discovery is still taken", () => {
  const emu = configuredAgain(fetchedOnce(), START_MS + 3601_000);
  assert.deepEqual(pendingPaths(emu), ["/keys"]);
  assert.equal(request(emu, "/api/v1/products/1").getLocalResponse()?.status, 503);
});

test("a shared document that fails the fetch's checks is not taken", () => {
  const shared = fetchedOnce();
  const forged = JSON.parse(shared.get(DISCOVERY)!.toString().replace(/^\d+\n/, ""));
  forged.issuer = "https://evil.example";
  const at = shared.get(DISCOVERY)!.toString().split("\n")[0];
  shared.set(DISCOVERY, Buffer.from(`${at}\n${JSON.stringify(forged)}`));
  const emu = configuredAgain(shared);
  assert.deepEqual(pendingPaths(emu), ["/.well-known/openid-configuration"]);
});

test("documents stamped in the future, or without a time, are not taken", () => {
  for (const stamp of [String(Math.floor(START_MS / 1000) + 3600), "", "12a"]) {
    const shared = fetchedOnce();
    const body = shared.get(DISCOVERY)!.toString().replace(/^\d+\n/, "");
    shared.set(DISCOVERY, Buffer.from(`${stamp}\n${body}`));
    const emu = configuredAgain(shared);
    assert.deepEqual(pendingPaths(emu), ["/.well-known/openid-configuration"], `stamp ${stamp}`);
  }
});

test("another provider's documents are filed under other keys and never taken", () => {
  const emu = configuredAgain(fetchedOnce(), START_MS + 60_000, { issuer: "https://other.example" });
  assert.deepEqual(pendingPaths(emu), ["/.well-known/openid-configuration"]);
  assert.equal(request(emu, "/api/v1/products/1").getLocalResponse()?.status, 503);
});
