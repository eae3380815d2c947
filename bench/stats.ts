// Timing helpers shared by the benchmark sections: a nanosecond clock, medians, and rounds
// that alternate the order of the contenders so that drift in the machine's speed (it is
// shared) falls on all of them alike.

/** Nanoseconds from a monotonic clock. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Something measured in rounds: one call runs `count` operations, returns their total ns. */
export type Contender = (count: number) => number;

export interface Comparison {
  /** Median ns per operation of each contender. */
  medians: number[];
  /** Median over rounds of contender[i] / contender[0], paired within each round. */
  ratios: number[];
}

/**
 * Runs every contender once to warm up, then `rounds` times, in alternating order, with
 * `count` operations each; returns medians per operation and paired ratios to the first.
 */
export function compareRounds(contenders: Contender[], count: number, rounds: number): Comparison {
  for (const run of contenders) run(Math.max(1, count >> 1));
  const samples = contenders.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = [...contenders.keys()];
    if (round % 2) order.reverse();
    for (const index of order) samples[index].push(contenders[index](count) / count);
  }
  const ratios = samples.map((own) => median(own.map((value, round) => value / samples[0][round])));
  return { medians: samples.map(median), ratios };
}
