// HTTP semantics in the emulator: pausing and resuming, header maps detached once the filter
// lets go, local responses, and HTTP callouts (answered, reset, timed out, refused).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Emulator } from "../../host/emulator.ts";
import type { HeaderPairs } from "../../host/pairs.ts";
import { lastProbe, probeResults, requestHeaders, traces } from "../../host/testing/probe.ts";
import { testFilter } from "../../host/testing/test-filters.ts";

let wasm: Uint8Array;
before(async () => {
  wasm = await testFilter("probe");
});

function emulator(): Emulator {
  const emu = new Emulator({ wasm, clusters: ["idp"], canary: false });
  emu.start();
  return emu;
}

function stream(emu: Emulator, extra: HeaderPairs, endOfStream = true) {
  const s = emu.createStream();
  const action = s.callOnRequestHeaders(requestHeaders("/app", extra), endOfStream);
  return { s, action };
}

const statusOf = (emu: Emulator, name: string) => lastProbe(emu.getLogs(), name).status;
const valueOf = (emu: Emulator, name: string) => lastProbe(emu.getLogs(), name).value;
const onlyCallout = (emu: Emulator) => {
  const callouts = emu.getPendingCallouts();
  assert.equal(callouts.length, 1);
  return callouts[0];
};
/** Pauses on a callout; the callout's answer resumes the request. */
const PAUSE_ON_CALLOUT: HeaderPairs = [
  ["x-probe", "call idp /token 5000"],
  ["x-action", "pause"],
  ["x-probe-callout", "effective $; bodytoheader x-from-idp; continue 0"],
];

describe("pausing and resuming", () => {
  it("holds a paused request until proxy_continue_stream(Request) from the callout answer", () => {
    const emu = emulator();
    const { s, action } = stream(emu, PAUSE_ON_CALLOUT);
    assert.equal(action, "pause");
    assert.equal(s.isPaused(), true);
    assert.equal(s.getUpstreamRequestHeaders(), null);
    emu.respondToCallout(onlyCallout(emu).token, { status: 200, body: "granted" });
    assert.equal(s.isPaused(), false);
    assert.equal(s.isContinued(), true);
    const upstream = new Map(s.getUpstreamRequestHeaders());
    assert.equal(upstream.get("x-from-idp"), "granted");
  });

  it("holds a body that arrives during the pause, then runs it through the filter", () => {
    const emu = emulator();
    const { s } = stream(emu, PAUSE_ON_CALLOUT, false);
    assert.equal(s.callOnRequestBody("abc", true), "pause");
    assert.equal(traces(emu.getLogs()).some((m) => m.startsWith("request_body")), false);
    emu.respondToCallout(onlyCallout(emu).token, { status: 200, body: "ok" });
    assert.ok(traces(emu.getLogs()).includes("request_body 2 3 1"));
    assert.equal(s.getUpstreamRequestBody().toString(), "abc");
  });

  it("buffers a body stopped by proxy_on_request_body until the filter continues", () => {
    const emu = emulator();
    const { s } = stream(
      emu,
      [
        ["x-probe", "call idp /t 5000"],
        ["x-action-body", "pause"],
        ["x-probe-callout", "effective $; continue 0"],
      ],
      false,
    );
    assert.equal(s.callOnRequestBody("ab", false), "pause");
    assert.equal(s.callOnRequestBody("cd", true), "pause");
    assert.ok(traces(emu.getLogs()).includes("request_body 2 4 1"));
    assert.equal(s.getUpstreamRequestBody().length, 0);
    emu.respondToCallout(onlyCallout(emu).token, { status: 204 });
    assert.equal(s.getUpstreamRequestBody().toString(), "abcd");
  });

  it("answers continue_stream: Unimplemented for Upstream, BadArgument for an unknown type", () => {
    const emu = emulator();
    stream(emu, [["x-probe", "continue 3; continue 9; continue 2"]]);
    const results = probeResults(emu.getLogs(), "continue").map((r) => r.status);
    assert.deepEqual(results, [12, 2, 0]);
  });

  it("resets the stream on proxy_close_stream", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe", "close 0"], ["x-action", "pause"]]);
    assert.equal(s.isReset(), true);
  });
});

