// Refreshing a session's tokens (RFC 6749 §6) once it is older than cookie_refresh. The
// request waits while the token endpoint answers, then goes on with the new session, whose
// cookie is set on its response.
//
// Parallel requests of one user arrive with the same cookie. They share one refresh: the
// first starts it, the others wait for it, and requests that arrive shortly after it ended
// get its result. Sending the same refresh token twice would break providers that rotate
// refresh tokens (a reused one is taken as stolen and the whole grant revoked). Results are
// also published in the host's shared data, so the other workers' VMs reuse them.
import { RootContext } from "../abi/context";
import { getSharedData, log, setSharedData } from "../abi/host";
import { LogLevel, WasmResult } from "../abi/types";
import { base64UrlEncode } from "../codec/base64";
import { sha256 } from "../crypto/sha256";
import { Config } from "../config/config";
import { JsonObject } from "../codec/json";
import { IdTokenExpectations, idTokenErrorText, verifyIdToken } from "../oidc/jwt";
import { TokenResponse, parseTokenResponse, refreshRequest } from "../oidc/token";
import { CookieKeys, sealValue } from "../session/sealed";
import { Session } from "../session/session";
import { sessionClaims, tokenAuth } from "./callback";
import { readCalloutAnswer } from "./callout";
import { FilterMetrics } from "./metrics";
import { Provider } from "./provider";
import { SessionReader } from "./sessions";

/** How long a finished refresh serves requests that still carry the old cookie. */
const GRACE_SECONDS: i64 = 60;
const RECENT_LIMIT = 1024;
const SHARED_PREFIX = "oidc-sso/refresh/";

export class RefreshOutcome {
  constructor(
    public ok: bool,
    public session: Session | null,
    /** The new session's sealed cookie value. */
    public value: string,
    public at: i64,
  ) {}
}

class SharedSlot {
  constructor(public key: string, public digest: string) {}
}

class RefreshJob {
  waiters: Array<u32> = new Array<u32>();
  constructor(public oldValue: string, public session: Session) {}
}

export class Refresher {
  private jobs: Map<u32, RefreshJob> = new Map<u32, RefreshJob>();
  private running: Map<string, u32> = new Map<string, u32>();
  private recent: Map<string, RefreshOutcome> = new Map<string, RefreshOutcome>();
  /** Streams to resume after a response, with the outcome they get. */
  finished: Array<u32> = new Array<u32>();
  lastOutcome: RefreshOutcome = new RefreshOutcome(false, null, "", 0);

  constructor(
    private root: RootContext, private config: Config, private keys: CookieKeys,
    private provider: Provider, private sessions: SessionReader, private metrics: FilterMetrics,
  ) {}

  /** True when the session is due for a refresh and can be refreshed. */
  isDue(session: Session, now: i64): bool {
    const interval = this.config.cookieRefresh;
    return interval > 0 && session.refreshToken.length > 0 && now - session.issuedAt >= interval;
  }

  /** The outcome of a refresh of this cookie value that ended recently, here or elsewhere. */
  recentOutcome(oldValue: string, now: i64): RefreshOutcome | null {
    if (this.recent.has(oldValue)) {
      const outcome = this.recent.get(oldValue);
      if (now - outcome.at <= GRACE_SECONDS) return outcome;
      this.recent.delete(oldValue);
    }
    return this.sharedOutcome(oldValue, now);
  }

  /**
   * Shared data has no expiry, so refresh results live in a fixed set of 256 slots, chosen
   * by the first byte of SHA-256(old cookie value); a slot holds "digest|time|new value" and
   * is overwritten by later refreshes. Entries are only trusted for GRACE_SECONDS anyway.
   */
  private sharedSlot(oldValue: string): SharedSlot {
    const digest = sha256(Uint8Array.wrap(String.UTF8.encode(oldValue)));
    return new SharedSlot(SHARED_PREFIX + digest[0].toString(), base64UrlEncode(digest));
  }

  private sharedOutcome(oldValue: string, now: i64): RefreshOutcome | null {
    const slot = this.sharedSlot(oldValue);
    const shared = getSharedData(slot.key);
    if (shared === null) return null;
    const text = String.UTF8.decode(shared.value);
    const first = text.indexOf("|");
    const second = first < 0 ? -1 : text.indexOf("|", first + 1);
    if (second < 0 || text.substring(0, first) != slot.digest) return null;
    const at = I64.parseInt(text.substring(first + 1, second));
    if (now - at > GRACE_SECONDS || at > now + GRACE_SECONDS) return null;
    const value = text.substring(second + 1);
    const opened = this.sessions.open(value);
    if (opened === null) return null;
    return new RefreshOutcome(true, opened.session, value, at);
  }

