// Secrets in a policy file: inline (a string), or a reference resolved when rendering, so the
// policy itself can live in version control: `{ env: NAME }` reads an environment variable
// (set by a secret manager's CLI or the CI's secret store), `{ file: PATH }` reads a file
// (a mounted secret, a decrypted sops file), relative to the policy file.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export type SecretSource = string | { env: string } | { file: string };

export interface ResolvedSecret {
  value: string;
  inline: boolean;
}

/** Checks the form of a secret setting; returns the problem, or null. */
export function secretFormProblem(value: unknown): string | null {
  if (typeof value === "string") return value.length > 0 ? null : "must not be empty";
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return "must be a string, { env: NAME } or { file: PATH }";
  }
  const keys = Object.keys(value);
  const [key] = keys;
  const ref = (value as Record<string, unknown>)[key];
  if (keys.length !== 1 || (key !== "env" && key !== "file") || typeof ref !== "string" || !ref) {
    return "must be a string, { env: NAME } or { file: PATH }";
  }
  return null;
}

/** Reads a secret; throws an Error naming the reference (never the value) when it cannot. */
export function resolveSecret(source: SecretSource, baseDir: string): ResolvedSecret {
  if (typeof source === "string") return { value: source, inline: true };
  if ("env" in source) {
    const value = process.env[source.env];
    if (!value) throw new Error(`environment variable ${source.env} is not set or empty`);
    return { value, inline: false };
  }
  const path = resolve(baseDir, source.file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  // Files written by `echo` or editors end with a newline that is no part of the secret.
  const value = text.replace(/\r?\n$/, "");
  if (!value) throw new Error(`${path} is empty`);
  return { value, inline: false };
}
