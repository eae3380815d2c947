// A trap breaks the VM for good, as in Envoy: it is recorded, no callback runs again, every
// later request gets a 503 (or passes untouched when the plugin fails open), and ticks and
// callout answers are dropped. Also: memory that grows during a host call is handled.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Emulator, type EmulatorOptions } from "../../host/emulator.ts";
import { lastProbe, requestHeaders, traces } from "../../host/testing/probe.ts";
import { testFilter } from "../../host/testing/test-filters.ts";

let wasm: Uint8Array;
before(async () => {
  wasm = await testFilter("probe");
});

function emulator(options: Partial<EmulatorOptions> = {}): Emulator {
  const emu = new Emulator({ wasm, clusters: ["idp"], canary: false, ...options });
  emu.start();
  return emu;
}

function trapNow(emu: Emulator) {
  const stream = emu.createStream();
  const action = stream.callOnRequestHeaders(requestHeaders("/", [["x-probe", "trap"]]));
  return { stream, action };
}

describe("traps", () => {
  it("marks the VM failed, records the trap, and answers the trapping request with 503", () => {
    const emu = emulator();
    const { stream, action } = trapNow(emu);
    assert.equal(action, "pause");
    assert.equal(emu.isFailed(), true);
    const [trap] = emu.getTraps();
    assert.equal(trap.callback, "proxy_on_request_headers");
    assert.equal(trap.contextId, 2);
    assert.match(trap.message, /RuntimeError: unreachable/);
    assert.match(trap.stack, /wasm/);
    assert.equal(stream.getLocalResponse()?.status, 503);
    assert.equal(stream.getLocalResponse()?.details, "wasm_fail_stream");
    assert.equal(stream.getUpstreamRequestHeaders(), null);
  });

  it("answers every later request with 503 without running any callback", () => {
    const emu = emulator({ logLevel: "debug" });
    trapNow(emu);
    const before = traces(emu.getLogs()).length;
    const later = emu.createStream();
    assert.equal(later.callOnRequestHeaders(requestHeaders("/next")), "pause");
    later.complete();
    assert.equal(later.getLocalResponse()?.status, 503);
    assert.deepEqual(later.getDownstreamResponseHeaders(), [[":status", "503"]]);
    assert.equal(traces(emu.getLogs()).length, before);
  });

  it("lets requests pass untouched after a trap when the plugin fails open", () => {
    const emu = emulator({ failOpen: true });
    trapNow(emu);
    const later = emu.createStream();
    const headers = requestHeaders("/next", [["x-probe", "add 0 x-added 1"]]);
    assert.equal(later.callOnRequestHeaders(headers), "continue");
    assert.deepEqual(later.getUpstreamRequestHeaders(), headers);
    assert.equal(later.getLocalResponse(), null);
  });

  it("fails a stream whose response callback traps with a direct 503", () => {
    const emu = emulator();
    const stream = emu.createStream();
    stream.callOnRequestHeaders(requestHeaders("/", [["x-probe-response", "trap"]]));
    stream.callOnResponseHeaders([[":status", "200"]], false);
    stream.callOnResponseBody("never sent", true);
    assert.deepEqual(stream.getDownstreamResponseHeaders(), [[":status", "503"]]);
    assert.equal(stream.getDownstreamResponseBody().length, 0);
  });

  it("drops ticks and callout answers of a failed VM", () => {
    const emu = emulator({ pluginConfig: "tick 100" });
    const caller = emu.createStream();
    caller.callOnRequestHeaders(requestHeaders("/", [["x-probe", "call idp /t 0"]]));
    const [{ token }] = emu.getPendingCallouts();
    emu.advanceTime(100);
    assert.equal(emu.getLogs().filter((r) => r.message === "tick 1").length, 1);
    trapNow(emu);
    emu.advanceTime(1000);
    emu.respondToCallout(token, { status: 200 });
    assert.equal(emu.getLogs().filter((r) => r.message === "tick 1").length, 1);
    assert.equal(emu.getLogs().some((r) => r.message.startsWith("callout")), false);
  });
});

describe("memory growth", () => {
  it("copies a value larger than the module's memory, grown by its allocator mid-call", () => {
    const emu = emulator();
    const big = "z".repeat(3 * 1024 * 1024);
    const stream = emu.createStream();
    stream.callOnRequestHeaders(requestHeaders("/", [["x-probe", "bigalloc"], ["x-big", big]]));
    assert.equal(lastProbe(emu.getLogs(), "bigalloc").value, `${big.length}:7a7a7a7a`);
    assert.equal(emu.isFailed(), false);
  });

  it("keeps working after the module grows its memory itself", () => {
    const emu = emulator();
    const stream = emu.createStream();
    stream.callOnRequestHeaders(requestHeaders("/x", [["x-probe", "grow 20; get 0 :path"]]));
    assert.equal(lastProbe(emu.getLogs(), "get").value, "/x");
  });
});
