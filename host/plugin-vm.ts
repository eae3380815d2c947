// One VM running the plugin, with Envoy's plugin-level semantics: start-up (_initialize under
// restrictions, then the root context, proxy_on_vm_start and proxy_on_configure), ticks, HTTP
// callouts owned by the root context, streams, and shutdown. The host functions reach the
// plugin through the HostServices this class implements.
import { ALLOWED_DURING_START, LogLevel, WasmResult } from "./abi.ts";
import type { Clock, Scheduler, Timer } from "./clock.ts";
import { RootState, type HostContext } from "./contexts.ts";
import { httpImports } from "./hostcalls-http.ts";
import { mapAndBufferImports } from "./hostcalls-maps.ts";
import { proxyImports } from "./hostcalls-proxy.ts";
import { wasiImports } from "./hostcalls-wasi.ts";
import type { LoadedModule } from "./loader.ts";
import { MetricIds, type MetricStore } from "./metrics.ts";
import { CalloutTable, type CalloutTransport } from "./callouts.ts";
import { encodeProperty } from "./properties.ts";
import type { ConnectionInfo } from "./properties.ts";
import type { HostRecorder } from "./records.ts";
import type { CalloutRequest, HostServices } from "./services.ts";
import type { SharedDataStore } from "./shared-data.ts";
import { HttpStream, type StreamSink } from "./stream.ts";
import { VM_CONTEXT_ID, WasmVm } from "./vm.ts";

/** What configures one plugin: its configuration, identity and failure policy. */
export interface PluginSettings {
  pluginConfig: Uint8Array;
  vmConfig: Uint8Array;
  rootId: string;
  pluginName: string;
  vmId: string;
  failOpen: boolean;
  environment: Record<string, string>;
  /** Extra plugin-level properties, by path with NUL between the parts. */
  properties: Map<string, Uint8Array>;
}

/** What one host (one Envoy process) shares between its VMs. */
export interface HostEnvironment {
  recorder: HostRecorder;
  logLevel: LogLevel;
  metrics: MetricStore;
  sharedData: SharedDataStore;
  clock: Clock;
  scheduler: Scheduler;
  isCluster(name: string): boolean;
  transport: CalloutTransport;
}

export interface StartResult {
  /** proxy_on_vm_start returned true (or is not exported). */
  vmStarted: boolean;
  /** proxy_on_configure returned true (or is not exported); false when not reached. */
  configured: boolean;
}

interface Tick {
  periodMs: number;
  timer: Timer | null;
}

export class PluginVm implements HostServices {
  readonly vm: WasmVm;
  readonly metricIds: MetricIds;
  readonly callouts: CalloutTable;
  root: RootState = new RootState(-1);
  private readonly ticks = new Map<number, Tick>();
  private readonly streams = new Set<HttpStream>();
  private pendingDone = false;
  private dropped = false;

  constructor(
    loaded: LoadedModule,
    readonly label: string,
    readonly settings: PluginSettings,
    readonly env: HostEnvironment,
  ) {
    this.vm = new WasmVm(loaded, label, (trap) => env.recorder.trap(trap));
    this.metricIds = new MetricIds(env.metrics);
    this.callouts = new CalloutTable(this.vm, env, (name) => env.isCluster(name));
    this.vm.contexts.set(VM_CONTEXT_ID, {
      id: VM_CONTEXT_ID,
      root: new RootState(VM_CONTEXT_ID),
      stream: null,
    });
    this.vm.instantiate({
      env: { ...proxyImports(this), ...mapAndBufferImports(this), ...httpImports(this) },
      ...wasiImports(this),
    });
  }

  // ---- HostServices ----

  get recorder(): HostRecorder {
    return this.env.recorder;
  }
  get logLevel(): LogLevel {
    return this.env.logLevel;
  }
  get sharedData(): SharedDataStore {
    return this.env.sharedData;
  }
  get clock(): Clock {
    return this.env.clock;
  }
  get vmId(): string {
    return this.settings.vmId;
  }
  get environment(): Readonly<Record<string, string>> {
    return this.settings.environment;
  }
  get failOpen(): boolean {
    return this.settings.failOpen;
  }
  vmConfiguration(): Uint8Array {
    return this.settings.vmConfig;
  }
  pluginConfiguration(): Uint8Array {
    return this.settings.pluginConfig;
  }

  pluginProperty(path: string[]): Uint8Array | undefined {
    const extra = this.settings.properties.get(path.join("\0"));
    if (extra || path.length !== 1) return extra;
    const { pluginName, rootId, vmId } = this.settings;
    const own: Record<string, string> = {
      plugin_name: pluginName,
      plugin_root_id: rootId,
      plugin_vm_id: vmId,
    };
    return path[0] in own ? encodeProperty(own[path[0]]) : undefined;
  }

