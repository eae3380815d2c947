// A login flow in progress: what the callback needs to finish it, sealed in a short-lived
// cookie named after the flow's state. Each flow has its own cookie, so logins started in
// several tabs do not overwrite each other.
import { ByteReader, ByteWriter } from "./bytes";
import { sha256 } from "../crypto/sha256";
import { base64UrlEncode } from "../codec/base64";

const FLOW_FORMAT: u8 = 1;

export class FlowState {
  /** The `state` parameter sent to the provider (RFC 6749 §10.12: CSRF protection). */
  state: string = "";
  /** The `nonce` the ID token must carry (OpenID Connect Core §3.1.2.1). */
  nonce: string = "";
  /** The PKCE code verifier (RFC 7636 §4.1); the provider got its S256 challenge. */
  codeVerifier: string = "";
  /** The same-origin path to return to after login. */
  target: string = "/";
  /** When the flow started (seconds since the Unix epoch). */
  createdAt: i64 = 0;

  encode(): Uint8Array {
    return new ByteWriter()
      .u8(FLOW_FORMAT)
      .string(this.state)
      .string(this.nonce)
      .string(this.codeVerifier)
      .string(this.target)
      .u64(<u64>this.createdAt)
      .finish();
  }

  static decode(bytes: Uint8Array): FlowState | null {
    const reader = new ByteReader(bytes);
    if (reader.u8() != FLOW_FORMAT) return null;
    const flow = new FlowState();
    flow.state = reader.string();
    flow.nonce = reader.string();
    flow.codeVerifier = reader.string();
    flow.target = reader.string();
    flow.createdAt = <i64>reader.u64();
    if (!reader.done() || flow.state.length == 0) return null;
    return flow;
  }
}

/**
 * The name of the cookie of the flow with `state`: the prefix and the first 16 characters
 * of base64url(SHA-256(state)). The callback finds its flow cookie from the `state` it
 * receives; the state itself does not appear in the name.
 */
export function flowCookieName(prefix: string, state: string): string {
  const digest = sha256(Uint8Array.wrap(String.UTF8.encode(state)));
  return prefix + base64UrlEncode(digest).substring(0, 16);
}
