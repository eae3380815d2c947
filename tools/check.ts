// check <config.json>: does the filter accept this configuration? Runs the real module
// (build/oidc-sso.wasm) in the project's proxy-wasm host and prints the filter's own error
// lines. Exit 0: accepted; 1: refused (or the file or module could not be read); 2: usage.
import { readFileSync } from "node:fs";
import { checkFilterConfig, FilterUnavailable } from "./lib/filter-check.ts";

const USAGE = "usage: check <config.json> [--wasm <module.wasm>]";

function main(args: string[]): number {
  const wasmAt = args.indexOf("--wasm");
  const wasm = wasmAt >= 0 ? args[wasmAt + 1] : undefined;
  const files = wasmAt < 0 ? args : args.filter((_, i) => i !== wasmAt && i !== wasmAt + 1);
  if (files.length !== 1 || (wasmAt >= 0 && !wasm)) {
    console.error(USAGE);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(files[0]);
  } catch (error) {
    console.error(`check: cannot read ${files[0]}: ${(error as Error).message}`);
    return 1;
  }
  try {
    // The file's bytes go to the filter unchanged, so JSON syntax errors are its own too.
    const verdict = checkFilterConfig(bytes, { wasm });
    for (const line of verdict.errors) console.log(line);
    console.log(verdict.accepted ? `${files[0]}: accepted` : `${files[0]}: refused`);
    return verdict.accepted ? 0 : 1;
  } catch (error) {
    if (!(error instanceof FilterUnavailable)) throw error;
    console.error(`check: ${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
