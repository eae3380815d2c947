// The test face of the host: an in-process Envoy for one plugin, driven by the test. Typed
// options in; `call*` methods drive the filter; `get*` methods show what the host saw; time,
// callouts and ticks move only when the test says so. Unimplemented host calls and traps are
// recorded loudly. Like Envoy, `start()` first runs a throwaway canary VM (unless disabled).
import type { LogLevel, LogLevelName } from "./abi.ts";
import { ManualClock } from "./clock.ts";
import type { CalloutFailure, CalloutOutcome } from "./callouts.ts";
import { EmulatorStream, type StreamOptions } from "./emulator-stream.ts";
import { loadModule, ModuleLoadError, type LoadedModule } from "./loader.ts";
import { MetricStore, type MetricSnapshot } from "./metrics.ts";
import type { HeaderPairs } from "./pairs.ts";
import { PluginVm, type HostEnvironment, type StartResult } from "./plugin-vm.ts";
import { toBytes, pluginSettings, type PluginOptions } from "./plugin-options.ts";
import { HostRecorder, parseLogLevel, type LogRecord, type TrapRecord } from "./records.ts";
import type { UnimplementedCall } from "./records.ts";
import type { CalloutRequest } from "./services.ts";
import { SharedDataStore } from "./shared-data.ts";

export interface EmulatorOptions extends PluginOptions {
  /** The module: its bytes, or a path to a .wasm file. */
  wasm: Uint8Array | string;
  /** Host log level (what proxy_get_log_level answers; lower lines are dropped). Default info. */
  logLevel?: LogLevelName | LogLevel;
  /** The clock the host and the module see; a number is the start time in ms since epoch. */
  clock?: ManualClock | number;
  /** Names of the clusters the host knows; a callout to another cluster is BadArgument. */
  clusters?: string[];
  /** Run a throwaway canary VM through configure before the real one, as Envoy does.
   *  Default true. */
  canary?: boolean;
  /** Called with every log record as it is made (e.g. to print them). */
  onLog?: (record: LogRecord) => void;
}

export interface CalloutReply {
  status: number;
  headers?: HeaderPairs;
  body?: Uint8Array | string;
  trailers?: HeaderPairs;
}

interface Pending {
  request: CalloutRequest;
  done: (outcome: CalloutOutcome) => void;
}

export class Emulator {
  readonly clock: ManualClock;
  private readonly recorder: HostRecorder;
  private readonly metrics = new MetricStore();
  private readonly sharedData = new SharedDataStore();
  private readonly pending = new Map<number, Pending>();
  private readonly env: HostEnvironment;
  private plugin: PluginVm | null = null;
  private nextConnectionId = 1;

  constructor(private readonly options: EmulatorOptions) {
    this.clock =
      options.clock instanceof ManualClock ? options.clock : new ManualClock(options.clock);
    const logLevel = parseLogLevel(options.logLevel);
    this.recorder = new HostRecorder(logLevel, this.clock, options.onLog);
    const clusters = new Set(options.clusters ?? []);
    this.env = {
      recorder: this.recorder,
      logLevel,
      metrics: this.metrics,
      sharedData: this.sharedData,
      clock: this.clock,
      scheduler: this.clock,
      isCluster: (name) => clusters.has(name),
      transport: {
        send: (request, done) => {
          this.pending.set(request.token, { request, done });
          return { cancel: () => this.pending.delete(request.token) };
        },
      },
    };
  }

  /**
   * Loads and starts the plugin. Throws ModuleLoadError when Envoy would refuse the module
   * (bad imports or exports, a trap during `_initialize`); a refused configuration is returned.
   */
  start(): StartResult {
    if (this.plugin) throw new Error("the emulator is already started");
    const loaded = loadModule(this.options.wasm);
    if (this.options.canary ?? true) {
      const canary = this.boot(loaded, "canary");
      canary.plugin.drop();
      if (!canary.result.vmStarted || !canary.result.configured) return canary.result;
    }
    const main = this.boot(loaded, "main");
    this.plugin = main.plugin;
    return main.result;
  }

  private boot(loaded: LoadedModule, label: string): { plugin: PluginVm; result: StartResult } {
    const plugin = new PluginVm(loaded, label, pluginSettings(this.options), this.env);
    if (!plugin.initialize()) {
      const trap = this.recorder.traps[this.recorder.traps.length - 1];
      throw new ModuleLoadError([`traps during start-up: ${trap?.message ?? "unknown"}`]);
    }
    return { plugin, result: plugin.start() };
  }

  private get started(): PluginVm {
    if (!this.plugin) throw new Error("call start() first");
    return this.plugin;
  }

  /** A new HTTP stream (one request/response) on its own downstream connection. */
  createStream(options: StreamOptions = {}): EmulatorStream {
    return new EmulatorStream(this.started, this.nextConnectionId++, options);
  }

  // ---- Callouts ----

  getPendingCallouts(): CalloutRequest[] {
    return [...this.pending.values()].map(({ request }) => ({ ...request }));
  }

  /** Answers a pending callout; the filter's proxy_on_http_call_response runs now. */
  respondToCallout(token: number, reply: CalloutReply): void {
    this.takePending(token).done({ kind: "response", ...reply });
  }

  /** Fails a pending callout the way Envoy reports that failure (see CalloutTable). */
  failCallout(token: number, reason: CalloutFailure = "reset"): void {
    this.takePending(token).done({ kind: "failure", reason });
  }

  private takePending(token: number): Pending {
    const pending = this.pending.get(token);
    if (!pending) throw new Error(`no pending callout with token ${token}`);
    this.pending.delete(token);
    return pending;
  }

  /**
   * Changes the host's log level while the filter runs, as Envoy's admin endpoint
   * (`POST /logging?wasm=debug`) does: lines below it are dropped, and proxy_get_log_level
   * answers it from now on.
   */
  setLogLevel(level: LogLevelName | LogLevel): void {
    const parsed = parseLogLevel(level);
    this.env.logLevel = parsed;
    this.recorder.logLevel = parsed;
  }

  // ---- Time and ticks ----

  /** Moves the clock; due ticks fire and callouts whose timeout passed fail (504). */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  /** Runs proxy_on_tick now, whatever the tick period. */
  tick(): void {
    this.started.tick();
  }

  getTickPeriod(): number {
    return this.started.tickPeriodMs;
  }

  /** Envoy's plugin shutdown: proxy_on_done on the root, then proxy_on_delete. */
  shutdown(): void {
    this.started.shutdown();
  }

  // ---- What the host saw ----

  getLogs(level?: LogLevelName | LogLevel): LogRecord[] {
    return this.recorder.getLogs(level);
  }

  getMetrics(): Record<string, MetricSnapshot> {
    return this.metrics.snapshot();
  }

  getSharedData(key: string): { value: Buffer; cas: number } | undefined {
    const entry = this.sharedData.get(this.options.vmId ?? "", key);
    return entry && { value: Buffer.from(entry.value), cas: entry.cas };
  }

  setSharedData(key: string, value: Uint8Array | string, cas = 0): number {
    return this.sharedData.set(this.options.vmId ?? "", key, toBytes(value), cas);
  }

  getUnimplementedCalls(): UnimplementedCall[] {
    return [...this.recorder.unimplemented];
  }

  getTraps(): TrapRecord[] {
    return [...this.recorder.traps];
  }

  /** The size of the running VM's linear memory, in bytes. */
  getMemorySize(): number {
    return this.started.vm.memory.byteLength;
  }

  /** True once the running VM trapped: no callback runs again. */
  isFailed(): boolean {
    return this.started.vm.failed;
  }
}
