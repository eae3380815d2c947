// Every host function the host implements, with its success and error results, driven through
// the scriptable "probe" test filter (each command is one host call; its result is logged).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ManualClock } from "../../host/clock.ts";
import { Emulator, type EmulatorOptions } from "../../host/emulator.ts";
import type { StreamOptions } from "../../host/emulator-stream.ts";
import type { HeaderPairs } from "../../host/pairs.ts";
import { lastProbe, probeResults, requestHeaders } from "../../host/testing/probe.ts";
import { testFilter } from "../../host/testing/test-filters.ts";

let wasm: Uint8Array;
before(async () => {
  wasm = await testFilter("probe");
});

function emulator(options: Partial<EmulatorOptions> = {}): Emulator {
  const emu = new Emulator({ wasm, clusters: ["idp"], canary: false, ...options });
  assert.deepEqual(emu.start(), { vmStarted: true, configured: true });
  return emu;
}

/** Runs `commands` in proxy_on_request_headers of a new stream. */
function probe(emu: Emulator, commands: string, extra: HeaderPairs = [], options?: StreamOptions) {
  const stream = emu.createStream(options);
  stream.callOnRequestHeaders(requestHeaders("/p?q=1", [["x-probe", commands], ...extra]));
  return stream;
}

const result = (emu: Emulator, name: string) => lastProbe(emu.getLogs(), name);
const statuses = (emu: Emulator, name: string) =>
  probeResults(emu.getLogs(), name).map((r) => r.status);
const hexOf = (text: string) => Buffer.from(text).toString("hex");
const u64 = (value: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return b.toString("hex");
};

describe("logging", () => {
  it("records proxy_log lines with their level; an unknown level is BadArgument", () => {
    const emu = emulator();
    probe(emu, "log 3 hello world; badptr level");
    const line = emu.getLogs().find((r) => r.message === "hello world");
    assert.equal(line?.levelName, "warn");
    assert.equal(result(emu, "log").status, 0);
    assert.equal(result(emu, "badptr:level").status, 2);
  });

  it("drops lines below the host level, which proxy_get_log_level reports", () => {
    const emu = emulator({ logLevel: "info" });
    probe(emu, "log 1 quiet; loglevel");
    assert.equal(emu.getLogs().some((r) => r.message === "quiet"), false);
    assert.equal(result(emu, "loglevel").value, "2");
    const chatty = emulator({ logLevel: "trace" });
    probe(chatty, "log 0 loud; loglevel");
    assert.ok(chatty.getLogs().some((r) => r.message === "loud"));
    assert.equal(result(chatty, "loglevel").value, "0");
  });

  it("logs fd_write to stdout at info and stderr at error, without the newline", () => {
    const emu = emulator();
    probe(emu, "fdwrite 1 out text; fdwrite 2 err text; fdwrite 7 lost");
    const lines = emu.getLogs().filter((r) => r.message.endsWith(" text"));
    assert.deepEqual(lines.map((r) => [r.levelName, r.message]), [
      ["info", "out text"],
      ["error", "err text"],
    ]);
    assert.deepEqual(probeResults(emu.getLogs(), "fdwrite").map((r) => [r.status, r.value]), [
      [0, "9"],
      [0, "9"],
      [8, undefined],
    ]);
  });

  it("answers InvalidMemoryAccess for pointers outside the module's memory", () => {
    const emu = emulator();
    probe(emu, "badptr log; badptr out");
    assert.equal(result(emu, "badptr:log").status, 6);
    assert.equal(result(emu, "badptr:out").status, 6);
  });
});

