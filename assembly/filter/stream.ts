// One HTTP request through the filter. The entry point reads as the plan of its cases, in
// order, each answering early:
//   1. the callback of a login flow;
//   2. sign-out;
//   3. a CORS preflight (when allowed), and requests the rules let pass without login;
//   4. a request with a valid session (refreshed first when due);
//   5. an API request with a valid bearer token (when enabled);
//   6. a protected request while the provider is not known yet: 503, fail closed;
//   7. everything else must log in: a browser is redirected, an API client gets 401.
import { StreamContext } from "../abi/context";
import { addHeader, continueStream, getHeaderMap, log, logEnabled, fillRandom } from "../abi/host";
import { Action, LogLevel, MapType, StreamType, WasmResult } from "../abi/types";
import { HeaderMapView, HeaderPair } from "../abi/headers";
import { JsonObject } from "../codec/json";
import { RequestFacts } from "../rules/match";
import { codeExchangeRequest, parseTokenResponse, TokenResponse } from "../oidc/token";
import { IdTokenError, IdTokenExpectations, idTokenErrorText, verifyIdToken } from "../oidc/jwt";
import { FlowState } from "../session/flow";
import { Session } from "../session/session";
import { sealValue } from "../session/sealed";
import { SsoRoot } from "./plugin";
import { RequestView } from "./request";
import { prepareUpstreamRequest } from "./upstream";
import { SessionLookup, SessionVerdict } from "./sessions";
import { callbackUri, cookieAttributes, redirectToLogin, refuseApiClient } from "./login";
import { finishLogin, newSession, readCallback, sessionClaims, tokenAuth } from "./callback";
import { readCalloutAnswer } from "./callout";
import { sendError } from "./reply";
import { RETRY_AFTER_SECONDS } from "./provider";
import { RefreshOutcome } from "./refresh";
import { clearSessionCookies, writeSession } from "./session-cookie";
import { signOut } from "./signout";
import { bearerToken, verifyBearer } from "./bearer";

/** No Set-Cookie for the response (shared: replaced, never modified). */
const NO_COOKIES = new Array<string>(0);
/** The request of a stream whose headers have not arrived yet (shared: never modified). */
const NO_REQUEST = new RequestView(new HeaderMapView(new ArrayBuffer(0)));

enum Waiting {
  Nothing,
  TokenResponse,
  Keys,
  Refresh,
}

export class SsoStream extends StreamContext {
  private request: RequestView = NO_REQUEST;
  private waiting: Waiting = Waiting.Nothing;
  private flow: FlowState | null = null;
  private tokens: TokenResponse | null = null;
  /** Set-Cookie values for the response (a refreshed or re-issued session). */
  private responseCookies: Array<string> = NO_COOKIES;

  constructor(id: u32, private plugin: SsoRoot) {
    super(id, plugin);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const plugin = this.plugin;
    const config = plugin.config;
    const request = new RequestView(getHeaderMap(MapType.HttpRequestHeaders));
    this.request = request;
    const now = plugin.now();

    if (request.pathOnly == config.callbackPath) return this.handleCallback(now);
    if (request.pathOnly == config.signOutPath) return this.handleSignOut(now);
    if (this.isAllowedPreflight()) return this.pass("CORS preflight passes", null);

    const facts = new RequestFacts(
      request.normalizedPath(), request.authority, request.method, request,
    );
    if (!config.rules.requiresLogin(facts)) {
      plugin.metrics.bypassed.count();
      return this.pass("public path: passes without login", null);
    }

    const lookup = plugin.sessions.find(request, now);
    if (lookup.verdict == SessionVerdict.Valid) return this.withSession(lookup, now);
    if (lookup.verdict == SessionVerdict.Rejected) {
      plugin.metrics.sessionsRejected.increment();
      log(LogLevel.Warn, "session rejected: " + lookup.reason);
    }
    const bearer = bearerToken(request);
    if (config.acceptBearerTokens && bearer !== null) return this.withBearer(bearer, now);
    return this.requireLogin(facts);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    for (let i = 0; i < this.responseCookies.length; i++) {
      addHeader(MapType.HttpResponseHeaders, "set-cookie", this.responseCookies[i]);
    }
    return Action.Continue;
  }

  private pass(reason: string, session: Session | null): Action {
    this.debug(reason);
    prepareUpstreamRequest(this.plugin.config, this.request, session);
    return Action.Continue;
  }

  private isAllowedPreflight(): bool {
    const request = this.request;
    if (!this.plugin.config.allowPreflight || request.method != "OPTIONS") return false;
    if (!request.has("access-control-request-method")) return false;
    this.plugin.metrics.preflightPassed.increment();
    return true;
  }

  // ---- 4. Sessions ----

