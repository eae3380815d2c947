// PKCE (RFC 7636): the code verifier stays in the login flow's cookie, the provider gets
// only its S256 challenge, so a stolen authorization code is useless without the cookie.
import { sha256 } from "../crypto/sha256";
import { base64UrlEncode } from "../codec/base64";

/** §4.2: code_challenge = BASE64URL(SHA256(ASCII(code_verifier))). */
export function codeChallenge(verifier: string): string {
  return base64UrlEncode(sha256(Uint8Array.wrap(String.UTF8.encode(verifier))));
}

/**
 * §4.1: a verifier of 43 characters from 32 random bytes, base64url-encoded (the unreserved
 * alphabet the RFC requires). `random` must hold 32 fresh random bytes.
 */
export function codeVerifierFrom(random: Uint8Array): string {
  return base64UrlEncode(random);
}
