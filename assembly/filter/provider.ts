// What the filter knows about the identity provider, and how it keeps that up to date:
// the discovery document, then the signing keys (JWKS), both fetched through the provider's
// Envoy cluster. Until both are in, protected requests are refused with 503 (fail closed).
// Failed fetches are retried on the tick with exponential backoff; the keys are refreshed
// periodically, and early (rate-limited) when a token names a key the set does not have.
//
// Each document fetched is also left in the host's shared data, which outlives a filter
// configuration and is seen by every VM of the plugin: a filter configured again (rules
// edited, a new VM) takes both from there at start, checked exactly as a fetch would be, and
// serves protected requests at once instead of answering 503 until its own fetches are in.
import { HeaderPair, Headers } from "../abi/headers";
import { getSharedData, log, logEnabled, setSharedData } from "../abi/host";
import { LogLevel, WasmResult } from "../abi/types";
import { RootContext } from "../abi/context";
import { Config } from "../config/config";
import { parseUrl } from "../http/url";
import { ProviderMetadata, parseDiscovery } from "../oidc/discovery";
import { KeySet, parseKeySet } from "../oidc/jwks";
import { FilterMetrics } from "./metrics";
import { readCalloutAnswer } from "./callout";
import { base64UrlEncode } from "../codec/base64";
import { sha256 } from "../crypto/sha256";

const MAX_BACKOFF_SECONDS: i64 = 60;
const KEYS_REFRESH_SECONDS: i64 = 3600;
/** A shared discovery document older than this is fetched again rather than taken. */
const SHARED_DISCOVERY_SECONDS: i64 = 86400;
const SHARED_PREFIX = "oidc_sso.provider.";
const UNKNOWN_KID_REFRESH_SECONDS: i64 = 30;
export const RETRY_AFTER_SECONDS: i64 = 5;

enum Fetching {
  Nothing,
  Discovery,
  Keys,
}

export class Provider {
  metadata: ProviderMetadata | null = null;
  keys: KeySet | null = null;
  private fetching: Fetching = Fetching.Nothing;
  private fetchToken: u32 = 0;
  private nextAttemptAt: i64 = 0;
  private backoff: i64 = 1;
  private keysFetchedAt: i64 = 0;
  private lastEarlyRefreshAt: i64 = i64.MIN_VALUE / 2;
  /** Streams waiting for fresh keys (a token named an unknown key). */
  keyWaiters: Array<u32> = new Array<u32>();

  constructor(
    private root: RootContext, private config: Config, private metrics: FilterMetrics,
  ) {
    if (config.endpoints.complete) {
      const e = config.endpoints;
      this.metadata = new ProviderMetadata(e.authorization!, e.token!, e.jwks!, e.endSession);
    }
  }

  /**
   * Takes the discovery document and keys another configuration or VM of the filter fetched
   * from the same issuer through the same cluster, when they are recent enough and pass the
   * same checks as a fetch. Called at start, before the first poll.
   */
  adoptShared(now: i64): void {
    if (this.metadata === null) {
      const shared = readShared(this.sharedKey("discovery", ""), now, SHARED_DISCOVERY_SECONDS);
      const result = shared !== null ? parseDiscovery(shared.body, this.config.issuer) : null;
      if (result !== null && result.metadata !== null) {
        this.metadata = result.metadata;
        log(LogLevel.Info, "provider discovery taken from an earlier fetch: " + this.config.issuer);
      }
    }
    const metadata = this.metadata;
    if (metadata === null || this.keys !== null) return;
    const shared = readShared(this.sharedKey("keys", metadata.jwks.toString()), now,
      KEYS_REFRESH_SECONDS);
    const keys = shared !== null ? parseKeySet(shared.body) : null;
    if (shared === null || keys === null || keys.keys.length == 0) return;
    this.keys = keys;
    this.keysFetchedAt = shared.at;
    log(LogLevel.Info, "provider keys taken from an earlier fetch: " +
      keys.keys.length.toString() + " key(s)");
  }

  /**
   * The shared-data key of one document: the issuer, the cluster and (for keys) the JWKS
   * address name it, so that another provider's documents are never taken for this one's.
   */
  private sharedKey(what: string, address: string): string {
    const name = this.config.issuer + "\n" + this.config.cluster + "\n" + address;
    const digest = sha256(Uint8Array.wrap(String.UTF8.encode(name)));
    return SHARED_PREFIX + what + "." + base64UrlEncode(digest.subarray(0, 16));
  }

  private publish(key: string, body: Uint8Array, now: i64): void {
    const head = String.UTF8.encode(now.toString() + "\n");
    const value = new Uint8Array(head.byteLength + body.length);
    value.set(Uint8Array.wrap(head), 0);
    value.set(body, head.byteLength);
    setSharedData(key, value.buffer, 0);
  }

  get ready(): bool {
    return this.metadata !== null && this.keys !== null;
  }

  /** Called on every tick and at start: starts whatever fetch is due. */
  poll(now: i64): void {
    if (this.fetching != Fetching.Nothing || now < this.nextAttemptAt) return;
    if (this.metadata === null) {
      this.fetch(Fetching.Discovery, this.discoveryPath(), now);
    } else if (this.keys === null || now - this.keysFetchedAt >= KEYS_REFRESH_SECONDS) {
      this.fetch(Fetching.Keys, this.metadata!.jwks.pathAndQuery, now);
    }
  }

