// The HTTP face of the host: a real node:http server on 127.0.0.1 that runs every request
// through the filter, as one Envoy worker would. All streams share one VM and every call into
// it is synchronous on this thread, so calls never overlap. Callouts leave as real HTTP
// requests to the URLs given for their clusters. Reconfiguring starts a new VM (after a
// canary), as Envoy does when a plugin's configuration changes; in-flight requests finish on
// the old VM, which is then shut down.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { LOG_LEVEL_NAMES, type LogLevel, type LogLevelName } from "./abi.ts";
import { SystemClock } from "./clock.ts";
import { Exchange } from "./gateway-exchange.ts";
import { httpCalloutTransport } from "./gateway-http.ts";
import { loadModule, ModuleLoadError, type LoadedModule } from "./loader.ts";
import { MetricStore, type MetricSnapshot } from "./metrics.ts";
import { pluginSettings, type PluginOptions } from "./plugin-options.ts";
import { PluginVm, type HostEnvironment, type StartResult } from "./plugin-vm.ts";
import { HostRecorder, parseLogLevel, type LogRecord, type TrapRecord } from "./records.ts";
import type { UnimplementedCall } from "./records.ts";
import { SharedDataStore } from "./shared-data.ts";

export interface GatewayOptions extends PluginOptions {
  wasm: Uint8Array | string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  host?: string;
  /** Where requests go when the filter lets them through. */
  upstream: string | URL;
  /** Cluster names the filter may call out to, with the URL each stands for. */
  clusters?: Record<string, string | URL>;
  logLevel?: LogLevelName | LogLevel;
  /** Run a canary VM through configure before each real one. Default true. */
  canary?: boolean;
  /** Envoy's route timeout for upstream requests. Default 15000 ms. */
  routeTimeoutMs?: number;
  /** Print log records to stderr (default), or hand them to a function, or neither. */
  onLog?: ((record: LogRecord) => void) | false;
}

export interface Gateway {
  url: string;
  port: number;
  /** The outcome of the start (always started: a refused start throws). */
  startResult: StartResult;
  /** Starts a new VM with a new plugin configuration; a refused one leaves the old running. */
  reconfigure(pluginConfig: PluginOptions["pluginConfig"]): StartResult;
  close(): Promise<void>;
  getLogs(level?: LogLevelName | LogLevel): LogRecord[];
  getMetrics(): Record<string, MetricSnapshot>;
  getUnimplementedCalls(): UnimplementedCall[];
  getTraps(): TrapRecord[];
  isFailed(): boolean;
  getSharedData(key: string): { value: Buffer; cas: number } | undefined;
}

/** Thrown when the plugin refuses to start (proxy_on_vm_start or proxy_on_configure said no). */
export class PluginStartError extends Error {
  constructor(readonly result: StartResult) {
    super(`the plugin refused to start: ${JSON.stringify(result)}`);
    this.name = "PluginStartError";
  }
}

function printRecord(record: LogRecord): void {
  const where = record.source === "host" ? "host" : `wasm ${record.vm} ctx ${record.contextId}`;
  process.stderr.write(`[${LOG_LEVEL_NAMES[record.level]}] ${where}: ${record.message}\n`);
}

class GatewayServer {
  private readonly recorder: HostRecorder;
  private readonly env: HostEnvironment;
  private readonly server: http.Server;
  private readonly loaded: LoadedModule;
  private current!: PluginVm;
  private readonly retired = new Set<PluginVm>();
  private nextConnectionId = 1;
  private generation = 0;

  constructor(private readonly options: GatewayOptions) {
    const clock = new SystemClock();
    const logLevel = parseLogLevel(options.logLevel);
    const onLog = options.onLog === false ? undefined : (options.onLog ?? printRecord);
    this.recorder = new HostRecorder(logLevel, clock, onLog);
    const clusters = new Map<string, URL>();
    for (const [name, url] of Object.entries(options.clusters ?? {})) {
      clusters.set(name, new URL(url));
    }
    this.env = {
      recorder: this.recorder,
      logLevel,
      metrics: new MetricStore(),
      sharedData: new SharedDataStore(),
      clock,
      scheduler: clock,
      isCluster: (name) => clusters.has(name),
      transport: httpCalloutTransport(clusters),
    };
    this.loaded = loadModule(options.wasm);
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** Starts a plugin VM (after a canary): the new plugin, or the refusal. */
  boot(options: PluginOptions): { plugin?: PluginVm; result: StartResult } {
    const settings = pluginSettings(options);
    const make = (label: string): PluginVm => {
      const plugin = new PluginVm(this.loaded, label, settings, this.env);
      if (!plugin.initialize()) {
        const trap = this.recorder.traps[this.recorder.traps.length - 1];
        throw new ModuleLoadError([`traps during start-up: ${trap?.message ?? "unknown"}`]);
      }
      return plugin;
    };
    const suffix = this.generation++ === 0 ? "" : `-${this.generation}`;
    if (this.options.canary ?? true) {
      const canary = make(`canary${suffix}`);
      const result = canary.start();
      canary.drop();
      if (!result.vmStarted || !result.configured) return { result };
    }
    const plugin = make(`main${suffix}`);
    const result = plugin.start();
    if (!result.vmStarted || !result.configured) {
      plugin.drop();
      return { result };
    }
    return { plugin, result };
  }

  start(plugin: PluginVm): void {
    this.current = plugin;
  }

  reconfigure(pluginConfig: PluginOptions["pluginConfig"]): StartResult {
    const { plugin, result } = this.boot({ ...this.options, pluginConfig });
    if (!plugin) return result;
    const old = this.current;
    this.current = plugin;
    this.retired.add(old);
    this.retireIfIdle(old);
    return result;
  }

  private retireIfIdle(plugin: PluginVm): void {
    if (!this.retired.has(plugin) || plugin.activeStreams > 0) return;
    this.retired.delete(plugin);
    plugin.shutdown();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const plugin = this.current;
    const exchange = new Exchange(req, res, plugin, this.nextConnectionId++, {
      upstream: new URL(this.options.upstream),
      routeTimeoutMs: this.options.routeTimeoutMs ?? 15_000,
    });
    res.on("close", () => this.retireIfIdle(plugin));
    exchange.start();
  }

  async listen(): Promise<number> {
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    for (const plugin of [...this.retired, this.current]) {
      plugin.shutdown();
      plugin.drop();
    }
    this.retired.clear();
  }

  face(port: number, startResult: StartResult): Gateway {
    const host = this.options.host ?? "127.0.0.1";
    return {
      url: `http://${host}:${port}`,
      port,
      startResult,
      reconfigure: (config) => this.reconfigure(config),
      close: () => this.close(),
      getLogs: (level) => this.recorder.getLogs(level),
      getMetrics: () => this.env.metrics.snapshot(),
      getUnimplementedCalls: () => [...this.recorder.unimplemented],
      getTraps: () => [...this.recorder.traps],
      isFailed: () => this.current.vm.failed,
      getSharedData: (key) => {
        const entry = this.env.sharedData.get(this.options.vmId ?? "", key);
        return entry && { value: Buffer.from(entry.value), cas: entry.cas };
      },
    };
  }
}

/**
 * Starts the gateway. Throws ModuleLoadError when Envoy would refuse the module, and
 * PluginStartError when the plugin refuses its configuration.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const gateway = new GatewayServer(options);
  const { plugin, result } = gateway.boot(options);
  if (!plugin) throw new PluginStartError(result);
  gateway.start(plugin);
  const port = await gateway.listen();
  return gateway.face(port, result);
}
