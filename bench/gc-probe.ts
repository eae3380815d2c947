// JavaScript garbage collection in the gateway process under load, per filter: the count and
// time of V8's collections by kind, while the load client runs against each gateway in turn.
//   npx tsx bench/gc-probe.ts
import { PerformanceObserver, constants } from "node:perf_hooks";
import { gatewayRig, okPerSecond } from "./gateway.ts";

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-sweep",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
};

const rig = await gatewayRig();
try {
  for (const [label, gateway] of [["no-op", rig.withNoop], ["release", rig.withFilter],
    ["no-op", rig.withNoop], ["release", rig.withFilter]] as const) {
    await rig.client.load(rig.order(gateway, 500));
    const tally = new Map<string, { count: number; ms: number }>();
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = KINDS[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? "other";
        const t = tally.get(kind) ?? { count: 0, ms: 0 };
        t.count++;
        t.ms += entry.duration;
        tally.set(kind, t);
      }
    });
    observer.observe({ entryTypes: ["gc"] });
    const result = await rig.client.load(rig.order(gateway, 3000));
    observer.disconnect();
    const served = okPerSecond(result) * result.elapsedMs / 1000;
    const parts = [...tally].map(([kind, t]) =>
      `${kind} ${t.count}x ${(1000 * t.ms / served).toFixed(1)} µs/request`);
    console.log(`${label}: ${Math.round(okPerSecond(result))} req/s; ${parts.join("; ")}; ` +
      `heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB, ` +
      `external ${(process.memoryUsage().external / 1e6).toFixed(0)} MB`);
  }
} finally {
  await rig.close();
}
