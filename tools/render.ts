// render <policy.yaml|json>: prints the Istio manifests of one single sign-on policy (a
// WasmPlugin, a ServiceEntry and a DestinationRule) as one YAML stream, after checking them as
// the tests do. Problems go to stderr with exit 1; usage errors exit 2. Secrets given by
// reference ({ env: NAME } or { file: PATH }) are read now: pipe the output to
// `kubectl apply -f -` rather than writing it to a file.
import { renderPolicyFile } from "./lib/render-policy.ts";
import { fileAndWasm, FilterUnavailable } from "./lib/filter-check.ts";

const USAGE = "usage: render <policy.yaml|policy.json> [--wasm <module.wasm>]";

function main(args: string[]): number {
  const command = fileAndWasm(args);
  if (command === null) {
    console.error(USAGE);
    return 2;
  }
  const { file, wasm } = command;
  try {
    const result = renderPolicyFile(file, { wasm });
    for (const warning of result.warnings) console.error(`render: warning: ${warning}`);
    for (const problem of result.problems) console.error(`render: ${problem}`);
    if (result.problems.length > 0) return 1;
    process.stdout.write(result.yaml);
    return 0;
  } catch (error) {
    if (!(error instanceof FilterUnavailable)) throw error;
    console.error(`render: ${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
