// Telling a browser navigation from an API client. A browser that is sent to the login page
// gets a 302; a script (fetch, XHR) or API client cannot follow a login page, so it gets
// 401 with WWW-Authenticate, and error pages for it are JSON rather than HTML.

/**
 * True when the request looks like a top-level browser navigation: `Sec-Fetch-Mode` is
 * `navigate` when a browser sends it; otherwise `Accept` must include text/html and the
 * request must not be marked as XHR (`X-Requested-With`).
 */
export function isBrowserNavigation(
  accept: string | null, secFetchMode: string | null, requestedWith: string | null,
): bool {
  if (requestedWith !== null && requestedWith.length > 0) return false;
  if (secFetchMode !== null && secFetchMode.length > 0) return secFetchMode == "navigate";
  if (accept === null) return false;
  return accept.indexOf("text/html") >= 0;
}
