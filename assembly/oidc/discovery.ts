// The provider's metadata, from its discovery document (OpenID Connect Discovery 1.0 §3)
// or from endpoints given in the configuration.
import { parseJsonObject } from "../codec/json";
import { Url, isLoopbackAuthority, parseUrl } from "../http/url";

export class ProviderMetadata {
  constructor(
    public authorization: Url,
    public token: Url,
    public jwks: Url,
    /** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2), when offered. */
    public endSession: Url | null,
  ) {}
}

/** The metadata, or the reason the document is refused. */
export class DiscoveryResult {
  constructor(public metadata: ProviderMetadata | null, public error: string) {}
}

function refuse(error: string): DiscoveryResult {
  return new DiscoveryResult(null, error);
}

/** An endpoint must be https, except on a loopback host (the local demo provider). */
function endpointUrl(text: string | null): Url | null {
  if (text === null) return null;
  const url = parseUrl(text);
  if (url === null) return null;
  if (url.scheme != "https" && !isLoopbackAuthority(url.authority)) return null;
  return url;
}

/**
 * Reads a discovery document. Its `issuer` must equal the configured issuer exactly
 * (Discovery §4.3): otherwise a document from elsewhere could redirect logins.
 */
export function parseDiscovery(body: Uint8Array, issuer: string): DiscoveryResult {
  const document = parseJsonObject(body);
  if (document === null) return refuse("discovery document is not a JSON object");
  const documentIssuer = document.getString("issuer");
  if (documentIssuer === null || documentIssuer != issuer) {
    return refuse("discovery document names another issuer");
  }
  const authorization = endpointUrl(document.getString("authorization_endpoint"));
  if (authorization === null) return refuse("authorization_endpoint missing or not https");
  const token = endpointUrl(document.getString("token_endpoint"));
  if (token === null) return refuse("token_endpoint missing or not https");
  const jwks = endpointUrl(document.getString("jwks_uri"));
  if (jwks === null) return refuse("jwks_uri missing or not https");
  const endSession = endpointUrl(document.getString("end_session_endpoint"));
  return new DiscoveryResult(new ProviderMetadata(authorization, token, jwks, endSession), "");
}
