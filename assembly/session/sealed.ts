// Sealed cookie values: what the filter stores in a browser, confidential and tamper-proof.
//
//   value = "1." + base64url(nonce ‖ ciphertext ‖ tag) + "." + base64url(HMAC)
//
// The record is encrypted with ChaCha20-Poly1305 (RFC 8439 §2.8) under a random 96-bit nonce,
// with the cookie's name as associated data. The HMAC-SHA-256 (RFC 2104) covers the name and
// everything before the last '.', so a value is checked with one HMAC before any decryption,
// and a value made for one cookie (a login flow) is refused under another (the session).
// Both keys come from the operator's cookie secret through HKDF-SHA-256 (RFC 5869), so the
// secret itself never keys a primitive directly.
import { HmacKey, HMAC_SHA256_SIZE } from "../crypto/hmac";
import { hkdf } from "../crypto/hkdf";
import { open, seal, AEAD_NONCE_SIZE } from "../crypto/aead";
import { base64UrlDecode, base64UrlEncode } from "../codec/base64";

const VERSION_PREFIX = "1.";
const HKDF_SALT = "oidc-sso cookie keys v1";
// A sealed value above this size is refused before any work; a session split into cookie parts
// (4 KiB each in the browser) stays well below it.
export const MAX_VALUE_LENGTH = 32768;

/** The keys one cookie secret yields. */
export class CookieKeys {
  constructor(public mac: HmacKey, public encryption: Uint8Array) {}

  static derive(secret: Uint8Array): CookieKeys {
    const salt = Uint8Array.wrap(String.UTF8.encode(HKDF_SALT));
    const macKey = hkdf(salt, secret, Uint8Array.wrap(String.UTF8.encode("mac")), 32);
    const encKey = hkdf(salt, secret, Uint8Array.wrap(String.UTF8.encode("encryption")), 32);
    // hkdf only fails for lengths over 255 * 32 bytes; 32 always succeeds.
    return new CookieKeys(new HmacKey(macKey!), encKey!);
  }
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

function macInput(name: string, signedPart: string): Uint8Array {
  return bytesOf(name + "=" + signedPart);
}

/** Seals `record` for the cookie `name`. `nonce` must be 12 fresh random bytes. */
export function sealValue(
  keys: CookieKeys, name: string, record: Uint8Array, nonce: Uint8Array,
): string | null {
  if (nonce.length != AEAD_NONCE_SIZE) return null;
  const sealed = seal(keys.encryption, nonce, record, bytesOf(name));
  if (sealed === null) return null;
  const payload = new Uint8Array(AEAD_NONCE_SIZE + sealed.length);
  payload.set(nonce, 0);
  payload.set(changetype<Uint8Array>(sealed), AEAD_NONCE_SIZE);
  const signedPart = VERSION_PREFIX + base64UrlEncode(payload);
  const tag = keys.mac.mac(macInput(name, signedPart));
  return signedPart + "." + base64UrlEncode(tag);
}

/**
 * Checks the HMAC of a sealed value for the cookie `name`, in constant time. Returns the
 * payload (nonce ‖ ciphertext ‖ tag) when it is authentic, null otherwise.
 */
export function verifyValue(keys: CookieKeys, name: string, value: string): Uint8Array | null {
  if (value.length > MAX_VALUE_LENGTH || !value.startsWith(VERSION_PREFIX)) return null;
  const dot = value.lastIndexOf(".");
  if (dot <= VERSION_PREFIX.length) return null;
  const tag = base64UrlDecode(value.substring(dot + 1));
  if (tag === null || tag.length != HMAC_SHA256_SIZE) return null;
  const signedPart = value.substring(0, dot);
  if (!keys.mac.verify(macInput(name, signedPart), tag)) return null;
  return base64UrlDecode(signedPart.substring(VERSION_PREFIX.length));
}

/** Decrypts an authentic payload from verifyValue; null when it does not open. */
export function openPayload(keys: CookieKeys, name: string, payload: Uint8Array): Uint8Array | null {
  if (payload.length < AEAD_NONCE_SIZE) return null;
  const nonce = payload.subarray(0, AEAD_NONCE_SIZE);
  return open(keys.encryption, nonce, payload.subarray(AEAD_NONCE_SIZE), bytesOf(name));
}

/** The record inside a sealed value, or null when the value is not authentic. */
export function unsealValue(keys: CookieKeys, name: string, value: string): Uint8Array | null {
  const payload = verifyValue(keys, name, value);
  return payload !== null ? openPayload(keys, name, payload) : null;
}

/** A record opened with one of several key sets, and which one (0: the current secret). */
export class Unsealed {
  constructor(public record: Uint8Array, public keyIndex: i32) {}
}

/**
 * Opens a value with the current keys or, during a secret rotation, any previous ones.
 * Null when none of them authenticates it.
 */
export function unsealWithAny(keyring: Array<CookieKeys>, name: string, value: string): Unsealed | null {
  for (let i = 0; i < keyring.length; i++) {
    const record = unsealValue(keyring[i], name, value);
    if (record !== null) return new Unsealed(record, i);
  }
  return null;
}