  unimplemented(name: string, detail: string): void {
    const context = this.vm.inCall ? this.vm.currentContext().id : -1;
    this.recorder.unimplementedCall(name, context, this.label, detail);
  }

  httpCall(root: RootState, request: Omit<CalloutRequest, "token">) {
    return this.callouts.start(root, request);
  }

  done(context: HostContext): WasmResult {
    if (context.id !== this.root.id || !this.pendingDone) return WasmResult.NotFound;
    this.pendingDone = false;
    this.vm.defer(() => this.deleteRoot());
    return WasmResult.Ok;
  }

  // ---- Start-up ----

  /** Runs `_initialize` (and `main`) or `_start`, with only start-up host calls allowed. */
  initialize(): boolean {
    const { vm } = this;
    vm.restrictedTo(ALLOWED_DURING_START, () => {
      if (vm.exported("_initialize")) {
        vm.call("_initialize", VM_CONTEXT_ID);
        if (vm.exported("main")) vm.call("main", VM_CONTEXT_ID, [0, 0]);
      } else if (vm.exported("_start")) {
        vm.call("_start", VM_CONTEXT_ID);
      }
    });
    return !vm.failed;
  }

  /** Creates the root context, then proxy_on_vm_start and proxy_on_configure. */
  start(): StartResult {
    const { vm } = this;
    this.root = new RootState(vm.allocContextId());
    const root = this.root;
    vm.contexts.set(root.id, { id: root.id, root, stream: null });
    const vmStarted = vm.dispatch(() => {
      vm.call("proxy_on_context_create", root.id, [root.id, 0]);
      return this.callBool("proxy_on_vm_start", this.settings.vmConfig.length, (on) => {
        root.vmConfigReadable = on;
      });
    });
    if (!vmStarted) return { vmStarted, configured: false };
    if (vm.failed) return { vmStarted, configured: true };
    const configured = vm.dispatch(() =>
      this.callBool("proxy_on_configure", this.settings.pluginConfig.length, (on) => {
        root.pluginConfigReadable = on;
      }),
    );
    return { vmStarted, configured };
  }

  /** A boolean root callback with a configuration buffer readable only during the call. */
  private callBool(name: string, size: number, readable: (on: boolean) => void): boolean {
    if (!this.vm.exported(name)) return true;
    readable(true);
    const result = this.vm.call(name, this.root.id, [this.root.id, size]);
    readable(false);
    return result !== undefined && result !== 0;
  }

  // ---- Streams ----

  createStream(info: ConnectionInfo, sink: StreamSink): HttpStream {
    const stream = new HttpStream(this, info, sink);
    this.streams.add(stream);
    return stream;
  }

  streamEnded(stream: HttpStream): void {
    this.streams.delete(stream);
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  // ---- Ticks ----

  setTickPeriod(rootId: number, periodMs: number): void {
    const tick = this.ticks.get(rootId) ?? { periodMs: 0, timer: null };
    this.ticks.set(rootId, tick);
    tick.timer?.cancel();
    tick.timer = null;
    tick.periodMs = periodMs;
    if (periodMs > 0 && !this.dropped) this.armTick(rootId, tick);
  }

  private armTick(rootId: number, tick: Tick): void {
    tick.timer = this.env.scheduler.after(tick.periodMs, () => {
      tick.timer = null;
      this.tick(rootId);
      // Envoy re-arms after each tick, unless the period changed meanwhile.
      if (tick.periodMs > 0 && !tick.timer && !this.dropped && !this.vm.failed) {
        this.armTick(rootId, tick);
      }
    });
  }

  /** proxy_on_tick on a root context now (dropped silently when the VM is failed). */
  tick(rootId = this.root.id): void {
    const { vm } = this;
    if (vm.failed || !vm.contexts.has(rootId)) return;
    vm.dispatch(() => vm.call("proxy_on_tick", rootId, [rootId]));
  }

  get tickPeriodMs(): number {
    return this.ticks.get(this.root.id)?.periodMs ?? 0;
  }

  // ---- Shutdown ----

  /** Envoy's plugin shutdown: on_done on the root; on_delete now or after proxy_done. */
  shutdown(): void {
    if (this.dropped) return;
    for (const tick of this.ticks.values()) tick.timer?.cancel();
    this.ticks.clear();
    const { vm } = this;
    const done = vm.dispatch(() => vm.call("proxy_on_done", this.root.id, [this.root.id]));
    if (done === 0) this.pendingDone = true;
    else this.deleteRoot();
  }

  private deleteRoot(): void {
    const { vm } = this;
    vm.dispatch(() => vm.call("proxy_on_delete", this.root.id, [this.root.id]));
    this.drop();
  }

  /** Drops the VM without callbacks (Envoy kills the canary this way): timers, callouts. */
  drop(): void {
    this.dropped = true;
    for (const tick of this.ticks.values()) tick.timer?.cancel();
    this.ticks.clear();
    this.callouts.cancelAll();
  }
}
