// Where a request's time goes: runs one request scenario many times through the release
// filter under V8's sampling profiler and splits the samples into the filter's own code
// (WebAssembly), the host calls it makes, and the emulator around it; then lists the
// filter's functions by their own and inclusive time, and the host calls by theirs.
//
// The release module carries no function names, so the filter is rebuilt here with the same
// release options plus a name section (asc --debug), into build/bench/oidc-sso.names.wasm.
// That build runs about 10% slower than the release module; the shares are what count.
//
//   npx tsx bench/profile.ts [valid-session|many-users|public|redirect|uncached] [requests]
//   npx tsx bench/profile.ts [noop|host-calls]  (a test filter, on a valid session's request)
//   npx tsx bench/profile.ts gateway  (the gateway under load, no-op filter then this one)
//   npx tsx bench/profile.ts size     (where the module's bytes are)
import asc from "assemblyscript/asc";
import { mkdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Emulator } from "../host/emulator.ts";
import type { HeaderPairs } from "../host/pairs.ts";
import {
  PROTECTED_PATH, PUBLIC_PATH, SESSION_COOKIE, browserRequest, cookieKeys, loggedInFilter,
  runRequest, testFilterLane,
} from "./filter-lanes.ts";
import { moduleLayout, sourceFolder } from "./module-size.ts";
import { RELEASE_WASM, newestMtime } from "./prepare.ts";
import { resealMany } from "./sealed-cookie.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const NAMES_WASM = join(ROOT, "build", "bench", "oidc-sso.names.wasm");
const LOOP = "profiledLoop";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The release filter with a name section, rebuilt when assembly/ is newer. */
export async function namedBuild(): Promise<string> {
  const sources = newestMtime(join(ROOT, "assembly"));
  if (existsSync(NAMES_WASM) && statSync(NAMES_WASM).mtimeMs > sources) return NAMES_WASM;
  mkdirSync(join(ROOT, "build", "bench"), { recursive: true });
  const args = ["assembly/index.ts", "--config", "asconfig.json", "--target", "release",
    "--debug", "--outFile", NAMES_WASM, "--textFile", NAMES_WASM.replace(/\.wasm$/, ".wat")];
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const { error, stderr } = await asc.main(args, {});
    if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  } finally {
    process.chdir(previous);
  }
  return NAMES_WASM;
}

export function scenarioRequests(name: string, sessionValue: string): HeaderPairs[] {
  const cookie = (value: string) => `${SESSION_COOKIE}=${value}`;
  /** `count` requests in turn, each with a session of its own (one record, many seals). */
  const distinctSessions = (count: number) =>
    resealMany(cookieKeys(), SESSION_COOKIE, sessionValue, count)
      .map((value) => browserRequest(PROTECTED_PATH, cookie(value)));
  switch (name) {
    case "valid-session":
      return [browserRequest(PROTECTED_PATH, cookie(sessionValue))];
    case "public":
      return [browserRequest(PUBLIC_PATH)];
    case "redirect":
      return [browserRequest(PROTECTED_PATH)];
    case "many-users": // fewer sessions than the filter caches: all cached
      return distinctSessions(1000);
    case "uncached": // more sessions than the filter caches: each one opened
      return distinctSessions(5000);
    default:
      throw new Error(`unknown scenario ${name}: valid-session, many-users, public, redirect ` +
        "or uncached");
  }
}

type Tally = Map<string, number>;
const add = <K>(tally: Map<K, number>, key: K, us: number) =>
  tally.set(key, (tally.get(key) ?? 0) + us);

interface Summary {
  categories: Tally;
  hostCalls: Tally;
  wasmSelf: Tally;
  wasmInclusive: Tally;
  /** JavaScript functions' own time inside host calls, by function and file. */
  hostSelf: Tally;
  /** JavaScript functions' own time outside the filter, by function and file. */
  aroundSelf: Tally;
  total: number;
}

type StackFilter = (stack: ProfileNode[]) => boolean;

const inLoop: StackFilter = (stack) => stack.some((node) => node.callFrame.functionName === LOOP);
const busy: StackFilter = (stack) =>
  !["(idle)", "(program)"].includes(stack[0].callFrame.functionName);

function summarize(profile: Profile, include: StackFilter = inLoop): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => add(time, id, profile.timeDeltas[i] ?? 0));
  const summary: Summary = {
    categories: new Map(), hostCalls: new Map(), wasmSelf: new Map(), wasmInclusive: new Map(),
    hostSelf: new Map(), aroundSelf: new Map(), total: 0,
  };
  const isWasm = (node: ProfileNode) => node.callFrame.url.startsWith("wasm");
  const name = (node: ProfileNode) => node.callFrame.functionName || "(anonymous)";
  for (const [id, us] of time) {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      stack.push(byId.get(at)!);
    }
    if (!include(stack)) continue;
    summary.total += us;
    const deepestWasm = stack.findIndex(isWasm);
    if (deepestWasm === 0) {
      add(summary.categories, "filter code (WebAssembly)", us);
      add(summary.wasmSelf, name(stack[0]), us);
    } else if (deepestWasm > 0) {
      add(summary.categories, "host calls made by the filter", us);
      // Under the wasm frame: the host's checking wrapper, then the host function itself.
      const hostFunction = stack[Math.max(0, deepestWasm - 2)];
      add(summary.hostCalls, `${name(hostFunction)} (from ${name(stack[deepestWasm])})`, us);
      const file = stack[0].callFrame.url.split("/").slice(-2).join("/");
      add(summary.hostSelf, `${name(stack[0])} ${file}`, us);
    } else {
      add(summary.categories, "host around the filter (and JS garbage collection)", us);
      const file = stack[0].callFrame.url.split("/").slice(-2).join("/");
      add(summary.aroundSelf, `${name(stack[0])} ${file}`, us);
    }
    for (const wasmName of new Set(stack.filter(isWasm).map(name))) {
      add(summary.wasmInclusive, wasmName, us);
    }
  }
  return summary;
}