  private withSession(lookup: SessionLookup, now: i64): Action {
    const plugin = this.plugin;
    const opened = lookup.opened!;
    const session = opened.session;
    // While the provider is not known yet (the first seconds after a start), a session due
    // for refresh but still within cookie_expire passes as it is and is refreshed later.
    if (plugin.refresher.isDue(session, now) && plugin.provider.ready) {
      return this.refresh(lookup.value, session, now);
    }
    plugin.metrics.sessionsAccepted.count();
    if (opened.oldSecret) this.reissue(session);
    return this.pass("valid session: passes", session);
  }

  /** A session sealed with a previous secret is sealed again with the current one. */
  private reissue(session: Session): void {
    const plugin = this.plugin;
    const nonce = new Uint8Array(12);
    if (!fillRandom(nonce)) return;
    const value = sealValue(plugin.keys, plugin.config.cookieName, session.encode(), nonce);
    if (value === null) return;
    const attributes = cookieAttributes(plugin.config, this.request);
    this.responseCookies = writeSession(plugin.config, this.request, attributes, value);
    this.debug("session sealed with a previous secret: issued again");
  }

  private refresh(oldValue: string, session: Session, now: i64): Action {
    const refresher = this.plugin.refresher;
    const recent = refresher.recentOutcome(oldValue, now);
    if (recent !== null) {
      this.applyRefresh(recent);
      return recent.ok ? Action.Continue : Action.Pause;
    }
    if (!refresher.join(this.id, oldValue, session)) {
      log(LogLevel.Error, "refresh not started: the provider is not reachable through " +
        this.plugin.config.cluster);
      this.applyRefresh(new RefreshOutcome(false, null, "", now));
      return Action.Pause;
    }
    this.waiting = Waiting.Refresh;
    this.debug("session due for refresh: waiting for the token endpoint");
    return Action.Pause;
  }

  /** Called by the root when the refresh this stream waited for has ended. */
  onRefreshDone(outcome: RefreshOutcome): void {
    if (this.waiting != Waiting.Refresh) return;
    this.waiting = Waiting.Nothing;
    if (this.applyRefresh(outcome)) continueStream(StreamType.HttpRequest);
  }

  /** Goes on with a refreshed session, or ends the old one. True when the request may go on. */
  private applyRefresh(outcome: RefreshOutcome): bool {
    const plugin = this.plugin;
    const config = plugin.config;
    const attributes = cookieAttributes(config, this.request);
    if (outcome.ok) {
      this.responseCookies = writeSession(config, this.request, attributes, outcome.value);
      plugin.metrics.sessionsAccepted.count();
      this.pass("session refreshed: passes", outcome.session);
      return true;
    }
    log(LogLevel.Warn, "refresh failed: session ended, login required");
    const clears = clearSessionCookies(config, this.request, attributes);
    this.loginOrRefuse(clears);
    return false;
  }

  // ---- 5. Bearer tokens ----

  private withBearer(token: string, now: i64): Action {
    const plugin = this.plugin;
    const keys = plugin.provider.keys;
    if (keys === null) return this.providerUnavailable();
    const verdict = verifyBearer(plugin.config, keys, token, now);
    if (!verdict.ok) {
      plugin.metrics.bearerRejected.increment();
      log(LogLevel.Warn, "bearer token refused: " + idTokenErrorText(verdict.error));
      const challenge = [new HeaderPair("www-authenticate",
        "Bearer realm=\"oidc-sso\", error=\"invalid_token\"")];
      sendError(401, "invalid_token", "The bearer token is not valid.", false, challenge);
      return Action.Pause;
    }
    plugin.metrics.bearerAccepted.increment();
    return this.pass("valid bearer token: passes", sessionClaims(plugin.config, verdict.claims!, now));
  }

  // ---- 6 and 7. Login ----

  private requireLogin(facts: RequestFacts): Action {
    if (!facts.path.ok) this.debug("unsafe path, login required: " + facts.path.reason);
    this.loginOrRefuse([], facts);
    return Action.Pause;
  }

  /** Redirects a browser to log in, or answers an API client 401; with `cookies` to set. */
  private loginOrRefuse(cookies: Array<string>, facts: RequestFacts | null = null): void {
    const plugin = this.plugin;
    if (!plugin.provider.ready) {
      this.providerUnavailable();
      return;
    }
    if (!this.request.browser || (facts !== null && plugin.isApiPath(facts))) {
      plugin.metrics.loginDenied.increment();
      this.debug("login required: API client gets 401");
      refuseApiClient(this.request, cookies);
      return;
    }
    plugin.metrics.loginRedirects.increment();
    this.debug("login required: redirect to the provider");
    redirectToLogin(plugin.config, plugin.keys, plugin.provider.metadata!, this.request,
      plugin.now(), cookies);
  }

  private providerUnavailable(): Action {
    this.plugin.metrics.providerUnavailable.increment();
    log(LogLevel.Warn, "protected request refused: provider not ready (discovery or keys)");
    const retry = [new HeaderPair("retry-after", RETRY_AFTER_SECONDS.toString())];
    sendError(503, "provider_unavailable", "Login is temporarily unavailable.",
      this.request.browser, retry);
    return Action.Pause;
  }

