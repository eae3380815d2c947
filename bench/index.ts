// `npm run bench`: every performance figure of the filter, measured in one run on this
// machine, printed as one table (Markdown) with each figure's target and ratio. The bench
// reports; it never fails on a missed target. Sections:
//   1. request time in the emulator, beside the no-op filter (bench/request-time.ts);
//   2. the session cookie's HMAC, beside node:crypto (bench/cookie-hmac.ts);
//   3. ID token signature verification, RS256 and ES256 (bench/crypto-asym.ts);
//   4. module size (bench/module-size.ts);
//   5. linear memory over many requests (bench/memory.ts);
//   6. gateway throughput, beside the no-op filter (bench/gateway.ts).
// Needs `npm run build` first; builds the test modules it loads. Where a figure misses its
// target, `npx tsx bench/profile.ts` shows where the time or the bytes go. Words after
// `npm run bench --` pick sections by title, e.g. `npm run bench -- request gateway`.
import { availableParallelism, cpus } from "node:os";
import { benchModuleSize } from "./module-size.ts";
import { RELEASE_WASM, prepare } from "./prepare.ts";
import { nowNs } from "./stats.ts";
import { renderTable, type Row } from "./table.ts";

/** The whole run must stay within 5 minutes; the memory loop gets what the rest leaves. */
const MEMORY_BUDGET_MS = 90_000;

const ASYM_TARGETS: Record<string, number> = {
  "RS256 verification, 2048-bit key, e = 65537 (wasm)": 500,
  "ES256 verification, P-256 (wasm)": 2000,
};

type CryptoRow = { name: string; value: number; unit: string; target?: string; ratio?: number };

/** The WebAssembly rows of bench/crypto-asym.ts, with their targets judged. */
function asymRows(rows: CryptoRow[]): Row[] {
  return rows
    .filter((row) => row.name.endsWith("(wasm)"))
    .map((row) => {
      const limit = ASYM_TARGETS[row.name];
      return {
        name: `ID token ${row.name.replace(" (wasm)", "")}`,
        value: row.value,
        unit: row.unit,
        ratio: row.ratio,
        versus: "node:crypto",
        target: limit === undefined ? undefined : `< ${limit} µs`,
        met: limit === undefined ? undefined : row.value < limit,
      };
    });
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${availableParallelism()} CPUs (${cpu}), Node ${process.version}, ` +
    `${new Date().toISOString().slice(0, 10)}`;
}

/** `npm run bench -- request gateway` runs only the sections whose titles hold those words. */
const ONLY = process.argv.slice(2);

async function section(title: string, run: () => Promise<Row[]> | Row[]): Promise<Row[]> {
  if (ONLY.length > 0 && !ONLY.some((word) => title.includes(word))) return [];
  const start = nowNs();
  process.stderr.write(`bench: ${title}...`);
  const rows = await run();
  process.stderr.write(` ${((nowNs() - start) / 1e9).toFixed(1)} s\n`);
  return rows;
}

async function main(): Promise<void> {
  const start = nowNs();
  await prepare();
  // These import the harness modules prepare() builds.
  const { benchCookieHmac } = await import("./cookie-hmac.ts");
  const { benchCryptoAsym } = await import("./crypto-asym.ts");
  const { benchRequestTime } = await import("./request-time.ts");
  const { benchMemory } = await import("./memory.ts");
  const { benchGateway } = await import("./gateway.ts");
  const { loggedInFilter } = await import("./filter-lanes.ts");

  const rows: Row[] = [];
  rows.push(...(await section("request time in the emulator", benchRequestTime)));
  rows.push(...(await section("session cookie HMAC", () => benchCookieHmac(loggedInFilter()))));
  const asym = async () => asymRows(await benchCryptoAsym());
  rows.push(...(await section("ID token verification", asym)));
  rows.push(...(await section("module size", () => benchModuleSize(RELEASE_WASM))));
  rows.push(...(await section("linear memory", () => benchMemory(MEMORY_BUDGET_MS))));
  rows.push(...(await section("gateway throughput", benchGateway)));

  console.log(`Measured on ${machine()}; whole run ${((nowNs() - start) / 1e9).toFixed(0)} s.\n`);
  console.log(renderTable(rows).join("\n"));
}

await main();
