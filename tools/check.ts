// check <config.json>: does the filter accept this configuration? Runs the real module
// (build/oidc-sso.wasm) in the project's proxy-wasm host and prints the filter's own error
// lines. Exit 0: accepted; 1: refused (or the file or module could not be read); 2: usage.
import { readFileSync } from "node:fs";
import { checkFilterConfig, fileAndWasm, FilterUnavailable } from "./lib/filter-check.ts";

const USAGE = "usage: check <config.json> [--wasm <module.wasm>]";

function main(args: string[]): number {
  const command = fileAndWasm(args);
  if (command === null) {
    console.error(USAGE);
    return 2;
  }
  const { file, wasm } = command;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    console.error(`check: cannot read ${file}: ${(error as Error).message}`);
    return 1;
  }
  try {
    // The file's bytes go to the filter unchanged, so JSON syntax errors are its own too.
    const verdict = checkFilterConfig(bytes, { wasm });
    for (const line of verdict.errors) console.log(line);
    console.log(verdict.accepted ? `${file}: accepted` : `${file}: refused`);
    return verdict.accepted ? 0 : 1;
  } catch (error) {
    if (!(error instanceof FilterUnavailable)) throw error;
    console.error(`check: ${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
