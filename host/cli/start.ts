// `npm start`: the product on its embedded default. Builds the filter if needed, then runs a
// local OpenID provider, the sample app and the gateway with the filter on 127.0.0.1, and
// prints where to go. Editing the configuration file applies it without a restart (a new VM
// with the new configuration, as Envoy does when a WasmPlugin changes).
//
//   npm start -- [--config FILE] [--rules auth|bypass] [--port 8080] [--idp-port 9000]
//                [--app-port 9080] [--log-level debug] [--for-envoy]
//
// --for-envoy starts only the provider and the app, for Envoy with envoy-demo.yaml listening
// on --port (the provider accepts that gateway's callback).
import { existsSync, readFileSync, statSync, watchFile } from "node:fs";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { DEFAULT_WASM, startStack, withProvider, type Stack } from "./stack.ts";
import { DEMO_USERS } from "./idp.ts";
import type { LogRecord } from "../records.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const RULE_FILES: Record<string, string> = {
  auth: `${ROOT}deploy/local/auth-if-matched.json`,
  bypass: `${ROOT}deploy/local/bypass-if-matched.json`,
};

function options() {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      rules: { type: "string", default: "auth" },
      port: { type: "string", default: "8080" },
      "idp-port": { type: "string", default: "9000" },
      "app-port": { type: "string", default: "9080" },
      "log-level": { type: "string", default: "debug" },
      "for-envoy": { type: "boolean", default: false },
    },
  });
  const configFile = values.config ?? RULE_FILES[values.rules ?? "auth"];
  if (!configFile) throw new Error(`--rules must be auth or bypass, not ${values.rules}`);
  return { ...values, configFile };
}

/** Builds the release module when it is missing or older than the filter's sources. */
function buildIfNeeded(): void {
  if (existsSync(DEFAULT_WASM)) {
    const newer = execFileSync("find", [`${ROOT}assembly`, "-name", "*.ts", "-newer", DEFAULT_WASM])
      .toString().trim();
    if (newer.length === 0) return;
  }
  console.log("building the filter (npm run build)...");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
}

function printDecision(record: LogRecord): void {
  const level = ["trace", "debug", "info", "warn", "error", "critical"][record.level];
  process.stdout.write(`  [${level}] ${record.message}\n`);
}

function readConfig(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8"));
}

function watchConfig(file: string, stack: Stack): void {
  const gateway = stack.gateway;
  if (gateway === null) return;
  watchFile(file, { interval: 500 }, () => {
    try {
      const config = withProvider(readConfig(file), stack.idp.issuer);
      const result = gateway.reconfigure(config);
      console.log(result.configured
        ? `configuration reloaded from ${file}`
        : `configuration refused (see the errors above); the previous one stays`);
    } catch (error) {
      console.log(`configuration not reloaded: ${(error as Error).message}`);
    }
  });
}

async function main(): Promise<void> {
  const opts = options();
  const wasmPath = DEFAULT_WASM;
  if (!existsSync(opts.configFile)) throw new Error(`no configuration file ${opts.configFile}`);
  buildIfNeeded();
  const stack = await startStack({
    config: readConfig(opts.configFile),
    gatewayPort: Number(opts.port),
    idpPort: Number(opts["idp-port"]),
    appPort: Number(opts["app-port"]),
    wasm: wasmPath,
    logLevel: opts["log-level"] as "debug",
    onLog: printDecision,
    withGateway: !opts["for-envoy"],
  });
  watchConfig(opts.configFile, stack);
  const users = Object.keys(DEMO_USERS).join(" or ");
  if (opts["for-envoy"]) {
    console.log(`
provider ${stack.idp.issuer} and sample app ${stack.app.url} are running for Envoy.
Start Envoy with envoy-demo.yaml (see README, "Envoy"), then open ${stack.url}/productpage.
Sign in as ${users}, any password. Ctrl-C stops both.
`);
    stopOnSignal(stack);
    return;
  }
  console.log(`
oidc-sso is running (filter ${wasmPath}, ${statSync(wasmPath).size} bytes)
  gateway           ${stack.url}   <- open this
  identity provider ${stack.idp.issuer}   (sign in as ${users}, any password)
  sample app        ${stack.app.url}
  configuration     ${opts.configFile} (edit it: the rules apply without a restart)

Try ${stack.url}/productpage, ${stack.url}/api/v1/products/1,
    ${stack.url}/static/jquery.min.js and ${stack.url}/oauth2/sign_out
Ctrl-C stops everything.
`);
  stopOnSignal(stack);
}

function stopOnSignal(stack: Stack): void {
  const stop = async () => {
    console.log("stopping...");
    await stack.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
