import { normalizePath } from "../../assembly/rules/path";
import {
  HostPattern,
  PathKind,
  PathPattern,
  parseHostPattern,
  parsePathPattern,
} from "../../assembly/rules/pattern";
import {
  HeaderLookup,
  Mode,
  RequestFacts,
  Rule,
  RuleBuilder,
  RuleSet,
} from "../../assembly/rules/match";

class MapHeaders extends HeaderLookup {
  readonly map: Map<string, string> = new Map();

  get(name: string): string | null {
    return this.map.has(name) ? this.map.get(name) : null;
  }
}

const NO_HEADERS = new MapHeaders();

// as-pect's toContain is for arrays; errors are checked for a part of their text.
function expectIncludes(text: string | null, part: string): void {
  expect(text !== null && text.includes(part)).toBe(true, text === null ? "null" : text);
}

function facts(raw: string, authority: string = "bookinfo.example.com"): RequestFacts {
  return new RequestFacts(normalizePath(raw), authority, "GET", NO_HEADERS);
}

function pathPattern(value: string): PathPattern {
  return parsePathPattern("p", value).value!;
}

function pathError(value: string): string {
  return parsePathPattern("rules[1].paths[0]", value).error;
}

function hostPattern(value: string): HostPattern {
  return parseHostPattern("h", value).value!;
}

function hostError(value: string): string {
  return parseHostPattern("rules[0].hosts[2]", value).error;
}

// A rule set of one path rule per pattern, as configuration would build it.
function pathRules(mode: Mode, patterns: string[]): RuleSet {
  const rules: Rule[] = [];
  for (let i = 0; i < patterns.length; i++) {
    const builder = new RuleBuilder("rules[" + i.toString() + "]");
    const error = builder.addPath(patterns[i]);
    assert(error === null, patterns[i]);
    rules.push(builder.build().value!);
  }
  return new RuleSet(mode, rules);
}

// Paths that a bypass rule on "/static/*" and "/productpage" must not let through.
const ATTACKS: string[] = [
  "/static/../api/x",
  "/static/%2e%2e/api/x",
  "/static/%2E%2E%2Fapi",
  "/static/..%2Fapi/x",
  "/static/.%2e/api/x",
  "//api/x",
  "/static//../api/x",
  "/STATIC/x",
  "/static/x%00",
  "/static/x\\..\\..\\api",
  "/static/x%5C..%5Capi",
  "/productpage/../api/x",
  "/productpage;/../api/x",
  "/productpage;x",
  "/productpage/",
  "/api%2Fx",
  "/./api/x",
  "/%2e/api",
  "/static/%C0%AE%C0%AE/api",
  "/static/..;/api/x",
  "/static/;/../api/x",
  "/static/%3B/../api/x",
  "/static/%252e%252e/api/x",
  "/static/%",
  "static/x",
  "*",
  "http://bookinfo.example.com/static/x",
  "/static/\uD800",
];

describe("path patterns", () => {
  it("parse exact, prefix, suffix and any", () => {
    expect(pathPattern("/productpage").kind).toBe(PathKind.EXACT);
    expect(pathPattern("/api/*").kind).toBe(PathKind.PREFIX);
    expect(pathPattern("/api/*").text).toBe("/api/");
    expect(pathPattern("/api*").text).toBe("/api");
    expect(pathPattern("*.js").kind).toBe(PathKind.SUFFIX);
    expect(pathPattern("*.js").text).toBe(".js");
    expect(pathPattern("*").kind).toBe(PathKind.ANY);
    expect(pathPattern("/*").text).toBe("/");
    expect(pathPattern("/a/.*").text).toBe("/a/.");
  });

  it("match as Istio does: /api/* covers /api/ and below, not /api or /apix", () => {
    const api = pathPattern("/api/*");
    expect(api.matches("/api/")).toBe(true);
    expect(api.matches("/api/v1/products/1")).toBe(true);
    expect(api.matches("/api")).toBe(false);
    expect(api.matches("/apix")).toBe(false);
    expect(pathPattern("/api*").matches("/apix")).toBe(true);
    expect(pathPattern("/productpage").matches("/productpage")).toBe(true);
    expect(pathPattern("/productpage").matches("/productpage/")).toBe(false);
    expect(pathPattern("*.js").matches("/static/jquery.min.js")).toBe(true);
    expect(pathPattern("*.js").matches("/static/a.jsx")).toBe(false);
    expect(pathPattern("*").matches("/")).toBe(true);
  });

  it("never match the empty path an unsafe result carries", () => {
    expect(pathPattern("*").matches("")).toBe(false);
    expect(pathPattern("/*").matches("")).toBe(false);
  });

  it("refuse a misplaced or repeated star, naming key, value and rule", () => {
    expect(pathError("/a*b")).toBe(
      'rules[1].paths[0]: "/a*b": "*" may only start or end a path pattern',
    );
    expect(pathError("*/api/*")).toBe(
      'rules[1].paths[0]: "*/api/*": a path pattern may hold only one "*"',
    );
    expectIncludes(pathError("**"), "only one");
    expectIncludes(pathError("api/*"), 'must start with "/" or "*"');
    expectIncludes(pathError(""), 'must start with "/" or "*"');
  });

  it("refuse a pattern that is not in normal form, saying what to write", () => {
    expect(pathError("/a/../b")).toBe(
      'rules[1].paths[0]: "/a/../b": it is not in normal form: write "/b"',
    );
    expectIncludes(pathError("/static/%7e/*"), 'write "/static/~/*"');
    expectIncludes(pathError("*%41.js"), 'write "*A.js"');
    expectIncludes(pathError("//api/*"), 'write "/api/*"');
    expectIncludes(pathError("/a%2Fb"), "an unsafe path (encoded slash (%2F))");
    expectIncludes(pathError("/a?x=1"), "no query or fragment");
    expectIncludes(pathError('/a"\n'), '"/a\\"\\u000a"');
  });
});

