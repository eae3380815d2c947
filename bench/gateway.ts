// Section 6: throughput of the HTTP gateway face (host/gateway.ts) with the release filter
// and valid sessions, beside the same gateway running the no-op filter, and running the
// test filter that makes a valid session's host calls and nothing else; all in front of the
// same upstream (the sample app, in a process of its own). The load comes from another
// process (bench/load-client.ts: keep-alive connections, one request after another on
// each); rounds take the gateways in turn and each figure is the median of the rounds'.
// The session cookie comes from a login through the filter in the emulator, with the same
// configuration and a clock at the real time, so the gateway's filter accepts it.
import { fork, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { startGateway, type Gateway } from "../host/gateway.ts";
import { testFilter } from "../host/testing/test-filters.ts";
import {
  AUTH_IF_MATCHED, ProviderFixture, filterConfig,
} from "../tests/node/support/provider-fixture.ts";
import { PROTECTED_PATH, SESSION_COOKIE, loggedInFilter } from "./filter-lanes.ts";
import type { LoadOrder, LoadResult } from "./load-client.ts";
import { RELEASE_WASM } from "./prepare.ts";
import { median } from "./stats.ts";
import type { Row } from "./table.ts";

const CONNECTIONS = 16;
const ROUND_MS = 2500;
const ROUNDS = 6;
const TARGET = 0.95;

/** The provider's discovery document and keys over HTTP, for the gateway's callouts. */
async function startProvider(): Promise<Server> {
  const provider = new ProviderFixture();
  const server = createServer((req, res) => {
    const body = req.url === "/keys" ? provider.jwks() : provider.discovery();
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** The sample app in its own process; resolves with its URL and a way to stop it. */
async function startUpstream(): Promise<{ url: string; stop: () => void }> {
  const child = fork(new URL("./upstream-app.ts", import.meta.url).pathname);
  const [url] = (await once(child, "message")) as [string];
  return { url, stop: () => child.disconnect() };
}

export class LoadClient {
  private readonly child: ChildProcess =
    fork(new URL("./load-client.ts", import.meta.url).pathname);

  run(order: LoadOrder): Promise<LoadResult> {
    return new Promise((resolve) => this.child.once("message", (m) => resolve(m as LoadResult)));
  }

  async load(order: LoadOrder): Promise<LoadResult> {
    const answer = this.run(order);
    this.child.send(order);
    return answer;
  }

  close(): void {
    this.child.disconnect();
  }
}

/** Waits until the filter knows the provider (a protected request gets 401, not 503). */
async function providerKnown(gateway: Gateway): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${gateway.url}${PROTECTED_PATH}`, { redirect: "manual" });
    await response.arrayBuffer();
    if (response.status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the gateway's filter never loaded the provider's discovery and keys");
}

export function okPerSecond(result: LoadResult): number {
  if (result.errors > 0) throw new Error(`${result.errors} load errors`);
  const other = Object.keys(result.statuses).filter((status) => status !== "200");
  if (other.length > 0) throw new Error(`unexpected statuses: ${JSON.stringify(result.statuses)}`);
  return (result.statuses["200"] ?? 0) / (result.elapsedMs / 1000);
}

export interface GatewayRig {
  withFilter: Gateway;
  withNoop: Gateway;
  /** The test filter that makes a valid session's host calls and nothing else. */
  withHostCalls: Gateway;
  client: LoadClient;
  /** The load order for `gateway`: the protected path with a valid session cookie. */
  order(gateway: Gateway, durationMs: number): LoadOrder;
  close(): Promise<void>;
}

/**
 * Both gateways, the upstream, the provider and the load client, ready for load; `wasm` is
 * the filter's module (default: the release build).
 */
export async function gatewayRig(wasm: string = RELEASE_WASM): Promise<GatewayRig> {
  const app = await startUpstream();
  const provider = await startProvider();
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const common = {
    pluginConfig: filterConfig(AUTH_IF_MATCHED),
    upstream: app.url,
    clusters: { idp: providerUrl },
    logLevel: "info" as const,
    onLog: false as const,
  };
  const withFilter = await startGateway({ ...common, wasm });
  const withNoop = await startGateway({ ...common, wasm: await testFilter("noop") });
  const withHostCalls = await startGateway({ ...common, wasm: await testFilter("host-calls") });
  const client = new LoadClient();
  const close = async () => {
    client.close();
    await withFilter.close();
    await withNoop.close();
    await withHostCalls.close();
    app.stop();
    provider.close();
  };
  try {
    await providerKnown(withFilter);
  } catch (error) {
    await close();
    throw error;
  }
  const { sessionValue } = loggedInFilter({ startMs: Date.now() });
  const order = (gateway: Gateway, durationMs: number): LoadOrder => ({
    url: `${gateway.url}${PROTECTED_PATH}`,
    headers: { cookie: `${SESSION_COOKIE}=${sessionValue}`, accept: "text/html" },
    connections: CONNECTIONS,
    durationMs,
  });
  return { withFilter, withNoop, withHostCalls, client, order, close };
}

/** One gateway's figures over the rounds: requests per second and CPU µs per request. */
interface Lane {
  gateway: Gateway;
  perSecond: number[];
  cpu: number[];
}

export async function benchGateway(): Promise<Row[]> {
  const rig = await gatewayRig();
  const { client, order } = rig;
  const lane = (gateway: Gateway): Lane => ({ gateway, perSecond: [], cpu: [] });
  const noop = lane(rig.withNoop);
  const hostCalls = lane(rig.withHostCalls);
  const filter = lane(rig.withFilter);
  const lanes = [noop, hostCalls, filter];
  try {
    for (const { gateway } of lanes) await client.load(order(gateway, 1000));
    for (let round = 0; round < ROUNDS; round++) {
      // Every order of the lanes in turn, so that none always runs first or last.
      const turn = round % 2 ? [...lanes].reverse() : lanes;
      for (const current of round % 3 === 2 ? [turn[1], turn[2], turn[0]] : turn) {
        // This process runs the gateways and nothing else while the client loads one of
        // them, so its CPU time over the round is that gateway's.
        const cpuStart = process.cpuUsage();
        const result = await client.load(order(current.gateway, ROUND_MS));
        const cpu = process.cpuUsage(cpuStart);
        const perSecond = okPerSecond(result);
        current.perSecond.push(perSecond);
        current.cpu.push((cpu.user + cpu.system) / (perSecond * result.elapsedMs / 1000));
      }
    }
    const ratio = (of: Lane, by: "perSecond" | "cpu") =>
      median(of[by].map((value, i) => value / noop[by][i]));
    const filterRatio = ratio(filter, "perSecond");
    return [
      {
        name: "Gateway throughput, no-op filter",
        value: median(noop.perSecond),
        unit: "req/s",
        note: `${CONNECTIONS} keep-alive connections from a separate Node process, ` +
          `${ROUNDS} rounds of ${ROUND_MS / 1000} s per gateway, in turn; one gateway ` +
          "process (one event loop, like one Envoy worker) holding the three gateways; the " +
          "sample app as upstream, in a third process. Ratios are medians of each round's.",
      },
      {
        name: "Gateway throughput, release filter, valid sessions",
        value: median(filter.perSecond),
        unit: "req/s",
        ratio: filterRatio,
        versus: "no-op",
        target: `>= ${TARGET * 100}% of no-op`,
        met: filterRatio >= TARGET,
      },
      {
        name: "Gateway throughput, the host calls of a valid session alone",
        value: median(hostCalls.perSecond),
        unit: "req/s",
        ratio: ratio(hostCalls, "perSecond"),
        versus: "no-op",
        note: "tests/filters/host-calls.ts, as in the emulator section.",
      },
      {
        name: "Gateway CPU time per request, no-op filter",
        value: median(noop.cpu),
        unit: "µs/request",
        note: "CPU time (user + system) of the gateway process over each round, divided by " +
          "the requests served: steadier than throughput, which the load client and the " +
          "upstream share two cores for.",
      },
      {
        name: "Gateway CPU time per request, release filter, valid sessions",
        value: median(filter.cpu),
        unit: "µs/request",
        ratio: ratio(filter, "cpu"),
        versus: "no-op",
      },
      {
        name: "Gateway CPU time per request, the host calls of a valid session alone",
        value: median(hostCalls.cpu),
        unit: "µs/request",
        ratio: ratio(hostCalls, "cpu"),
        versus: "no-op",
      },
    ];
  } finally {
    await rig.close();
  }
}
