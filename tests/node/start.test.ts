// `npm start` as a person runs it: the local stack comes up on the given ports, serves the
// reference scenario, applies an edited configuration file without a restart, and stops
// everything on Ctrl-C.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../host/cli/stack.ts";
import { ScriptedBrowser } from "./support/browser.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The status a browser navigation gets (fetch would announce itself as a script). */
async function status(url: string): Promise<number> {
  return (await new ScriptedBrowser().request(url)).status;
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 60000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test("npm start serves the rules, reloads an edited configuration and stops on SIGINT", async () => {
  const dir = mkdtempSync(join(tmpdir(), "oidc-sso-start-"));
  const config = join(dir, "config.json");
  copyFileSync(join(ROOT, "deploy/local/auth-if-matched.json"), config);
  const [port, idpPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ["--import", "tsx", "host/cli/start.ts",
    "--config", config, "--port", String(port), "--idp-port", String(idpPort),
    "--app-port", String(appPort), "--log-level", "info"], { cwd: ROOT });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    await eventually(async () => output.includes("oidc-sso is running"), "the start banner")
      .catch((error) => assert.fail(`${error.message}; output so far:\n${output}`));
    assert.match(output, new RegExp(`gateway\\s+http://127.0.0.1:${port}`));
    assert.match(output, /sign in as alice or bob/);
    const gateway = `http://127.0.0.1:${port}`;
    await eventually(async () => (await status(`${gateway}/api/v1/products/1`)) === 302,
      "the provider to be discovered");
    assert.equal(await status(`${gateway}/productpage`), 200);
    assert.equal(await status(`${gateway}/static/jquery.min.js`), 302);

    const bypass = JSON.parse(readFileSync(join(ROOT, "deploy/local/bypass-if-matched.json"), "utf8"));
    writeFileSync(config, JSON.stringify(bypass));
    await eventually(async () => (await status(`${gateway}/static/jquery.min.js`)) === 200,
      "the edited rules to apply");
    assert.match(output, /configuration reloaded/);
    // The reloaded filter takes the provider's documents from the shared data: no 503 while
    // it would otherwise fetch them again.
    assert.equal(await status(`${gateway}/api/v1/products/1`), 302);
    assert.match(output, /provider keys taken from an earlier fetch/);
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0);
  await assert.rejects(status(`http://127.0.0.1:${port}/productpage`), "the gateway is closed");
});
