// The render pipeline: policy file -> checked policy -> secrets resolved -> manifests ->
// the same checks the tests apply (schemas, unknown fields, the real filter, the provider's
// cluster) -> one YAML stream. Nothing is printed unless every check passes.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse, stringify } from "yaml";
import type { FilterCheckOptions } from "./filter-check.ts";
import { checkDeployment } from "./manifest-check.ts";
import { readPolicy, type Policy } from "./policy.ts";
import { renderManifests } from "./render-istio.ts";
import { resolveSecret, type SecretSource } from "./secrets.ts";

export interface RenderResult {
  /** The manifests as one YAML stream; empty when there are problems. */
  yaml: string;
  manifests: object[];
  problems: string[];
  warnings: string[];
}

function failed(problems: string[], warnings: string[] = []): RenderResult {
  return { yaml: "", manifests: [], problems, warnings };
}

export function renderPolicyFile(path: string, options: FilterCheckOptions = {}): RenderResult {
  let parsed: unknown;
  try {
    // YAML 1.2 reads JSON too; unique keys are enforced by default.
    parsed = parse(readFileSync(path, "utf8"));
  } catch (error) {
    return failed([`${path}: ${(error as Error).message}`]);
  }
  return renderPolicy(parsed, dirname(path), options);
}

export function renderPolicy(
  value: unknown, baseDir: string, options: FilterCheckOptions = {},
): RenderResult {
  const { policy, problems } = readPolicy(value);
  if (!policy) return failed(problems);
  const warnings: string[] = [];
  const secret = (key: string, source: SecretSource): string => {
    try {
      const resolved = resolveSecret(source, baseDir);
      if (resolved.inline) warnings.push(`${key} is inline: keep real secrets out of the file`);
      return resolved.value;
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
      return "";
    }
  };
  const clientSecret = secret("provider.client_secret", policy.provider.client_secret);
  const cookieSecret = secret("cookie_secret", policy.cookie_secret);
  if (problems.length > 0) return failed(problems, warnings);
  const manifests = renderManifests(policy as Policy, { clientSecret, cookieSecret });
  const checked = checkDeployment(manifests, options);
  if (checked.length > 0) return failed(checked, warnings);
  return { yaml: toYamlStream(manifests), manifests, problems: [], warnings };
}

export function toYamlStream(manifests: object[]): string {
  return manifests.map((m) => stringify(m, { lineWidth: 0 })).join("---\n");
}
