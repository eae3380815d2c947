// Finding the request's session: the session cookie, checked (HMAC first, in constant
// time), opened, and judged by its age. Opened sessions are cached by cookie value, so a
// returning cookie costs a map lookup instead of an HMAC and a decryption; the age is still
// checked on every request.
import { Config } from "../config/config";
import { CookieKeys, unsealValue } from "../session/sealed";
import { Session } from "../session/session";
import { RequestView } from "./request";

const CACHE_LIMIT = 4096;
/** A session may claim to be issued this far in the future (clock skew between replicas). */
const FUTURE_SKEW_SECONDS: i64 = 300;

export enum SessionVerdict {
  Missing,
  Valid,
  /** Present but tampered, from another secret, expired, or ambiguous. */
  Rejected,
}

export class SessionLookup {
  constructor(public verdict: SessionVerdict, public session: Session | null, public reason: string) {}
}

export class SessionReader {
  private cache: Map<string, Session> = new Map<string, Session>();

  constructor(private config: Config, private keys: CookieKeys) {}

  /** Opens a session cookie value; null when it is not authentic. */
  open(value: string): Session | null {
    if (this.cache.has(value)) return this.cache.get(value);
    const record = unsealValue(this.keys, this.config.cookieName, value);
    const session = record !== null ? Session.decode(record) : null;
    if (session === null) return null;
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(value, session);
    return session;
  }

  /** The age check: older than cookie_expire, or issued in the future, is refused. */
  isCurrent(session: Session, now: i64): bool {
    if (session.issuedAt > now + FUTURE_SKEW_SECONDS) return false;
    const expire = this.config.cookieExpire;
    return expire == 0 || now - session.issuedAt < expire;
  }

  /**
   * The request's session. A request with several session cookies is accepted only when
   * exactly one of them is authentic, so that a cookie planted from a sibling domain
   * cannot silently replace or join the user's own.
   */
  find(request: RequestView, now: i64): SessionLookup {
    let found: Session | null = null;
    let present = 0;
    let authentic = 0;
    for (let i = 0; i < request.cookies.length; i++) {
      const cookie = request.cookies[i];
      if (cookie.name != this.config.cookieName) continue;
      present++;
      const session = this.open(cookie.value);
      if (session === null) continue;
      authentic++;
      found = session;
    }
    if (present == 0) return new SessionLookup(SessionVerdict.Missing, null, "");
    if (authentic == 0) return reject("session cookie not authentic");
    if (authentic > 1) return reject("several authentic session cookies");
    if (!this.isCurrent(found!, now)) return reject("session expired");
    return new SessionLookup(SessionVerdict.Valid, found, "");
  }
}

function reject(reason: string): SessionLookup {
  return new SessionLookup(SessionVerdict.Rejected, null, reason);
}
