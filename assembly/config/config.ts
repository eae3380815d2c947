// The plugin configuration: the JSON that Envoy's `configuration` and Istio's `pluginConfig`
// carry. Every setting is read and checked here, once, when the plugin starts; a
// configuration with any error is refused as a whole, with every error reported.
import { JsonKind, JsonObject, JsonParser } from "../codec/json";
import { base64Decode, base64UrlDecode } from "../codec/base64";
import { CookieAttributes, SameSite } from "../http/cookies";
import { Url, isLoopbackAuthority, parseUrl } from "../http/url";
import { isSafeLocalTarget } from "../http/redirect";
import { parseDuration } from "./duration";
import { ConfigErrors, EmptyEnvironment, Environment, SettingsReader, kindName } from "./reader";
import { Mode, RuleSet } from "../rules/match";
import { readRuleSet } from "./rules";
import { PathPattern, parsePathPattern } from "../rules/pattern";

export const MIN_COOKIE_SECRET_BYTES = 32;
const MAX_CONFIG_BYTES = 262144;

export enum TokenAuthMethod {
  ClientSecretBasic,
  ClientSecretPost,
}

/** Provider endpoints given in the configuration (all null: use discovery). */
export class StaticEndpoints {
  authorization: Url | null = null;
  token: Url | null = null;
  jwks: Url | null = null;
  endSession: Url | null = null;

  /** Discovery can be skipped when the three endpoints the login needs are given. */
  get complete(): bool {
    return this.authorization !== null && this.token !== null && this.jwks !== null;
  }
}

/** One identity header sent upstream and the ID-token claim it carries. */
export class ClaimHeader {
  /** The header name as UTF-8, encoded once for the per-request host calls. */
  readonly headerBytes: ArrayBuffer;

  constructor(public header: string, public claim: string) {
    this.headerBytes = String.UTF8.encode(header);
  }
}

export class Config {
  issuer: string = "";
  clientId: string = "";
  clientSecret: string = "";
  /** Full callback URL (custom domain), or null: built from the request's host and scheme. */
  callbackUrl: Url | null = null;
  callbackPath: string = "/oauth2/callback";
  signOutPath: string = "/oauth2/sign_out";
  cookieSecret: Uint8Array = new Uint8Array(0);
  /** Secrets of a rotation still accepted for existing cookies (re-issued with the current). */
  previousCookieSecrets: Array<Uint8Array> = new Array<Uint8Array>();
  /** Where the browser lands after sign-out: a path on the request's origin, or a URL. */
  signOutRedirect: string = "/";
  /** Keep the provider's tokens in the session cookie (needed for refresh and logout hints). */
  storeTokens: bool = true;
  /** Paths whose unauthenticated requests always get 401, never a login redirect. */
  apiPaths: Array<PathPattern> = new Array<PathPattern>();
  /** Let CORS preflight requests (OPTIONS with Access-Control-Request-Method) pass. */
  allowPreflight: bool = true;
  /** Accept `Authorization: Bearer <JWT>` signed by the provider for this client. */
  acceptBearerTokens: bool = false;
  /** Session lifetime in seconds; 0: a browser-session cookie and no age limit. */
  cookieExpire: i64 = 168 * 3600;
  /** Refresh the tokens after this many seconds; 0: never. */
  cookieRefresh: i64 = 0;
  scopes: Array<string> = ["openid", "email", "profile"];
  cluster: string = "";
  /** `:authority` of callouts to the provider (the issuer's host unless given). */
  authority: string = "";
  timeoutMs: u32 = 5000;
  endpoints: StaticEndpoints = new StaticEndpoints();
  tokenAuthMethod: TokenAuthMethod = TokenAuthMethod.ClientSecretBasic;
  cookieName: string = "_oidc_session";
  cookie: CookieAttributes = new CookieAttributes();
  /** Secure cookies: 1 always, 0 never, -1 decided per request from its scheme. */
  cookieSecure: i32 = -1;
  claimHeaders: Array<ClaimHeader> = [
    new ClaimHeader("x-auth-request-user", "sub"),
    new ClaimHeader("x-auth-request-email", "email"),
    new ClaimHeader("x-auth-request-preferred-username", "preferred_username"),
    new ClaimHeader("x-auth-request-groups", "groups"),
  ];
  forwardAccessToken: bool = false;
  rules: RuleSet = new RuleSet(Mode.BYPASS_IF_MATCHED, []);

