// tools/oci.ts against a real registry: Debian's docker-registry (the CNCF distribution
// registry), started here on a free loopback port with its own storage. The image is pushed by
// the command, pulled back over the HTTP API, unpacked with the system's tar, and read by
// skopeo, a second OCI client; digests and media types must match what the command printed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { RELEASE_WASM } from "../../tools/lib/filter-check.ts";
import { buildWasmImage, MEDIA_TYPES } from "../../tools/lib/oci-image.ts";
import { RegistryClient } from "../../tools/lib/oci-registry.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const REGISTRY_BINARY = "/usr/bin/docker-registry";
const REPOSITORY = "oidc-sso";

let work = "";
let registry: ChildProcess | null = null;
let registryLog = "";
let address = "";

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

function requireBinary(path: string, apt: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: apt-get install ${apt} (.ci/run installs it)`);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRegistry(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://${address}/v2/`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (registry?.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not start:\n${registryLog}`);
}

before(async () => {
  requireBinary(REGISTRY_BINARY, "docker-registry");
  requireBinary("/usr/bin/skopeo", "skopeo");
  work = mkdtempSync(join(tmpdir(), "oidc-oci-"));
  address = `127.0.0.1:${await freePort()}`;
  writeFileSync(join(work, "config.yml"), [
    "version: 0.1",
    "log: { level: warn }",
    `storage: { filesystem: { rootdirectory: ${join(work, "storage")} } }`,
    `http: { addr: "${address}" }`,
  ].join("\n"));
  registry = spawn(REGISTRY_BINARY, ["serve", join(work, "config.yml")], { stdio: "pipe" });
  registry.stdout?.on("data", (d) => (registryLog += d));
  registry.stderr?.on("data", (d) => (registryLog += d));
  await waitForRegistry();
});

after(() => {
  registry?.kill("SIGTERM");
  if (work) rmSync(work, { recursive: true, force: true });
});

function push(reference: string, env: Record<string, string> = {}): Record<string, string> {
  const run = spawnSync(process.execPath, ["--import", "tsx", "tools/oci.ts", "push", reference],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(run.status, 0, run.stderr);
  return Object.fromEntries(run.stdout.trim().split("\n").map((line) => {
    const at = line.indexOf(": ");
    return [line.slice(0, at), line.slice(at + 2)];
  }));
}

async function get(path: string, accept?: string): Promise<Response> {
  const response = await fetch(`http://${address}/v2/${REPOSITORY}/${path}`,
    { headers: accept ? { accept } : {} });
  assert.equal(response.status, 200, `GET ${path}`);
  return response;
}

test("oci push prints the manifest digest and the module's sha256, as stored", async () => {
  const printed = push(`${address}/${REPOSITORY}:0.1.0`);
  const module = readFileSync(RELEASE_WASM);
  assert.equal(printed["wasm-sha256"], sha256(module));
  const response = await get("manifests/0.1.0", MEDIA_TYPES.manifest);
  const body = Buffer.from(await response.arrayBuffer());
  assert.equal(response.headers.get("content-type"), MEDIA_TYPES.manifest);
  assert.equal(response.headers.get("docker-content-digest"), printed["manifest-digest"]);
  assert.equal(`sha256:${sha256(body)}`, printed["manifest-digest"]);
  assert.equal(printed["wasmplugin-sha256"], sha256(body), "Istio checks the manifest digest");
  assert.equal(printed["wasmplugin-url"],
    `oci://${address}/${REPOSITORY}@${printed["manifest-digest"]}`);
});

test("the pulled image is one tar+gzip layer holding plugin.wasm, the build's module", async () => {
  const printed = push(`${address}/${REPOSITORY}:layers`);
  const manifest = await (await get(`manifests/${printed["manifest-digest"]}`,
    MEDIA_TYPES.manifest)).json();
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.mediaType, MEDIA_TYPES.manifest);
  assert.equal(manifest.config.mediaType, MEDIA_TYPES.config);
  assert.deepEqual(manifest.layers.map((l: { mediaType: string }) => l.mediaType),
    [MEDIA_TYPES.layer]);
  const blobs = new Map<string, Buffer>();
  for (const descriptor of [manifest.config, ...manifest.layers]) {
    const bytes = Buffer.from(await (await get(`blobs/${descriptor.digest}`)).arrayBuffer());
    assert.equal(`sha256:${sha256(bytes)}`, descriptor.digest);
    assert.equal(bytes.length, descriptor.size);
    blobs.set(descriptor.digest, bytes);
  }
  const layer = blobs.get(manifest.layers[0].digest)!;
  const config = JSON.parse(blobs.get(manifest.config.digest)!.toString("utf8"));
  assert.deepEqual(config.rootfs, { type: "layers",
    diff_ids: [`sha256:${sha256(gunzipSync(layer))}`] });
  const unpacked = join(work, "unpacked");
  writeFileSync(join(work, "layer.tar.gz"), layer);
  const listing = spawnSync("tar", ["-tzf", join(work, "layer.tar.gz")], { encoding: "utf8" });
  assert.equal(listing.stdout, "plugin.wasm\n");
  spawnSync("mkdir", ["-p", unpacked]);
  const extract = spawnSync("tar", ["-xzf", join(work, "layer.tar.gz"), "-C", unpacked]);
  assert.equal(extract.status, 0, String(extract.stderr));
  assert.ok(readFileSync(join(unpacked, "plugin.wasm")).equals(readFileSync(RELEASE_WASM)));
});

