// The provider's signing keys (JWK Set, RFC 7517 §5). Only keys this filter can verify
// with are kept: RSA (RFC 7518 §6.3) of 2048 to 4096 bits and EC P-256 (§6.2).
import { JsonObject, parseJsonObject } from "../codec/json";
import { base64UrlDecode } from "../codec/base64";

export enum KeyType {
  Rsa,
  EcP256,
}

export class Jwk {
  kid: string = "";
  type: KeyType = KeyType.Rsa;
  /** The `alg` the key is restricted to, or "" when the set does not say. */
  alg: string = "";
  /** RSA: modulus and exponent; EC: the point's coordinates. Big-endian bytes. */
  n: Uint8Array = new Uint8Array(0);
  e: Uint8Array = new Uint8Array(0);
  x: Uint8Array = new Uint8Array(0);
  y: Uint8Array = new Uint8Array(0);
}

export class KeySet {
  constructor(public keys: Array<Jwk>) {}

  /** Keys usable for `alg`, filtered by `kid` when the token names one. */
  candidates(kid: string | null, alg: string): Array<Jwk> {
    const found = new Array<Jwk>();
    const type = alg == "ES256" ? KeyType.EcP256 : KeyType.Rsa;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i];
      if (key.type != type) continue;
      if (key.alg.length > 0 && key.alg != alg) continue;
      if (kid !== null && key.kid != kid) continue;
      found.push(key);
    }
    return found;
  }

  hasKid(kid: string): bool {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i].kid == kid) return true;
    return false;
  }
}

function bytesOf(object: JsonObject, name: string): Uint8Array | null {
  const text = object.getString(name);
  return text !== null ? base64UrlDecode(text) : null;
}

function readRsa(object: JsonObject, key: Jwk): bool {
  const n = bytesOf(object, "n");
  const e = bytesOf(object, "e");
  if (n === null || e === null) return false;
  let start = 0;
  while (start < n.length && n[start] == 0) start++;
  const bits = (n.length - start) * 8;
  if (bits < 2048 || bits > 4096) return false;
  key.n = n;
  key.e = e;
  return true;
}

function readEc(object: JsonObject, key: Jwk): bool {
  if (object.getString("crv") != "P-256") return false;
  const x = bytesOf(object, "x");
  const y = bytesOf(object, "y");
  if (x === null || y === null || x.length != 32 || y.length != 32) return false;
  key.type = KeyType.EcP256;
  key.x = x;
  key.y = y;
  return true;
}

/** One key of the set, or null when this filter cannot use it for signatures. */
function readKey(object: JsonObject): Jwk | null {
  const use = object.getString("use");
  if (use !== null && use != "sig") return null;
  const key = new Jwk();
  const kid = object.getString("kid");
  key.kid = kid === null ? "" : kid;
  const alg = object.getString("alg");
  key.alg = alg === null ? "" : alg;
  const kty = object.getString("kty");
  if (kty == "RSA") return readRsa(object, key) ? key : null;
  if (kty == "EC") return readEc(object, key) ? key : null;
  return null;
}

/** The usable keys of a JWK Set document, or null when it is not one. */
export function parseKeySet(body: Uint8Array): KeySet | null {
  const document = parseJsonObject(body);
  if (document === null) return null;
  const list = document.getArray("keys");
  if (list === null) return null;
  const keys = new Array<Jwk>();
  for (let i = 0; i < list.length; i++) {
    const entry = list.at(i);
    const object = entry !== null ? entry.asObject() : null;
    if (object === null) continue;
    const key = readKey(object);
    if (key !== null) keys.push(key);
  }
  return new KeySet(keys);
}