  get flowCookiePrefix(): string {
    return this.cookieName + "_flow_";
  }
}

export class ConfigResult {
  constructor(public config: Config | null, public errors: Array<string>) {}
}

const TOP_LEVEL_KEYS = [
  "issuer", "client_id", "client_secret", "callback", "sign_out_path", "sign_out_redirect",
  "cookie_secret", "cookie_secret_previous", "cookie_expire", "cookie_refresh", "scopes",
  "provider", "cookie", "upstream", "match", "api_paths", "allow_cors_preflight",
  "accept_bearer_tokens",
];

/**
 * Parses and checks the configuration; `config` is null when there is any error. Secrets
 * given as `{"env": "NAME"}` are read from `environment`.
 */
export function parseConfig(
  bytes: Uint8Array, environment: Environment = new EmptyEnvironment(),
): ConfigResult {
  const errors = new ConfigErrors();
  const parser = new JsonParser(MAX_CONFIG_BYTES);
  const root = parser.parseObject(bytes);
  if (root === null) {
    errors.add("configuration", parser.error, "must be a JSON object (at byte " +
      parser.position.toString() + ")");
    return new ConfigResult(null, errors.messages);
  }
  const config = new Config();
  const reader = new SettingsReader(root, "", errors);
  reader.environment = environment;
  reader.refuseUnknown(TOP_LEVEL_KEYS);
  readIdentity(reader, config);
  readCookieSettings(reader, config);
  readProvider(reader, config);
  readUpstream(reader, config);
  readClientHandling(reader, config);
  config.rules = readRuleSet(reader.object_("match"), errors);
  checkTokenNeeds(config, errors);
  return new ConfigResult(errors.count == 0 ? config : null, errors.messages);
}

function readIdentity(reader: SettingsReader, config: Config): void {
  const errors = reader.errors;
  const issuer = reader.string("issuer", null);
  if (issuer !== null) {
    const url = parseUrl(issuer);
    if (url === null || url.pathAndQuery.indexOf("?") >= 0) {
      errors.add("issuer", issuer, "must be an absolute https URL without query or fragment");
    } else if (url.scheme != "https" && !isLoopbackAuthority(url.authority)) {
      errors.add("issuer", issuer, "must use https (plain http only for localhost)");
    } else {
      config.issuer = issuer;
    }
  }
  const clientId = reader.string("client_id", null);
  if (clientId !== null) config.clientId = clientId;
  const secret = reader.secret("client_secret");
  if (secret !== null) config.clientSecret = secret;
  readCallback(reader, config);
  const scopes = reader.strings("scopes");
  if (scopes !== null) config.scopes = withOpenid(scopes, errors);
}

/** `openid` always comes first (OpenID Connect Core §3.1.2.1); scopes are space-free. */
function withOpenid(scopes: Array<string>, errors: ConfigErrors): Array<string> {
  const result = ["openid"];
  for (let i = 0; i < scopes.length; i++) {
    const scope = scopes[i];
    if (scope.length == 0 || scope.indexOf(" ") >= 0 || scope.indexOf("\"") >= 0) {
      errors.add("scopes[" + i.toString() + "]", scope, "must be one scope without spaces");
    } else if (!result.includes(scope)) {
      result.push(scope);
    }
  }
  return result;
}

function readCallback(reader: SettingsReader, config: Config): void {
  const errors = reader.errors;
  const callback = reader.string("callback", "/oauth2/callback")!;
  if (callback.startsWith("/")) {
    if (!isPlainPath(callback)) errors.add("callback", callback, "must be a plain path");
    else config.callbackPath = callback;
  } else {
    const url = parseUrl(callback);
    if (url === null || url.pathAndQuery.indexOf("?") >= 0) {
      errors.add("callback", callback, "must be a path like /oauth2/callback or a full URL");
    } else {
      config.callbackUrl = url;
      config.callbackPath = url.path;
    }
  }
  const signOut = reader.string("sign_out_path", "/oauth2/sign_out")!;
  if (!isPlainPath(signOut)) errors.add("sign_out_path", signOut, "must be a plain path");
  else config.signOutPath = signOut;
}

/** A path of letters, digits and - . _ ~ / only, starting with '/'. */
function isPlainPath(path: string): bool {
  if (!path.startsWith("/") || path.length > 256) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
      c == 45 || c == 46 || c == 95 || c == 126 || c == 47;
    if (!ok) return false;
  }
  return path.indexOf("//") < 0 && path.indexOf("/./") < 0 && path.indexOf("/../") < 0;
}

