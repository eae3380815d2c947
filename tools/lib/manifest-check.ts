// Checks Istio manifests before they reach a cluster: each against its kind's schema (types,
// enums, required fields, and no unknown field), then the three of a deployment against each
// other and against the filter itself (its pluginConfig must be accepted by the real module,
// and the cluster it calls must be the one the ServiceEntry creates).
import { checkFilterConfig, type FilterCheckOptions } from "./filter-check.ts";
import { findKind, ISTIO_KINDS } from "./istio-kinds.ts";
import { findUnknownFields } from "./known-fields.ts";

type Manifest = Record<string, any>;

function describe(manifest: Manifest): string {
  return `${manifest?.kind ?? "(no kind)"} ${manifest?.metadata?.name ?? "(no name)"}`;
}

/** "/spec/ports/0/name" (a JSON pointer) as "spec.ports[0].name", like the unknown fields. */
function dottedPath(pointer: string): string {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  return parts.reduce((path, part) =>
    /^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part, "") || "(root)";
}

/** Every problem of one manifest against its schema; empty when it is valid. */
export function checkManifest(manifest: unknown): string[] {
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    return ["a manifest must be a mapping"];
  }
  const m = manifest as Manifest;
  const kind = findKind(m.apiVersion, m.kind);
  if (!kind) {
    const known = ISTIO_KINDS.map((k) => `${k.apiVersion} ${k.kind}`).join(", ");
    return [`${describe(m)}: ${m.apiVersion} ${m.kind} is not one of ${known}`];
  }
  const problems: string[] = [];
  try {
    kind.validate(m);
  } catch (error) {
    const details = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (!details) throw error;
    for (const d of details) {
      problems.push(`${describe(m)}: ${dottedPath(d.instancePath)}: ${d.message}`);
    }
  }
  for (const path of findUnknownFields(m, kind)) {
    problems.push(`${describe(m)}: ${path}: unknown field`);
  }
  return problems;
}

/** Istio's name of the outbound cluster of a host and port (no subset). */
export function outboundCluster(host: string, port: number): string {
  return `outbound|${port}||${host}`;
}

/**
 * Checks a whole deployment: every manifest valid, one WasmPlugin whose configuration the
 * filter accepts, and a ServiceEntry port plus a TLS-originating DestinationRule behind the
 * cluster the filter calls. Returns every problem found.
 */
export function checkDeployment(manifests: unknown[], options: FilterCheckOptions = {}): string[] {
  const problems = manifests.flatMap((m) => checkManifest(m));
  const all = manifests as Manifest[];
  const plugins = all.filter((m) => m?.kind === "WasmPlugin");
  if (plugins.length !== 1) {
    return [...problems, `expected one WasmPlugin, found ${plugins.length}`];
  }
  const config = plugins[0].spec?.pluginConfig ?? {};
  const verdict = checkFilterConfig(config, options);
  if (!verdict.accepted) {
    problems.push(...verdict.errors.map((e) => `WasmPlugin pluginConfig: ${e}`));
  }
  const cluster = config?.provider?.cluster;
  problems.push(...checkProviderRoute(all, String(cluster)));
  return problems;
}

/** The provider's cluster must come from a ServiceEntry port with TLS origination on it. */
function checkProviderRoute(all: Manifest[], cluster: string): string[] {
  const entries = all.filter((m) => m?.kind === "ServiceEntry");
  const match = entries.flatMap((entry) =>
    (entry.spec?.hosts ?? []).flatMap((host: string) =>
      (entry.spec?.ports ?? []).map((port: Manifest) => ({ host, port: port.number })),
    ),
  ).find(({ host, port }) => outboundCluster(host, port) === cluster);
  if (!match) {
    return [`provider.cluster ${JSON.stringify(cluster)} is no ServiceEntry host and port ` +
      `(expected outbound|<port>||<host>)`];
  }
  const rule = all.find((m) => m?.kind === "DestinationRule" && m.spec?.host === match.host);
  if (!rule) return [`no DestinationRule for ${match.host}: callouts would leave unencrypted`];
  if (tlsModeFor(rule, match.port) !== "SIMPLE") {
    return [`DestinationRule ${rule.metadata?.name}: tls.mode for port ${match.port} must be ` +
      `SIMPLE (callouts leave as plain HTTP; the gateway must originate TLS)`];
  }
  return [];
}

function tlsModeFor(rule: Manifest, port: number): string | undefined {
  const policy = rule.spec?.trafficPolicy;
  const portLevel = (policy?.portLevelSettings ?? []).find(
    (s: Manifest) => s.port?.number === port,
  );
  return portLevel?.tls?.mode ?? policy?.tls?.mode;
}
