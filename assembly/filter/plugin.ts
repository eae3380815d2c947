// The filter's root context: one per plugin in each VM. It reads and checks the
// configuration at start (refusing to start on any error, with every error logged), derives
// the cookie keys, keeps the provider's metadata and keys up to date on the tick, and
// creates a stream context for each request.
import { RootContext, StreamContext, getStream } from "../abi/context";
import { getBufferBytes, log, nowNanoseconds, setEffectiveContext, setTickPeriod } from "../abi/host";
import { BufferType, LogLevel, WasmResult } from "../abi/types";
import { Config, parseConfig } from "../config/config";
import { CookieKeys } from "../session/sealed";
import { FilterMetrics } from "./metrics";
import { Provider } from "./provider";
import { SessionReader } from "./sessions";
import { SsoStream } from "./stream";

const TICK_MS: u32 = 1000;

export class SsoRoot extends RootContext {
  config: Config = new Config();
  keys: CookieKeys = CookieKeys.derive(new Uint8Array(32));
  metrics!: FilterMetrics;
  provider!: Provider;
  sessions!: SessionReader;
  configured: bool = false;

  onConfigure(configurationSize: usize): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, <u32>configurationSize);
    const result = parseConfig(bytes === null ? new Uint8Array(0) : Uint8Array.wrap(bytes));
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
    this.metrics = new FilterMetrics();
    this.provider = new Provider(this, config, this.metrics);
    this.sessions = new SessionReader(config, this.keys);
    this.configured = true;
    setTickPeriod(TICK_MS);
    this.provider.poll(this.now());
    log(LogLevel.Info, "oidc-sso configured: issuer " + config.issuer + ", " +
      config.rules.rules.length.toString() + " rule(s)");
  }

  /** Seconds since the Unix epoch, from the host's clock. */
  now(): i64 {
    return <i64>(nowNanoseconds() / 1_000_000_000);
  }

  onTick(): void {
    if (this.configured) this.provider.poll(this.now());
  }

  createStream(id: u32): StreamContext {
    return new SsoStream(id, this);
  }

  onCalloutResponse(token: u32, numHeaders: u32, bodySize: u32): void {
    if (!this.configured) return;
    if (!this.provider.onResponse(token, numHeaders, bodySize, this.now())) return;
    const waiters = this.provider.takeKeyWaiters();
    for (let i = 0; i < waiters.length; i++) {
      const stream = getStream(waiters[i]);
      if (stream === null || setEffectiveContext(stream.id) != WasmResult.Ok) continue;
      changetype<SsoStream>(stream).onKeysRefreshed();
    }
  }
}