describe("header maps", () => {
  it("get returns the first value of a name, in any case; a missing name is NotFound", () => {
    const emu = emulator();
    probe(emu, "get 0 X-Dup; get 0 missing", [["x-dup", "1"], ["x-dup", "2"]]);
    assert.deepEqual(probeResults(emu.getLogs(), "get").map((r) => [r.status, r.value]), [
      [0, "1"],
      [1, undefined],
    ]);
  });

  it("add appends, replace drops every value and appends one, remove drops every value", () => {
    const emu = emulator();
    const stream = probe(
      emu,
      "add 0 x-dup 3; replace 0 x-dup z; add 0 X-New n; remove 0 x-gone; remove 0 absent",
      [["x-dup", "1"], ["x-gone", "a"], ["x-dup", "2"], ["x-last", "l"]],
    );
    assert.deepEqual(statuses(emu, "add"), [0, 0]);
    assert.deepEqual(statuses(emu, "remove"), [0, 0]);
    const tail = stream.getRequestHeaders().filter(([k]) => k.startsWith("x-") && k !== "x-probe");
    assert.deepEqual(tail, [
      ["x-last", "l"],
      ["x-dup", "z"],
      ["x-new", "n"],
    ]);
  });

  it("serializes pairs in order and sizes a map as the sum of name and value lengths", () => {
    const emu = emulator();
    const stream = probe(emu, "pairs 0; size 0");
    const pairs = stream.getRequestHeaders();
    assert.equal(result(emu, "pairs").value, pairs.map(([k, v]) => `${k}=${v}`).join("|"));
    const size = pairs.reduce((n, [k, v]) => n + k.length + v.length, 0);
    assert.equal(result(emu, "size").value, String(size));
  });

  it("replaces a map with set_header_map_pairs, and wipes it with a malformed buffer", () => {
    const emu = emulator();
    const stream = probe(emu, "setpairs 0 A=1,b=2");
    assert.deepEqual(stream.getUpstreamRequestHeaders(), [
      ["a", "1"],
      ["b", "2"],
    ]);
    const wiped = probe(emu, "setpairs-bad 0");
    assert.equal(result(emu, "setpairs-bad").status, 0);
    assert.deepEqual(wiped.getUpstreamRequestHeaders(), []);
  });

  it("answers Ok with a null pointer for a missing map; an unknown map type is BadArgument", () => {
    const emu = emulator();
    probe(emu, "pairs 1; pairs 6; badptr maptype");
    assert.deepEqual(probeResults(emu.getLogs(), "pairs").map((r) => [r.status, r.value]), [
      [0, "null"],
      [0, "null"],
    ]);
    assert.equal(result(emu, "badptr:maptype").status, 2);
  });

  it("gives the root context no request map: get and add are BadArgument, pairs empty", () => {
    const emu = emulator({ pluginConfig: "get 0 :path; pairs 0; add 0 a b; size 0" });
    assert.equal(result(emu, "get").status, 2);
    assert.equal(result(emu, "pairs").value, "null");
    assert.equal(result(emu, "add").status, 2);
    assert.equal(result(emu, "size").status, 2);
  });
});

describe("properties", () => {
  it("splits paths on NUL, never on dots", () => {
    const emu = emulator();
    probe(emu, "prop request|path; prop request.path");
    assert.deepEqual(probeResults(emu.getLogs(), "prop").map((r) => [r.status, r.value]), [
      [0, hexOf("/p?q=1")],
      [1, undefined],
    ]);
  });

  it("encodes request attributes, addresses and flags as Envoy does", () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 2));
    const emu = emulator({ clock });
    const commands = [
      "request|url_path", "request|query", "request|method", "request|host", "request|scheme",
      "request|protocol", "request|time", "request|headers|x-two", "source|address",
      "source|port", "destination|port", "connection|mtls", "request|nope",
    ];
    probe(emu, commands.map((c) => `prop ${c}`).join(";"), [["x-two", "a"], ["x-two", "b"]], {
      sourceAddress: "198.51.100.7",
      sourcePort: 4444,
      destinationPort: 8443,
      mtls: true,
    });
    const values = probeResults(emu.getLogs(), "prop").map((r) => r.value);
    assert.deepEqual(values, [
      hexOf("/p"),
      hexOf("q=1"),
      hexOf("GET"),
      hexOf("app.test"),
      hexOf("https"),
      hexOf("HTTP/1.1"),
      u64(BigInt(Date.UTC(2030, 0, 2)) * 1_000_000n),
      hexOf("a,b"),
      hexOf("198.51.100.7:4444"),
      u64(4444n),
      u64(8443n),
      "01",
      undefined,
    ]);
  });

  it("answers plugin properties anywhere, and extra properties given to the host", () => {
    const emu = emulator({
      rootId: "oidc",
      pluginName: "sso",
      vmId: "vm1",
      properties: { "node\0id": "gw-1", "node\0zone": 3 },
      pluginConfig: "prop plugin_root_id; prop node|zone",
    });
    probe(emu, "prop plugin_name; prop plugin_vm_id; prop node|id");
    assert.deepEqual(probeResults(emu.getLogs(), "prop").map((r) => r.value), [
      hexOf("oidc"),
      u64(3n),
      hexOf("sso"),
      hexOf("vm1"),
      hexOf("gw-1"),
    ]);
  });

  it("has response.code only once a response exists", () => {
    const emu = emulator();
    const stream = probe(emu, "prop response|code", [["x-probe-response", "prop response|code"]]);
    stream.callOnResponseHeaders([[":status", "201"]], true);
    assert.deepEqual(probeResults(emu.getLogs(), "prop").map((r) => [r.status, r.value]), [
      [1, undefined],
      [0, u64(201n)],
    ]);
  });

  it("hides header attributes of a continued request, and shows them again in proxy_on_log", () => {
    const emu = emulator();
    const stream = probe(emu, "", [
      ["x-probe-response", "prop request|path"],
      ["x-probe-log", "prop request|path"],
    ]);
    stream.callOnResponseHeaders([[":status", "200"]], true);
    stream.complete();
    assert.deepEqual(statuses(emu, "prop"), [1, 0]);
  });

  it("stores set_property values as filter state; without a stream it is NotFound", () => {
    const emu = emulator({ pluginConfig: "setprop root_key x" });
    assert.equal(result(emu, "setprop").status, 1);
    probe(emu, "setprop my_key v1; prop my_key; prop other_key");
    assert.equal(result(emu, "setprop").status, 0);
    const values = probeResults(emu.getLogs(), "prop").map((r) => r.value);
    assert.deepEqual(values, [hexOf("v1"), undefined]);
  });
});