function readDuration(reader: SettingsReader, name: string, fallback: i64): i64 {
  const value = reader.object.get(name);
  if (value === null) return fallback;
  let seconds: i64 = -1;
  let shown = kindName(value);
  if (value.kind == JsonKind.String) {
    shown = value.asString()!;
    seconds = parseDuration(shown);
  } else if (value.kind == JsonKind.Number) {
    seconds = value.asNumber()!.toInteger();
    shown = seconds.toString();
  }
  if (seconds < 0 || seconds > 400 * 24 * 3600) {
    reader.errors.add(reader.key(name), shown,
      "must be a duration like 168h, 30m or 90s, or seconds, at most 400 days");
    return fallback;
  }
  return seconds;
}

/** A cookie secret: base64 in either alphabet (as `openssl rand -base64 32` or URL-safe). */
function decodeSecret(text: string, key: string, errors: ConfigErrors): Uint8Array | null {
  let secret = base64Decode(text);
  if (secret === null) secret = base64UrlDecode(text);
  if (secret === null || secret.length < MIN_COOKIE_SECRET_BYTES) {
    errors.addHidden(key,
      "must be base64 of at least " + MIN_COOKIE_SECRET_BYTES.toString() + " random bytes");
    return null;
  }
  return secret;
}

function readCookieSecret(reader: SettingsReader, config: Config): void {
  const text = reader.secret("cookie_secret");
  if (text !== null) {
    const secret = decodeSecret(text, "cookie_secret", reader.errors);
    if (secret !== null) config.cookieSecret = secret;
  }
  const previous = reader.strings("cookie_secret_previous");
  if (previous === null) return;
  for (let i = 0; i < previous.length; i++) {
    const key = "cookie_secret_previous[" + i.toString() + "]";
    const secret = decodeSecret(previous[i], key, reader.errors);
    if (secret !== null) config.previousCookieSecrets.push(secret);
  }
}

function readCookieSettings(reader: SettingsReader, config: Config): void {
  readCookieSecret(reader, config);
  config.cookieExpire = readDuration(reader, "cookie_expire", config.cookieExpire);
  config.cookieRefresh = readDuration(reader, "cookie_refresh", config.cookieRefresh);
  if (config.cookieRefresh > 0 && config.cookieExpire > 0 &&
      config.cookieRefresh >= config.cookieExpire) {
    reader.errors.add("cookie_refresh", config.cookieRefresh.toString() + "s",
      "must be shorter than cookie_expire");
  }
  const cookie = reader.object_("cookie");
  if (cookie === null) return;
  const sub = new SettingsReader(cookie, "cookie.", reader.errors);
  sub.refuseUnknown(["name", "domain", "secure", "same_site", "store_tokens"]);
  config.storeTokens = sub.bool("store_tokens", true);
  const name = sub.string("name", config.cookieName)!;
  if (!isCookieName(name)) sub.errors.add("cookie.name", name, "must be letters, digits, _ or -");
  else config.cookieName = name;
  config.cookie.domain = sub.string("domain", "")!;
  if (cookie.has("secure")) config.cookieSecure = sub.bool("secure", true) ? 1 : 0;
  const sameSite = sub.string("same_site", "Lax")!;
  if (sameSite == "Lax") config.cookie.sameSite = SameSite.Lax;
  else if (sameSite == "Strict") config.cookie.sameSite = SameSite.Strict;
  else if (sameSite == "None") config.cookie.sameSite = SameSite.None;
  else sub.errors.add("cookie.same_site", sameSite, "must be Lax, Strict or None");
}

function isCookieName(name: string): bool {
  if (name.length == 0 || name.length > 64) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
      c == 45 || c == 95;
    if (!ok) return false;
  }
  return true;
}

const ENDPOINT_KEYS = [
  "authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint",
];