  /**
   * Asks for the keys again because a token named an unknown key; at most once per
   * UNKNOWN_KID_REFRESH_SECONDS, so that forged tokens cannot make the filter hammer the
   * provider. False when refused (rate-limited or not possible now).
   */
  refreshKeysEarly(now: i64, waiter: u32): bool {
    if (this.metadata === null || now - this.lastEarlyRefreshAt < UNKNOWN_KID_REFRESH_SECONDS) {
      return false;
    }
    if (this.fetching == Fetching.Nothing) {
      this.lastEarlyRefreshAt = now;
      this.fetch(Fetching.Keys, this.metadata!.jwks.pathAndQuery, now);
    }
    if (this.fetching != Fetching.Keys) return false;
    this.keyWaiters.push(waiter);
    return true;
  }

  /** Discovery §4: the issuer's path with "/.well-known/openid-configuration" appended. */
  private discoveryPath(): string {
    let issuer = this.config.issuer;
    if (issuer.endsWith("/")) issuer = issuer.substring(0, issuer.length - 1);
    const url = parseUrl(issuer + "/.well-known/openid-configuration");
    return url === null ? "/.well-known/openid-configuration" : url.pathAndQuery;
  }

  get fetchingKeys(): bool {
    return this.fetching == Fetching.Keys;
  }

  /** The streams waiting for fresh keys, once that fetch is over (whatever its outcome). */
  takeKeyWaiters(): Array<u32> {
    if (this.fetching == Fetching.Keys) return new Array<u32>();
    const waiters = this.keyWaiters;
    this.keyWaiters = new Array<u32>();
    return waiters;
  }

  private fetch(what: Fetching, path: string, now: i64): void {
    const headers: Headers = [
      new HeaderPair(":method", "GET"),
      new HeaderPair(":path", path),
      new HeaderPair(":authority", this.config.authority),
      new HeaderPair("accept", "application/json"),
    ];
    const start = this.root.startCallout(
      0, this.config.cluster, headers, new ArrayBuffer(0), this.config.timeoutMs,
    );
    if (start.result != WasmResult.Ok) {
      log(LogLevel.Error, "provider fetch not started: cluster " + this.config.cluster +
        " refused the callout (result " + start.result.toString() + ")");
      this.failed(now);
      return;
    }
    this.fetching = what;
    this.fetchToken = start.token;
  }

  private failed(now: i64): void {
    this.metrics.providerErrors.increment();
    this.fetching = Fetching.Nothing;
    this.nextAttemptAt = now + this.backoff;
    this.backoff = min(this.backoff * 2, MAX_BACKOFF_SECONDS);
  }

  /** A callout response on the root; true when it was one of the provider's fetches. */
  onResponse(token: u32, numHeaders: u32, bodySize: u32, now: i64): bool {
    if (this.fetching == Fetching.Nothing || token != this.fetchToken) return false;
    const what = this.fetching;
    this.fetching = Fetching.Nothing;
    const answer = readCalloutAnswer(numHeaders, bodySize);
    if (answer.status != 200) {
      const shown = answer.status == 0 ? "no response" : "status " + answer.status.toString();
      log(LogLevel.Error, "provider fetch failed: " + fetchName(what) + ": " + shown);
      this.failed(now);
      return true;
    }
    if (what == Fetching.Discovery) this.takeDiscovery(answer.body, now);
    else this.takeKeys(answer.body, now);
    return true;
  }

  private takeDiscovery(body: Uint8Array, now: i64): void {
    const result = parseDiscovery(body, this.config.issuer);
    if (result.metadata === null) {
      log(LogLevel.Error, "provider discovery refused: " + result.error);
      this.failed(now);
      return;
    }
    this.metadata = result.metadata;
    this.backoff = 1;
    this.publish(this.sharedKey("discovery", ""), body, now);
    log(LogLevel.Info, "provider discovered: " + this.config.issuer);
    this.poll(now);
  }

  private takeKeys(body: Uint8Array, now: i64): void {
    const keys = parseKeySet(body);
    if (keys === null || keys.keys.length == 0) {
      log(LogLevel.Error, "provider keys refused: no usable RS256 or ES256 key in the JWKS");
      this.failed(now);
      return;
    }
    this.keys = keys;
    this.keysFetchedAt = now;
    this.backoff = 1;
    this.publish(this.sharedKey("keys", this.metadata!.jwks.toString()), body, now);
    if (logEnabled(LogLevel.Info)) {
      log(LogLevel.Info, "provider keys loaded: " + keys.keys.length.toString() + " key(s)");
    }
  }
}

/** A document another configuration or VM left in shared data, and when it was fetched. */
class SharedDocument {
  constructor(public at: i64, public body: Uint8Array) {}
}

/** The document under `key` if it was fetched at most `maxAge` seconds ago (and not later). */
function readShared(key: string, now: i64, maxAge: i64): SharedDocument | null {
  const shared = getSharedData(key);
  if (shared === null) return null;
  const bytes = Uint8Array.wrap(shared.value);
  const newline = bytes.indexOf(10);
  if (newline <= 0) return null;
  const at = digitsValue(bytes, newline);
  if (at <= 0 || at > now || now - at >= maxAge) return null;
  return new SharedDocument(at, bytes.subarray(newline + 1));
}

/** The number the first `count` bytes spell in decimal digits (at most 18), else -1. */
function digitsValue(bytes: Uint8Array, count: i32): i64 {
  if (count > 18) return -1;
  let value: i64 = 0;
  for (let i = 0; i < count; i++) {
    const digit = <i32>bytes[i] - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function fetchName(what: Fetching): string {
  return what == Fetching.Discovery ? "discovery document" : "signing keys";
}