  /**
   * Joins or starts the refresh of `oldValue` for stream `waiter`. False when no refresh
   * could start (the caller treats that as a failed refresh).
   */
  join(waiter: u32, oldValue: string, session: Session): bool {
    if (this.running.has(oldValue)) {
      this.jobs.get(this.running.get(oldValue)).waiters.push(waiter);
      return true;
    }
    const metadata = this.provider.metadata;
    if (metadata === null) return false;
    const config = this.config;
    const request = refreshRequest(metadata.token, config.authority, session.refreshToken,
      tokenAuth(config), config.clientId, config.clientSecret);
    const start = this.root.startCallout(0, config.cluster, request.headers,
      String.UTF8.encode(request.body), config.timeoutMs);
    if (start.result != WasmResult.Ok) return false;
    const job = new RefreshJob(oldValue, session);
    job.waiters.push(waiter);
    this.jobs.set(start.token, job);
    this.running.set(oldValue, start.token);
    return true;
  }

  /** A callout response on the root; true when it answered a refresh. */
  onResponse(
    token: u32, numHeaders: u32, bodySize: u32, now: i64, nonce: Uint8Array | null,
  ): bool {
    if (!this.jobs.has(token)) return false;
    const job = this.jobs.get(token);
    this.jobs.delete(token);
    this.running.delete(job.oldValue);
    const session = this.refreshedSession(job.session, numHeaders, bodySize, now);
    let outcome = new RefreshOutcome(false, null, "", now);
    if (session !== null && nonce !== null) {
      const value = sealValue(this.keys, this.config.cookieName, session.encode(), nonce);
      if (value !== null) outcome = new RefreshOutcome(true, session, value, now);
    }
    this.remember(job.oldValue, outcome);
    if (outcome.ok) this.metrics.refreshesOk.increment();
    else this.metrics.refreshesFailed.increment();
    this.finished = job.waiters;
    this.lastOutcome = outcome;
    return true;
  }

  private remember(oldValue: string, outcome: RefreshOutcome): void {
    if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
    this.recent.set(oldValue, outcome);
    if (!outcome.ok) return;
    const slot = this.sharedSlot(oldValue);
    const text = slot.digest + "|" + outcome.at.toString() + "|" + outcome.value;
    setSharedData(slot.key, String.UTF8.encode(text), 0);
  }

  private refreshedSession(old: Session, numHeaders: u32, bodySize: u32, now: i64): Session | null {
    const answer = readCalloutAnswer(numHeaders, bodySize);
    if (answer.status == 0) {
      log(LogLevel.Error, "refresh failed: token endpoint unreachable");
      return null;
    }
    const result = parseTokenResponse(answer.status, answer.body, false);
    if (result.response === null) {
      log(LogLevel.Warn, "refresh refused: " + result.error);
      return null;
    }
    return this.update(old, result.response!, now);
  }

  /** The session after a refresh: new tokens, and new claims when a new ID token came. */
  private update(old: Session, tokens: TokenResponse, now: i64): Session | null {
    let claims: JsonObject | null = null;
    if (tokens.idToken.length > 0) {
      claims = this.verifiedClaims(tokens.idToken, now);
      // Core §12.2: a refreshed ID token is about the same user.
      if (claims === null || claims.getString("sub") != old.subject) return null;
    }
    const session = claims !== null ? sessionClaims(this.config, claims, now) : copyIdentity(old);
    session.issuedAt = now;
    session.accessToken = tokens.accessToken;
    session.idToken = tokens.idToken.length > 0 ? tokens.idToken : old.idToken;
    session.refreshToken = tokens.refreshToken.length > 0 ? tokens.refreshToken : old.refreshToken;
    session.accessTokenExpiresAt = tokens.expiresIn > 0 ? now + tokens.expiresIn : 0;
    return session;
  }

  private verifiedClaims(idToken: string, now: i64): JsonObject | null {
    const keys = this.provider.keys;
    if (keys === null) return null;
    const expect = new IdTokenExpectations();
    expect.issuer = this.config.issuer;
    expect.clientId = this.config.clientId;
    expect.now = now;
    expect.requireNonce = false;
    const verdict = verifyIdToken(idToken, keys, expect);
    if (!verdict.ok) log(LogLevel.Warn, "refreshed ID token refused: " + idTokenErrorText(verdict.error));
    return verdict.claims;
  }
}

function copyIdentity(old: Session): Session {
  const session = new Session();
  session.subject = old.subject;
  session.claims = old.claims;
  return session;
}
