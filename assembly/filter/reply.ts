// The local responses the filter sends instead of forwarding a request: redirects, and
// error answers that are a short HTML page for browsers and JSON for API clients. The cause
// of an error goes to the log; the client sees only a generic message and a status.
import { HeaderPair, Headers } from "../abi/headers";
import { sendLocalResponse } from "../abi/host";

const NO_STORE = "no-store";

function baseHeaders(contentType: string): Headers {
  return [
    new HeaderPair("content-type", contentType),
    new HeaderPair("cache-control", NO_STORE),
    new HeaderPair("x-content-type-options", "nosniff"),
  ];
}

/** 302 to `location`, setting the given cookies. */
export function sendRedirect(location: string, setCookies: Array<string>, details: string): void {
  const headers: Headers = [
    new HeaderPair("location", location),
    new HeaderPair("cache-control", NO_STORE),
  ];
  for (let i = 0; i < setCookies.length; i++) {
    headers.push(new HeaderPair("set-cookie", setCookies[i]));
  }
  sendLocalResponse(302, details, new ArrayBuffer(0), headers);
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll("\"", "&quot;");
}

function escapeJson(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"");
}

/**
 * An error answer. `code` is a stable machine-readable word (e.g. "login_required"),
 * `message` a sentence for people; neither may carry request data.
 */
export function sendError(
  status: u32, code: string, message: string, browser: bool, extra: Headers,
  setCookies: Array<string> = [],
): void {
  let headers: Headers;
  let body: string;
  if (browser) {
    headers = baseHeaders("text/html; charset=utf-8");
    body = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + status.toString() +
      "</title></head><body><h1>" + escapeHtml(message) + "</h1><p>Error: " +
      escapeHtml(code) + "</p><p><a href=\"/\">Start again</a></p></body></html>\n";
  } else {
    headers = baseHeaders("application/json");
    body = "{\"error\":\"" + escapeJson(code) + "\",\"message\":\"" + escapeJson(message) +
      "\"}\n";
  }
  for (let i = 0; i < extra.length; i++) headers.push(extra[i]);
  for (let i = 0; i < setCookies.length; i++) {
    headers.push(new HeaderPair("set-cookie", setCookies[i]));
  }
  sendLocalResponse(status, "oidc_sso_" + code, String.UTF8.encode(body), headers);
}
