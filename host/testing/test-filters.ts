// Test filters for the Node tests: tests/filters/NAME.ts compiled to build/test/filters/
// NAME.wasm with tests/filters/asconfig.json, rebuilt here when missing or older than its
// sources, so a test never runs against a stale module. (scripts/build-tests.ts may build
// them beforehand; the result is the same file.)
import asc from "assemblyscript/asc";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const SOURCES = join(ROOT, "tests", "filters");
const OUTPUT = join(ROOT, "build", "test", "filters");

/** The compiler arguments a test filter needs (besides its input and output). */
export const TEST_FILTER_ARGS = ["--config", "tests/filters/asconfig.json", "--target", "release"];

function newestSource(name: string): number {
  const lib = join(SOURCES, "lib");
  const libFiles = existsSync(lib) ? readdirSync(lib).map((f) => join(lib, f)) : [];
  const files = [join(SOURCES, `${name}.ts`), join(SOURCES, "asconfig.json"), ...libFiles];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** The bytes of test filter NAME, compiling it first if needed. */
export async function testFilter(name: string): Promise<Uint8Array> {
  return new Uint8Array(readFileSync(await testFilterPath(name)));
}

/** The path of test filter NAME's module, compiling it first if needed. */
export async function testFilterPath(name: string): Promise<string> {
  const output = join(OUTPUT, `${name}.wasm`);
  if (!existsSync(output) || statSync(output).mtimeMs < newestSource(name)) {
    mkdirSync(dirname(output), { recursive: true });
    const temporary = `${output}.${process.pid}.tmp`;
    const args = [`tests/filters/${name}.ts`, ...TEST_FILTER_ARGS, "--outFile", temporary];
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const { error, stderr } = await asc.main(args, {});
      if (error) throw new Error(`asc failed for ${name}: ${error.message}\n${stderr.toString()}`);
    } finally {
      process.chdir(previous);
    }
    renameSync(temporary, output);
  }
  return output;
}
