// One HTTP request through the filter. The entry point reads as the plan of its cases, in
// order, each answering early:
//   1. the callback of a login flow;
//   2. a request the rules let pass without login;
//   3. a request with a valid session;
//   4. a protected request while the provider is not known yet: 503, fail closed;
//   5. everything else must log in: a browser is redirected, an API client gets 401.
import { StreamContext } from "../abi/context";
import { getHeaderMap, log, logEnabled } from "../abi/host";
import { Action, LogLevel, MapType, WasmResult } from "../abi/types";
import { HeaderMapView, HeaderPair } from "../abi/headers";
import { normalizePathBytes } from "../rules/path";
import { RequestFacts } from "../rules/match";
import { codeExchangeRequest, parseTokenResponse, TokenResponse } from "../oidc/token";
import { IdTokenError, IdTokenExpectations, idTokenErrorText, verifyIdToken } from "../oidc/jwt";
import { FlowState } from "../session/flow";
import { JsonObject } from "../codec/json";
import { fillRandom } from "../abi/host";
import { SsoRoot } from "./plugin";
import { RequestView } from "./request";
import { prepareUpstreamRequest } from "./upstream";
import { SessionVerdict } from "./sessions";
import { callbackUri, redirectToLogin, refuseApiClient } from "./login";
import { finishLogin, newSession, readCallback, readCalloutAnswer, tokenAuth } from "./callback";
import { sendError } from "./reply";
import { RETRY_AFTER_SECONDS } from "./provider";

enum Waiting {
  Nothing,
  TokenResponse,
  Keys,
}

export class SsoStream extends StreamContext {
  private request: RequestView = new RequestView(new HeaderMapView(new ArrayBuffer(0)));
  private waiting: Waiting = Waiting.Nothing;
  private flow: FlowState | null = null;
  private tokens: TokenResponse | null = null;

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

    const facts = new RequestFacts(
      normalizePathBytes(request.rawPathBytes()), request.authority, request.method, request,
    );
    if (!config.rules.requiresLogin(facts)) {
      plugin.metrics.bypassed.increment();
      this.debug("public path: passes without login");
      prepareUpstreamRequest(config, request, null);
      return Action.Continue;
    }

    const lookup = plugin.sessions.find(request, now);
    if (lookup.verdict == SessionVerdict.Valid) {
      plugin.metrics.sessionsAccepted.increment();
      this.debug("valid session: passes");
      prepareUpstreamRequest(config, request, lookup.session);
      return Action.Continue;
    }
    if (lookup.verdict == SessionVerdict.Rejected) {
      plugin.metrics.sessionsRejected.increment();
      log(LogLevel.Warn, "session rejected: " + lookup.reason);
    }
    return this.requireLogin(facts.path.ok ? "" : facts.path.reason, now);
  }

  private requireLogin(unsafeReason: string, now: i64): Action {
    const plugin = this.plugin;
    if (unsafeReason.length > 0) this.debug("unsafe path, login required: " + unsafeReason);
    if (!plugin.provider.ready) return this.providerUnavailable();
    if (!this.request.browser) {
      plugin.metrics.loginDenied.increment();
      this.debug("login required: API client gets 401");
      refuseApiClient(this.request);
      return Action.Pause;
    }
    plugin.metrics.loginRedirects.increment();
    this.debug("login required: redirect to the provider");
    redirectToLogin(plugin.config, plugin.keys, plugin.provider.metadata!, this.request, now);
    return Action.Pause;
  }

  private providerUnavailable(): Action {
    this.plugin.metrics.providerUnavailable.increment();
    log(LogLevel.Warn, "protected request refused: provider not ready (discovery or keys)");
    const retry = [new HeaderPair("retry-after", RETRY_AFTER_SECONDS.toString())];
    sendError(503, "provider_unavailable", "Login is temporarily unavailable.",
      this.request.browser, retry);
    return Action.Pause;
  }

  // ---- 1. The callback ----

  private handleCallback(now: i64): Action {
    const plugin = this.plugin;
    const start = readCallback(plugin.config, plugin.keys, this.request, now);
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
    this.resume();
  }

  private loginFailed(status: u32, code: string): Action {
    this.plugin.metrics.callbacksFailed.increment();
    sendError(status, code, "The login could not be completed. Please try again.",
      this.request.browser, []);
    this.resume();
    return Action.Pause;
  }

  /**
   * After a paused request got its local response, the host sends it when the current
   * callback returns; nothing more to do. (Kept as one place to document that.)
   */
  private resume(): void {}

  private debug(message: string): void {
    if (logEnabled(LogLevel.Debug)) {
      log(LogLevel.Debug, message + " (" + this.request.method + " " + this.request.pathOnly + ")");
    }
  }
}
