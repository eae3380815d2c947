// The filter's root context: one per plugin in each VM. It reads and checks the
// configuration at start (refusing to start on any error, with every error logged), derives
// the cookie keys, keeps the provider's metadata and keys up to date on the tick, and
// creates a stream context for each request.
import { RootContext, StreamContext, getStream } from "../abi/context";
import {
  fillRandom, getBufferBytes, getEnvironmentVariable, log, nowNanoseconds, setEffectiveContext,
  setTickPeriod,
} from "../abi/host";
import { BufferType, LogLevel, WasmResult } from "../abi/types";
import { Config, parseConfig } from "../config/config";
import { Environment } from "../config/reader";
import { CookieKeys } from "../session/sealed";
import { FilterMetrics } from "./metrics";
import { Provider } from "./provider";
import { SessionReader } from "./sessions";
import { SsoStream } from "./stream";
import { Refresher } from "./refresh";
import { RequestFacts } from "../rules/match";

const TICK_MS: u32 = 1000;

/** The VM's environment variables, for secrets given as {"env": "NAME"}. */
class VmEnvironment extends Environment {
  get(name: string): string | null {
    return getEnvironmentVariable(name);
  }
}

export class SsoRoot extends RootContext {
  config: Config = new Config();
  keys: CookieKeys = CookieKeys.derive(new Uint8Array(32));
  /** The current secret's keys first, then those of previous secrets still accepted. */
  keyring: Array<CookieKeys> = new Array<CookieKeys>();
  refresher!: Refresher;
  metrics!: FilterMetrics;
  provider!: Provider;
  sessions!: SessionReader;
  configured: bool = false;

  onConfigure(configurationSize: usize): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, <u32>configurationSize);
    const input = bytes !== null ? Uint8Array.wrap(bytes) : new Uint8Array(0);
    const result = parseConfig(input, new VmEnvironment());
    if (result.config === null) {
      for (let i = 0; i < result.errors.length; i++) {
        log(LogLevel.Error, "configuration refused: " + result.errors[i]);
      }
      log(LogLevel.Critical, "oidc-sso refuses to start: " + result.errors.length.toString() +
        " configuration error(s)");
      return false;
    }
    this.start(result.config!);
    return true;
  }

  private start(config: Config): void {
    this.config = config;
    this.keys = CookieKeys.derive(config.cookieSecret);
    this.keyring = [this.keys];
    for (let i = 0; i < config.previousCookieSecrets.length; i++) {
      this.keyring.push(CookieKeys.derive(config.previousCookieSecrets[i]));
    }
    this.metrics = new FilterMetrics();
    this.provider = new Provider(this, config, this.metrics);
    this.sessions = new SessionReader(config, this.keyring);
    this.refresher = new Refresher(this, config, this.keys, this.provider, this.sessions,
      this.metrics);
    this.configured = true;
    setTickPeriod(TICK_MS);
    this.provider.adoptShared(this.now());
    this.provider.poll(this.now());
    log(LogLevel.Info, "oidc-sso configured: issuer " + config.issuer + ", " +
      config.rules.rules.length.toString() + " rule(s)");
  }

  /** Seconds since the Unix epoch, from the host's clock. */
  now(): i64 {
    return <i64>(nowNanoseconds() / 1_000_000_000);
  }

  onTick(): void {
    if (!this.configured) return;
    this.metrics.flush();
    this.provider.poll(this.now());
  }

  createStream(id: u32): StreamContext {
    return new SsoStream(id, this);
  }

  /** Paths whose requests always get 401 rather than a login redirect. */
  isApiPath(facts: RequestFacts): bool {
    if (!facts.path.ok) return false;
    const patterns = this.config.apiPaths;
    for (let i = 0; i < patterns.length; i++) {
      if (patterns[i].matches(facts.path.path)) return true;
    }
    return false;
  }

  onCalloutResponse(token: u32, numHeaders: u32, bodySize: u32): void {
    if (!this.configured) return;
    const now = this.now();
    if (this.provider.onResponse(token, numHeaders, bodySize, now)) {
      this.resumeKeyWaiters();
      return;
    }
    // A fresh nonce for sealing the refreshed session; never seal without one.
    let nonce: Uint8Array | null = new Uint8Array(12);
    if (!fillRandom(changetype<Uint8Array>(nonce))) {
      log(LogLevel.Critical, "host randomness failed: a refreshed session cannot be sealed");
      nonce = null;
    }
    if (this.refresher.onResponse(token, numHeaders, bodySize, now, nonce)) {
      this.resumeRefreshWaiters();
    }
  }

  private resumeKeyWaiters(): void {
    const waiters = this.provider.takeKeyWaiters();
    for (let i = 0; i < waiters.length; i++) {
      const stream = this.streamFor(waiters[i]);
      if (stream !== null) stream.onKeysRefreshed();
    }
  }

  private resumeRefreshWaiters(): void {
    const waiters = this.refresher.finished;
    const outcome = this.refresher.lastOutcome;
    for (let i = 0; i < waiters.length; i++) {
      const stream = this.streamFor(waiters[i]);
      if (stream !== null) stream.onRefreshDone(outcome);
    }
  }

  /** The stream `id` made the effective context, or null when it has ended. */
  private streamFor(id: u32): SsoStream | null {
    const stream = getStream(id);
    if (stream === null || setEffectiveContext(stream.id) != WasmResult.Ok) return null;
    return changetype<SsoStream>(stream);
  }
}
