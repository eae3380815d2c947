// A single sign-on policy: the one file an operator writes for an Istio ingress gateway (see
// tools/example-policy.yaml). It names the plugin, the gateway, the image, the provider and the
// rules; render turns it into Istio manifests. This file checks its form and collects every
// problem; what the filter's own settings mean is left to the filter, which judges them later.
import { secretFormProblem, type SecretSource } from "./secrets.ts";

export interface Policy {
  name: string;
  namespace: string;
  /** Labels of the gateway pods the plugin runs in. */
  gateway: Record<string, string>;
  image: { url: string; sha256?: string; pull_policy?: string; pull_secret?: string };
  provider: { issuer: string; client_id: string; client_secret: SecretSource };
  cookie_secret: SecretSource;
  match?: Record<string, unknown>;
  /** Any other filter setting (README, Configuration), passed to the filter unchanged. */
  settings?: Record<string, unknown>;
}

/** Settings render derives or takes from their own policy keys: not allowed in `settings`. */
export const DERIVED_SETTINGS = ["issuer", "client_id", "client_secret", "cookie_secret", "match"];

const TOP_KEYS = ["name", "namespace", "gateway", "image", "provider", "cookie_secret", "match",
  "settings"];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 54; // 63 (a DNS label) less the "-provider" suffix of derived names

type Fields = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];

  add(key: string, rule: string): void {
    this.list.push(`${key}: ${rule}`);
  }

  unknownKeys(value: Fields, known: string[], prefix: string): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.add(prefix + key, "is not a policy setting");
    }
  }
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function text(value: Fields, key: string, prefix: string, problems: Problems): void {
  if (typeof value[key] !== "string" || value[key] === "") {
    problems.add(prefix + key, "is required (a string)");
  }
}

function optionalText(value: Fields, key: string, prefix: string, problems: Problems): void {
  if (value[key] !== undefined && (typeof value[key] !== "string" || value[key] === "")) {
    problems.add(prefix + key, "must be a non-empty string");
  }
}

/** Checks a parsed policy file; `policy` is null when there is any problem. */
export function readPolicy(value: unknown): { policy: Policy | null; problems: string[] } {
  const problems = new Problems();
  if (!isFields(value)) return { policy: null, problems: ["policy: must be a mapping"] };
  problems.unknownKeys(value, TOP_KEYS, "");
  checkNames(value, problems);
  checkGateway(value.gateway, problems);
  checkImage(value.image, problems);
  checkProvider(value.provider, problems);
  const cookieSecret = secretFormProblem(value.cookie_secret);
  if (cookieSecret) problems.add("cookie_secret", cookieSecret);
  if (value.match !== undefined && !isFields(value.match)) {
    problems.add("match", "must be a mapping");
  }
  checkSettings(value.settings, problems);
  const ok = problems.list.length === 0;
  return { policy: ok ? (value as unknown as Policy) : null, problems: problems.list };
}

function checkNames(value: Fields, problems: Problems): void {
  for (const key of ["name", "namespace"]) {
    const name = value[key];
    if (typeof name !== "string" || !DNS_LABEL.test(name) || name.length > MAX_NAME) {
      problems.add(key, `must be a DNS label of at most ${MAX_NAME} characters (a-z, 0-9, -)`);
    }
  }
}

function checkGateway(gateway: unknown, problems: Problems): void {
  const labels = isFields(gateway) ? Object.entries(gateway) : [];
  if (labels.length === 0) {
    problems.add("gateway", "must map labels of the gateway pods, e.g. istio: ingressgateway");
  }
  for (const [label, v] of labels) {
    if (typeof v !== "string" || v === "") problems.add(`gateway.${label}`, "must be a string");
  }
}

function checkImage(image: unknown, problems: Problems): void {
  if (!isFields(image)) return problems.add("image", "must be a mapping with url");
  problems.unknownKeys(image, ["url", "sha256", "pull_policy", "pull_secret"], "image.");
  const url = image.url;
  if (typeof url !== "string" || !/^(oci|https?|file):\/\/./.test(url)) {
    problems.add("image.url", "must be an oci://, https://, http:// or file:// URL");
  }
  if (image.sha256 !== undefined && !/^[a-f0-9]{64}$/.test(String(image.sha256))) {
    problems.add("image.sha256", "must be 64 lowercase hex digits");
  }
  if (image.pull_policy !== undefined && !["IfNotPresent", "Always"].includes(
    String(image.pull_policy))) {
    problems.add("image.pull_policy", "must be IfNotPresent or Always");
  }
  optionalText(image, "pull_secret", "image.", problems);
}

function checkProvider(provider: unknown, problems: Problems): void {
  if (!isFields(provider)) {
    return problems.add("provider", "must be a mapping with issuer, client_id, client_secret");
  }
  problems.unknownKeys(provider, ["issuer", "client_id", "client_secret"], "provider.");
  text(provider, "client_id", "provider.", problems);
  const secret = secretFormProblem(provider.client_secret);
  if (secret) problems.add("provider.client_secret", secret);
  if (issuerAddress(provider.issuer) === null) {
    problems.add("provider.issuer", "must be an https URL without query, fragment or user " +
      "(the gateway reaches the provider outside the mesh over TLS)");
  }
}

function checkSettings(settings: unknown, problems: Problems): void {
  if (settings === undefined) return;
  if (!isFields(settings)) return problems.add("settings", "must be a mapping");
  for (const key of DERIVED_SETTINGS) {
    if (key in settings) problems.add(`settings.${key}`, "is set by the policy's own keys");
  }
  const provider = settings.provider;
  if (provider !== undefined && (!isFields(provider) || "cluster" in provider)) {
    problems.add("settings.provider", "must be a mapping without cluster (render derives it)");
  }
}

/** The provider's host and port, from an https issuer URL; null when it is not one. */
export function issuerAddress(issuer: unknown): { host: string; port: number } | null {
  if (typeof issuer !== "string") return null;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || url.search || url.hash || url.username || url.password) {
    return null;
  }
  if (issuer.includes("?") || issuer.includes("#")) return null;
  return { host: url.hostname, port: url.port ? Number(url.port) : 443 };
}
