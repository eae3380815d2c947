// The callback (OpenID Connect Core §3.1.2.5 to §3.1.3.7): the provider sends the browser
// back with a code and the state. The state must belong to a login flow of this browser;
// the code is exchanged at the token endpoint by a callout; the ID token is verified; then
// the session cookie is set, the flow cookie cleared, and the browser sent to its page.
import { log, logEnabled } from "../abi/host";
import { LogLevel } from "../abi/types";
import { parseQuery, queryCount, queryGet, QueryParam } from "../codec/percent";
import { JsonObject } from "../codec/json";
import { buildClearCookie } from "../http/cookies";
import { Config, TokenAuthMethod } from "../config/config";
import { ClientAuth, TokenResponse } from "../oidc/token";
import { constantTimeEqualText } from "../crypto/ct";
import { FlowState, flowCookieName } from "../session/flow";
import { CookieKeys, MAX_VALUE_LENGTH, sealValue, unsealWithAny } from "../session/sealed";
import { writeSession } from "./session-cookie";
import { Claim, Session } from "../session/session";
import { RequestView } from "./request";
import { FLOW_LIFETIME_SECONDS, cookieAttributes } from "./login";
import { sendError, sendRedirect } from "./reply";

/** Where a callback stands once its request has been read. */
export class CallbackStart {
  constructor(public flow: FlowState | null, public code: string) {}
}

/** Provider error codes are short ASCII words (RFC 6749 §4.1.2.1); anything else is hidden. */
function safeErrorCode(code: string): string {
  if (code.length > 64) return "invalid";
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95)) return "invalid";
  }
  return code;
}

function single(params: Array<QueryParam>, name: string): string | null {
  return queryCount(params, name) == 1 ? queryGet(params, name) : null;
}

/** The flow of `state`, from its cookie; null when missing, forged, or too old. */
function findFlow(
  config: Config, keyring: Array<CookieKeys>, request: RequestView, state: string, now: i64,
): FlowState | null {
  const name = flowCookieName(config.flowCookiePrefix, state);
  for (let i = 0; i < request.cookies.length; i++) {
    const cookie = request.cookies[i];
    if (!cookie.nameIs(name)) continue;
    const unsealed = unsealWithAny(keyring, name, cookie.value);
    const flow = unsealed !== null ? FlowState.decode(unsealed.record) : null;
    if (flow === null || !constantTimeEqualText(flow.state, state)) continue;
    // createdAt <= 0 is never written, and would let `now - createdAt` overflow.
    if (flow.createdAt <= 0 || flow.createdAt > now + 60) continue;
    if (now - flow.createdAt > FLOW_LIFETIME_SECONDS) continue;
    return flow;
  }
  return null;
}

/**
 * Reads the callback request. Answers it directly (error page) and returns null when it
 * cannot go on; otherwise returns the flow and the code to exchange.
 */
export function readCallback(
  config: Config, keyring: Array<CookieKeys>, request: RequestView, now: i64,
): CallbackStart | null {
  const params = parseQuery(request.query);
  if (params === null) return refuse(request, 400, "invalid_callback", "callback query malformed");
  const error = single(params, "error");
  if (error !== null) {
    const code = safeErrorCode(error);
    log(LogLevel.Warn, "login refused by the provider: " + code);
    sendError(403, "provider_error", "The identity provider refused the login (" + code + ").",
      request.browser, []);
    return null;
  }
  const state = single(params, "state");
  const code = single(params, "code");
  if (state === null || code === null || state.length == 0 || code.length == 0) {
    return refuse(request, 400, "invalid_callback", "callback without one state and one code");
  }
  const flow = findFlow(config, keyring, request, state, now);
  if (flow === null) {
    return refuse(request, 400, "login_expired", "callback state matches no login flow");
  }
  return new CallbackStart(flow, code);
}

function refuse(request: RequestView, status: u32, code: string, cause: string): CallbackStart | null {
  log(LogLevel.Warn, "callback refused: " + cause);
  const message = code == "login_expired"
    ? "This login link has expired or was already used. Please start again."
    : "The login could not be completed.";
  sendError(status, code, message, request.browser, []);
  return null;
}

export function tokenAuth(config: Config): ClientAuth {
  return config.tokenAuthMethod == TokenAuthMethod.ClientSecretPost
    ? ClientAuth.Post
    : ClientAuth.Basic;
}

/** Flattens a claim for a header: strings as they are, lists joined with ",". */
function claimText(claims: JsonObject, name: string): string | null {
  const text = claims.getString(name);
  if (text !== null) return text;
  const list = claims.getArray(name);
  if (list !== null) {
    const strings = list.strings();
    return strings !== null ? strings.join(",") : null;
  }
  const number = claims.getInteger(name);
  if (claims.has(name) && number != i64.MIN_VALUE) return number.toString();
  return null;
}

/** A session holding the identity of verified ID-token claims: subject and kept claims. */
export function sessionClaims(config: Config, claims: JsonObject, now: i64): Session {
  const session = new Session();
  session.issuedAt = now;
  const subject = claims.getString("sub");
  session.subject = subject !== null ? subject : "";
  for (let i = 0; i < config.claimHeaders.length; i++) {
    const name = config.claimHeaders[i].claim;
    if (name == "sub" || session.claim(name) !== null) continue;
    const value = claimText(claims, name);
    if (value !== null) session.claims.push(new Claim(name, value));
  }
  return session;
}

/** The session for verified ID-token claims and the tokens of the response. */
export function newSession(
  config: Config, claims: JsonObject, tokens: TokenResponse, now: i64,
): Session {
  const session = sessionClaims(config, claims, now);
  if (!config.storeTokens) return session;
  session.accessToken = tokens.accessToken;
  session.idToken = tokens.idToken;
  session.refreshToken = tokens.refreshToken;
  session.accessTokenExpiresAt = tokens.expiresIn > 0 ? now + tokens.expiresIn : 0;
  return session;
}

/** Ends a successful login: session cookie set, flow cookie cleared, back to the page. */
export function finishLogin(
  config: Config, keys: CookieKeys, request: RequestView, flow: FlowState, session: Session,
  nonce: Uint8Array,
): bool {
  const value = sealValue(keys, config.cookieName, session.encode(), nonce);
  if (value === null) return false;
  if (value.length > MAX_VALUE_LENGTH) {
    log(LogLevel.Error, "session too large for cookies (" + value.length.toString() +
      " bytes): set cookie.store_tokens to false");
    return false;
  }
  const attributes = cookieAttributes(config, request);
  const cookies = writeSession(config, request, attributes, value);
  cookies.push(buildClearCookie(flowCookieName(config.flowCookiePrefix, flow.state), attributes));
  if (logEnabled(LogLevel.Info)) {
    log(LogLevel.Info, "login complete: session issued, back to the page first asked for");
  }
  sendRedirect(flow.target, cookies, "oidc_sso_callback");
  return true;
}
