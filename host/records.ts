// What the host saw, kept for tests and operators: the module's log lines (at or above the
// configured level, as Envoy drops the rest), every call to a host function this host does not
// implement (with one warning per name), and every trap that broke a VM.
import { LOG_LEVEL_NAMES, LogLevel, type LogLevelName } from "./abi.ts";
import type { Clock } from "./clock.ts";

export interface LogRecord {
  level: LogLevel;
  levelName: LogLevelName;
  message: string;
  /** "filter" for the module's own lines, "host" for the host's remarks about the module. */
  source: "filter" | "host";
  contextId: number;
  /** Which VM wrote it: "canary" for the throwaway start-up VM, else "main" or a later one. */
  vm: string;
  timeMs: number;
}

export interface UnimplementedCall {
  name: string;
  contextId: number;
  vm: string;
  detail: string;
}

export interface TrapRecord {
  vm: string;
  /** The export that was running when the VM broke, e.g. "proxy_on_request_headers". */
  callback: string;
  contextId: number;
  message: string;
  stack: string;
}

export function parseLogLevel(level: LogLevelName | LogLevel | undefined): LogLevel {
  if (level === undefined) return LogLevel.Info;
  if (typeof level === "number") {
    if (level >= LogLevel.Trace && level <= LogLevel.Critical) return level;
  } else {
    const index = LOG_LEVEL_NAMES.indexOf(level);
    if (index >= 0) return index;
  }
  throw new Error(`unknown log level ${JSON.stringify(level)}: use one of ${LOG_LEVEL_NAMES}`);
}

export class HostRecorder {
  readonly logs: LogRecord[] = [];
  readonly unimplemented: UnimplementedCall[] = [];
  readonly traps: TrapRecord[] = [];
  private readonly warned = new Set<string>();

  constructor(
    /** Changed at run time by setLogLevel (Envoy's admin endpoint /logging). */
    public logLevel: LogLevel,
    private readonly clock: Clock,
    private readonly onRecord?: (record: LogRecord) => void,
  ) {}

  log(
    level: LogLevel,
    message: string,
    contextId: number,
    vm: string,
    source: "filter" | "host" = "filter",
  ): void {
    if (level < this.logLevel) return;
    const record: LogRecord = {
      level,
      levelName: LOG_LEVEL_NAMES[level],
      message,
      source,
      contextId,
      vm,
      timeMs: this.clock.nowMs(),
    };
    this.logs.push(record);
    this.onRecord?.(record);
  }

  /** A host function this host does not implement was called: record it, warn once per name. */
  unimplementedCall(name: string, contextId: number, vm: string, detail: string): void {
    this.unimplemented.push({ name, contextId, vm, detail });
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.log(LogLevel.Warn, `unimplemented host call ${name}: ${detail}`, contextId, vm, "host");
  }

  trap(record: TrapRecord): void {
    this.traps.push(record);
    const text = `vm ${record.vm} failed in ${record.callback}: ${record.message}`;
    this.log(LogLevel.Critical, text, record.contextId, record.vm, "host");
  }

  /** Log lines at or above `level` (all recorded lines when omitted). */
  getLogs(level?: LogLevelName | LogLevel): LogRecord[] {
    const min = level === undefined ? LogLevel.Trace : parseLogLevel(level);
    return this.logs.filter((r) => r.level >= min);
  }
}
