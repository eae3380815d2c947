// Who must log in. The operator picks a mode and lists rules: in AUTH_IF_MATCHED mode a
// request that matches a rule must log in and every other request passes; in
// BYPASS_IF_MATCHED mode a request that matches a rule passes and every other must log in.
// Whatever the mode, a request whose path is unsafe (see path.ts) must log in: a spelling
// the rules cannot read is never let through.
// Configuration builds rules with RuleBuilder, which checks each value as it is added and
// returns an error naming the key, quoting the value and stating the rule it broke.
// Pure module: no host imports, never traps.

import { NormalizedPath } from "./path";
import {
  HeaderCondition,
  HostPattern,
  Parsed,
  PathPattern,
  checkHeaderValue,
  parseHeaderName,
  parseHostPattern,
  parseMethod,
  parsePathPattern,
} from "./pattern";

export enum Mode {
  AUTH_IF_MATCHED,
  BYPASS_IF_MATCHED,
}

/** Request headers by lowercase name; the filter answers from the host's header map. */
export abstract class HeaderLookup {
  /** The first value of header `name`, or null when the request has none. */
  abstract get(name: string): string | null;
}

/** What the rules look at in one request. */
export class RequestFacts {
  constructor(
    readonly path: NormalizedPath,
    readonly authority: string, // ":authority", the host and maybe a port
    readonly method: string, // ":method"
    readonly headers: HeaderLookup,
  ) {}
}

/**
 * One rule: it matches a request when every field it gives matches, a field matching when
 * any of its entries does (any path, any host, any method; see HeaderCondition for headers).
 */
export class Rule {
  readonly paths: PathPattern[] = [];
  readonly hosts: HostPattern[] = [];
  readonly methods: string[] = [];
  readonly headers: HeaderCondition[] = [];

  constructor(readonly key: string) {}

  matches(request: RequestFacts): bool {
    if (this.paths.length > 0 && !this.pathMatches(request.path)) return false;
    if (this.hosts.length > 0 && !this.hostMatches(request.authority)) return false;
    if (this.methods.length > 0 && !this.methods.includes(request.method)) return false;
    for (let i = 0; i < this.headers.length; i++) {
      const condition = unchecked(this.headers[i]);
      if (!condition.matches(request.headers.get(condition.name))) return false;
    }
    return true;
  }

  private pathMatches(path: NormalizedPath): bool {
    if (!path.ok) return false;
    for (let i = 0; i < this.paths.length; i++) {
      if (unchecked(this.paths[i]).matches(path.path)) return true;
    }
    return false;
  }

  private hostMatches(authority: string): bool {
    for (let i = 0; i < this.hosts.length; i++) {
      if (unchecked(this.hosts[i]).matches(authority)) return true;
    }
    return false;
  }
}

/**
 * Builds one rule from configuration values. `key` names the rule in errors, e.g.
 * "rules[1]"; each add method names its entry by its position in that field's list, e.g.
 * "rules[1].paths[0]", and returns null when the value is accepted, else the error.
 */
export class RuleBuilder {
  private rule: Rule;
  private pathCount: i32 = 0;
  private hostCount: i32 = 0;
  private methodCount: i32 = 0;
  private headerCount: i32 = 0;

  constructor(readonly key: string) {
    this.rule = new Rule(key);
  }

  addPath(pattern: string): string | null {
    const key = this.key + ".paths[" + (this.pathCount++).toString() + "]";
    const parsed = parsePathPattern(key, pattern);
    return accept<PathPattern>(parsed, this.rule.paths);
  }

  addHost(pattern: string): string | null {
    const key = this.key + ".hosts[" + (this.hostCount++).toString() + "]";
    return accept<HostPattern>(parseHostPattern(key, pattern), this.rule.hosts);
  }

  addMethod(method: string): string | null {
    const key = this.key + ".methods[" + (this.methodCount++).toString() + "]";
    return accept<string>(parseMethod(key, method), this.rule.methods);
  }

  /**
   * Adds a header condition: `value` is an exact value, a prefix ending in "*", or "*" for
   * presence. A second value for the same name is an alternative to the first.
   */
  addHeader(name: string, value: string): string | null {
    const key = this.key + ".headers[" + (this.headerCount++).toString() + "]";
    const parsed = parseHeaderName(key + ".name", name);
    if (parsed.error.length > 0) return parsed.error;
    const error = checkHeaderValue(key + ".value", value);
    if (error.length > 0) return error;

    const condition = this.conditionFor(parsed.value!);
    const prefix = value.endsWith("*");
    condition.values.push(prefix ? value.substring(0, value.length - 1) : value);
    condition.prefixes.push(prefix);
    return null;
  }

  private conditionFor(name: string): HeaderCondition {
    const headers = this.rule.headers;
    for (let i = 0; i < headers.length; i++) {
      if (unchecked(headers[i]).name == name) return unchecked(headers[i]);
    }
    const condition = new HeaderCondition(name);
    headers.push(condition);
    return condition;
  }

  /** The rule, or an error when it gives no field at all: such a rule would match anything. */
  build(): Parsed<Rule> {
    const rule = this.rule;
    const given = rule.paths.length + rule.hosts.length + rule.methods.length;
    if (given + rule.headers.length == 0) {
      const error = this.key + ": a rule needs at least one of paths, hosts, methods, headers";
      return new Parsed<Rule>(null, error);
    }
    return new Parsed<Rule>(rule, "");
  }
}

function accept<T>(parsed: Parsed<T>, into: T[]): string | null {
  if (parsed.error.length > 0) return parsed.error;
  into.push(parsed.value!);
  return null;
}

/** The operator's mode and rules, and the decision they make for each request. */
export class RuleSet {
  constructor(
    readonly mode: Mode,
    readonly rules: Rule[],
  ) {}

  /** Index of the first rule the request matches, or -1; for the debug log. */
  matchingRule(request: RequestFacts): i32 {
    for (let i = 0; i < this.rules.length; i++) {
      if (unchecked(this.rules[i]).matches(request)) return i;
    }
    return -1;
  }

  /** True when the request must carry a valid session (or log in) to pass. */
  requiresLogin(request: RequestFacts): bool {
    if (!request.path.ok) return true;
    const matched = this.matchingRule(request) >= 0;
    return this.mode == Mode.AUTH_IF_MATCHED ? matched : !matched;
  }
}