describe("header map access", () => {
  it("detaches request headers at proxy_continue_stream: changes and reads are BadArgument", () => {
    const emu = emulator();
    const { s } = stream(emu, [
      ["x-probe", "continue 0; add 0 x-late 1; get 0 :path"],
      ["x-action", "pause"],
      ["x-probe-log", "get 0 :path; add 0 x-in-log 1"],
    ]);
    const results = probeResults(emu.getLogs()).filter((r) => !r.name.startsWith("config"));
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      [
        ["continue", 0],
        ["add", 2],
        ["get", 2],
      ],
    );
    assert.equal(s.isContinued(), true);
    s.complete();
    assert.equal(statusOf(emu, "get"), 0);
    assert.equal(statusOf(emu, "add"), 2);
  });

  it("detaches request headers once on_request_headers returned Continue", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe-response", "add 0 x-late 1; get 0 :path"]]);
    s.callOnResponseHeaders([[":status", "200"]], true);
    assert.equal(statusOf(emu, "add"), 2);
    assert.equal(statusOf(emu, "get"), 2);
  });

  it("lets on_response_headers change the response, and nothing change it after", () => {
    const emu = emulator();
    const { s } = stream(emu, [
      ["x-probe-response", "add 2 set-cookie sid=1"],
      ["x-probe-response-body", "add 2 x-late 1"],
    ]);
    s.callOnResponseHeaders([[":status", "200"], ["set-cookie", "a=b"]]);
    s.callOnResponseBody("hello", true);
    assert.deepEqual(s.getDownstreamResponseHeaders(), [
      [":status", "200"],
      ["set-cookie", "a=b"],
      ["set-cookie", "sid=1"],
    ]);
    assert.equal(statusOf(emu, "add"), 2);
    assert.equal(s.getDownstreamResponseBody().toString(), "hello");
  });
});

describe("local responses", () => {
  it("sends the reply after the callback, stops the request, runs the response callbacks", () => {
    const emu = emulator();
    const { s, action } = stream(emu, [
      ["x-probe", "local 403 denied content-type=text/html,x-a=1 not allowed here; add 0 x 1"],
      ["x-action", "continue"],
    ]);
    assert.equal(action, "pause");
    assert.equal(statusOf(emu, "add"), 0);
    assert.equal(s.getUpstreamRequestHeaders(), null);
    const reply = s.getLocalResponse();
    assert.equal(reply?.status, 403);
    assert.equal(reply?.details, "not_allowed_here");
    assert.equal(reply?.body.toString(), "denied");
    assert.deepEqual(reply?.headers, [
      ["content-type", "text/html"],
      ["x-a", "1"],
    ]);
    assert.ok(traces(emu.getLogs()).includes("response_headers 2 4 0"));
    assert.deepEqual(s.getDownstreamResponseHeaders(), [
      [":status", "403"],
      ["content-type", "text/html"],
      ["x-a", "1"],
      ["content-length", "6"],
    ]);
    assert.equal(s.getDownstreamResponseBody().toString(), "denied");
  });

  it("still lets the filter use the request headers in its own reply's callbacks", () => {
    const emu = emulator();
    stream(emu, [
      ["x-probe", "local 401 - - login"],
      ["x-probe-response", "get 0 :path; prop request|path; add 2 x-path-seen 1"],
    ]);
    const [get, prop] = probeResults(emu.getLogs()).filter((r) => /^(get|prop)$/.test(r.name));
    assert.deepEqual([get.status, get.value, prop.status], [0, "/app", 0]);
  });

  it("drops content-length and content-type from a reply without a body", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe", "local 302 - location=/login,content-type=x/y go"]]);
    assert.deepEqual(s.getDownstreamResponseHeaders(), [
      [":status", "302"],
      ["location", "/login"],
    ]);
  });

  it("replaces an upstream response directly when sent from on_response_headers", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe-response", "local 502 bad - upstream said no"]]);
    s.callOnResponseHeaders([[":status", "200"]], false);
    s.callOnResponseBody("upstream body", true);
    assert.deepEqual(s.getDownstreamResponseHeaders(), [
      [":status", "502"],
      ["content-length", "3"],
      ["content-type", "text/plain"],
    ]);
    assert.equal(s.getDownstreamResponseBody().toString(), "bad");
    const responses = traces(emu.getLogs()).filter((m) => m.startsWith("response_headers"));
    assert.equal(responses.length, 1);
  });

  it("resets the stream when a reply comes after the response started", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe-response-body", "local 500 - - too late"]]);
    s.callOnResponseHeaders([[":status", "200"]], false);
    s.callOnResponseBody("x", true);
    assert.equal(s.isReset(), true);
  });
});