describe("host patterns", () => {
  it("match exactly, ignoring case and the request's port", () => {
    const host = hostPattern("Bookinfo.Example.com");
    expect(host.matches("bookinfo.example.com")).toBe(true);
    expect(host.matches("BOOKINFO.EXAMPLE.COM:8080")).toBe(true);
    expect(host.matches("bookinfo.example.com.")).toBe(false);
    expect(host.matches("xbookinfo.example.com")).toBe(false);
    expect(host.matches("bookinfo.example.co")).toBe(false);
    expect(host.matches("")).toBe(false);
  });

  it("require the port when the pattern names one", () => {
    const host = hostPattern("example.com:8443");
    expect(host.matches("example.com:8443")).toBe(true);
    expect(host.matches("EXAMPLE.com:8443")).toBe(true);
    expect(host.matches("example.com")).toBe(false);
    expect(host.matches("example.com:443")).toBe(false);
    expect(host.matches("example.com:84430")).toBe(false);
  });

  it("match any subdomain for *.example.com, but not example.com itself", () => {
    const host = hostPattern("*.example.com");
    expect(host.matches("a.example.com")).toBe(true);
    expect(host.matches("A.B.Example.com:80")).toBe(true);
    expect(host.matches("example.com")).toBe(false);
    expect(host.matches(".example.com")).toBe(false);
    expect(host.matches("badexample.com")).toBe(false);
    expect(host.matches("a.example.com.evil.net")).toBe(false);
  });

  it("match IP literals", () => {
    expect(hostPattern("[::1]").matches("[::1]:8080")).toBe(true);
    expect(hostPattern("10.0.0.1").matches("10.0.0.1:80")).toBe(true);
    expect(hostPattern("[::1]:8080").matches("[::1]")).toBe(false);
  });

  it("refuse malformed patterns, naming key, value and rule", () => {
    expect(hostError("*")).toBe('rules[0].hosts[2]: "*": to match any host, leave hosts out');
    expectIncludes(hostError("*example.com"), "DNS name or IP address");
    expectIncludes(hostError("exa*mple.com"), "DNS name");
    expectIncludes(hostError("a..b"), "DNS name");
    expectIncludes(hostError("example.com."), "DNS name");
    expectIncludes(hostError("ex ample.com"), "DNS name");
    expectIncludes(hostError("example.com:0"), "from 1 to 65535");
    expectIncludes(hostError("example.com:99999"), "from 1 to 65535");
    expectIncludes(hostError("example.com:"), "from 1 to 65535");
    expectIncludes(hostError("[::1]x"), "from 1 to 65535");
    expectIncludes(hostError(""), "DNS name");
  });
});

describe("rule builder", () => {
  it("refuses a rule with no field", () => {
    const built = new RuleBuilder("rules[3]").build();
    expect(built.value).toBeNull();
    expect(built.error).toBe(
      "rules[3]: a rule needs at least one of paths, hosts, methods, headers",
    );
  });

  it("numbers each entry by its place in its list", () => {
    const builder = new RuleBuilder("rules[2]");
    expect(builder.addPath("/a")).toBeNull();
    expectIncludes(builder.addPath("/b*c"), "rules[2].paths[1]: ");
    expectIncludes(builder.addHost("*"), "rules[2].hosts[0]: ");
    expect(builder.addMethod("get")).toBe(
      'rules[2].methods[0]: "get": methods are case-sensitive: write GET',
    );
    expectIncludes(builder.addMethod("G T"), "a method is a token");
    expectIncludes(builder.addMethod(""), "a method is a token");
    expectIncludes(builder.addHeader(":authority", "x"), "rules[2].headers[0].name: ");
    expectIncludes(builder.addHeader("x-env", "a*b"), "rules[2].headers[1].value: ");
    expectIncludes(builder.addHeader("x-env", "a\nb"), "visible ASCII");
  });

  it("matches a rule only when every field it gives matches", () => {
    const builder = new RuleBuilder("rules[0]");
    builder.addPath("/api/*");
    builder.addHost("*.example.com");
    builder.addMethod("GET");
    builder.addMethod("POST");
    const rule = builder.build().value!;
    expect(rule.matches(facts("/api/x"))).toBe(true);
    expect(rule.matches(facts("/api/x", "example.org"))).toBe(false);
    expect(rule.matches(facts("/web/x"))).toBe(false);
    const del = new RequestFacts(normalizePath("/api/x"), "a.example.com", "DELETE", NO_HEADERS);
    expect(rule.matches(del)).toBe(false);
    const post = new RequestFacts(normalizePath("/api/x"), "a.example.com", "POST", NO_HEADERS);
    expect(rule.matches(post)).toBe(true);
    const lower = new RequestFacts(normalizePath("/api/x"), "a.example.com", "post", NO_HEADERS);
    expect(rule.matches(lower)).toBe(false);
  });

  it("matches header conditions: exact, prefix, presence; alternatives per name", () => {
    const builder = new RuleBuilder("rules[0]");
    expect(builder.addHeader("X-Env", "staging")).toBeNull();
    expect(builder.addHeader("x-env", "dev-*")).toBeNull();
    expect(builder.addHeader("x-trace", "*")).toBeNull();
    const rule = builder.build().value!;
    const headers = new MapHeaders();
    const request = new RequestFacts(normalizePath("/"), "h", "GET", headers);
    headers.map.set("x-env", "staging");
    expect(rule.matches(request)).toBe(false); // x-trace missing
    headers.map.set("x-trace", "");
    expect(rule.matches(request)).toBe(true);
    headers.map.set("x-env", "dev-42");
    expect(rule.matches(request)).toBe(true);
    headers.map.set("x-env", "Staging");
    expect(rule.matches(request)).toBe(false);
    headers.map.set("x-env", "stagingx");
    expect(rule.matches(request)).toBe(false);
  });
});

