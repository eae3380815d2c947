// Exposes path normalization and the login decision to the Node tests (tests/node/rules.test.ts),
// which compare them with an independent model on generated paths.
import { normalizePath, normalizePathBytes } from "../../assembly/rules/path";
import {
  HeaderLookup,
  Mode,
  RequestFacts,
  Rule,
  RuleBuilder,
  RuleSet,
} from "../../assembly/rules/match";

class NoHeaders extends HeaderLookup {
  get(_name: string): string | null {
    return null;
  }
}

const NO_HEADERS = new NoHeaders();
let rules = new RuleSet(Mode.BYPASS_IF_MATCHED, []);

/** The normalized path, or "" when the path is unsafe. */
export function normalize(raw: string): string {
  return normalizePath(raw).path;
}

/** Why the path is unsafe, or "" when it is safe. */
export function unsafeReason(raw: string): string {
  return normalizePath(raw).reason;
}

/** As normalize, from the raw bytes of a request target. */
export function normalizeBytes(raw: Uint8Array): string {
  const copy = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  return normalizePathBytes(copy).path;
}

/**
 * Replaces the rule set: one rule per path pattern in `patterns` (one a line). Returns the
 * configuration errors, one a line, or "".
 */
export function configure(bypass: bool, patterns: string): string {
  const list = patterns.split("\n");
  const built: Rule[] = [];
  let errors = "";
  for (let i = 0; i < list.length; i++) {
    const builder = new RuleBuilder("rules[" + i.toString() + "]");
    const error = builder.addPath(list[i]);
    if (error !== null) errors += error + "\n";
    const rule = builder.build();
    if (rule.value !== null) built.push(rule.value!);
  }
  rules = new RuleSet(bypass ? Mode.BYPASS_IF_MATCHED : Mode.AUTH_IF_MATCHED, built);
  return errors;
}

/** The decision of the configured rule set for a request with this raw path. */
export function requiresLogin(raw: string): bool {
  const request = new RequestFacts(normalizePath(raw), "example.com", "GET", NO_HEADERS);
  return rules.requiresLogin(request);
}
