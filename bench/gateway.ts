// Section 6: throughput of the HTTP gateway face (host/gateway.ts) with the release filter
// and valid sessions, beside the same gateway running the no-op filter, and running the
// test filter that makes a valid session's host calls and nothing else; the three gateways
// in one process of their own (bench/gateway-process.ts), all in front of the same upstream
// (the sample app, in a process of its own too). The load comes from another
// process (bench/load-client.ts: keep-alive connections, one request after another on
// each); rounds take the gateways in turn and each figure is the median of the rounds'.
// The session cookie comes from a login through the filter in the emulator, with the same
// configuration and a clock at the real time, so the gateway's filter accepts it.
import { fork, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { startGateway, type Gateway, type GatewayOptions } from "../host/gateway.ts";
import { testFilterPath } from "../host/testing/test-filters.ts";
import {
  AUTH_IF_MATCHED, ProviderFixture, filterConfig,
} from "../tests/node/support/provider-fixture.ts";
import { PROTECTED_PATH, SESSION_COOKIE, loggedInFilter } from "./filter-lanes.ts";
import type { LoadOrder, LoadResult } from "./load-client.ts";
import { RELEASE_WASM } from "./prepare.ts";
import { median } from "./stats.ts";
import type { Row } from "./table.ts";

const CONNECTIONS = 16;
const ROUND_MS = 1000;
const ROUNDS = 20;
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

/** A gateway of the rig: where it listens, and its process's CPU time so far. */
export interface BenchGateway {
  url: string;
  cpuUsage(): Promise<NodeJS.CpuUsage>;
}

/** The settings every gateway of the rig runs with; `wasm` is the filter's module. */
export function benchGatewayOptions(wasm: string, upstream: string, provider: string): GatewayOptions {
  return {
    pluginConfig: filterConfig(AUTH_IF_MATCHED),
    upstream,
    clusters: { idp: provider },
    logLevel: "info",
    onLog: false,
    wasm,
  };
}

/** Gateways started together, and how to stop them all. */
interface Gateways {
  gateways: BenchGateway[];
  close(): Promise<void>;
}

/** Gateways in this process (for the profiler and the collector probe, which watch them). */
async function gatewaysHere(modules: string[], upstream: string, provider: string): Promise<Gateways> {
  const started: Gateway[] = [];
  for (const wasm of modules) {
    started.push(await startGateway(benchGatewayOptions(wasm, upstream, provider)));
  }
  return {
    gateways: started.map(({ url }) => ({ url, cpuUsage: async () => process.cpuUsage() })),
    close: async () => void (await Promise.all(started.map((gateway) => gateway.close()))),
  };
}

/** Gateways in one process of their own (bench/gateway-process.ts). */
async function gatewaysApart(modules: string[], upstream: string, provider: string): Promise<Gateways> {
  const child = fork(new URL("./gateway-process.ts", import.meta.url).pathname,
    [upstream, provider, ...modules]);
  const [{ urls }] = (await once(child, "message")) as [{ urls: string[] }];
  const cpuUsage = async (): Promise<NodeJS.CpuUsage> => {
    const answer = once(child, "message");
    child.send("cpu");
    const [{ cpu }] = (await answer) as [{ cpu: NodeJS.CpuUsage }];
    return cpu;
  };
  return {
    gateways: urls.map((url) => ({ url, cpuUsage })),
    async close() {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

/** Waits until the filter knows the provider (a protected request gets 401, not 503). */
async function providerKnown(gateway: BenchGateway): Promise<void> {
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
  withFilter: BenchGateway;
  withNoop: BenchGateway;
  /** The test filter that makes a valid session's host calls and nothing else. */
  withHostCalls: BenchGateway;
  client: LoadClient;
  /** The load order for `gateway`: the protected path with a valid session cookie. */
  order(gateway: BenchGateway, durationMs: number): LoadOrder;
  close(): Promise<void>;
}

export interface RigOptions {
  /** The filter's module (default: the release build). */
  wasm?: string;
  /** The gateways in a process of their own (default: in this process). */
  apart?: boolean;
}

/** The three gateways, the upstream, the provider and the load client, ready for load. */
export async function gatewayRig(options: RigOptions = {}): Promise<GatewayRig> {
  const app = await startUpstream();
  const provider = await startProvider();
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const modules = [options.wasm ?? RELEASE_WASM, await testFilterPath("noop"),
    await testFilterPath("host-calls")];
  const started = await (options.apart ? gatewaysApart : gatewaysHere)(modules, app.url,
    providerUrl);
  const [withFilter, withNoop, withHostCalls] = started.gateways;
  const client = new LoadClient();
  const close = async () => {
    client.close();
    await started.close();
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
  const order = (gateway: BenchGateway, durationMs: number): LoadOrder => ({
    url: `${gateway.url}${PROTECTED_PATH}`,
    headers: { cookie: `${SESSION_COOKIE}=${sessionValue}`, accept: "text/html" },
    connections: CONNECTIONS,
    durationMs,
  });
  return { withFilter, withNoop, withHostCalls, client, order, close };
}

/** One gateway's figures over the rounds: requests per second and CPU µs per request. */
interface Lane {
  gateway: BenchGateway;
  perSecond: number[];
  cpu: number[];
}

export async function benchGateway(): Promise<Row[]> {
  const rig = await gatewayRig({ apart: true });
  const { client, order } = rig;
  const lane = (gateway: BenchGateway): Lane => ({ gateway, perSecond: [], cpu: [] });
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
        // The gateways' process serves the loaded one and nothing else: its CPU time over
        // the round is that gateway's.
        const cpuStart = await current.gateway.cpuUsage();
        const result = await client.load(order(current.gateway, ROUND_MS));
        const cpuEnd = await current.gateway.cpuUsage();
        const cpu = {
          user: cpuEnd.user - cpuStart.user,
          system: cpuEnd.system - cpuStart.system,
        };
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
          `${ROUNDS} rounds of ${ROUND_MS / 1000} s per gateway, in turn; the three ` +
          "gateways in one process of their own (one event loop, like one Envoy worker), the " +
          "sample app as upstream in another. Ratios are medians of each round's.",
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
