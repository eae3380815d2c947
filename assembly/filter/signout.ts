// Sign-out: every cookie of the session is cleared; when the provider offers RP-initiated
// logout (OpenID Connect RP-Initiated Logout 1.0 §2), the browser goes there with the ID
// token as a hint, so the provider's own session ends too, and comes back to the configured
// post-logout address. Otherwise it goes straight to that address.
import { percentEncode, parseQuery, queryGet } from "../codec/percent";
import { isSafeLocalTarget } from "../http/redirect";
import { Config } from "../config/config";
import { ProviderMetadata } from "../oidc/discovery";
import { Session } from "../session/session";
import { RequestView } from "./request";
import { clearSessionCookies } from "./session-cookie";
import { cookieAttributes } from "./login";
import { sendRedirect } from "./reply";

/** The address after logout: the configured URL, or the configured path on this origin. */
export function postLogoutUri(config: Config, request: RequestView): string {
  const target = config.signOutRedirect;
  return target.startsWith("/") ? request.origin + target : target;
}

/** Where to send the browser when the provider has no logout endpoint to go through. */
function localTarget(config: Config, request: RequestView): string {
  const params = parseQuery(request.query);
  const rd = params !== null ? queryGet(params, "rd") : null;
  if (rd !== null && isSafeLocalTarget(rd)) return rd;
  return postLogoutUri(config, request);
}

export function signOut(
  config: Config, metadata: ProviderMetadata | null, request: RequestView, session: Session | null,
): void {
  const cookies = clearSessionCookies(config, request, cookieAttributes(config, request));
  const endSession = metadata !== null ? metadata.endSession : null;
  if (endSession === null || session === null || session.idToken.length == 0) {
    sendRedirect(localTarget(config, request), cookies, "oidc_sso_sign_out");
    return;
  }
  const base = endSession.toString();
  const location = base + (base.indexOf("?") >= 0 ? "&" : "?") +
    "id_token_hint=" + percentEncode(session.idToken) +
    "&post_logout_redirect_uri=" + percentEncode(postLogoutUri(config, request)) +
    "&client_id=" + percentEncode(config.clientId);
  sendRedirect(location, cookies, "oidc_sso_sign_out");
}
