// Session cookie values made in Node with the filter's own format (assembly/session/sealed.ts):
//   "1." + base64url(nonce ‖ ChaCha20-Poly1305(record, aad = cookie name) ‖ tag)
//        + "." + base64url(HMAC-SHA-256(name + "=" + everything before the last "."))
// with both keys derived from the cookie secret by HKDF-SHA-256. The benchmark opens the
// record of a real session (made by a login through the filter) and seals it again under new
// nonces: as many distinct, authentic sessions as it needs, without a login for each.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

const HKDF_SALT = "oidc-sso cookie keys v1";
const NONCE_SIZE = 12;
const TAG_SIZE = 16;

export interface CookieKeys {
  mac: Buffer;
  encryption: Buffer;
}

export function deriveKeys(cookieSecretBase64: string): CookieKeys {
  const secret = Buffer.from(cookieSecretBase64, "base64");
  const key = (info: string) => Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, info, 32));
  return { mac: key("mac"), encryption: key("encryption") };
}

/** The bytes the filter's HMAC covers for `value` of cookie `name`. */
export function macInput(name: string, value: string): Buffer {
  return Buffer.from(`${name}=${value.slice(0, value.lastIndexOf("."))}`, "utf8");
}

/** The record inside an authentic value; throws when the value does not check out. */
export function openValue(keys: CookieKeys, name: string, value: string): Buffer {
  const tag = createHmac("sha256", keys.mac).update(macInput(name, value)).digest();
  const parts = value.split(".");
  if (parts.length !== 3 || parts[0] !== "1" || !tag.equals(Buffer.from(parts[2], "base64url"))) {
    throw new Error(`not an authentic ${name} value`);
  }
  const payload = Buffer.from(parts[1], "base64url");
  const nonce = payload.subarray(0, NONCE_SIZE);
  const ciphertext = payload.subarray(NONCE_SIZE, payload.length - TAG_SIZE);
  const decipher = createDecipheriv("chacha20-poly1305", keys.encryption, nonce, {
    authTagLength: TAG_SIZE,
  });
  decipher.setAAD(Buffer.from(name), { plaintextLength: ciphertext.length });
  decipher.setAuthTag(payload.subarray(payload.length - TAG_SIZE));
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

/** Seals `record` for cookie `name` under a fresh random nonce. */
export function sealValue(keys: CookieKeys, name: string, record: Buffer): string {
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv("chacha20-poly1305", keys.encryption, nonce, {
    authTagLength: TAG_SIZE,
  });
  cipher.setAAD(Buffer.from(name), { plaintextLength: record.length });
  const sealed = Buffer.concat([nonce, cipher.update(record), cipher.final(), cipher.getAuthTag()]);
  const signed = `1.${sealed.toString("base64url")}`;
  const tag = createHmac("sha256", keys.mac).update(`${name}=${signed}`).digest("base64url");
  return `${signed}.${tag}`;
}

/** `count` distinct authentic values holding the same record as `value`. */
export function resealMany(keys: CookieKeys, name: string, value: string, count: number): string[] {
  const record = openValue(keys, name, value);
  return Array.from({ length: count }, () => sealValue(keys, name, record));
}
