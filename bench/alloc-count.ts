// Managed allocations per request, by class: the named build of the filter (see profile.ts)
// gets a counter per class id in the runtime's __new (exported globals, added with binaryen,
// which AssemblyScript installs), runs one scenario, and prints how many objects of each
// class a request allocates, with the functions that allocate that class. Each object costs
// its allocation and, at the next collection, its sweep: the count is what to cut first
// when the filter's own time is to go down. The bytes they take are summed too: what a
// request leaves for the collector, which sets how much memory the garbage between two
// collections holds.
//
//   npx tsx bench/alloc-count.ts [valid-session|many-users|public|redirect|uncached] [requests]
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";
import { loggedInFilter, runRequest } from "./filter-lanes.ts";
import { namedBuild, scenarioRequests } from "./profile.ts";

const NEW = "~lib/rt/tcms/__new";
/** Class ids counted one by one; objects of any higher id are counted together. */
const CLASS_IDS = 192;
const HIGHER_IDS = "newHigher";
/** The sum of the sizes asked of __new (object payloads, without the runtime's headers). */
const BYTES = "newBytes";

/** The named build with a global `new<id>` counting the objects of each class id. */
function countingBuild(named: string): string {
  const mod = binaryen.readBinary(readFileSync(named));
  const info = binaryen.getFunctionInfo(mod.getFunction(NEW));
  const counters: binaryen.ExpressionRef[] = [];
  for (let id = 0; id < CLASS_IDS; id++) {
    const name = `new${id}`;
    mod.addGlobal(name, binaryen.i32, true, mod.i32.const(0));
    mod.addGlobalExport(name, name);
    const increment = mod.i32.add(mod.global.get(name, binaryen.i32), mod.i32.const(1));
    // __new(size, id): the id is its second parameter.
    const isId = mod.i32.eq(mod.local.get(1, binaryen.i32), mod.i32.const(id));
    counters.push(mod.if(isId, mod.global.set(name, increment)));
  }
  mod.addGlobal(HIGHER_IDS, binaryen.i32, true, mod.i32.const(0));
  mod.addGlobalExport(HIGHER_IDS, HIGHER_IDS);
  const higher = mod.i32.ge_u(mod.local.get(1, binaryen.i32), mod.i32.const(CLASS_IDS));
  counters.push(mod.if(higher, mod.global.set(HIGHER_IDS,
    mod.i32.add(mod.global.get(HIGHER_IDS, binaryen.i32), mod.i32.const(1)))));
  // __new(size, id): the size is its first parameter.
  mod.addGlobal(BYTES, binaryen.i32, true, mod.i32.const(0));
  mod.addGlobalExport(BYTES, BYTES);
  counters.push(mod.global.set(BYTES,
    mod.i32.add(mod.global.get(BYTES, binaryen.i32), mod.local.get(0, binaryen.i32))));
  mod.removeFunction(NEW);
  mod.addFunction(NEW, info.params, info.results, info.vars,
    mod.block(null, [...counters, mod.return(info.body)], info.results));
  const out = named.replace(/\.wasm$/, ".counted.wasm");
  writeFileSync(out, mod.emitBinary());
  return out;
}

/** The functions of the text build that call __new with each class id. */
function allocationSites(named: string): Map<number, Set<string>> {
  const lines = readFileSync(named.replace(/\.wasm$/, ".wat"), "utf8").split("\n");
  const sites = new Map<number, Set<string>>();
  let current = "";
  lines.forEach((line, i) => {
    const func = /^\s*\(func \$(\S+)/.exec(line);
    if (func) current = func[1];
    if (!line.includes(`call $${NEW}`)) return;
    for (let j = i - 1; j > i - 4 && j >= 0; j--) {
      const id = /i32\.const (\d+)/.exec(lines[j]);
      if (!id) continue;
      const set = sites.get(Number(id[1])) ?? new Set<string>();
      sites.set(Number(id[1]), set.add(current));
      break;
    }
  });
  return sites;
}

const scenario = process.argv[2] ?? "valid-session";
const requests = Number(process.argv[3] ?? 10_000);
const named = await namedBuild();
const lane = loggedInFilter({ wasm: countingBuild(named) });
const emu = lane.filter.emu;
const list = scenarioRequests(scenario, lane.sessionValue);
for (let i = 0; i < 1000; i++) runRequest(emu, list[i % list.length]);

// The emulator keeps the instance to itself; this tool reads the counters through it.
const instance = (emu as unknown as { plugin: { vm: { instance: WebAssembly.Instance } } })
  .plugin.vm.instance;
const counter = (name: string) => (instance.exports[name] as WebAssembly.Global).value as number;
const counts = () => [...Array.from({ length: CLASS_IDS }, (_, id) => counter(`new${id}`)),
  counter(HIGHER_IDS)];
const before = counts();
const bytesBefore = counter(BYTES);
for (let i = 0; i < requests; i++) runRequest(emu, list[i % list.length]);
const perRequest = counts().map((count, id) => (count - before[id]) / requests);
// An i32 global: the difference is taken modulo 2^32, which holds for any run of this size.
const bytesPerRequest = ((counter(BYTES) - bytesBefore) >>> 0) / requests;

const sites = allocationSites(named);
const total = perRequest.reduce((a, b) => a + b, 0);
console.log(`${scenario}: ${total.toFixed(2)} managed allocations per request, ` +
  `${Math.round(bytesPerRequest)} bytes`);
perRequest.forEach((count, id) => {
  if (count === 0) return;
  const label = id < CLASS_IDS ? `class ${String(id).padStart(3)}` : `classes >= ${CLASS_IDS}`;
  const where = [...(sites.get(id) ?? [])].slice(0, 4).join(", ");
  console.log(`${count.toFixed(2).padStart(7)}  ${label}  ${where}`);
});