describe("metrics", () => {
  it("defines, increments, records and reads metrics; ids carry their type in the low bits", () => {
    const emu = emulator();
    probe(emu, "metric 0 hits; inc 5; inc 2; mget");
    probe(emu, "metric 1 level; inc 3; inc -1; mget; record 10; mget");
    probe(emu, "metric 2 latency; record 5; record 9; mget");
    const ids = probeResults(emu.getLogs(), "metric").map((r) => Number(r.value));
    assert.deepEqual(ids.map((id) => id & 3), [0, 1, 2]);
    assert.deepEqual(probeResults(emu.getLogs(), "mget").map((r) => [r.status, r.value]), [
      [0, "7"],
      [0, "2"],
      [0, "10"],
      [2, undefined],
    ]);
    const metrics = emu.getMetrics();
    assert.deepEqual(metrics.hits, { type: "counter", value: 7, samples: [] });
    assert.deepEqual(metrics.level, { type: "gauge", value: 10, samples: [] });
    assert.deepEqual(metrics.latency.samples, [5, 9]);
  });

  it("refuses counter increments of zero or less, unknown ids and unknown types", () => {
    const emu = emulator();
    probe(emu, "metric 0 c; inc 0; inc -1; mid 400; inc 1; mget; mid 403; inc 1; metric 7 x");
    assert.deepEqual(statuses(emu, "inc"), [2, 2, 1, 2]);
    assert.equal(result(emu, "mget").status, 1);
    assert.equal(result(emu, "metric").status, 2);
  });

  it("gives a new id to a second definition of a name, for the same metric", () => {
    const emu = emulator();
    probe(emu, "metric 0 same; inc 1; metric 0 same; inc 1; mget");
    const [first, second] = probeResults(emu.getLogs(), "metric").map((r) => r.value);
    assert.notEqual(first, second);
    assert.equal(result(emu, "mget").value, "2");
  });
});

describe("shared data", () => {
  it("answers NotFound for a missing key and enforces compare-and-swap", () => {
    const emu = emulator();
    probe(emu, "shget k; shset k v1; shget k");
    assert.equal(probeResults(emu.getLogs(), "shget")[0].status, 1);
    const cas = Number(/cas=(\d+)/.exec(result(emu, "shget").value!)![1]);
    assert.ok(cas > 0);
    probe(emu, `shset k v2 ${cas + 1}; shset k v2 ${cas}; shget k`);
    assert.deepEqual(statuses(emu, "shset"), [0, 8, 0]);
    assert.equal(emu.getSharedData("k")?.value.toString(), "v2");
    assert.equal(emu.setSharedData("k", "from-test"), 0);
    probe(emu, "shget k");
    assert.match(result(emu, "shget").value!, /^from-test cas=/);
  });

  it("shares data between the canary and the real VM, as Envoy's process-wide store does", () => {
    const emu = new Emulator({ wasm, pluginConfig: "shget boot; shset boot seen" });
    emu.start();
    const reads = probeResults(emu.getLogs(), "shget").map((r) => [r.vm, r.status]);
    assert.deepEqual(reads, [
      ["canary", 1],
      ["main", 0],
    ]);
  });
});

