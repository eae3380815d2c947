// One instance of the module, driven the way proxy-wasm-cpp-host drives a V8 VM: calls into the
// module carry a context, the effective context is reset to it at each call and restored after
// a nested one, host calls can be restricted (they then trap), a trap marks the VM failed for
// good, and actions that must not run inside the module (a local reply, resuming a stream) are
// deferred until the callback returns (cpp-host DeferAfterCallActions).
import { ALLOWED_DURING_MALLOC, HOST_IMPORTS } from "./abi.ts";
import type { HostContext } from "./contexts.ts";
import type { LoadedModule } from "./loader.ts";
import { ModuleLoadError } from "./loader.ts";
import { GuestMemory } from "./memory.ts";
import type { TrapRecord } from "./records.ts";

/** Thrown from a host function to trap the module, as Envoy's V8 runtime does. */
export class HostTrap extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostTrap";
  }
}

export type HostFunction = (...args: (number | bigint)[]) => number | void;
export type ImportTable = Record<string, Record<string, HostFunction>>;

interface Frame {
  context: number;
  effective: number;
}

export const VM_CONTEXT_ID = 0;

/** A function the module exports, as JavaScript sees it. */
type ExportedFunction = (...args: number[]) => number | undefined;

export class WasmVm {
  readonly contexts = new Map<number, HostContext>();
  readonly memory: GuestMemory;
  /** Set by proxy_send_local_response: the callback's result then counts as a stop. */
  stopIteration = false;
  private failedState = false;
  private instance: WebAssembly.Instance | null = null;
  private frames: Frame[] = [];
  private restricted: ReadonlySet<string> | null = null;
  private deferred: (() => void)[] = [];
  private dispatchDepth = 0;
  private nextContextId = 1;
  private readonly functions = new Map<string, ExportedFunction | undefined>();
  private allocator: string | null = null;

  constructor(
    private readonly loaded: LoadedModule,
    readonly label: string,
    private readonly onTrap: (record: TrapRecord) => void,
  ) {
    this.memory = new GuestMemory(
      () => this.exports.memory as WebAssembly.Memory,
      (size) => this.alloc(size),
    );
  }

  get failed(): boolean {
    return this.failedState;
  }

  private get exports(): WebAssembly.Exports {
    if (!this.instance) throw new Error("the module is not instantiated yet");
    return this.instance.exports;
  }

  /** Links the host functions and instantiates; a trap in a start section refuses the module. */
  instantiate(imports: ImportTable): void {
    const linked: WebAssembly.Imports = {};
    for (const [module, functions] of Object.entries(imports)) {
      linked[module] = {};
      for (const [name, fn] of Object.entries(functions)) {
        const fullName = `${module}.${name}`;
        if (!HOST_IMPORTS.has(fullName)) throw new Error(`host bug: ${fullName} is not in the ABI`);
        // Fixed parameters (the ABI's longest call takes 10), not a rest array: no array is
        // built on every host call; the arguments a function does not take are undefined.
        type A = number | bigint;
        linked[module][name] = (a: A, b: A, c: A, d: A, e: A, f: A, g: A, h: A, i: A, j: A, k: A, l: A) => {
          this.checkAllowed(fullName);
          return fn(a, b, c, d, e, f, g, h, i, j, k, l);
        };
      }
    }
    try {
      this.instance = new WebAssembly.Instance(this.loaded.module, linked);
    } catch (error) {
      throw new ModuleLoadError([`fails to instantiate: ${(error as Error).message}`]);
    }
  }

  exported(name: string): boolean {
    return this.exportedFunction(name) !== undefined;
  }

  /** The exported function `name`, looked up once. */
  private exportedFunction(name: string): ExportedFunction | undefined {
    if (!this.instance) return undefined;
    let fn = this.functions.get(name);
    if (fn === undefined && !this.functions.has(name)) {
      const value = this.instance.exports[name];
      fn = typeof value === "function" ? value as ExportedFunction : undefined;
      this.functions.set(name, fn);
    }
    return fn;
  }

  allocContextId(): number {
    while (this.contexts.has(this.nextContextId)) this.nextContextId++;
    return this.nextContextId++;
  }

  /**
   * Calls an export on a context. Returns its result as an unsigned number (0 for a void
   * export), or undefined when the VM is failed, the export is missing, or the call traps.
   */
  call(name: string, contextId: number, args: number[] = []): number | undefined {
    if (this.failedState) return undefined;
    const fn = this.exportedFunction(name);
    if (fn === undefined) return undefined;
    this.frames.push({ context: contextId, effective: contextId });
    try {
      const result = fn(...args);
      return typeof result === "number" ? result >>> 0 : 0;
    } catch (error) {
      this.fail(name, contextId, error);
      return undefined;
    } finally {
      this.frames.pop();
    }
  }

  /** Runs `body` with only the `allowed` host calls permitted; others trap. */
  restrictedTo<T>(allowed: ReadonlySet<string>, body: () => T): T {
    const saved = this.restricted;
    this.restricted = allowed;
    try {
      return body();
    } finally {
      this.restricted = saved;
    }
  }

  /**
   * Runs one callback from the host (`body` makes the call and reads the outcome); the actions
   * the module deferred run once the outermost callback has returned.
   */
  dispatch<T>(body: () => T): T {
    this.dispatchDepth++;
    try {
      return body();
    } finally {
      this.dispatchDepth--;
      if (this.dispatchDepth === 0) this.runDeferred();
    }
  }

  /** Queues an action for when the current callback returns (now, if none runs). */
  defer(action: () => void): void {
    this.deferred.push(action);
    if (this.dispatchDepth === 0 && this.frames.length === 0) this.runDeferred();
  }

  get inCall(): boolean {
    return this.frames.length > 0;
  }

  private runDeferred(): void {
    this.stopIteration = false;
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  /** The context host calls act on: the effective one, else the called one. */
  currentContext(): HostContext {
    const frame = this.frames[this.frames.length - 1];
    if (!frame) throw new HostTrap("host call outside of any callback (wasm start section)");
    const context = this.contexts.get(frame.effective) ?? this.contexts.get(frame.context);
    if (!context) throw new Error(`host bug: no context ${frame.context}`);
    return context;
  }

  setEffectiveContext(id: number): boolean {
    const frame = this.frames[this.frames.length - 1];
    if (!frame || !this.contexts.has(id)) return false;
    frame.effective = id;
    return true;
  }

  /** The module's allocator, called on the VM context; 0 when it fails or traps. */
  alloc(size: number): number {
    this.allocator ??= this.exported("malloc") ? "malloc" : "proxy_on_memory_allocate";
    // restrictedTo without its closure: this runs for every value handed to the module.
    const saved = this.restricted;
    this.restricted = ALLOWED_DURING_MALLOC;
    try {
      return this.call(this.allocator, VM_CONTEXT_ID, [size]) ?? 0;
    } finally {
      this.restricted = saved;
    }
  }

  private checkAllowed(fullName: string): void {
    if (this.frames.length === 0) {
      throw new HostTrap(`${fullName} called outside of any callback (from a wasm start section)`);
    }
    if (this.restricted && !this.restricted.has(fullName)) {
      throw new HostTrap(`restricted_callback: ${fullName} may not be called at this point`);
    }
  }

  private fail(callback: string, contextId: number, error: unknown): void {
    this.failedState = true;
    const err = error instanceof Error ? error : new Error(String(error));
    this.onTrap({
      vm: this.label,
      callback,
      contextId,
      message: `${err.name}: ${err.message}`,
      stack: err.stack ?? "",
    });
  }
}
