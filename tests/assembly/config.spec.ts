import { ConfigResult, parseConfig, TokenAuthMethod } from "../../assembly/config/config";
import { Mode } from "../../assembly/rules/match";
import { Environment } from "../../assembly/config/reader";

class FakeEnvironment extends Environment {
  get(name: string): string | null {
    if (name == "CLIENT_SECRET") return "secret-from-env";
    if (name == "COOKIE_SECRET") return "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
    return null;
  }
}
import { SameSite } from "../../assembly/http/cookies";

function parse(json: string): ConfigResult {
  return parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
}

// base64 of 32 bytes 0x01..0x20: a fake test secret.
const SECRET = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

function minimal(extra: string = ""): string {
  return "{\"issuer\":\"https://idp.example.com\",\"client_id\":\"app\"," +
    "\"client_secret\":\"not-a-real-secret\",\"cookie_secret\":\"" + SECRET + "\"," +
    "\"provider\":{\"cluster\":\"outbound|443||idp.example.com\"}" + extra + "}";
}

function hasError(errors: Array<string>, fragment: string): bool {
  for (let i = 0; i < errors.length; i++) if (errors[i].includes(fragment)) return true;
  return false;
}

describe("parseConfig", () => {
  it("accepts a minimal configuration with safe defaults", () => {
    const result = parse(minimal());
    expect(result.errors.length).toBe(0);
    const config = result.config!;
    expect(config.callbackPath).toBe("/oauth2/callback");
    expect(config.callbackUrl).toBeNull();
    expect(config.cookieExpire).toBe(604800);
    expect(config.cookieRefresh).toBe(0);
    expect(config.scopes[0]).toBe("openid");
    expect(config.authority).toBe("idp.example.com");
    expect(config.timeoutMs).toBe(5000);
    expect(config.tokenAuthMethod).toBe(TokenAuthMethod.ClientSecretBasic);
    expect(config.cookieName).toBe("_oidc_session");
    expect(config.cookieSecret.length).toBe(32);
    // No match section: every request must log in.
    expect(config.rules.mode).toBe(Mode.BYPASS_IF_MATCHED);
    expect(config.rules.rules.length).toBe(0);
  });

  it("reads the reference auth-if-matched rules", () => {
    const result = parse(minimal(",\"match\":{\"mode\":\"auth_if_matched\",\"rules\":[" +
      "{\"paths\":[\"/static/*\",\"/api/*\"]}]}"));
    expect(result.errors.length).toBe(0);
    expect(result.config!.rules.mode).toBe(Mode.AUTH_IF_MATCHED);
    expect(result.config!.rules.rules.length).toBe(1);
  });

  it("adds openid to the scopes, first and once", () => {
    const config = parse(minimal(",\"scopes\":[\"email\",\"openid\",\"groups\"]")).config!;
    expect(config.scopes.join(" ")).toBe("openid email groups");
  });

  it("reads durations, a full callback URL and cookie settings", () => {
    const config = parse(minimal(",\"cookie_expire\":\"8h\",\"cookie_refresh\":\"30m\"," +
      "\"callback\":\"https://app.example.com/auth/cb\"," +
      "\"cookie\":{\"name\":\"sso\",\"same_site\":\"Strict\",\"secure\":true,\"domain\":\"example.com\"}"))
      .config!;
    expect(config.cookieExpire).toBe(28800);
    expect(config.cookieRefresh).toBe(1800);
    expect(config.callbackPath).toBe("/auth/cb");
    expect(config.callbackUrl!.toString()).toBe("https://app.example.com/auth/cb");
    expect(config.cookieName).toBe("sso");
    expect(config.cookie.sameSite).toBe(SameSite.Strict);
    expect(config.cookieSecure).toBe(1);
    expect(config.cookie.domain).toBe("example.com");
  });

  it("takes static endpoints together, and client_secret_post", () => {
    const config = parse("{\"issuer\":\"https://idp.example.com\",\"client_id\":\"app\"," +
      "\"client_secret\":\"x\",\"cookie_secret\":\"" + SECRET + "\",\"provider\":{" +
      "\"cluster\":\"idp\",\"token_auth_method\":\"client_secret_post\"," +
      "\"authorization_endpoint\":\"https://idp.example.com/auth\"," +
      "\"token_endpoint\":\"https://idp.example.com/token\"," +
      "\"jwks_uri\":\"https://idp.example.com/jwks\"}}").config!;
    expect(config.endpoints.complete).toBe(true);
    expect(config.tokenAuthMethod).toBe(TokenAuthMethod.ClientSecretPost);
  });

  it("collects every error, naming the key and quoting the value", () => {
    const result = parse("{\"issuer\":\"http://idp.example.com\",\"client_id\":\"\"," +
      "\"cookie_secret\":\"c2hvcnQ=\",\"cookie_expire\":\"7d\",\"colour\":1," +
      "\"provider\":{\"cluster\":\"idp\",\"timeout\":\"5m\"}," +
      "\"match\":{\"mode\":\"sometimes\",\"rules\":[{\"paths\":[\"/a/*/b\"]},{}]}}");
    expect(result.config).toBeNull();
    const errors = result.errors;
    expect(hasError(errors, "issuer: \"http://idp.example.com\": must use https")).toBe(true);
    expect(hasError(errors, "client_id")).toBe(true);
    expect(hasError(errors, "client_secret: \"\": is required")).toBe(true);
    expect(hasError(errors, "cookie_secret: (value hidden)")).toBe(true);
    expect(hasError(errors, "cookie_expire: \"7d\"")).toBe(true);
    expect(hasError(errors, "colour")).toBe(true);
    expect(hasError(errors, "provider.timeout")).toBe(true);
    expect(hasError(errors, "match.mode: \"sometimes\"")).toBe(true);
    expect(hasError(errors, "match.rules[0].paths[0]")).toBe(true);
    expect(hasError(errors, "match.rules[1]")).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(10);
  });

  it("never repeats a secret in an error", () => {
    const result = parse("{\"issuer\":\"https://idp.example.com\",\"client_id\":\"app\"," +
      "\"client_secret\":\"\",\"cookie_secret\":\"topsecretvalue\",\"provider\":{\"cluster\":\"x\"}}");
    for (let i = 0; i < result.errors.length; i++) {
      expect(result.errors[i].includes("topsecretvalue")).toBe(false);
    }
  });

  it("reads secrets from the VM environment when given as {\"env\": NAME}", () => {
    const json = "{\"issuer\":\"https://idp.example.com\",\"client_id\":\"app\"," +
      "\"client_secret\":{\"env\":\"CLIENT_SECRET\"},\"cookie_secret\":{\"env\":\"COOKIE_SECRET\"}," +
      "\"provider\":{\"cluster\":\"idp\"}}";
    const result = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)), new FakeEnvironment());
    expect(result.errors.length).toBe(0);
    expect(result.config!.clientSecret).toBe("secret-from-env");
    expect(result.config!.cookieSecret.length).toBe(32);
  });

  it("names a missing environment variable without a value", () => {
    const json = "{\"issuer\":\"https://idp.example.com\",\"client_id\":\"app\"," +
      "\"client_secret\":{\"env\":\"NOT_SET\"},\"cookie_secret\":\"" + SECRET + "\"," +
      "\"provider\":{\"cluster\":\"idp\"}}";
    const result = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)), new FakeEnvironment());
    expect(result.config).toBeNull();
    expect(hasError(result.errors, "client_secret: \"NOT_SET\": names an environment variable")).toBe(true);
  });

  it("refuses a refresh interval not shorter than the expiry", () => {
    const result = parse(minimal(",\"cookie_expire\":\"1h\",\"cookie_refresh\":\"2h\""));
    expect(hasError(result.errors, "cookie_refresh")).toBe(true);
  });

  it("reports wrong-typed string settings that have defaults, without trapping", () => {
    const result = parse(minimal(",\"callback\":[],\"sign_out_path\":1,\"cookie\":{\"name\":{}," +
      "\"same_site\":true,\"domain\":2},\"upstream\":{\"forward_access_token\":\"yes\"}"));
    expect(result.config).toBeNull();
    expect(hasError(result.errors, "callback: \"an array\": must be a string")).toBe(true);
    expect(hasError(result.errors, "sign_out_path: \"a number\": must be a string")).toBe(true);
    expect(hasError(result.errors, "cookie.name")).toBe(true);
    expect(hasError(result.errors, "cookie.same_site")).toBe(true);
    expect(hasError(result.errors, "cookie.domain")).toBe(true);
    expect(hasError(result.errors, "upstream.forward_access_token")).toBe(true);
  });

  it("refuses what is not a JSON object", () => {
    expect(parse("[]").config).toBeNull();
    expect(parse("").config).toBeNull();
    expect(parse("{\"issuer\":").errors.length).toBe(1);
  });

  it("refuses callbacks and cookie names that could break headers", () => {
    expect(parse(minimal(",\"callback\":\"/a b\"")).config).toBeNull();
    expect(parse(minimal(",\"cookie\":{\"name\":\"a;b\"}")).config).toBeNull();
    expect(parse(minimal(",\"upstream\":{\"claim_headers\":{\"X-User\":\"sub\"}}")).config)
      .toBeNull();
  });
});
