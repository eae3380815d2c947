// tools/check.ts, run as a command: the real filter judges a configuration file; its own
// error lines are printed and the exit status says whether it accepted the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Emulator } from "../../host/emulator.ts";
import { RELEASE_WASM } from "../../tools/lib/filter-check.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function check(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", "tools/check.ts", ...args], {
    cwd: ROOT, encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "oidc-check-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const BROKEN = {
  issuer: "http://idp.example.com",
  client_id: "gateway",
  client_secret: "fake-secret",
  cookie_secret: "dG9vIHNob3J0",
  provider: { cluster: "idp", timeout: "90s" },
  match: { mode: "auth_if_matched", rules: [{ paths: ["/api*x"] }] },
};

test("check accepts both demo configurations with exit 0 and no error line", () => {
  for (const file of ["deploy/local/auth-if-matched.json", "deploy/local/bypass-if-matched.json"]) {
    const run = check(file);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, `${file}: accepted\n`);
  }
});

test("check prints exactly the filter's own error lines for a broken configuration, exit 1", () => {
  const path = tempFile("broken.json", JSON.stringify(BROKEN));
  try {
    const run = check(path);
    assert.equal(run.status, 1);
    const emulator = new Emulator({ wasm: RELEASE_WASM, pluginConfig: BROKEN, clusters: ["idp"] });
    emulator.start();
    const expected = emulator.getLogs("error").map((r) => r.message);
    assert.ok(expected.length >= 4, "the filter reports each error");
    assert.deepEqual(run.stdout.trimEnd().split("\n"), [...expected, `${path}: refused`]);
    assert.match(run.stdout, /issuer: "http:\/\/idp.example.com": must use https/);
    assert.match(run.stdout, /cookie_secret: \(value hidden\)/);
    assert.match(run.stdout, /provider.timeout: "90s": must be 1s to 60s/);
    assert.doesNotMatch(run.stdout, /fake-secret/, "secrets are never printed");
  } finally {
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test("check passes the file's bytes to the filter, which reports invalid JSON itself", () => {
  const path = tempFile("truncated.json", '{"issuer": ');
  try {
    const run = check(path);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^configuration refused: configuration: .* must be a JSON object/m);
  } finally {
    rmSync(dirname(path), { recursive: true, force: true });
  }
});

test("check exits 1 for a missing file and 2 without exactly one file", () => {
  const missing = check("deploy/local/no-such-file.json");
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read deploy\/local\/no-such-file.json/);
  assert.equal(check().status, 2);
  assert.equal(check("a.json", "b.json").status, 2);
});

test("check exits 1 with a clear message when the module is missing", () => {
  const run = check("deploy/local/auth-if-matched.json", "--wasm", "build/absent.wasm");
  assert.equal(run.status, 1);
  assert.match(run.stderr, /build\/absent.wasm does not exist: build the filter/);
});
