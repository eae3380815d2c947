// What the filter knows about the identity provider, and how it keeps that up to date:
// the discovery document, then the signing keys (JWKS), both fetched through the provider's
// Envoy cluster. Until both are in, protected requests are refused with 503 (fail closed).
// Failed fetches are retried on the tick with exponential backoff; the keys are refreshed
// periodically, and early (rate-limited) when a token names a key the set does not have.
import { HeaderPair, Headers } from "../abi/headers";
import { log, logEnabled } from "../abi/host";
import { LogLevel, WasmResult } from "../abi/types";
import { RootContext } from "../abi/context";
import { Config } from "../config/config";
import { parseUrl } from "../http/url";
import { ProviderMetadata, parseDiscovery } from "../oidc/discovery";
import { KeySet, parseKeySet } from "../oidc/jwks";
import { FilterMetrics } from "./metrics";
import { readCalloutAnswer } from "./callout";

const MAX_BACKOFF_SECONDS: i64 = 60;
const KEYS_REFRESH_SECONDS: i64 = 3600;
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
    if (logEnabled(LogLevel.Info)) {
      log(LogLevel.Info, "provider keys loaded: " + keys.keys.length.toString() + " key(s)");
    }
  }
}

function fetchName(what: Fetching): string {
  return what == Fetching.Discovery ? "discovery document" : "signing keys";
}
