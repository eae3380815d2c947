// The filter's sealed cookie format, written again in TypeScript with node:crypto from the
// description in assembly/session/sealed.ts and README.md ("Security notes"):
//
//   value = "1." + base64url(nonce ‖ ChaCha20-Poly1305(record, aad = name)) + "." +
//           base64url(HMAC-SHA-256(macKey, name + "=" + everything before the last "."))
//
// with both keys derived from the cookie secret by HKDF-SHA-256. Tests that know the secret
// use it to forge values the filter's own HMAC accepts but whose records are hostile (a wrong
// format byte, a huge count, an issue time at the edge of i64), and the property tests use it
// as a reference for the wasm sealer.
import { createCipheriv, createHash, createHmac, hkdfSync } from "node:crypto";

const HKDF_SALT = "oidc-sso cookie keys v1";

export interface SealKeys {
  mac: Buffer;
  encryption: Buffer;
}

export function deriveKeys(secret: Uint8Array): SealKeys {
  const derive = (info: string) => Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, info, 32));
  return { mac: derive("mac"), encryption: derive("encryption") };
}

/** Keys from a cookie_secret as configured (base64 of the secret bytes). */
export function keysFromSecret(base64Secret: string): SealKeys {
  return deriveKeys(Buffer.from(base64Secret, "base64"));
}

export function macOf(keys: SealKeys, name: string, signedPart: string): Buffer {
  return createHmac("sha256", keys.mac).update(`${name}=${signedPart}`, "utf8").digest();
}

/** Seals `record` for cookie `name` exactly as the filter does (nonce: 12 bytes). */
export function seal(keys: SealKeys, name: string, record: Uint8Array, nonce: Uint8Array): string {
  const cipher = createCipheriv("chacha20-poly1305", keys.encryption, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(name, "utf8"), { plaintextLength: record.length });
  const body = Buffer.concat([cipher.update(record), cipher.final(), cipher.getAuthTag()]);
  const signedPart = "1." + Buffer.concat([nonce, body]).toString("base64url");
  return `${signedPart}.${macOf(keys, name, signedPart).toString("base64url")}`;
}

/** Signs an arbitrary "signed part" (e.g. a wrong version prefix) with a valid HMAC. */
export function signRaw(keys: SealKeys, name: string, signedPart: string): string {
  return `${signedPart}.${macOf(keys, name, signedPart).toString("base64url")}`;
}

// ---- Records (assembly/session/bytes.ts: little-endian integers, u32-length strings) ----

export class RecordWriter {
  private parts: Buffer[] = [];

  u8(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]));
    return this;
  }

  u64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, value));
    this.parts.push(b);
    return this;
  }

  /** A string: u32 length (or `declaredLength` to lie about it) then the UTF-8 bytes. */
  string(value: string | Uint8Array, declaredLength?: number): this {
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(declaredLength ?? bytes.length);
    this.parts.push(size, bytes);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export interface SessionRecord {
  format?: number;
  issuedAt: bigint;
  subject: string;
  claims?: [string, string][];
  /** The claim count written, when it should differ from claims.length. */
  claimCount?: bigint;
  accessToken?: string;
  idToken?: string;
  refreshToken?: string;
  accessTokenExpiresAt?: bigint;
}

export function sessionRecord(s: SessionRecord): Buffer {
  const claims = s.claims ?? [];
  const w = new RecordWriter()
    .u8(s.format ?? 1)
    .u64(s.issuedAt)
    .string(s.subject)
    .u64(s.claimCount ?? BigInt(claims.length));
  for (const [name, value] of claims) w.string(name).string(value);
  return w
    .string(s.accessToken ?? "")
    .string(s.idToken ?? "")
    .string(s.refreshToken ?? "")
    .u64(s.accessTokenExpiresAt ?? 0n)
    .finish();
}

export interface FlowRecord {
  format?: number;
  state: string;
  nonce: string;
  codeVerifier: string;
  target: string;
  createdAt: bigint;
}

export function flowRecord(f: FlowRecord): Buffer {
  return new RecordWriter()
    .u8(f.format ?? 1)
    .string(f.state)
    .string(f.nonce)
    .string(f.codeVerifier)
    .string(f.target)
    .u64(f.createdAt)
    .finish();
}

/** The flow cookie name for `state`: prefix + first 16 chars of base64url(SHA-256(state)). */
export function flowCookieNameOf(prefix: string, state: string): string {
  return prefix + createHash("sha256").update(state, "utf8").digest("base64url").slice(0, 16);
}
