// deploy/istio: the WasmPlugin, ServiceEntry and DestinationRule of the example deployment.
// Each must pass Istio's schemas as `@kubernetes-models/istio` has them, and the project's own
// check for unknown fields (which the library lets through); the filter must accept the
// pluginConfig, and its provider cluster must be the one the ServiceEntry creates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Emulator } from "../../host/emulator.ts";
import { RELEASE_WASM } from "../../tools/lib/filter-check.ts";
import { findKind } from "../../tools/lib/istio-kinds.ts";
import { findUnknownFields } from "../../tools/lib/known-fields.ts";
import { checkDeployment, checkManifest, outboundCluster } from "../../tools/lib/manifest-check.ts";

type Node = Record<string, any>;

const DIR = new URL("../../deploy/istio/", import.meta.url).pathname;
const manifests: Node[] = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort()
  .flatMap((f) => parseAllDocuments(readFileSync(DIR + f, "utf8")).map((d) => d.toJS()));
const byKind = (kind: string): Node => {
  const found = manifests.filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind} expected`);
  return structuredClone(found[0]);
};

function unknownFields(manifest: Node): string[] {
  return findUnknownFields(manifest, findKind(manifest.apiVersion, manifest.kind)!);
}

function libraryAccepts(manifest: Node): boolean {
  try {
    findKind(manifest.apiVersion, manifest.kind)!.validate(manifest);
    return true;
  } catch {
    return false;
  }
}

test("deploy/istio holds a WasmPlugin, a ServiceEntry and a DestinationRule", () => {
  assert.deepEqual(manifests.map((m) => m.kind).sort(),
    ["DestinationRule", "ServiceEntry", "WasmPlugin"]);
});

test("every manifest passes the library's schema and has no unknown field", () => {
  for (const manifest of manifests) {
    assert.ok(libraryAccepts(manifest), `${manifest.kind} fails the library's validation`);
    assert.deepEqual(checkManifest(manifest), [], manifest.kind);
  }
});

test("the library alone lets a misspelt field through; the unknown-field check does not", () => {
  const plugin = byKind("WasmPlugin");
  plugin.spec.failstrategy = "FAIL_OPEN";
  assert.ok(libraryAccepts(plugin), "the library would have caught it itself");
  assert.deepEqual(unknownFields(plugin), ["spec.failstrategy"]);
  assert.deepEqual(checkManifest(plugin),
    ["WasmPlugin oidc-sso: spec.failstrategy: unknown field"]);
});

test("unknown fields are found at any depth, inside lists and in metadata", () => {
  const entry = byKind("ServiceEntry");
  entry.spec.ports[0].protocl = "HTTP";
  entry.metadata.lables = { a: "b" };
  assert.deepEqual(unknownFields(entry), ["metadata.lables", "spec.ports[0].protocl"]);
  const rule = byKind("DestinationRule");
  rule.spec.trafficPolicy.tls.snii = "idp.example.com";
  rule.spec.trafficPolicy.portLevelSettings = [{ port: { numbr: 443 } }];
  assert.deepEqual(unknownFields(rule),
    ["spec.trafficPolicy.tls.snii", "spec.trafficPolicy.portLevelSettings[0].port.numbr"]);
});

test("free-form fields (pluginConfig, labels) take any key", () => {
  const plugin = byKind("WasmPlugin");
  plugin.spec.pluginConfig.anything = { nested: [{ deep: true }] };
  plugin.spec.selector.matchLabels["app.kubernetes.io/name"] = "gateway";
  plugin.metadata.annotations = { "example.com/owner": "platform" };
  assert.deepEqual(unknownFields(plugin), []);
});

test("schema errors of the library are reported with their path", () => {
  const entry = byKind("ServiceEntry");
  entry.spec.resolution = "DNSX";
  assert.deepEqual(checkManifest(entry), ["ServiceEntry oidc-sso-provider: spec.resolution: " +
    "must be equal to one of the allowed values"]);
});

test("the WasmPlugin runs in AUTHN, closed on failure, on the ingress gateway, from OCI", () => {
  const { spec } = byKind("WasmPlugin");
  assert.deepEqual(spec.selector, { matchLabels: { istio: "ingressgateway" } });
  assert.equal(spec.phase, "AUTHN");
  assert.equal(spec.failStrategy, "FAIL_CLOSE");
  assert.match(spec.url, /^oci:\/\//);
  assert.equal(spec.imagePullPolicy, "IfNotPresent");
});

test("the filter accepts the pluginConfig and calls the ServiceEntry's cluster", () => {
  const { spec } = byKind("WasmPlugin");
  const entry = byKind("ServiceEntry");
  const cluster = outboundCluster(entry.spec.hosts[0], entry.spec.ports[0].number);
  assert.equal(cluster, "outbound|443||idp.example.com");
  assert.equal(spec.pluginConfig.provider.cluster, cluster);
  const emulator = new Emulator({ wasm: RELEASE_WASM, pluginConfig: spec.pluginConfig,
    clusters: [cluster], logLevel: "debug" });
  const result = emulator.start();
  assert.deepEqual(emulator.getLogs("error").map((r) => r.message), []);
  assert.ok(result.configured);
  assert.deepEqual(emulator.getPendingCallouts().map((c) => c.cluster), [cluster]);
});

test("the provider is external, resolved by DNS, with TLS originated by the gateway", () => {
  const entry = byKind("ServiceEntry");
  const rule = byKind("DestinationRule");
  assert.equal(entry.spec.resolution, "DNS");
  assert.equal(entry.spec.location, "MESH_EXTERNAL");
  assert.equal(entry.spec.ports[0].number, 443);
  assert.equal(rule.spec.host, entry.spec.hosts[0]);
  assert.equal(rule.spec.trafficPolicy.tls.mode, "SIMPLE");
  assert.deepEqual(entry.spec.exportTo, ["."]);
  assert.deepEqual(rule.spec.exportTo, ["."]);
});

test("the deployment check passes, and fails for a wrong cluster or no TLS origination", () => {
  assert.deepEqual(checkDeployment(manifests), []);
  const plugin = byKind("WasmPlugin");
  plugin.spec.pluginConfig.provider.cluster = "outbound|8443||idp.example.com";
  const others = manifests.filter((m) => m.kind !== "WasmPlugin");
  assert.match(checkDeployment([plugin, ...others]).join("\n"), /is no ServiceEntry host/);
  const rule = byKind("DestinationRule");
  rule.spec.trafficPolicy.tls.mode = "DISABLE";
  const withoutTls = manifests.map((m) => (m.kind === "DestinationRule" ? rule : m));
  assert.match(checkDeployment(withoutTls).join("\n"), /must be SIMPLE/);
  const noRule = manifests.filter((m) => m.kind !== "DestinationRule");
  assert.match(checkDeployment(noRule).join("\n"), /no DestinationRule/);
});
