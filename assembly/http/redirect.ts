// Redirect targets. After login the browser returns to the page it first asked for; that
// target comes from the request and is replayed in a Location header, so it must stay on
// this origin: an open redirect would let anyone bounce users to a site of their choosing.

const MAX_TARGET_LENGTH = 4096;

/**
 * True when `target` is a same-origin path: it starts with exactly one '/', is not a
 * network-path reference ("//host", or "/\host" which browsers treat alike), and holds only
 * printable ASCII (no CR/LF for header injection, no spaces, tabs or controls).
 */
export function isSafeLocalTarget(target: string): bool {
  const length = target.length;
  if (length == 0 || length > MAX_TARGET_LENGTH) return false;
  if (target.charCodeAt(0) != 47) return false; // '/'
  if (length > 1 && target.charCodeAt(1) == 47) return false; // "//host"
  // Backslashes are refused everywhere: browsers read "/\host" as "//host".
  for (let i = 0; i < length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 32 || c >= 127 || c == 92) return false;
  }
  return true;
}

/** `target` when it is a safe local target, else "/". */
export function safeLocalTarget(target: string): string {
  return isSafeLocalTarget(target) ? target : "/";
}
