// The gateway face: a real HTTP server running each request through the filter, a real
// upstream behind it, callouts as real HTTP requests, many streams sharing one VM.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startGateway, PluginStartError, type GatewayOptions } from "../../host/gateway.ts";
import { ModuleLoadError } from "../../host/loader.ts";
import { buildModule } from "../../host/testing/wasm-writer.ts";
import { testFilter } from "../../host/testing/test-filters.ts";

interface Echo {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

let wasm: Uint8Array;
let upstream: http.Server;
let idp: http.Server;
let upstreamUrl: string;
let idpUrl: string;
let upstreamHits = 0;

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The upstream echoes the request it got, and sets a cookie of its own. */
function echoServer(): http.Server {
  return http.createServer((req, res) => {
    upstreamHits++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      }
      const echo: Echo = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(200, { "content-type": "application/json", "set-cookie": "upstream=1" });
      res.end(JSON.stringify(echo));
    });
  });
}

/** The identity provider answers after a random delay, so answers come back out of order. */
function idpServer(): http.Server {
  return http.createServer((req, res) => {
    if (req.url === "/slow") return; // never answers
    setTimeout(() => res.end(`granted:${req.url}`), Math.floor(Math.random() * 20));
  });
}

before(async () => {
  wasm = await testFilter("probe");
  upstream = echoServer();
  idp = idpServer();
  upstreamUrl = await listen(upstream);
  idpUrl = await listen(idp);
});

after(() => {
  upstream.closeAllConnections();
  upstream.close();
  idp.closeAllConnections();
  idp.close();
});

function options(extra: Partial<GatewayOptions> = {}): GatewayOptions {
  return {
    wasm,
    upstream: upstreamUrl,
    clusters: { idp: idpUrl, dead: "http://127.0.0.1:1" },
    onLog: false,
    ...extra,
  };
}

/** fetch that fails instead of hanging when the gateway never answers. */
const send = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
const header = (echo: Echo, name: string) => echo.headers.find(([k]) => k === name)?.[1];
/** Pause the request; resume it with the callout's body in header x-cb. */
const RESUME_ON_CALLOUT = {
  "x-action": "pause",
  "x-probe-callout": "effective $; bodytoheader x-cb; continue 0",
};

