// The release module as Envoy will see it: every import must be one Envoy links for proxy-wasm
// ABI 0.2.1, with the specification's signature, and the exports Envoy looks for must be
// there. The checks run on the real build output; variations of its description show that
// each rule would catch a module that breaks it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readModule, type ModuleInfo } from "../../host/wasm-module.ts";
import { checkModule } from "../../host/loader.ts";

const RELEASE = new URL("../../build/oidc-sso.wasm", import.meta.url);

function releaseBytes(): Uint8Array {
  return new Uint8Array(readFileSync(RELEASE));
}

function releaseInfo(): ModuleInfo {
  return readModule(releaseBytes());
}

/** The ids of the module's sections, in order (binary format: id byte, LEB128 size). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
    at += size;
  }
  return ids;
}

const START_SECTION = 8;

/** Everything Envoy requires of this filter, beyond the host's generic load checks. */
function filterProblems(info: ModuleInfo, hasStartSection = false): string[] {
  const problems = checkModule(info);
  const initialize = info.exports.get("_initialize");
  if (!initialize || initialize.kind !== "function") {
    problems.push("does not export _initialize (Envoy then runs a start section, or nothing)");
  }
  if (hasStartSection) problems.push("has a start section: top-level code runs too early");
  for (const name of ["proxy_on_context_create", "proxy_on_configure", "proxy_on_request_headers"]) {
    if (!info.exports.has(name)) problems.push(`does not export ${name}`);
  }
  return problems;
}

test("the release module passes every Envoy load rule", () => {
  const hasStart = sectionIds(releaseBytes()).includes(START_SECTION);
  assert.deepEqual(filterProblems(releaseInfo(), hasStart), []);
});

test("a start section would be caught", () => {
  assert.match(filterProblems(releaseInfo(), true).join(), /start section/);
});

test("the release module imports nothing Envoy lacks (env.abort, env.seed, ABI 0.1.0 calls)", () => {
  const names = releaseInfo().imports.map((i) => `${i.module}.${i.name}`);
  for (const forbidden of ["env.abort", "env.seed", "env.proxy_clear_route_cache", "env.trace"]) {
    assert.ok(!names.includes(forbidden), forbidden);
  }
  assert.ok(names.includes("wasi_snapshot_preview1.random_get"), "randomness comes from WASI");
});

test("an import Envoy does not provide is caught", () => {
  const info = releaseInfo();
  info.imports.push({ module: "env", name: "abort", kind: "function",
    type: { params: ["i32", "i32", "i32", "i32"], results: [] } });
  assert.match(filterProblems(info).join("\n"), /env\.abort/);
});

test("an import with another signature than the specification's is caught", () => {
  const info = releaseInfo();
  const log = info.imports.find((i) => i.name === "proxy_log");
  assert.ok(log?.type);
  log.type = { params: ["i32", "i32"], results: ["i32"] };
  assert.match(filterProblems(info).join("\n"), /proxy_log/);
});

test("missing memory, allocator, _initialize or ABI marker are each caught", () => {
  for (const name of ["memory", "proxy_on_memory_allocate", "_initialize", "proxy_abi_version_0_2_1"]) {
    const info = releaseInfo();
    info.exports.delete(name);
    const problems = filterProblems(info).join("\n");
    assert.ok(problems.length > 0, `removing ${name} went unnoticed`);
  }
});
