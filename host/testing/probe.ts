// Helpers for tests driving the "probe" test filter (tests/filters/probe.ts), which logs each
// host call it makes as "probe <name> status=<code> value=<value>".
import type { HeaderPairs } from "../pairs.ts";
import type { LogRecord } from "../records.ts";

export interface ProbeResult {
  name: string;
  status: number;
  value: string | undefined;
  contextId: number;
  vm: string;
}

const LINE = /^probe (\S+) status=(-?\d+)(?: value=(.*))?$/s;

/** Every probe result in the logs, optionally only those of one command. */
export function probeResults(logs: LogRecord[], name?: string): ProbeResult[] {
  const results: ProbeResult[] = [];
  for (const record of logs) {
    const match = LINE.exec(record.message);
    if (!match || (name !== undefined && match[1] !== name)) continue;
    results.push({
      name: match[1],
      status: Number(match[2]),
      value: match[3],
      contextId: record.contextId,
      vm: record.vm,
    });
  }
  return results;
}

/** The last result of a command; throws when the filter never ran it. */
export function lastProbe(logs: LogRecord[], name: string): ProbeResult {
  const results = probeResults(logs, name);
  const last = results[results.length - 1];
  if (!last) throw new Error(`the probe filter never reported "${name}"`);
  return last;
}

/** Request headers as Envoy hands them to filters, plus extra ones. */
export function requestHeaders(path: string, extra: HeaderPairs = [], method = "GET"): HeaderPairs {
  return [
    [":authority", "app.test"],
    [":path", path],
    [":method", method],
    [":scheme", "https"],
    ...extra,
  ];
}

/** The filter's lines that are not probe results (callback traces such as "log 2"). */
export function traces(logs: LogRecord[]): string[] {
  return logs.filter((r) => r.source === "filter" && !LINE.test(r.message)).map((r) => r.message);
}