describe("gateway", () => {
  it("forwards what the filter continues and returns the response through the filter", async () => {
    const gateway = await startGateway(options());
    try {
      const res = await send(`${gateway.url}/hello?x=1`, {
        method: "POST",
        body: "payload",
        headers: { "x-probe": "add 0 x-added yes", "x-probe-response": "add 2 set-cookie sid=abc" },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.headers.getSetCookie(), ["upstream=1", "sid=abc"]);
      const echo = (await res.json()) as Echo;
      assert.equal(echo.method, "POST");
      assert.equal(echo.url, "/hello?x=1");
      assert.equal(echo.body, "payload");
      assert.equal(header(echo, "x-added"), "yes");
      assert.equal(header(echo, "x-forwarded-proto"), "http");
      assert.match(header(echo, "x-request-id") ?? "", /^[0-9a-f-]{36}$/);
      assert.equal(header(echo, "host"), new URL(gateway.url).host);
    } finally {
      await gateway.close();
    }
  });

  it("answers a local response without reaching the upstream", async () => {
    const gateway = await startGateway(options());
    try {
      const hits = upstreamHits;
      const res = await send(`${gateway.url}/private`, {
        redirect: "manual",
        headers: { "x-probe": "local 302 - location=/login sign in first" },
      });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "/login");
      assert.equal(upstreamHits, hits);
    } finally {
      await gateway.close();
    }
  });

  it("serves 100 concurrent requests, each paused on its callout until its answer", async () => {
    const gateway = await startGateway(options());
    try {
      const requests = Array.from({ length: 100 }, async (_, i) => {
        const res = await send(`${gateway.url}/r/${i}`, {
          headers: { "x-probe": `call idp /echo/${i} 5000`, ...RESUME_ON_CALLOUT },
        });
        return { i, echo: (await res.json()) as Echo };
      });
      for (const { i, echo } of await Promise.all(requests)) {
        assert.equal(echo.url, `/r/${i}`);
        assert.equal(header(echo, "x-cb"), `granted:/echo/${i}`);
      }
      assert.deepEqual(gateway.getTraps(), []);
    } finally {
      await gateway.close();
    }
  });

  it("gives the filter Envoy's 503 reply for a callout to an unreachable cluster", async () => {
    const gateway = await startGateway(options());
    try {
      const res = await send(`${gateway.url}/`, {
        headers: { "x-probe": "call dead /x 5000", ...RESUME_ON_CALLOUT },
      });
      const echo = (await res.json()) as Echo;
      assert.match(header(echo, "x-cb") ?? "", /^upstream connect error .*connection failure$/);
    } finally {
      await gateway.close();
    }
  });

  it("times a callout out after its timeout with Envoy's 504 reply", async () => {
    const gateway = await startGateway(options());
    try {
      const res = await send(`${gateway.url}/`, {
        headers: { "x-probe": "call idp /slow 100", ...RESUME_ON_CALLOUT },
      });
      const echo = (await res.json()) as Echo;
      assert.equal(header(echo, "x-cb"), "upstream request timeout");
    } finally {
      await gateway.close();
    }
  });

  it("answers 503 through the filter's callbacks for an unreachable upstream", async () => {
    const gateway = await startGateway(options({ upstream: "http://127.0.0.1:1" }));
    try {
      const res = await send(`${gateway.url}/`, {
        headers: { "x-probe-response": "add 2 x-seen-by-filter 1" },
      });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("x-seen-by-filter"), "1");
      assert.match(await res.text(), /^upstream connect error/);
    } finally {
      await gateway.close();
    }
  });

  it("answers 503 to every request once the VM trapped", async () => {
    const gateway = await startGateway(options());
    try {
      const first = await send(`${gateway.url}/`, { headers: { "x-probe": "trap" } });
      assert.equal(first.status, 503);
      const second = await send(`${gateway.url}/`);
      assert.equal(second.status, 503);
      assert.equal(gateway.isFailed(), true);
      assert.equal(gateway.getTraps().length, 1);
    } finally {
      await gateway.close();
    }
  });

  it("starts a new VM on reconfiguration, keeping the old one if the new one refuses", async () => {
    const gateway = await startGateway(options({ pluginConfig: "log 2 first" }));
    try {
      assert.deepEqual(gateway.reconfigure("log 2 second"), { vmStarted: true, configured: true });
      assert.deepEqual(gateway.reconfigure("fail"), { vmStarted: true, configured: false });
      const res = await send(`${gateway.url}/`);
      assert.equal(res.status, 200);
      await res.text();
      const requestVms = gateway
        .getLogs()
        .filter((r) => r.message.startsWith("request_headers"))
        .map((r) => r.vm);
      assert.deepEqual(requestVms, ["main-2"]);
      const lines = gateway.getLogs().filter((r) => r.message === "second").map((r) => r.vm);
      assert.deepEqual(lines, ["canary-2", "main-2"]);
    } finally {
      await gateway.close();
    }
  });

  it("ticks on real time", async () => {
    const gateway = await startGateway(options({ pluginConfig: "tick 10" }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 80));
      const ticks = gateway.getLogs().filter((r) => r.message === "tick 1");
      assert.ok(ticks.length >= 2, `only ${ticks.length} ticks`);
    } finally {
      await gateway.close();
    }
  });

  it("refuses a module Envoy refuses, or a plugin refusing its configuration", async () => {
    await assert.rejects(startGateway(options({ wasm: buildModule({}) })), ModuleLoadError);
    await assert.rejects(startGateway(options({ pluginConfig: "fail" })), PluginStartError);
  });
});
