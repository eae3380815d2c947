// Turns a checked policy into the three Istio manifests that run the filter on a gateway:
// 1. a WasmPlugin on the gateway pods, in the AUTHN phase, closed on failure;
// 2. a ServiceEntry for the provider's host, which creates the cluster the filter calls;
// 3. a DestinationRule that makes the gateway originate TLS to the provider, because the
//    filter's callouts leave as plain HTTP.
// Both networking objects are exported to the gateway's namespace only, so they change
// nothing for workloads elsewhere in the mesh.
import { outboundCluster } from "./manifest-check.ts";
import { issuerAddress, type Policy } from "./policy.ts";

export interface Secrets {
  clientSecret: string;
  cookieSecret: string;
}

export function providerResourceName(policy: Policy): string {
  return `${policy.name}-provider`;
}

/** The WasmPlugin's pluginConfig: the policy's settings plus what render derives. */
export function pluginConfig(policy: Policy, secrets: Secrets): Record<string, unknown> {
  const { host, port } = issuerAddress(policy.provider.issuer)!;
  const { provider, ...settings } = (policy.settings ?? {}) as Record<string, object>;
  const config: Record<string, unknown> = {
    issuer: policy.provider.issuer,
    client_id: policy.provider.client_id,
    client_secret: secrets.clientSecret,
    cookie_secret: secrets.cookieSecret,
    ...settings,
    provider: { ...provider, cluster: outboundCluster(host, port) },
  };
  if (policy.match) config.match = policy.match;
  return config;
}

export function renderWasmPlugin(policy: Policy, secrets: Secrets): object {
  const { image } = policy;
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name: policy.name, namespace: policy.namespace },
    spec: {
      selector: { matchLabels: { ...policy.gateway } },
      url: image.url,
      ...(image.sha256 ? { sha256: image.sha256 } : {}),
      ...(image.pull_policy ? { imagePullPolicy: image.pull_policy } : {}),
      ...(image.pull_secret ? { imagePullSecret: image.pull_secret } : {}),
      // Before Istio's own authentication filters; a broken VM answers 5xx, never passes.
      phase: "AUTHN",
      failStrategy: "FAIL_CLOSE",
      pluginConfig: pluginConfig(policy, secrets),
    },
  };
}

export function renderServiceEntry(policy: Policy): object {
  const { host, port } = issuerAddress(policy.provider.issuer)!;
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "ServiceEntry",
    metadata: { name: providerResourceName(policy), namespace: policy.namespace },
    spec: {
      hosts: [host],
      location: "MESH_EXTERNAL",
      ports: [{ number: port, name: "https", protocol: "HTTPS" }],
      resolution: "DNS",
      exportTo: ["."],
    },
  };
}

export function renderDestinationRule(policy: Policy): object {
  const { host } = issuerAddress(policy.provider.issuer)!;
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: providerResourceName(policy), namespace: policy.namespace },
    spec: {
      host,
      exportTo: ["."],
      trafficPolicy: { tls: { mode: "SIMPLE", sni: host } },
    },
  };
}

export function renderManifests(policy: Policy, secrets: Secrets): object[] {
  return [
    renderWasmPlugin(policy, secrets),
    renderServiceEntry(policy),
    renderDestinationRule(policy),
  ];
}