describe("callouts", () => {
  it("answers on the root context, counting :status among the headers", () => {
    const emu = emulator();
    stream(emu, [
      ["x-probe", "call idp /token 5000"],
      ["x-probe-callout", "buf 4 0 100; get 6 :status; get 6 x-h; pairs 7; status; add 6 x 1"],
    ]);
    const { token, cluster, headers } = onlyCallout(emu);
    assert.equal(cluster, "idp");
    assert.deepEqual(headers.slice(0, 3), [
      [":method", "GET"],
      [":path", "/token"],
      [":authority", "idp.test"],
    ]);
    emu.respondToCallout(token, { status: 200, headers: [["X-H", "v"]], body: "hello" });
    assert.ok(traces(emu.getLogs()).includes(`callout 1 ${token} 2 5 0`));
    assert.equal(valueOf(emu, "buf"), "hello");
    assert.deepEqual(probeResults(emu.getLogs(), "get").map((r) => r.value), ["200", "v"]);
    assert.equal(valueOf(emu, "pairs"), "null");
    assert.equal(valueOf(emu, "status"), "0:null");
    assert.equal(statusOf(emu, "add"), 2);
  });

  it("keeps the callout's response readable only inside its callback", () => {
    const emu = emulator();
    const { s } = stream(emu, [
      ["x-probe", "call idp /token 5000"],
      ["x-probe-response", "get 6 :status; buf 4 0 10"],
    ]);
    emu.respondToCallout(onlyCallout(emu).token, { status: 200, body: "x" });
    s.callOnResponseHeaders([[":status", "200"]], true);
    assert.equal(statusOf(emu, "get"), 2);
    assert.equal(statusOf(emu, "buf"), 1);
  });

  it("delivers a reset as zero headers, with proxy_get_status reporting BrokenConnection", () => {
    const emu = emulator();
    stream(emu, [
      ["x-probe", "call idp /token 5000"],
      ["x-probe-callout", "status; buf 4 0 10"],
    ]);
    const { token } = onlyCallout(emu);
    emu.failCallout(token, "reset");
    assert.ok(traces(emu.getLogs()).includes(`callout 1 ${token} 0 0 0`));
    assert.equal(valueOf(emu, "status"), "11:reset");
  });

  it("times a callout out like Envoy: its 504 local reply when the timeout passes", () => {
    const emu = emulator();
    stream(emu, [
      ["x-probe", "call idp /token 1000"],
      ["x-probe-callout", "get 6 :status; buf 4 0 100"],
    ]);
    const { token } = onlyCallout(emu);
    emu.advanceTime(999);
    assert.equal(emu.getPendingCallouts().length, 1);
    emu.advanceTime(1);
    assert.equal(emu.getPendingCallouts().length, 0);
    assert.ok(traces(emu.getLogs()).includes(`callout 1 ${token} 3 24 0`));
    assert.equal(valueOf(emu, "get"), "504");
    assert.equal(valueOf(emu, "buf"), "upstream request timeout");
  });

  it("reports a connection failure as Envoy's 503 reply", () => {
    const emu = emulator();
    stream(emu, [
      ["x-probe", "call idp /token 0"],
      ["x-probe-callout", "get 6 :status; buf 4 0 200"],
    ]);
    emu.failCallout(onlyCallout(emu).token, "connection-failure");
    assert.equal(valueOf(emu, "get"), "503");
    assert.match(valueOf(emu, "buf") ?? "", /^upstream connect error .* connection failure$/);
  });

  it("refuses an unknown cluster, no :method, :path or :authority, a negative timeout", () => {
    const emu = emulator();
    const calls = [
      "call nope /x 1000",
      "call idp /x 1000 nomethod",
      "call idp /x 1000 nopath",
      "call idp /x 1000 noauthority",
      "call idp /x 4294967295",
    ];
    stream(emu, [["x-probe", calls.join(";")]]);
    assert.deepEqual(probeResults(emu.getLogs(), "call").map((r) => [r.status, r.value]), [
      [2, "0"],
      [2, "0"],
      [2, "0"],
      [2, "0"],
      [2, "0"],
    ]);
    assert.equal(emu.getPendingCallouts().length, 0);
  });

  it("issues tokens that are neither small nor consecutive, low bits zero (HTTP call)", () => {
    const emu = emulator();
    stream(emu, [["x-probe", Array(6).fill("call idp /t 1000").join(";")]]);
    const tokens = emu.getPendingCallouts().map((c) => c.token);
    assert.equal(new Set(tokens).size, 6);
    for (const token of tokens) assert.equal(token % 4, 0);
    const steps = tokens.slice(1).map((t, i) => t - tokens[i]);
    assert.notDeepEqual(steps, [4, 4, 4, 4, 4]);
    assert.ok(tokens.some((t) => t > 1 << 16));
  });

  it("keeps a callout alive after its stream ended: the root still gets the answer", () => {
    const emu = emulator();
    const { s } = stream(emu, [["x-probe", "call idp /t 1000"]]);
    s.complete();
    const { token } = onlyCallout(emu);
    emu.respondToCallout(token, { status: 200 });
    assert.ok(traces(emu.getLogs()).includes(`callout 1 ${token} 1 0 0`));
  });

  it("sends a callout body with its content-length", () => {
    const emu = emulator();
    stream(emu, [["x-probe", "call idp /t 1000 - payload"]]);
    const callout = onlyCallout(emu);
    assert.equal(callout.body.toString(), "payload");
    assert.deepEqual(new Map(callout.headers).get("content-length"), "7");
    assert.deepEqual(new Map(callout.headers).get(":method"), "POST");
  });
});
