// The token endpoint: the request that exchanges an authorization code (RFC 6749 §4.1.3,
// with the PKCE verifier of RFC 7636 §4.5) or a refresh token (§6), and the checks on the
// response (§5.1) before anything in it is trusted.
import { QueryParam, formEncode, percentEncode } from "../codec/percent";
import { base64Encode } from "../codec/base64";
import { JsonObject, JsonParser, JSON_NO_INTEGER } from "../codec/json";
import { HeaderPair, Headers } from "../abi/headers";
import { Url } from "../http/url";
import { asciiLower } from "../http/ascii";

/** How the client authenticates (RFC 6749 §2.3.1). */
export enum ClientAuth {
  Basic,
  Post,
}

export class TokenRequest {
  constructor(public headers: Headers, public body: string) {}
}

/**
 * §2.3.1: with HTTP Basic, client id and secret are form-urlencoded before being joined,
 * so that a ':' in either cannot shift the split.
 */
function basicCredentials(clientId: string, clientSecret: string): string {
  const joined = percentEncode(clientId) + ":" + percentEncode(clientSecret);
  return "Basic " + base64Encode(Uint8Array.wrap(String.UTF8.encode(joined)));
}

function buildRequest(
  endpoint: Url, authority: string, params: Array<QueryParam>, auth: ClientAuth,
  clientId: string, clientSecret: string,
): TokenRequest {
  const headers: Headers = [
    new HeaderPair(":method", "POST"),
    new HeaderPair(":path", endpoint.pathAndQuery),
    new HeaderPair(":authority", authority),
    new HeaderPair(":scheme", endpoint.scheme),
    new HeaderPair("content-type", "application/x-www-form-urlencoded"),
    new HeaderPair("accept", "application/json"),
  ];
  if (auth == ClientAuth.Basic) {
    headers.push(new HeaderPair("authorization", basicCredentials(clientId, clientSecret)));
  } else {
    params.push(new QueryParam("client_id", clientId));
    params.push(new QueryParam("client_secret", clientSecret));
  }
  const body = formEncode(params);
  headers.push(new HeaderPair("content-length", String.UTF8.byteLength(body).toString()));
  return new TokenRequest(headers, body);
}

export function codeExchangeRequest(
  endpoint: Url, authority: string, code: string, redirectUri: string, codeVerifier: string,
  auth: ClientAuth, clientId: string, clientSecret: string,
): TokenRequest {
  const params = [
    new QueryParam("grant_type", "authorization_code"),
    new QueryParam("code", code),
    new QueryParam("redirect_uri", redirectUri),
    new QueryParam("code_verifier", codeVerifier),
  ];
  return buildRequest(endpoint, authority, params, auth, clientId, clientSecret);
}

export function refreshRequest(
  endpoint: Url, authority: string, refreshToken: string, auth: ClientAuth,
  clientId: string, clientSecret: string,
): TokenRequest {
  const params = [
    new QueryParam("grant_type", "refresh_token"),
    new QueryParam("refresh_token", refreshToken),
  ];
  return buildRequest(endpoint, authority, params, auth, clientId, clientSecret);
}

export class TokenResponse {
  accessToken: string = "";
  idToken: string = "";
  refreshToken: string = "";
  /** Seconds until the access token expires; 0 when the provider did not say. */
  expiresIn: i64 = 0;
}

export class TokenResult {
  constructor(public response: TokenResponse | null, public error: string) {}
}

const MAX_TOKEN_RESPONSE = 65536;

/**
 * Checks a token endpoint response: status 200, a JSON object, token_type Bearer
 * (case-insensitive, §7.1), an access token, and an ID token when `needIdToken`.
 * The error text names what was wrong, never a value from the response.
 */
export function parseTokenResponse(status: u32, body: Uint8Array, needIdToken: bool): TokenResult {
  if (status != 200) return new TokenResult(null, "token endpoint answered " + status.toString());
  const object = new JsonParser(MAX_TOKEN_RESPONSE).parseObject(body);
  if (object === null) return new TokenResult(null, "token response is not a JSON object");
  return readTokens(object, needIdToken);
}

function readTokens(object: JsonObject, needIdToken: bool): TokenResult {
  const tokenType = object.getString("token_type");
  if (tokenType === null || asciiLower(tokenType) != "bearer") {
    return new TokenResult(null, "token_type is not Bearer");
  }
  const response = new TokenResponse();
  const access = object.getString("access_token");
  if (access === null || access.length == 0) {
    return new TokenResult(null, "no access_token in the token response");
  }
  response.accessToken = access;
  const id = object.getString("id_token");
  if (id !== null) response.idToken = id;
  else if (needIdToken) return new TokenResult(null, "no id_token in the token response");
  const refresh = object.getString("refresh_token");
  if (refresh !== null) response.refreshToken = refresh;
  if (object.has("expires_in")) {
    const expiresIn = object.getInteger("expires_in");
    if (expiresIn == JSON_NO_INTEGER || expiresIn < 0) {
      return new TokenResult(null, "expires_in is not a non-negative integer");
    }
    response.expiresIn = expiresIn;
  }
  return new TokenResult(response, "");
}
