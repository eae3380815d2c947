// Finding the request's session: the session cookie (or its joined parts), authenticated
// (HMAC first, in constant time) with the current secret or a previous one, opened, and
// judged by its age. Opened sessions are cached by cookie value, so a returning cookie costs
// a hash and a comparison of its bytes instead of an HMAC and a decryption (and is never
// decoded to text); the age is still checked every time.
import { Config } from "../config/config";
import { collectInProportionTo, countGarbageOf } from "../abi/runtime";
import { constantTimeEqualAt } from "../crypto/ct";
import { Cookie } from "../http/cookies";
import { CookieKeys, unsealWithAny } from "../session/sealed";
import { Session } from "../session/session";
import { RequestView } from "./request";
import { isSessionCookie, joinedParts } from "./session-cookie";

// Each entry holds a cookie value (about 1 to 4 KB) and its session: 1,024 of them keep a
// worker's memory to a few megabytes, enough for the users active at one time.
const CACHE_LIMIT = 1024;
/** About how many managed objects a cached session holds (session, claims, tokens, value). */
const OBJECTS_PER_CACHED_SESSION = 30;
/**
 * Opening a sealed value (HMAC, decryption, decoding) leaves about five times the garbage of
 * a request whose session is cached (bench/alloc-count.ts: 12.7 KB against 2.3 KB).
 */
const OPEN_GARBAGE_IN_STREAMS = 5;
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
    /** The session cookie's value (its parts joined), null unless the session is valid. */
    public cookie: Cookie | null,
    public reason: string,
  ) {}

  get session(): Session | null {
    const opened = this.opened;
    return opened !== null ? opened.session : null;
  }

  /** The session cookie's value as text ("" unless the session is valid). */
  get value(): string {
    const cookie = this.cookie;
    return cookie !== null ? cookie.value : "";
  }
}

/** A cache entry: the exact cookie value, kept to compare, and what it opened to. */
class CachedSession {
  constructor(public value: Uint8Array, public opened: OpenedSession) {}
}

/** How many bytes at the end of a value the cache key is made from. */
const KEYED_TAIL = 32;

/**
 * The cache key of a cookie value: a 32-bit hash of its length and its last 32 bytes, which
 * for a sealed value are its HMAC (different for every value the filter issues). Equal keys
 * only point at a candidate, which the whole value must then match.
 */
function cacheKey(ptr: usize, size: i32): u32 {
  let hash: u64 = 0x9e3779b97f4a7c15 ^ <u64>size;
  let i = size > KEYED_TAIL ? size - KEYED_TAIL : 0;
  for (; i + 8 <= size; i += 8) {
    hash = rotl<u64>((hash ^ load<u64>(ptr + <usize>i)) * 0xff51afd7ed558ccd, 29);
  }
  for (; i < size; i++) hash = (hash ^ <u64>load<u8>(ptr + <usize>i)) * 0xc4ceb9fe1a85ec53;
  return <u32>(hash ^ (hash >> 32));
}

export class SessionReader {
  private cache: Map<u32, CachedSession> = new Map<u32, CachedSession>();
  /** The tally of one find, made once: find never runs inside another find. */
  private readonly candidates: Candidates = new Candidates();

  /** `keyring[0]` holds the current secret's keys, then the previous secrets' keys. */
  constructor(private config: Config, private keyring: Array<CookieKeys>) {}

  /** Opens a session cookie value; null when it is not authentic. */
  open(value: string): OpenedSession | null {
    return this.openCookie(Cookie.of(this.config.cookieName, value));
  }

  /**
   * Opens the value of `cookie`. A value seen before is found in the cache by its bytes,
   * compared in constant time (so response times do not tell how much of a forged value
   * matches a cached one); any other value is authenticated and decrypted.
   */
  openCookie(cookie: Cookie): OpenedSession | null {
    const ptr = cookie.valuePtr;
    const size = cookie.valueSize;
    const key = cacheKey(ptr, size);
    if (this.cache.has(key)) {
      const cached = this.cache.get(key);
      if (cached.value.length == size && constantTimeEqualAt(cached.value.dataStart, ptr, size)) {
        return cached.opened;
      }
    }
    countGarbageOf(OPEN_GARBAGE_IN_STREAMS - 1); // the stream itself counts as one
    const unsealed = unsealWithAny(this.keyring, this.config.cookieName, cookie.value);
    if (unsealed === null) return null;
    const session = Session.decode(unsealed.record);
    if (session === null) return null;
    const opened = new OpenedSession(session, unsealed.keyIndex > 0);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    const copy = new Uint8Array(size);
    memory.copy(copy.dataStart, ptr, size);
    this.cache.set(key, new CachedSession(copy, opened));
    // The collector marks every cached session on each collection (see abi/runtime.ts).
    collectInProportionTo(this.cache.size * OBJECTS_PER_CACHED_SESSION);
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
   * The request's session: from every `<name>` cookie, and from the joined parts when the
   * value was split. A request with several session values is accepted only when exactly
   * one of them is authentic, so that a cookie planted from a sibling domain cannot silently
   * replace or join the user's own.
   */
  find(request: RequestView, now: i64): SessionLookup {
    const config = this.config;
    const cookies = request.cookies;
    const candidates = this.candidates;
    candidates.clear();
    let related = false; // a cookie named `<name>_...`: maybe parts
    for (let i = 0; i < cookies.length; i++) {
      const cookie = cookies[i];
      if (cookie.nameIs(config.cookieName)) candidates.add(cookie, this.openCookie(cookie));
      else if (isSessionCookie(config, cookie)) related = true;
    }
    if (related) {
      const joined = joinedParts(config, request);
      if (joined !== null) candidates.add(joined, this.openCookie(joined));
    }
    if (candidates.seen == 0) return new SessionLookup(SessionVerdict.Missing, null, null, "");
    if (candidates.authentic == 0) return reject("session cookie not authentic");
    if (candidates.authentic > 1) return reject("several authentic session cookies");
    if (!this.isCurrent(candidates.opened!.session, now)) return reject("session expired");
    return new SessionLookup(SessionVerdict.Valid, candidates.opened, candidates.cookie, "");
  }
}

/** The session values a request carries, as find counts them. */
class Candidates {
  seen: i32 = 0;
  authentic: i32 = 0;
  opened: OpenedSession | null = null;
  cookie: Cookie | null = null;

  clear(): void {
    this.seen = 0;
    this.authentic = 0;
    this.opened = null;
    this.cookie = null;
  }

  add(cookie: Cookie, opened: OpenedSession | null): void {
    this.seen++;
    if (opened === null) return;
    this.authentic++;
    this.opened = opened;
    this.cookie = cookie;
  }
}

function reject(reason: string): SessionLookup {
  return new SessionLookup(SessionVerdict.Rejected, null, null, reason);
}
