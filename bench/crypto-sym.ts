// Speed of the symmetric primitives compiled to WebAssembly, side by side with node:crypto in
// the same process. The session cookie's MAC is checked on every request, so the figure that
// matters most is HMAC-SHA-256 over a cookie-sized message with a precomputed key.
//
// The WebAssembly side loops inside the module (the harness's bench* exports), so that copying
// arguments across the JavaScript boundary is paid once per round, not once per operation.
// Each figure is the median of several rounds, taken after a warm-up.
//
// Run alone with `npx tsx bench/crypto-sym.ts` after `npx tsx scripts/build-tests.ts`.
import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto";
import { pathToFileURL } from "node:url";
import * as wasm from "../build/test/harness/crypto_sym.js";

export type Row = { name: string; value: number; unit: string; target?: string; ratio?: number };

const ROUNDS = 7;
const HMAC_MESSAGE_SIZE = 300;
const HMAC_ITERATIONS = 20_000;
const HASH_INPUT_SIZE = 1 << 20;
const HASH_ITERATIONS = 8;
const AEAD_INPUT_SIZE = 1024;
const AEAD_ITERATIONS = 4_000;
const HMAC_TARGET_RATIO = 2;

/** Fixed, non-zero test bytes; the figures do not depend on the values. */
function filled(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 131 + seed * 17 + 7) & 0xff;
  return out;
}

/** Nanoseconds per iteration of `run(iterations)`. */
function nsPerIteration(run: (iterations: number) => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  run(iterations);
  return Number(process.hrtime.bigint() - start) / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Median ns per iteration of each contender, measured in alternating order within every round
 * so that drift in the machine's speed falls on both alike.
 */
function compare(contenders: Array<(iterations: number) => unknown>, iterations: number) {
  for (const run of contenders) run(Math.max(1, iterations >> 2));
  const samples = contenders.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...contenders.keys()].reverse() : [...contenders.keys()];
    for (const index of order) samples[index].push(nsPerIteration(contenders[index], iterations));
  }
  return samples.map(median);
}

function benchHmac(): Row[] {
  const key = filled(32, 1);
  const message = filled(HMAC_MESSAGE_SIZE, 2);
  const [inWasm, inNode] = compare(
    [
      (n) => wasm.benchHmac(key, message, n),
      (n) => {
        for (let i = 0; i < n; i++) createHmac("sha256", key).update(message).digest();
      },
    ],
    HMAC_ITERATIONS,
  );
  const ratio = inWasm / inNode;
  return [
    {
      name: `HMAC-SHA-256, ${HMAC_MESSAGE_SIZE} B, precomputed key (wasm)`,
      value: inWasm,
      unit: "ns/op",
      target: `<= ${HMAC_TARGET_RATIO}x node:crypto`,
      ratio,
    },
    {
      name: `HMAC-SHA-256, ${HMAC_MESSAGE_SIZE} B (node:crypto createHmac)`,
      value: inNode,
      unit: "ns/op",
    },
  ];
}

function benchSha256(): Row[] {
  const data = filled(HASH_INPUT_SIZE, 3);
  const [inWasm, inNode] = compare(
    [
      (n) => wasm.benchSha256(data, n),
      (n) => {
        for (let i = 0; i < n; i++) createHash("sha256").update(data).digest();
      },
    ],
    HASH_ITERATIONS,
  );
  // Bytes per nanosecond equal 10^3 MB/s (MB = 10^6 bytes).
  const throughput = (ns: number) => (HASH_INPUT_SIZE / ns) * 1000;
  const name = "SHA-256 throughput, 1 MiB input";
  return [
    { name: `${name} (wasm)`, value: throughput(inWasm), unit: "MB/s" },
    { name: `${name} (node:crypto)`, value: throughput(inNode), unit: "MB/s" },
  ];
}

function nodeSealThenOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Buffer {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  decipher.setAAD(aad, { plaintextLength: ciphertext.length });
  decipher.setAuthTag(cipher.getAuthTag());
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function benchAead(): Row[] {
  const key = filled(32, 4);
  const nonce = filled(12, 5);
  const plaintext = filled(AEAD_INPUT_SIZE, 6);
  const aad = filled(16, 7);
  if (wasm.benchAead(key, nonce, plaintext, aad, 1) !== 1) throw new Error("wasm open failed");
  const [inWasm, inNode] = compare(
    [
      (n) => wasm.benchAead(key, nonce, plaintext, aad, n),
      (n) => {
        for (let i = 0; i < n; i++) nodeSealThenOpen(key, nonce, plaintext, aad);
      },
    ],
    AEAD_ITERATIONS,
  );
  const name = "ChaCha20-Poly1305 seal + open, 1 KiB";
  return [
    { name: `${name} (wasm)`, value: inWasm / 1000, unit: "µs" },
    { name: `${name} (node:crypto)`, value: inNode / 1000, unit: "µs" },
  ];
}

export async function benchCryptoSym(): Promise<Row[]> {
  return [...benchHmac(), ...benchSha256(), ...benchAead()];
}

function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const value = row.value >= 100 ? row.value.toFixed(0) : row.value.toFixed(2);
    const versus = row.ratio === undefined ? "" : `  ratio ${row.ratio.toFixed(2)}x`;
    const target = row.target === undefined ? "" : `  (target ${row.target})`;
    console.log(`${row.name.padEnd(width)}  ${value.padStart(8)} ${row.unit}${versus}${target}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchCryptoSym());
}
