// Counts what the hardening suites (hostile-*, property-*, faults-*, load-*) tried and what
// went wrong. The suites run as separate processes, so each writes its counts to
// build/hardening/<suite>.json when it ends and prints one line; run this file to print the
// table of every suite's latest record and the totals (exit status 1 when anything was let
// through wrongly or trapped):
//
//   npx tsx tests/node/support/hostile-tally.ts
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const TALLY_DIR = new URL("../../../build/hardening/", import.meta.url).pathname;

export interface Counts {
  /** Hostile cases tried, each with its exact expected outcome. */
  cases: number;
  /** Generated inputs run through the parsers in WebAssembly. */
  propertyRuns: number;
  /** Provider faults injected that the filter came through. */
  faults: number;
  /** Distinct users who logged in through a gateway. */
  users: number;
  /** Requests served through a gateway with a session. */
  requests: number;
  /** Requests let through (or given an identity) when they must not have been. */
  letThrough: number;
  /** Traps of the VM. */
  traps: number;
}

export interface SuiteRecord extends Counts {
  suite: string;
  finishedAt: string;
  durationMs: number;
}

const FIELDS: (keyof Counts)[] = [
  "cases",
  "propertyRuns",
  "faults",
  "users",
  "requests",
  "letThrough",
  "traps",
];

function zero(): Counts {
  return { cases: 0, propertyRuns: 0, faults: 0, users: 0, requests: 0, letThrough: 0, traps: 0 };
}

export class Tally {
  readonly counts: Counts = zero();
  private readonly started = Date.now();

  constructor(readonly suite: string) {}

  add(field: keyof Counts, n = 1): void {
    this.counts[field] += n;
  }

  /** Writes this suite's record and prints its line (stderr: the test runner keeps it). */
  finish(): SuiteRecord {
    const record: SuiteRecord = {
      suite: this.suite,
      ...this.counts,
      finishedAt: new Date().toISOString(),
      durationMs: Date.now() - this.started,
    };
    mkdirSync(TALLY_DIR, { recursive: true });
    writeFileSync(join(TALLY_DIR, `${this.suite}.json`), JSON.stringify(record, null, 2) + "\n");
    const c = this.counts;
    process.stderr.write(
      `hardening ${this.suite}: ${c.cases} cases, ${c.propertyRuns} property runs, ` +
        `${c.faults} faults, ${c.users} users, ${c.requests} requests; let through wrongly ` +
        `${c.letThrough}, traps ${c.traps}\n`,
    );
    return record;
  }
}

export function readRecords(): SuiteRecord[] {
  let files: string[] = [];
  try {
    files = readdirSync(TALLY_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(join(TALLY_DIR, f), "utf8")) as SuiteRecord);
}

const WIDTHS = [20, 7, 10, 8, 7, 10, 13, 7, 9, 10];

function row(cells: (string | number)[]): string {
  return cells
    .map((c, i) => (i === 0 ? String(c).padEnd(WIDTHS[0]) : String(c).padStart(WIDTHS[i])))
    .join("");
}

export function totals(records: SuiteRecord[]): Counts {
  const total = zero();
  for (const r of records) for (const f of FIELDS) total[f] += r[f];
  return total;
}

/** The table: one row per suite (with the time its record was written), then the totals. */
export function formatSummary(records: SuiteRecord[]): string {
  const lines = [
    row([
      "suite",
      "cases",
      "property",
      "faults",
      "users",
      "requests",
      "let through",
      "traps",
      "seconds",
      "finished",
    ]),
  ];
  for (const r of records) {
    lines.push(
      row([
        r.suite,
        r.cases,
        r.propertyRuns,
        r.faults,
        r.users,
        r.requests,
        r.letThrough,
        r.traps,
        (r.durationMs / 1000).toFixed(1),
        r.finishedAt.slice(11, 19),
      ]),
    );
  }
  const t = totals(records);
  lines.push(
    row([
      "total",
      t.cases,
      t.propertyRuns,
      t.faults,
      t.users,
      t.requests,
      t.letThrough,
      t.traps,
      "",
      "",
    ]),
  );
  lines.push(`let through wrongly: ${t.letThrough} (must be 0); traps: ${t.traps} (must be 0)`);
  return lines.join("\n") + "\n";
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const records = readRecords();
  process.stdout.write(`hardening summary (${TALLY_DIR})\n${formatSummary(records)}`);
  const t = totals(records);
  process.exitCode = records.length === 0 || t.letThrough > 0 || t.traps > 0 ? 1 : 0;
}
