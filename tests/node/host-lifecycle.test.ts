// Contexts and their lifetimes as Envoy runs them: the root context and the start sequence,
// refusals, stream context ids, the effective context, the end of a stream, the plugin's
// shutdown, and ticks.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Emulator, type EmulatorOptions } from "../../host/emulator.ts";
import type { HeaderPairs } from "../../host/pairs.ts";
import { lastProbe, probeResults, requestHeaders, traces } from "../../host/testing/probe.ts";
import { testFilter } from "../../host/testing/test-filters.ts";

let wasm: Uint8Array;
before(async () => {
  wasm = await testFilter("probe");
});

function emulator(options: Partial<EmulatorOptions> = {}): Emulator {
  return new Emulator({ wasm, canary: false, logLevel: "debug", ...options });
}

function started(options: Partial<EmulatorOptions> = {}): Emulator {
  const emu = emulator(options);
  emu.start();
  return emu;
}

function stream(emu: Emulator, commands: string, extra: HeaderPairs = []) {
  const s = emu.createStream();
  s.callOnRequestHeaders(requestHeaders("/", [["x-probe", commands], ...extra]));
  return s;
}

describe("start-up sequence", () => {
  it("creates root context 1, then runs proxy_on_vm_start and proxy_on_configure", () => {
    const emu = started({ vmConfig: "v", pluginConfig: "p" });
    const sequence = emu
      .getLogs()
      .map((r) => r.message)
      .filter((m) => m.startsWith("create") || m.startsWith("probe config"));
    assert.deepEqual(sequence, [
      "create 1 0",
      "probe config6 status=0 value=v",
      "probe config7 status=1",
      "probe config7 status=0 value=p",
      "probe config6 status=1",
    ]);
  });

  it("reports a false from proxy_on_vm_start or proxy_on_configure as a refusal", () => {
    assert.deepEqual(emulator({ vmConfig: "fail" }).start(), {
      vmStarted: false,
      configured: false,
    });
    const refused = emulator({ pluginConfig: "fail" });
    assert.deepEqual(refused.start(), { vmStarted: true, configured: false });
  });

  it("stops at a refusing canary: the real VM never starts", () => {
    const emu = new Emulator({ wasm, pluginConfig: "fail", logLevel: "debug" });
    assert.deepEqual(emu.start(), { vmStarted: true, configured: false });
    assert.deepEqual([...new Set(emu.getLogs().map((r) => r.vm))], ["canary"]);
    assert.throws(() => emu.createStream(), /call start\(\) first/);
  });
});

describe("contexts", () => {
  it("numbers stream contexts from 2, each created with the root as parent", () => {
    const emu = started();
    const first = stream(emu, "");
    const second = stream(emu, "");
    assert.deepEqual([first.id, second.id], [2, 3]);
    const creates = traces(emu.getLogs()).filter((m) => m.startsWith("create"));
    assert.deepEqual(creates, ["create 1 0", "create 2 1", "create 3 1"]);
  });

  it("sets the effective context to a live context, and refuses an unknown one", () => {
    const emu = started();
    stream(emu, "effective 1; effective 0; effective 99");
    const results = probeResults(emu.getLogs(), "effective").map((r) => r.status);
    assert.deepEqual(results, [0, 0, 2]);
  });

  it("resets the effective context at every call into the module", () => {
    const emu = started();
    const s = stream(emu, "effective 1; add 0 x-on-root 1", [
      ["x-action", "pause"],
      ["x-probe-response", "add 2 x-on-stream 1"],
    ]);
    assert.equal(lastProbe(emu.getLogs(), "add").status, 2);
    s.callOnResponseHeaders([[":status", "200"]], true);
    assert.equal(lastProbe(emu.getLogs(), "add").status, 0);
  });

  it("ends a stream with proxy_on_log, proxy_on_done, then proxy_on_delete", () => {
    const emu = started();
    const s = stream(emu, "");
    s.complete();
    const ending = traces(emu.getLogs()).filter((m) => /^(log|done|delete) /.test(m));
    assert.deepEqual(ending, ["log 2", "done 2", "delete 2"]);
    stream(emu, "effective 2");
    assert.equal(lastProbe(emu.getLogs(), "effective").status, 2);
  });

  it("ignores a false from proxy_on_done of a stream, as Envoy does, and says so", () => {
    const emu = started();
    const s = stream(emu, "done", [["x-done-result", "false"]]);
    s.complete();
    assert.equal(lastProbe(emu.getLogs(), "done").status, 1);
    assert.ok(traces(emu.getLogs()).includes("delete 2"));
    const warning = emu.getLogs("warn").find((r) => r.source === "host");
    assert.match(warning?.message ?? "", /proxy_on_done\(2\) returned false/);
  });

  it("shuts down the root: on_done false waits for proxy_done before on_delete", () => {
    const emu = started({ pluginConfig: "delaydone" });
    emu.shutdown();
    assert.ok(traces(emu.getLogs()).includes("done 1"));
    assert.equal(traces(emu.getLogs()).includes("delete 1"), false);
    emu.tick(); // the probe filter calls proxy_done from proxy_on_tick
    assert.equal(lastProbe(emu.getLogs(), "done").status, 0);
    assert.ok(traces(emu.getLogs()).includes("delete 1"));
  });
});

describe("ticks", () => {
  it("fires proxy_on_tick on the root every period as time advances; 0 stops it", () => {
    const emu = started({ pluginConfig: "tick 100" });
    const ticks = () => traces(emu.getLogs()).filter((m) => m === "tick 1").length;
    emu.advanceTime(99);
    assert.equal(ticks(), 0);
    emu.advanceTime(251);
    assert.equal(ticks(), 3);
    stream(emu, "tick 0");
    emu.advanceTime(1000);
    assert.equal(ticks(), 3);
    assert.equal(emu.getTickPeriod(), 0);
  });

  it("sets the root's tick period from a stream context too", () => {
    const emu = started();
    stream(emu, "tick 50");
    assert.equal(emu.getTickPeriod(), 50);
    emu.advanceTime(50);
    assert.deepEqual(traces(emu.getLogs()).filter((m) => m.startsWith("tick")), ["tick 1"]);
  });

  it("drops the canary's tick timer with the canary", () => {
    const emu = new Emulator({ wasm, pluginConfig: "tick 100" });
    emu.start();
    emu.advanceTime(100);
    const tickers = emu.getLogs().filter((r) => r.message === "tick 1").map((r) => r.vm);
    assert.deepEqual(tickers, ["main"]);
  });
});
