// Metrics as Envoy keeps them: the values live in the host (Envoy's stats scope, shared by every
// VM of the plugin), while each VM gets its own ids, which carry the metric type in their two low
// bits and grow by 4 per definition (cpp-host WasmBase::next*MetricId). Defining the same name
// again yields a new id for the same metric, as in Envoy.
import { MetricType, WasmResult } from "./abi.ts";

export type MetricTypeName = "counter" | "gauge" | "histogram";
const TYPE_NAMES: MetricTypeName[] = ["counter", "gauge", "histogram"];
const TYPE_MASK = 0x3;
const ID_INCREMENT = 4;

interface Metric {
  type: MetricType;
  value: bigint;
  samples: bigint[];
}

export interface MetricSnapshot {
  type: MetricTypeName;
  /** Counter total, gauge value, or the last value recorded in a histogram. */
  value: number;
  /** Every value recorded in a histogram (empty for counters and gauges). */
  samples: number[];
}

/** The host-wide metric values, by name and type. */
export class MetricStore {
  private readonly metrics = new Map<string, Metric>();

  get(name: string, type: MetricType): Metric {
    const key = `${type}:${name}`;
    let metric = this.metrics.get(key);
    if (!metric) {
      metric = { type, value: 0n, samples: [] };
      this.metrics.set(key, metric);
    }
    return metric;
  }

  snapshot(): Record<string, MetricSnapshot> {
    const out: Record<string, MetricSnapshot> = {};
    for (const [key, m] of this.metrics) {
      const name = key.slice(key.indexOf(":") + 1);
      out[name] = {
        type: TYPE_NAMES[m.type],
        value: Number(m.value),
        samples: m.samples.map(Number),
      };
    }
    return out;
  }
}

/** One VM's view of the metrics: its ids, mapped onto the host's values. */
export class MetricIds {
  private readonly byId = new Map<number, Metric>();
  private readonly next = [MetricType.Counter, MetricType.Gauge, MetricType.Histogram];

  constructor(private readonly store: MetricStore) {}

  define(type: number, name: string): { result: WasmResult; id: number } {
    if (type < 0 || type > MetricType.Histogram) return { result: WasmResult.BadArgument, id: 0 };
    this.next[type] += ID_INCREMENT;
    const id = this.next[type];
    this.byId.set(id, this.store.get(name, type));
    return { result: WasmResult.Ok, id };
  }

  increment(id: number, delta: bigint): WasmResult {
    const type = id & TYPE_MASK;
    if (type !== MetricType.Counter && type !== MetricType.Gauge) return WasmResult.BadArgument;
    const metric = this.byId.get(id);
    if (!metric) return WasmResult.NotFound;
    if (type === MetricType.Counter && delta <= 0n) return WasmResult.BadArgument;
    metric.value = BigInt.asUintN(64, metric.value + delta);
    return WasmResult.Ok;
  }

  /** Counters add the value, gauges take it, histograms record it (Envoy recordMetric). */
  record(id: number, value: bigint): WasmResult {
    const metric = this.byId.get(id);
    if (!metric || (id & TYPE_MASK) !== metric.type) return WasmResult.NotFound;
    const unsigned = BigInt.asUintN(64, value);
    if (metric.type === MetricType.Counter) {
      metric.value = BigInt.asUintN(64, metric.value + unsigned);
    } else if (metric.type === MetricType.Gauge) metric.value = unsigned;
    else {
      metric.value = unsigned;
      metric.samples.push(unsigned);
    }
    return WasmResult.Ok;
  }

  read(id: number): { result: WasmResult; value: bigint } {
    const type = id & TYPE_MASK;
    if (type !== MetricType.Counter && type !== MetricType.Gauge) {
      return { result: WasmResult.BadArgument, value: 0n };
    }
    const metric = this.byId.get(id);
    if (!metric) return { result: WasmResult.NotFound, value: 0n };
    return { result: WasmResult.Ok, value: metric.value };
  }
}
