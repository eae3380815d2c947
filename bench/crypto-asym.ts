// Speed of ID-token signature verification compiled to WebAssembly (RS256, ES256), beside
// node:crypto verifying the same signature in the same process. A verification runs once per
// login callback (RFC 7519 / OpenID Connect Core §3.1.3.7), so its cost is per login, not per
// request; the targets keep a login within a fraction of a millisecond of CPU.
//
// The WebAssembly side loops inside the module (benchRsa, benchEcdsa in the harness), so the
// arguments cross the JavaScript boundary once per round. node:crypto also hashes its 64-byte
// message, which the WebAssembly side is given as a digest: that adds well under 1 µs.
// Each figure is the median of several rounds, taken after a warm-up.
//
// Run alone with `npx tsx bench/crypto-asym.ts` after `npx tsx scripts/build-tests.ts`.
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { pathToFileURL } from "node:url";
import * as wasm from "../build/test/harness/crypto_asym.js";

export type Row = { name: string; value: number; unit: string; target?: string; ratio?: number };

const ROUNDS = 7;
const RSA_TARGET_US = 500;
const ECDSA_TARGET_US = 2000;

type Case = {
  name: string;
  target?: number;
  iterations: number;
  inWasm: (iterations: number) => number;
  inNode: (iterations: number) => unknown;
};

/** Microseconds per iteration of `run(iterations)`. */
function usPerIteration(run: (iterations: number) => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  run(iterations);
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median µs per verification of both sides, alternating their order from round to round. */
function measure(entry: Case): Row[] {
  if (entry.inWasm(1) !== 1) throw new Error(`${entry.name}: wasm did not verify`);
  const sides = [(n: number) => entry.inWasm(n), entry.inNode];
  for (const run of sides) run(Math.max(1, entry.iterations >> 2));
  const samples: number[][] = [[], []];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const side of order) samples[side].push(usPerIteration(sides[side], entry.iterations));
  }
  const [inWasm, inNode] = samples.map(median);
  const target = entry.target === undefined ? undefined : `< ${entry.target} µs`;
  return [
    { name: `${entry.name} (wasm)`, value: inWasm, unit: "µs", target, ratio: inWasm / inNode },
    { name: `${entry.name} (node:crypto)`, value: inNode, unit: "µs" },
  ];
}

function nodeVerifier(message: Uint8Array, key: KeyObject, signature: Uint8Array, ec: boolean) {
  const options = ec ? { key, dsaEncoding: "ieee-p1363" as const } : key;
  return (iterations: number) => {
    for (let i = 0; i < iterations; i++) {
      if (!verify("sha256", message, options, signature)) throw new Error("node did not verify");
    }
  };
}

function rsaCase(bits: number, iterations: number, target?: number): Case {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" });
  const n = new Uint8Array(Buffer.from(jwk.n!, "base64url"));
  const e = new Uint8Array(Buffer.from(jwk.e!, "base64url"));
  const message = new Uint8Array(64).fill(0x61);
  const digest = new Uint8Array(createHash("sha256").update(message).digest());
  const signature = new Uint8Array(sign("sha256", message, privateKey));
  return {
    name: `RS256 verification, ${bits}-bit key, e = 65537`,
    target,
    iterations,
    inWasm: (count) => wasm.benchRsa(n, e, digest, signature, count),
    inNode: nodeVerifier(message, publicKey, signature, false),
  };
}

function ecdsaCase(iterations: number): Case {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = publicKey.export({ format: "jwk" });
  const x = new Uint8Array(Buffer.from(jwk.x!, "base64url"));
  const y = new Uint8Array(Buffer.from(jwk.y!, "base64url"));
  const message = new Uint8Array(64).fill(0x62);
  const digest = new Uint8Array(createHash("sha256").update(message).digest());
  const options = { key: privateKey, dsaEncoding: "ieee-p1363" as const };
  const signature = new Uint8Array(sign("sha256", message, options));
  return {
    name: "ES256 verification, P-256",
    target: ECDSA_TARGET_US,
    iterations,
    inWasm: (count) => wasm.benchEcdsa(x, y, digest, signature, count),
    inNode: nodeVerifier(message, publicKey, signature, true),
  };
}

export async function benchCryptoAsym(): Promise<Row[]> {
  return [
    ...measure(rsaCase(2048, 200, RSA_TARGET_US)),
    ...measure(rsaCase(4096, 40)),
    ...measure(ecdsaCase(100)),
  ];
}

function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map((row) => row.name.length));
  for (const row of rows) {
    const value = row.value >= 100 ? row.value.toFixed(0) : row.value.toFixed(1);
    const versus = row.ratio === undefined ? "" : `  ${row.ratio.toFixed(1)}x node:crypto`;
    const target = row.target === undefined ? "" : `  (target ${row.target})`;
    console.log(`${row.name.padEnd(width)}  ${value.padStart(7)} ${row.unit}${versus}${target}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await benchCryptoAsym());
}
