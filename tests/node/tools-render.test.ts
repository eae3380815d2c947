// tools/render.ts: one policy file in, the Istio manifests out, checked as deploy-istio checks
// them. The output must round-trip: every setting of the policy can be read back from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { checkDeployment, checkManifest } from "../../tools/lib/manifest-check.ts";
import { renderPolicy } from "../../tools/lib/render-policy.ts";

type Node = Record<string, any>;

const ROOT = new URL("../../", import.meta.url).pathname;
const EXAMPLE = "tools/example-policy.yaml";
// Clearly fake values, the same placeholders as deploy/istio/wasm-plugin.yaml.
const SECRETS = {
  OIDC_CLIENT_SECRET: "example-client-secret-replace-me",
  OIDC_COOKIE_SECRET: Buffer.from("example-cookie-secret-replace-me-000000").toString("base64"),
};
const example: Node = parse(readFileSync(ROOT + EXAMPLE, "utf8"));

function render(file: string | null, env: Record<string, string> = SECRETS) {
  const args = ["--import", "tsx", "tools/render.ts", ...(file === null ? [] : [file])];
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function documents(yaml: string): Node[] {
  return parseAllDocuments(yaml).map((d) => d.toJS());
}

/** Reads a policy back from rendered manifests (secrets as their values). */
function policyFromManifests(manifests: Node[]): Node {
  const plugin = manifests.find((m) => m.kind === "WasmPlugin")!;
  const { spec } = plugin;
  const { issuer, client_id, client_secret, cookie_secret, match, provider, ...rest } =
    spec.pluginConfig;
  const { cluster: _derived, ...providerSettings } = provider;
  const image: Node = { url: spec.url };
  if (spec.imagePullPolicy) image.pull_policy = spec.imagePullPolicy;
  if (spec.sha256) image.sha256 = spec.sha256;
  if (spec.imagePullSecret) image.pull_secret = spec.imagePullSecret;
  const settings = Object.keys(providerSettings).length > 0
    ? { ...rest, provider: providerSettings } : rest;
  return {
    name: plugin.metadata.name,
    namespace: plugin.metadata.namespace,
    gateway: spec.selector.matchLabels,
    image,
    provider: { issuer, client_id, client_secret },
    cookie_secret,
    ...(match ? { match } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
  };
}

function withSecrets(policy: Node, client: string, cookie: string): Node {
  return { ...policy, provider: { ...policy.provider, client_secret: client },
    cookie_secret: cookie };
}

test("render prints three valid manifests that read back as the example policy", () => {
  const run = render(EXAMPLE);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "", "no warning: the example's secrets are references");
  const manifests = documents(run.stdout);
  assert.deepEqual(manifests.map((m) => m.kind), ["WasmPlugin", "ServiceEntry", "DestinationRule"]);
  for (const manifest of manifests) assert.deepEqual(checkManifest(manifest), []);
  assert.deepEqual(checkDeployment(manifests), []);
  assert.deepEqual(policyFromManifests(manifests),
    withSecrets(example, SECRETS.OIDC_CLIENT_SECRET, SECRETS.OIDC_COOKIE_SECRET));
});

test("deploy/istio is the example policy rendered with the placeholder secrets", () => {
  const dir = `${ROOT}deploy/istio/`;
  const checkedIn = readdirSync(dir).filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => documents(readFileSync(dir + f, "utf8")));
  const byKind = (list: Node[]) => Object.fromEntries(list.map((m) => [m.kind, m]));
  const inline = withSecrets(example, SECRETS.OIDC_CLIENT_SECRET, SECRETS.OIDC_COOKIE_SECRET);
  const rendered = renderPolicy(inline, ROOT + "tools", {});
  assert.deepEqual(rendered.problems, []);
  assert.deepEqual(byKind(rendered.manifests as Node[]), byKind(checkedIn));
});

test("secrets may come from files next to the policy; inline ones draw a warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "oidc-render-"));
  try {
    writeFileSync(join(dir, "client-secret"), "fake-client-secret-from-file\n");
    const policy = { ...example, provider: { ...example.provider,
      client_secret: { file: "client-secret" } }, cookie_secret: SECRETS.OIDC_COOKIE_SECRET };
    const result = renderPolicy(policy, dir);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.warnings,
      ["cookie_secret is inline: keep real secrets out of the file"]);
    const config = (result.manifests[0] as Node).spec.pluginConfig;
    assert.equal(config.client_secret, "fake-client-secret-from-file");
    assert.equal(config.cookie_secret, SECRETS.OIDC_COOKIE_SECRET);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a policy's own mistakes are all listed, and nothing is rendered", () => {
  const policy = {
    ...withSecrets(example, "fake", SECRETS.OIDC_COOKIE_SECRET),
    name: "OIDC_SSO",
    gateway: {},
    image: { url: "registry.example.com/oidc-sso:1", pull_policy: "Sometimes" },
    provider: { issuer: "http://idp.example.com", client_id: "gateway", client_secret: "x" },
    settings: { issuer: "https://other.example.com", provider: { cluster: "mine" } },
    extra: true,
  };
  const result = renderPolicy(policy, ROOT);
  assert.equal(result.yaml, "");
  const keys = result.problems.map((p) => p.split(":")[0]).sort();
  assert.deepEqual(keys, ["extra", "gateway", "image.pull_policy", "image.url", "name",
    "provider.issuer", "settings.issuer", "settings.provider"]);
});

test("settings the filter refuses are reported with the filter's own words", () => {
  const policy = withSecrets(example, "fake", SECRETS.OIDC_COOKIE_SECRET);
  policy.settings = { ...policy.settings, cookie_expire: "forever" };
  policy.match = { mode: "auth_if_matched", rules: [{ paths: ["/api/**"] }] };
  const result = renderPolicy(policy, ROOT);
  assert.equal(result.yaml, "");
  const all = result.problems.join("\n");
  assert.match(all,
    /^WasmPlugin pluginConfig: configuration refused: cookie_expire: "forever"/m);
  assert.ok(result.problems.some((p) => p.includes("/api/**")), all);
});

test("the command sends problems to stderr with exit 1 and nothing to stdout", () => {
  const dir = mkdtempSync(join(tmpdir(), "oidc-render-"));
  try {
    const file = join(dir, "policy.yaml");
    writeFileSync(file, stringify({ ...example, namespace: "Istio System" }));
    const invalid = render(file, {});
    assert.equal(invalid.status, 1);
    assert.equal(invalid.stdout, "");
    assert.match(invalid.stderr, /^render: namespace: must be a DNS label/m);
    const missing = render(EXAMPLE, { OIDC_CLIENT_SECRET: "", OIDC_COOKIE_SECRET: "" });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /environment variable OIDC_CLIENT_SECRET is not set/);
    writeFileSync(file, "name: [unclosed\n");
    const broken = render(file);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /^render: .*policy.yaml: /m);
    assert.equal(render(null).status, 2, "usage");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