describe("time, randomness and environment", () => {
  it("reads time from the injected clock: realtime, monotonic, and NOTSUP for other clocks", () => {
    const clock = new ManualClock(Date.UTC(2031, 5, 1));
    const emu = emulator({ clock });
    emu.advanceTime(1500);
    probe(emu, "time; clock 0; clock 1; clock 2");
    const now = String(BigInt(Date.UTC(2031, 5, 1) + 1500) * 1_000_000n);
    assert.equal(result(emu, "time").value, now);
    assert.deepEqual(probeResults(emu.getLogs(), "clock").map((r) => [r.status, r.value]), [
      [0, now],
      [0, "1500000000"],
      [58, undefined],
    ]);
  });

  it("writes each new time exactly, not the words of the last one (kept per value)", () => {
    const start = Date.UTC(2031, 5, 1);
    const clock = new ManualClock(start);
    const emu = emulator({ clock });
    const seen: string[] = [];
    // 4,295 ms carries the time's low 32-bit word over into the high one.
    for (const step of [0, 1, 0, 4_295, 1]) {
      emu.advanceTime(step);
      probe(emu, "time; clock 0");
      const [time, clockZero] = [result(emu, "time").value, result(emu, "clock").value];
      assert.equal(time, clockZero);
      seen.push(String(time));
    }
    const expected = [0, 1, 1, 4_296, 4_297]
      .map((ms) => String(BigInt(start + ms) * 1_000_000n));
    assert.deepEqual(seen, expected);
  });

  it("fills random_get from node:crypto and refuses more than 64 KiB", () => {
    const emu = emulator();
    probe(emu, "random 16; random 16; random 65536; random 65537");
    const results = probeResults(emu.getLogs(), "random");
    assert.deepEqual(results.map((r) => r.status), [0, 0, 0, 28]);
    assert.notEqual(results[0].value, results[1].value);
  });

  it("passes the configured environment variables through WASI", () => {
    const emu = emulator({ environment: { A: "1", B: "two" } });
    probe(emu, "env");
    assert.equal(result(emu, "env").value, "2:A=1,B=two");
  });
});

describe("unimplemented host calls", () => {
  it("answer Unimplemented (or ENOSYS), are recorded, and warn once per name", () => {
    const emu = emulator();
    probe(emu, "grpc; grpc; queue; foreign; fdread");
    assert.deepEqual(statuses(emu, "grpc"), [12, 12]);
    assert.equal(result(emu, "queue").status, 12);
    assert.equal(result(emu, "foreign").status, 12);
    assert.equal(result(emu, "fdread").status, 52);
    const names = emu.getUnimplementedCalls().map((c) => c.name);
    assert.deepEqual(names, [
      "proxy_grpc_call",
      "proxy_grpc_call",
      "proxy_register_shared_queue",
      "proxy_call_foreign_function",
      "fd_read",
    ]);
    const warnings = emu.getLogs("warn").filter((r) => r.source === "host");
    assert.equal(warnings.length, 4);
  });
});

describe("buffers", () => {
  it("makes each configuration readable only in its own callback", () => {
    const emu = emulator({ vmConfig: "vm-config", pluginConfig: "plugin-config" });
    const configs = probeResults(emu.getLogs()).filter((r) => r.name.startsWith("config"));
    assert.deepEqual(configs.map((r) => [r.name, r.status, r.value]), [
      ["config6", 0, "vm-config"],
      ["config7", 1, undefined],
      ["config7", 0, "plugin-config"],
      ["config6", 1, undefined],
    ]);
    probe(emu, "buf 7 0 10; buf 6 0 10");
    assert.deepEqual(statuses(emu, "buf"), [1, 1]);
  });

  it("shortens reads past the end; an unknown buffer type is BadArgument", () => {
    const config = "buf 7 0 3; buf 7 2 1000; buf 7 100 5; bufstat 7; badptr buftype";
    const emu = emulator({ pluginConfig: config });
    assert.deepEqual(probeResults(emu.getLogs(), "buf").map((r) => [r.status, r.value]), [
      [0, "buf"],
      [0, config.slice(2)],
      [0, "null"],
    ]);
    assert.equal(result(emu, "bufstat").value, String(config.length));
    assert.equal(result(emu, "badptr:buftype").status, 2);
  });

  it("lets proxy_on_request_body read and rewrite the body Envoy-style", () => {
    const emu = emulator();
    const stream = emu.createStream();
    const commands = "buf 0 0 100; setbuf 0 0 3 NEW; setbuf 0 2 1 X; setbuf 0 99 0 !; bufstat 0";
    stream.callOnRequestHeaders(requestHeaders("/", [["x-probe-body", commands]], "POST"), false);
    assert.equal(stream.callOnRequestBody("oldbody", true), "continue");
    assert.equal(result(emu, "buf").value, "oldbody");
    assert.deepEqual(statuses(emu, "setbuf"), [0, 2, 0]);
    assert.equal(result(emu, "bufstat").value, "8");
    assert.equal(stream.getUpstreamRequestBody().toString(), "NEWbody!");
  });
});