function readProvider(reader: SettingsReader, config: Config): void {
  const provider = reader.object_("provider");
  if (provider === null) {
    if (!reader.object.has("provider")) reader.errors.add("provider", "", "is required");
    return;
  }
  const sub = new SettingsReader(provider, "provider.", reader.errors);
  sub.refuseUnknown(["cluster", "authority", "timeout", "token_auth_method"].concat(ENDPOINT_KEYS));
  const cluster = sub.string("cluster", null);
  if (cluster !== null) config.cluster = cluster;
  const issuerUrl = parseUrl(config.issuer);
  const defaultAuthority = issuerUrl === null ? "" : issuerUrl.authority;
  config.authority = sub.string("authority", defaultAuthority)!;
  const timeout = readDuration(sub, "timeout", 5);
  if (timeout < 1 || timeout > 60) {
    sub.errors.add("provider.timeout", timeout.toString() + "s", "must be 1s to 60s");
  } else {
    config.timeoutMs = <u32>(timeout * 1000);
  }
  const method = sub.string("token_auth_method", "client_secret_basic")!;
  if (method == "client_secret_post") config.tokenAuthMethod = TokenAuthMethod.ClientSecretPost;
  else if (method != "client_secret_basic") {
    sub.errors.add("provider.token_auth_method", method,
      "must be client_secret_basic or client_secret_post");
  }
  readStaticEndpoints(sub, config);
}

function readStaticEndpoints(sub: SettingsReader, config: Config): void {
  const endpoints = config.endpoints;
  for (let i = 0; i < ENDPOINT_KEYS.length; i++) {
    const name = ENDPOINT_KEYS[i];
    const text = sub.string(name, "")!;
    if (text.length == 0) continue;
    const url = parseUrl(text);
    if (url === null) {
      sub.errors.add(sub.key(name), text, "must be an absolute http(s) URL");
      continue;
    }
    if (i == 0) endpoints.authorization = url;
    else if (i == 1) endpoints.token = url;
    else if (i == 2) endpoints.jwks = url;
    else endpoints.endSession = url;
  }
  const given = (endpoints.authorization !== null ? 1 : 0) + (endpoints.token !== null ? 1 : 0) +
    (endpoints.jwks !== null ? 1 : 0);
  if (given > 0 && given < 3) {
    sub.errors.add("provider", given.toString() + " of 3",
      "authorization_endpoint, token_endpoint and jwks_uri go together (or none: discovery)");
  }
}

function readUpstream(reader: SettingsReader, config: Config): void {
  const upstream = reader.object_("upstream");
  if (upstream === null) return;
  const sub = new SettingsReader(upstream, "upstream.", reader.errors);
  sub.refuseUnknown(["claim_headers", "forward_access_token"]);
  config.forwardAccessToken = sub.bool("forward_access_token", false);
  const headers = sub.object_("claim_headers");
  if (headers === null) return;
  const list = new Array<ClaimHeader>();
  for (let i = 0; i < headers.keys.length; i++) {
    const header = headers.keys[i];
    const claim = headers.getString(header);
    const key = "upstream.claim_headers." + header;
    if (claim === null || claim.length == 0) sub.errors.add(key, "", "must name a claim");
    else if (!isHeaderName(header)) sub.errors.add(key, header, "must be a lowercase header name");
    else list.push(new ClaimHeader(header, claim));
  }
  config.claimHeaders = list;
}

function readClientHandling(reader: SettingsReader, config: Config): void {
  config.allowPreflight = reader.bool("allow_cors_preflight", true);
  config.acceptBearerTokens = reader.bool("accept_bearer_tokens", false);
  const redirect = reader.string("sign_out_redirect", "/")!;
  if (redirect.startsWith("/") ? !isSafeLocalTarget(redirect) : parseUrl(redirect) === null) {
    reader.errors.add("sign_out_redirect", redirect, "must be a local path or an absolute URL");
  } else {
    config.signOutRedirect = redirect;
  }
  const paths = reader.strings("api_paths");
  if (paths === null) return;
  for (let i = 0; i < paths.length; i++) {
    const parsed = parsePathPattern("api_paths[" + i.toString() + "]", paths[i]);
    if (parsed.error.length > 0) reader.errors.messages.push(parsed.error);
    else config.apiPaths.push(parsed.value!);
  }
}

/** Settings that need the provider's tokens cannot go with a cookie that does not keep them. */
function checkTokenNeeds(config: Config, errors: ConfigErrors): void {
  if (config.storeTokens) return;
  if (config.cookieRefresh > 0) {
    errors.add("cookie.store_tokens", "false", "cookie_refresh needs the refresh token kept");
  }
  if (config.forwardAccessToken) {
    errors.add("cookie.store_tokens", "false",
      "upstream.forward_access_token needs the access token kept");
  }
}

function isHeaderName(name: string): bool {
  if (name.length == 0 || name.length > 128) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 95;
    if (!ok) return false;
  }
  return true;
}
