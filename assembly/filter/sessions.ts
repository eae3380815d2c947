// Finding the request's session: the session cookie (or its joined parts), authenticated
// (HMAC first, in constant time) with the current secret or a previous one, opened, and
// judged by its age. Opened sessions are cached by cookie value, so a returning cookie costs
// a map lookup instead of an HMAC and a decryption; the age is still checked every time.
import { Config } from "../config/config";
import { CookieKeys, unsealWithAny } from "../session/sealed";
import { Session } from "../session/session";
import { RequestView } from "./request";
import { sessionValues } from "./session-cookie";

// Each entry holds a cookie value (about 1 to 4 KB) and its session: 1,024 of them keep a
// worker's memory to a few megabytes, enough for the users active at one time.
const CACHE_LIMIT = 1024;
/** A session may claim to be issued this far in the future (clock skew between replicas). */
const FUTURE_SKEW_SECONDS: i64 = 300;

export enum SessionVerdict {
  Missing,
  Valid,
  /** Present but tampered, from an unknown secret, expired, or ambiguous. */
  Rejected,
}

/** An opened session, and whether it was sealed with a previous secret (to re-issue). */
export class OpenedSession {
  constructor(public session: Session, public oldSecret: bool) {}
}

export class SessionLookup {
  constructor(
    public verdict: SessionVerdict,
    public opened: OpenedSession | null,
    public value: string,
    public reason: string,
  ) {}

  get session(): Session | null {
    const opened = this.opened;
    return opened !== null ? opened.session : null;
  }
}

export class SessionReader {
  private cache: Map<string, OpenedSession> = new Map<string, OpenedSession>();

  /** `keyring[0]` holds the current secret's keys, then the previous secrets' keys. */
  constructor(private config: Config, private keyring: Array<CookieKeys>) {}

  /** Opens a session cookie value; null when it is not authentic. */
  open(value: string): OpenedSession | null {
    if (this.cache.has(value)) return this.cache.get(value);
    const unsealed = unsealWithAny(this.keyring, this.config.cookieName, value);
    if (unsealed === null) return null;
    const session = Session.decode(unsealed.record);
    if (session === null) return null;
    const opened = new OpenedSession(session, unsealed.keyIndex > 0);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(value, opened);
    return opened;
  }

  /** The age check: older than cookie_expire, or issued in the future, is refused. */
  isCurrent(session: Session, now: i64): bool {
    // The filter never writes an issue time at or before 1970; refusing one also keeps
    // `now - issuedAt` from overflowing into a negative age that passes any limit.
    if (session.issuedAt <= 0 || session.issuedAt > now + FUTURE_SKEW_SECONDS) return false;
    const expire = this.config.cookieExpire;
    return expire == 0 || now - session.issuedAt < expire;
  }

  /**
   * The request's session. A request with several session values is accepted only when
   * exactly one of them is authentic, so that a cookie planted from a sibling domain
   * cannot silently replace or join the user's own.
   */
  find(request: RequestView, now: i64): SessionLookup {
    const values = sessionValues(this.config, request);
    if (values.length == 0) return new SessionLookup(SessionVerdict.Missing, null, "", "");
    let found: OpenedSession | null = null;
    let foundValue = "";
    let authentic = 0;
    for (let i = 0; i < values.length; i++) {
      const opened = this.open(values[i]);
      if (opened === null) continue;
      authentic++;
      found = opened;
      foundValue = values[i];
    }
    if (authentic == 0) return reject("session cookie not authentic");
    if (authentic > 1) return reject("several authentic session cookies");
    if (!this.isCurrent(found!.session, now)) return reject("session expired");
    return new SessionLookup(SessionVerdict.Valid, found, foundValue, "");
  }
}

function reject(reason: string): SessionLookup {
  return new SessionLookup(SessionVerdict.Rejected, null, "", reason);
}