test("skopeo, a second OCI client, reads the image by the printed digest", () => {
  const printed = push(`${address}/${REPOSITORY}:skopeo`);
  const inspect = spawnSync("skopeo", ["inspect", "--tls-verify=false", "--raw",
    `docker://${address}/${REPOSITORY}@${printed["manifest-digest"]}`], { encoding: "utf8" });
  assert.equal(inspect.status, 0, inspect.stderr);
  assert.equal(`sha256:${sha256(Buffer.from(inspect.stdout))}`, printed["manifest-digest"]);
  const copy = spawnSync("skopeo", ["copy", "--src-tls-verify=false",
    `docker://${address}/${REPOSITORY}:skopeo`, `dir:${join(work, "copy")}`], { encoding: "utf8" });
  assert.equal(copy.status, 0, copy.stderr);
});

test("the image is reproducible and a second push uploads no blob again", async () => {
  const first = push(`${address}/${REPOSITORY}:again`);
  const second = push(`${address}/${REPOSITORY}:again`);
  assert.deepEqual(second, first);
  const image = buildWasmImage(readFileSync(RELEASE_WASM));
  assert.equal(image.manifest.digest, first["manifest-digest"]);
  const client = new RegistryClient(`http://${address}`, REPOSITORY);
  assert.equal(await client.pushBlob(image.layer), false, "the layer is there already");
});

/**
 * A registry front that demands a bearer token, issued by its own realm for the fake
 * credentials below, then relays to the real registry (Host kept, so upload locations
 * point back at the front).
 */
async function startTokenFront(): Promise<{ server: Server; port: number; tokens: number }> {
  const state = { tokens: 0 };
  const server = createServer((req, res) => {
    const basic = `Basic ${Buffer.from("fake-user:fake-password").toString("base64")}`;
    if (req.url?.startsWith("/token")) {
      if (req.headers.authorization !== basic) return void res.writeHead(401).end();
      state.tokens++;
      return void res.writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ token: "fake-token" }));
    }
    if (req.headers.authorization !== "Bearer fake-token") {
      const realm = `http://${req.headers.host}/token`;
      const scope = `repository:${REPOSITORY}:pull,push`;
      return void res.writeHead(401, { "www-authenticate":
        `Bearer realm="${realm}",service="test",scope="${scope}"` }).end();
    }
    const [host, port] = address.split(":");
    const relay = request({ host, port, path: req.url, method: req.method, headers: req.headers },
      (answer: IncomingMessage) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
    req.pipe(relay);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, port, get tokens() { return state.tokens; } };
}

test("a bearer challenge is answered with a token from the registry's realm", async () => {
  const front = await startTokenFront();
  try {
    const reference = `127.0.0.1:${front.port}/${REPOSITORY}:token`;
    const printed = await new Promise<Record<string, string>>((resolve) => {
      // The front runs in this process: the command must not block it.
      const child = spawn(process.execPath, ["--import", "tsx", "tools/oci.ts", "push", reference],
        { cwd: ROOT, env: { ...process.env, OCI_USERNAME: "fake-user",
          OCI_PASSWORD: "fake-password" } });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => {
        assert.equal(code, 0, out);
        resolve(Object.fromEntries(out.trim().split("\n").map((l) => l.split(": "))));
      });
    });
    assert.ok(front.tokens >= 1, "a token was fetched");
    const stored = await get(`manifests/token`, MEDIA_TYPES.manifest);
    assert.equal(stored.headers.get("docker-content-digest"), printed["manifest-digest"]);
  } finally {
    front.server.close();
  }
});
