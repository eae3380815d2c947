// Compiles the AssemblyScript modules that the Node tests load:
// - tests/filters/*.ts: small proxy-wasm filters that exercise the host, built with the
//   release filter's options (tests/filters/asconfig.json), into build/test/filters/NAME.wasm;
// - tests/harness/*.ts: plain modules that export pure functions (crypto, codecs) to Node,
//   with AssemblyScript's ESM bindings, into build/test/harness/NAME.{wasm,js}.
// A file is rebuilt only when it or anything under assembly/ is newer than its output.
import asc from "assemblyscript/asc";
import { mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

async function compile(args: string[]): Promise<void> {
  const { error, stderr } = await asc.main(args, {});
  if (error) {
    process.stderr.write(stderr.toString());
    console.error(`asc failed: ${args[0]}: ${error.message}`);
    process.exit(1);
  }
}

// Test filters talk to the host through raw imports of their own (so they test the host,
// not the project's bindings): they have their own abort and the release options.
const FILTER_ARGS = ["--config", "tests/filters/asconfig.json", "--target", "release"];
// Harness modules must not pick up asconfig.json (the filter's abort and start export).
const HARNESS_ARGS = ["--config", "tests/asconfig.harness.json"];

async function buildDir(kind: "filters" | "harness", extra: string[]): Promise<number> {
  const src = join(ROOT, "tests", kind);
  if (!existsSync(src)) return 0;
  const out = join(ROOT, "build", "test", kind);
  mkdirSync(out, { recursive: true });
  // Outputs are stale when the project's sources or the test filters' own library changed.
  const libDirs = [join(ROOT, "assembly"), join(src, "lib")].filter((dir) => existsSync(dir));
  const libTime = Math.max(...libDirs.map(newestMtime));
  let built = 0;
  for (const file of readdirSync(src).filter((f) => f.endsWith(".ts")).sort()) {
    const name = file.slice(0, -3);
    const wasm = join(out, `${name}.wasm`);
    const input = join(src, file);
    const upToDate =
      existsSync(wasm) &&
      statSync(wasm).mtimeMs > Math.max(libTime, statSync(input).mtimeMs);
    if (upToDate) continue;
    const text = kind === "filters" ? ["--textFile", wasm.replace(/\.wasm$/, ".wat")] : [];
    await compile([input, ...extra, "--outFile", wasm, ...text]);
    built++;
  }
  return built;
}

process.chdir(ROOT);
const filters = await buildDir("filters", FILTER_ARGS);
const harness = await buildDir("harness", HARNESS_ARGS);
console.log(`build-tests: ${filters} filter(s) and ${harness} harness module(s) rebuilt`);