describe("auth if matched", () => {
  it("logs in /static/* and /api/*, lets /productpage pass", () => {
    const rules = pathRules(Mode.AUTH_IF_MATCHED, ["/static/*", "/api/*"]);
    expect(rules.requiresLogin(facts("/productpage"))).toBe(false);
    expect(rules.requiresLogin(facts("/api/v1/products/1"))).toBe(true);
    expect(rules.requiresLogin(facts("/static/jquery.min.js"))).toBe(true);
    expect(rules.requiresLogin(facts("/"))).toBe(false);
    expect(rules.matchingRule(facts("/api/v1/products/1"))).toBe(1);
  });

  it("logs in every spelling of a protected path, and every unsafe path", () => {
    const rules = pathRules(Mode.AUTH_IF_MATCHED, ["/api/*"]);
    expect(rules.requiresLogin(facts("/static/../api/x"))).toBe(true);
    expect(rules.requiresLogin(facts("/static/%2e%2e/api/x"))).toBe(true);
    expect(rules.requiresLogin(facts("//api/x"))).toBe(true);
    expect(rules.requiresLogin(facts("/./api/x"))).toBe(true);
    expect(rules.requiresLogin(facts("/%61pi/x"))).toBe(true);
    expect(rules.requiresLogin(facts("/api%2Fx"))).toBe(true);
    expect(rules.requiresLogin(facts("/productpage%00"))).toBe(true);
    expect(rules.requiresLogin(facts("/productpage"))).toBe(false);
  });
});

describe("bypass auth if matched", () => {
  it("lets /productpage and /static/* pass, logs in /api/* and the rest", () => {
    const rules = pathRules(Mode.BYPASS_IF_MATCHED, ["/productpage", "/static/*"]);
    expect(rules.requiresLogin(facts("/productpage"))).toBe(false);
    expect(rules.requiresLogin(facts("/static/jquery.min.js"))).toBe(false);
    expect(rules.requiresLogin(facts("/api/v1/products/1"))).toBe(true);
    expect(rules.requiresLogin(facts("/"))).toBe(true);
    expect(rules.requiresLogin(facts("/productpage?u=normal"))).toBe(false);
    expect(rules.requiresLogin(facts("/static/%6Aquery.min.js"))).toBe(false); // "j"
  });

  it("lets no encoding trick reach a bypass rule with another path", () => {
    const rules = pathRules(Mode.BYPASS_IF_MATCHED, ["/productpage", "/static/*"]);
    for (let i = 0; i < ATTACKS.length; i++) {
      expect(rules.requiresLogin(facts(ATTACKS[i]))).toBe(true, ATTACKS[i]);
    }
    let long = "/static/";
    while (long.length <= 8192) long += "aaaaaaaa";
    expect(rules.requiresLogin(facts(long))).toBe(true);
  });

  it("logs in an unsafe path even when a rule matches any path", () => {
    const rules = pathRules(Mode.BYPASS_IF_MATCHED, ["*"]);
    expect(rules.requiresLogin(facts("/anything"))).toBe(false);
    expect(rules.requiresLogin(facts("/a%2Fb"))).toBe(true);
    const hostOnly = new RuleBuilder("rules[0]");
    hostOnly.addHost("public.example.com");
    const byHost = new RuleSet(Mode.BYPASS_IF_MATCHED, [hostOnly.build().value!]);
    expect(byHost.requiresLogin(facts("/x", "public.example.com"))).toBe(false);
    expect(byHost.requiresLogin(facts("/x%zz", "public.example.com"))).toBe(true);
  });
});