  // ---- 2. Sign-out ----

  private handleSignOut(now: i64): Action {
    const plugin = this.plugin;
    // A page of another site could sign users out by embedding this URL (logout CSRF);
    // browsers say where a request comes from in Sec-Fetch-Site.
    if (this.request.get("sec-fetch-site") == "cross-site") {
      log(LogLevel.Warn, "sign-out refused: request from another site");
      sendError(403, "cross_site_sign_out", "Sign-out must start from this site.",
        this.request.browser, []);
      return Action.Pause;
    }
    plugin.metrics.signOuts.increment();
    const lookup = plugin.sessions.find(this.request, now);
    this.debug("sign-out: session cookies cleared");
    signOut(plugin.config, plugin.provider.metadata, this.request, lookup.session);
    return Action.Pause;
  }

  // ---- 1. The callback ----

  private handleCallback(now: i64): Action {
    const plugin = this.plugin;
    const start = readCallback(plugin.config, plugin.keyring, this.request, now);
    if (start === null) {
      plugin.metrics.callbacksFailed.increment();
      return Action.Pause;
    }
    if (!plugin.provider.ready) return this.providerUnavailable();
    this.flow = start.flow;
    const config = plugin.config;
    const exchange = codeExchangeRequest(
      plugin.provider.metadata!.token, config.authority, start.code,
      callbackUri(config, this.request), start.flow!.codeVerifier, tokenAuth(config),
      config.clientId, config.clientSecret,
    );
    const callout = plugin.startCallout(
      this.id, config.cluster, exchange.headers, String.UTF8.encode(exchange.body),
      config.timeoutMs,
    );
    if (callout.result != WasmResult.Ok) {
      log(LogLevel.Error, "token callout not started: cluster " + config.cluster + " refused it");
      return this.loginFailed(502, "provider_error");
    }
    this.waiting = Waiting.TokenResponse;
    this.debug("callback: exchanging the code at the token endpoint");
    return Action.Pause;
  }

  onCalloutResponse(token: u32, numHeaders: u32, bodySize: u32): void {
    if (this.waiting != Waiting.TokenResponse) return;
    this.waiting = Waiting.Nothing;
    const answer = readCalloutAnswer(numHeaders, bodySize);
    if (answer.status == 0) {
      log(LogLevel.Error, "token endpoint unreachable (callout failed or timed out)");
      this.loginFailed(502, "provider_error");
      return;
    }
    const result = parseTokenResponse(answer.status, answer.body, true);
    if (result.response === null) {
      log(LogLevel.Error, "token response refused: " + result.error);
      this.loginFailed(502, "provider_error");
      return;
    }
    this.tokens = result.response;
    this.verifyAndFinish(true);
  }

  /** Called when fresh keys arrived (or their fetch ended) while this stream waited. */
  onKeysRefreshed(): void {
    if (this.waiting != Waiting.Keys) return;
    this.waiting = Waiting.Nothing;
    this.verifyAndFinish(false);
  }

  private verifyAndFinish(mayRefreshKeys: bool): void {
    const plugin = this.plugin;
    const now = plugin.now();
    const expect = new IdTokenExpectations();
    expect.issuer = plugin.config.issuer;
    expect.clientId = plugin.config.clientId;
    expect.nonce = this.flow!.nonce;
    expect.now = now;
    const verdict = verifyIdToken(this.tokens!.idToken, plugin.provider.keys!, expect);
    if (verdict.error == IdTokenError.UnknownKey && mayRefreshKeys &&
        plugin.provider.refreshKeysEarly(now, this.id)) {
      this.waiting = Waiting.Keys;
      this.debug("ID token names an unknown key: fetching the provider's keys again");
      return;
    }
    if (!verdict.ok) {
      log(LogLevel.Warn, "ID token refused: " + idTokenErrorText(verdict.error));
      this.loginFailed(403, "invalid_token");
      return;
    }
    this.completeLogin(now, verdict.claims!);
  }

  private completeLogin(now: i64, claims: JsonObject): void {
    const plugin = this.plugin;
    const session = newSession(plugin.config, claims, this.tokens!, now);
    const nonce = new Uint8Array(12);
    if (!fillRandom(nonce) ||
        !finishLogin(plugin.config, plugin.keys, this.request, this.flow!, session, nonce)) {
      log(LogLevel.Critical, "session could not be sealed: login refused");
      this.loginFailed(500, "internal");
      return;
    }
    plugin.metrics.callbacksOk.increment();
  }

  /** Ends a failed callback with an error page; the host sends it when the callback returns. */
  private loginFailed(status: u32, code: string): Action {
    this.plugin.metrics.callbacksFailed.increment();
    sendError(status, code, "The login could not be completed. Please try again.",
      this.request.browser, []);
    return Action.Pause;
  }

  private debug(message: string): void {
    if (logEnabled(LogLevel.Debug)) {
      log(LogLevel.Debug, message + " (" + this.request.method + " " + this.request.pathOnly + ")");
    }
  }
}
