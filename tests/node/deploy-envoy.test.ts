// envoy-demo.yaml: a static Envoy bootstrap that runs the release filter. Envoy itself is not
// available here, so the file is checked for what Envoy would need: the filter's configuration
// accepted by the real module, every cluster it or a route names defined, the module path the
// README's `docker run` line mounts the build output at, and the V8 runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Emulator } from "../../host/emulator.ts";
import { RELEASE_WASM } from "../../tools/lib/filter-check.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const WASM_FILTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
const HCM = "envoy.filters.network.http_connection_manager";

type Node = Record<string, any>;

const bootstrap: Node = parse(readFileSync(`${ROOT}envoy-demo.yaml`, "utf8"));
const listeners: Node[] = bootstrap.static_resources.listeners;
const clusters: Node[] = bootstrap.static_resources.clusters;
const managers: Node[] = listeners.flatMap((l) => l.filter_chains.flatMap((chain: Node) =>
  chain.filters.filter((f: Node) => f.name === HCM).map((f: Node) => f.typed_config)));
const wasmFilters: Node[] = managers.flatMap((m) => m.http_filters)
  .filter((f: Node) => f.typed_config?.["@type"] === WASM_FILTER_TYPE);
const plugin: Node = wasmFilters[0]?.typed_config?.config ?? {};
const filterConfig: Node = JSON.parse(plugin.configuration?.value ?? "null");

function clusterAddress(name: string): string {
  const cluster = clusters.find((c) => c.name === name);
  const address = cluster?.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address;
  return `${address?.socket_address.address}:${address?.socket_address.port_value}`;
}

test("the bootstrap has one listener on 8080 with one wasm filter before the router", () => {
  assert.equal(listeners.length, 1);
  assert.equal(listeners[0].address.socket_address.port_value, 8080);
  assert.equal(wasmFilters.length, 1);
  const names = managers[0].http_filters.map((f: Node) => f.name);
  assert.deepEqual(names, ["envoy.filters.http.wasm", "envoy.filters.http.router"]);
});

test("the plugin runs on V8 from a local file with a StringValue configuration", () => {
  assert.equal(plugin.vm_config.runtime, "envoy.wasm.runtime.v8");
  assert.equal(typeof plugin.vm_config.code.local.filename, "string");
  assert.equal(plugin.configuration["@type"], "type.googleapis.com/google.protobuf.StringValue");
});

test("the filter accepts the configuration and calls the idp cluster Envoy defines", () => {
  const emulator = new Emulator({
    wasm: RELEASE_WASM,
    pluginConfig: plugin.configuration.value,
    clusters: clusters.map((c) => c.name),
    logLevel: "debug",
  });
  const result = emulator.start();
  assert.deepEqual(emulator.getLogs("error").map((r) => r.message), []);
  assert.ok(result.vmStarted && result.configured, "the filter refused its configuration");
  const callouts = emulator.getPendingCallouts();
  assert.equal(callouts.length, 1, "discovery starts at once");
  assert.equal(callouts[0].cluster, filterConfig.provider.cluster);
});

test("every cluster a route or the filter names is a static cluster", () => {
  const defined = new Set(clusters.map((c) => c.name));
  const routed = managers.flatMap((m) => m.route_config.virtual_hosts)
    .flatMap((host: Node) => host.routes).map((route: Node) => route.route.cluster);
  assert.ok(routed.length > 0);
  for (const name of [...routed, filterConfig.provider.cluster]) {
    assert.ok(defined.has(name), `cluster ${name} is not defined`);
  }
  assert.deepEqual(routed, ["app"]);
});

test("the provider cluster and the app cluster are the local demo's addresses", () => {
  const issuer = new URL(filterConfig.issuer);
  assert.equal(clusterAddress(filterConfig.provider.cluster), issuer.host);
  assert.equal(issuer.host, "127.0.0.1:9000");
  assert.equal(clusterAddress("app"), "127.0.0.1:9080");
});

test("but for issuer and provider, the configuration is deploy/local/auth-if-matched.json", () => {
  const local = JSON.parse(readFileSync(`${ROOT}deploy/local/auth-if-matched.json`, "utf8"));
  const strip = ({ issuer: _i, provider: _p, ...rest }: Node): Node => rest;
  assert.deepEqual(strip(filterConfig), strip(local));
  assert.equal(filterConfig.provider.cluster, "idp");
});

/** The README's `docker run` command, continuation lines joined. */
function dockerRunLine(): string {
  const readme = readFileSync(`${ROOT}README.md`, "utf8").replace(/\\\n\s*/g, "");
  const line = readme.split("\n").find((l) => l.startsWith("docker run "));
  assert.ok(line, "README.md has no docker run line");
  return line;
}

test("the README's docker run mounts the build output where the bootstrap loads the module", () => {
  const line = dockerRunLine();
  const mounts = new Map([...line.matchAll(/-v "\$PWD\/([^:]+):([^:"]+)(?::ro)?"/g)]
    .map(([, source, target]) => [source, target]));
  assert.equal(mounts.get("build/oidc-sso.wasm"), plugin.vm_config.code.local.filename);
  assert.equal(`${ROOT}build/oidc-sso.wasm`, RELEASE_WASM);
  const config = mounts.get("envoy-demo.yaml");
  assert.ok(config && line.includes(`-c ${config}`), "the yaml is mounted and passed with -c");
  assert.match(line, /--network host/);
  assert.match(line, /envoyproxy\/envoy:v1\.3\d\.\d+ /);
});
