// What the benchmark needs built before it starts: the release module (`npm run build`), the
// harness modules bench/crypto-*.ts load (compiled here as scripts/build-tests.ts compiles
// them, when missing or older than their sources), and the no-op test filter.
import asc from "assemblyscript/asc";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { testFilter } from "../host/testing/test-filters.ts";

const ROOT = new URL("..", import.meta.url).pathname;
export const RELEASE_WASM = join(ROOT, "build", "oidc-sso.wasm");
const HARNESS_MODULES = ["crypto_sym", "crypto_asym"];

/** The newest modification time of any file under `dir`, in ms. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function compile(args: string[]): Promise<void> {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const { error, stderr } = await asc.main(args, {});
    if (error) throw new Error(`asc failed for ${args[0]}: ${error.message}\n${stderr.toString()}`);
  } finally {
    process.chdir(previous);
  }
}

async function buildHarness(name: string, libTime: number): Promise<void> {
  const source = join("tests", "harness", `${name}.ts`);
  const out = join(ROOT, "build", "test", "harness", `${name}.wasm`);
  const sourceTime = Math.max(libTime, statSync(join(ROOT, source)).mtimeMs);
  const bindings = out.replace(/\.wasm$/, ".js");
  if (existsSync(out) && existsSync(bindings) && statSync(out).mtimeMs > sourceTime) return;
  mkdirSync(join(ROOT, "build", "test", "harness"), { recursive: true });
  await compile([source, "--config", "tests/asconfig.harness.json", "--outFile", out]);
}

/** Checks the release module is there and builds the test modules the bench loads. */
export async function prepare(): Promise<void> {
  if (!existsSync(RELEASE_WASM)) {
    throw new Error(`${RELEASE_WASM} is missing: run \`npm run build\` first`);
  }
  const libTime = newestMtime(join(ROOT, "assembly"));
  if (statSync(RELEASE_WASM).mtimeMs < libTime) {
    console.warn("warning: assembly/ changed after build/oidc-sso.wasm: the bench measures " +
      "the old build");
  }
  for (const name of HARNESS_MODULES) await buildHarness(name, libTime);
  await testFilter("noop");
}