function printTally(
  title: string, tally: Tally, requests: number, limit: number, total: number,
): void {
  console.log(`\n${title}`);
  for (const [key, us] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    const perRequest = (us / requests).toFixed(2).padStart(7);
    const share = ((100 * us) / total).toFixed(1).padStart(5);
    console.log(`${perRequest} µs/request ${share} %  ${key}`);
  }
}

/** The profiled requests; samples outside this function (set-up) are left out. */
function profiledLoop(emu: Emulator, list: HeaderPairs[], requests: number): void {
  for (let i = 0; i < requests; i++) runRequest(emu, list[i % list.length]);
}

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return session;
}

async function stopProfiler(session: Session): Promise<Profile> {
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  return profile as Profile;
}

/** The gateway (this process) under load: each filter's summary and requests served. */
async function profileGateway(): Promise<void> {
  const { gatewayRig, okPerSecond } = await import("./gateway.ts");
  const rig = await gatewayRig({ wasm: await namedBuild() });
  try {
    const sides = [["no-op filter", rig.withNoop], ["release filter", rig.withFilter]] as const;
    for (const [label, gateway] of sides) {
      await rig.client.load(rig.order(gateway, 1000));
      const session = await startProfiler();
      const result = await rig.client.load(rig.order(gateway, 3000));
      const summary = summarize(await stopProfiler(session), busy);
      const served = Math.round(okPerSecond(result) * result.elapsedMs / 1000);
      console.log(`\n==== gateway with the ${label}: ${served} requests in 3 s (profiled)`);
      const { categories, total } = summary;
      printTally("Where the gateway's busy time goes", categories, served, 5, total);
      printTally("Host functions around the filter, own time", summary.aroundSelf, served, 25, total);
      if (summary.hostCalls.size > 0) {
        printTally("Host calls, inclusive", summary.hostCalls, served, 8, total);
        printTally("Host-side JavaScript inside host calls, own time", summary.hostSelf, served, 12, total);
        printTally("Filter functions, own time", summary.wasmSelf, served, 15, total);
        printTally("Filter functions, inclusive", summary.wasmInclusive, served, 30, total);
      }
    }
  } finally {
    await rig.close();
  }
}

/** Test filters profiled on a valid session's request, for the host's share of it. */
const TEST_FILTERS = new Set(["noop", "host-calls"]);

export async function profileScenario(scenario: string, requests: number): Promise<Summary> {
  const lane = loggedInFilter({ wasm: await namedBuild() });
  const testFilter = TEST_FILTERS.has(scenario);
  const emu = testFilter ? await testFilterLane(scenario) : lane.filter.emu;
  const list = scenarioRequests(testFilter ? "valid-session" : scenario, lane.sessionValue);
  for (let i = 0; i < Math.min(requests, 5000); i++) runRequest(emu, list[i % list.length]);
  const session = await startProfiler();
  profiledLoop(emu, list, requests);
  return summarize(await stopProfiler(session));
}

function printBytes(title: string, entries: Iterable<[string, number]>, limit: number): void {
  console.log(`\n${title}`);
  for (const [key, bytes] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${bytes.toLocaleString("en-US").padStart(9)} B  ${key}`);
  }
}

/** Where the release module's bytes are, with names from the named build of the same code. */
async function profileSize(): Promise<void> {
  const release = moduleLayout(readFileSync(RELEASE_WASM));
  const named = moduleLayout(readFileSync(await namedBuild()));
  const sameCode = release.functions.length === named.functions.length &&
    release.functions.every((f, i) => f.size === named.functions[i].size);
  console.log(`release: ${release.functions.length} functions; named build ` +
    (sameCode ? "has the same function bodies" : "differs: names are approximate"));
  printBytes("Sections of the release module", release.sections, 20);
  const functions = release.functions.map((f, i) => ({
    ...f, name: named.functions[i]?.name ?? f.name,
  }));
  const folders = new Map<string, number>();
  for (const f of functions) add(folders, sourceFolder(f.name), f.size);
  printBytes("Code by source folder", folders, 25);
  printBytes("Largest functions", functions.map((f): [string, number] => [f.name, f.size]), 30);
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? "valid-session";
  if (scenario === "size") return profileSize();
  if (scenario === "gateway") return profileGateway();
  const requests = Number(process.argv[3] ?? 20_000);
  const summary = await profileScenario(scenario, requests);
  console.log(`profile of ${requests} requests, scenario ${scenario} (build with names)`);
  const { total } = summary;
  console.log("(the profiler slows the run down: compare shares, not µs, with the bench)");
  printTally("Where the time goes", summary.categories, requests, 5, total);
  printTally("Host calls, inclusive", summary.hostCalls, requests, 12, total);
  const hostSelf = "Host-side JavaScript inside host calls, own time";
  printTally(hostSelf, summary.hostSelf, requests, 15, total);
  printTally("Filter functions, own time", summary.wasmSelf, requests, 25, total);
  printTally("Filter functions, inclusive", summary.wasmInclusive, requests, 30, total);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
