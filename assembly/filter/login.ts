// Sending a user to the provider to log in (OpenID Connect Core §3.1.2.1): a fresh state,
// nonce and PKCE verifier are sealed into a cookie of this flow only, and the browser is
// redirected to the authorization endpoint with the state, nonce and S256 challenge.
import { HeaderPair } from "../abi/headers";
import { fillRandom, log } from "../abi/host";
import { LogLevel } from "../abi/types";
import { base64UrlEncode } from "../codec/base64";
import { percentEncode } from "../codec/percent";
import { CookieAttributes, buildSetCookie } from "../http/cookies";
import { safeLocalTarget } from "../http/redirect";
import { Config } from "../config/config";
import { ProviderMetadata } from "../oidc/discovery";
import { codeChallenge, codeVerifierFrom } from "../oidc/pkce";
import { FlowState, flowCookieName } from "../session/flow";
import { CookieKeys, sealValue } from "../session/sealed";
import { RequestView } from "./request";
import { sendError, sendRedirect } from "./reply";

/** How long a login may take between the redirect and the callback. */
export const FLOW_LIFETIME_SECONDS: i64 = 600;

/** The redirect_uri: the configured URL, or this request's origin and the callback path. */
export function callbackUri(config: Config, request: RequestView): string {
  const fixed = config.callbackUrl;
  return fixed !== null ? fixed.toString() : request.origin + config.callbackPath;
}

/** Cookie attributes for this request: Secure unless the callback address is plain http. */
export function cookieAttributes(config: Config, request: RequestView): CookieAttributes {
  const attributes = new CookieAttributes();
  attributes.domain = config.cookie.domain;
  attributes.sameSite = config.cookie.sameSite;
  if (config.cookieSecure >= 0) {
    attributes.secure = config.cookieSecure == 1;
  } else {
    const fixed = config.callbackUrl;
    attributes.secure = (fixed !== null ? fixed.scheme : request.scheme) == "https";
  }
  return attributes;
}

/** A new flow from 64 fresh random bytes: state, nonce and PKCE verifier. */
function newFlow(request: RequestView, now: i64, random: Uint8Array): FlowState {
  const flow = new FlowState();
  flow.state = base64UrlEncode(random.subarray(0, 16));
  flow.nonce = base64UrlEncode(random.subarray(16, 32));
  flow.codeVerifier = codeVerifierFrom(random.subarray(32, 64));
  flow.target = safeLocalTarget(request.rawPath);
  flow.createdAt = now;
  return flow;
}

function authorizationUrl(
  config: Config, metadata: ProviderMetadata, flow: FlowState, redirectUri: string,
): string {
  const base = metadata.authorization.toString();
  return base + (base.indexOf("?") >= 0 ? "&" : "?") +
    "response_type=code&client_id=" + percentEncode(config.clientId) +
    "&redirect_uri=" + percentEncode(redirectUri) +
    "&scope=" + percentEncode(config.scopes.join(" ")) +
    "&state=" + percentEncode(flow.state) +
    "&nonce=" + percentEncode(flow.nonce) +
    "&code_challenge=" + codeChallenge(flow.codeVerifier) +
    "&code_challenge_method=S256";
}

/** Answers with the redirect to the provider. False when it could not (randomness failed). */
export function redirectToLogin(
  config: Config, keys: CookieKeys, metadata: ProviderMetadata, request: RequestView, now: i64,
  extraCookies: Array<string> = [],
): bool {
  const random = new Uint8Array(64 + 12);
  if (!fillRandom(random)) {
    log(LogLevel.Critical, "host randomness failed: login refused");
    sendError(503, "unavailable", "Login is unavailable right now.", request.browser, []);
    return false;
  }
  const flow = newFlow(request, now, random);
  const name = flowCookieName(config.flowCookiePrefix, flow.state);
  const value = sealValue(keys, name, flow.encode(), random.subarray(64, 76));
  if (value === null) {
    sendError(500, "internal", "Login could not start.", request.browser, []);
    return false;
  }
  const cookie = buildSetCookie(name, value, cookieAttributes(config, request), FLOW_LIFETIME_SECONDS);
  const location = authorizationUrl(config, metadata, flow, callbackUri(config, request));
  const cookies = extraCookies.slice(0);
  cookies.push(cookie);
  sendRedirect(location, cookies, "oidc_sso_login");
  return true;
}

/** An API client cannot follow a login page: 401 with a challenge (RFC 6750 §3). */
export function refuseApiClient(request: RequestView, cookies: Array<string> = []): void {
  const challenge = [new HeaderPair("www-authenticate", "Bearer realm=\"oidc-sso\"")];
  sendError(401, "login_required", "Authentication required.", false, challenge, cookies);
}
