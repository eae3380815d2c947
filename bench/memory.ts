// Section 5: the VM's linear memory (the WebAssembly.Memory the module exports) after a
// warm-up and after up to 1,000,000 requests with valid sessions, in the emulator. Memory a
// WebAssembly module has grown is never given back, so any growth after the warm-up is
// memory an Envoy worker keeps for good. The sessions come from a pool of distinct users, so
// the filter's session cache fills during the warm-up as it would in production; a last
// figure shows the memory with the cache full.
import { readFileSync } from "node:fs";
import type { Emulator } from "../host/emulator.ts";
import type { HeaderPairs } from "../host/pairs.ts";
import {
  PROTECTED_PATH, SESSION_COOKIE, browserRequest, cookieKeys, loggedInFilter, runRequest,
} from "./filter-lanes.ts";
import { resealMany } from "./sealed-cookie.ts";
import { nowNs } from "./stats.ts";
import type { Row } from "./table.ts";

const USERS = 1000;
const WARM_UP_REQUESTS = 20_000;
const REQUESTS = 1_000_000;
/** The filter's session cache size, read from its source so the note stays true. */
export function sessionCacheLimit(): number {
  const source = readFileSync(new URL("../assembly/filter/sessions.ts", import.meta.url), "utf8");
  return Number(/const CACHE_LIMIT = (\d+);/.exec(source)?.[1] ?? NaN);
}

/** More distinct sessions than the filter's cache holds (CACHE_LIMIT). */
const FULL_CACHE_SESSIONS = 5000;
const MB = 1024 * 1024;

const count = (n: number) => n.toLocaleString("en-US");

/**
 * The byte length of the VM's memory. The emulator has no getter for it (an
 * `Emulator.getMemorySize()` would do); until then the bench reads its private plugin.
 */
export function vmMemoryBytes(emu: Emulator): number {
  return emu.getMemorySize();
}

function sessionRequests(value: string, users: number): HeaderPairs[] {
  return resealMany(cookieKeys(), SESSION_COOKIE, value, users)
    .map((sealed) => browserRequest(PROTECTED_PATH, `${SESSION_COOKIE}=${sealed}`));
}

/** Runs up to `total` requests from `pool`, stopping after `budgetMs`; returns how many ran. */
function runPool(emu: Emulator, pool: HeaderPairs[], total: number, budgetMs: number): number {
  const deadline = nowNs() + budgetMs * 1e6;
  let done = 0;
  while (done < total && nowNs() < deadline) {
    const batch = Math.min(10_000, total - done);
    for (let i = 0; i < batch; i++) runRequest(emu, pool[(done + i) % pool.length]);
    done += batch;
  }
  return done;
}

export function benchMemory(budgetMs: number): Row[] {
  const lane = loggedInFilter();
  const emu = lane.filter.emu;
  const pool = sessionRequests(lane.sessionValue, USERS);
  runPool(emu, pool, WARM_UP_REQUESTS, Infinity);
  const before = vmMemoryBytes(emu);
  // The filter hands its per-request counters to the host on each tick.
  const accepted = () => {
    emu.tick();
    return emu.getMetrics()["oidc_sso.sessions_accepted"]?.value ?? 0;
  };
  const acceptedBefore = accepted();
  const start = nowNs();
  const done = runPool(emu, pool, REQUESTS, budgetMs);
  const seconds = (nowNs() - start) / 1e9;
  const after = vmMemoryBytes(emu);
  if (accepted() - acceptedBefore !== done) throw new Error("a request had no valid session");
  const growth = after - before;
  const cut = done < REQUESTS ? ` (${count(done)} of ${count(REQUESTS)}: time budget)` : "";
  const others = sessionRequests(lane.sessionValue, FULL_CACHE_SESSIONS);
  runPool(emu, others, others.length, Infinity);
  const full = vmMemoryBytes(emu);
  return [
    {
      name: `Linear memory after warm-up (${count(WARM_UP_REQUESTS)} requests, ${USERS} users)`,
      value: before / MB,
      unit: "MB",
    },
    {
      name: `Linear memory growth over ${count(done)} more requests with valid sessions${cut}`,
      value: growth / 1024,
      unit: "KB",
      target: "0 (no growth after warm-up)",
      met: growth === 0,
      note: `${(after / MB).toFixed(2)} MB after; ${((seconds / done) * 1e6).toFixed(1)} µs ` +
        `per request in this loop (${seconds.toFixed(1)} s).`,
    },
    {
      name: `Linear memory with the session cache full (${count(others.length)} more sessions)`,
      value: full / MB,
      unit: "MB",
      note: `The filter caches up to ${sessionCacheLimit().toLocaleString("en-US")} opened ` +
        "sessions (assembly/filter/sessions.ts, CACHE_LIMIT); memory a VM has grown is never " +
        "returned to the system.",
    },
  ];
}
