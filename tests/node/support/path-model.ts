// A reference model of path normalization (assembly/rules/path.ts), written from the rules
// and not from the AssemblyScript code: where that code rewrites the path in one streaming
// pass, this model decodes the whole path first, checks it with the platform's own UTF-8
// decoder, then splits it into segments and resolves them with a stack.
//
// It also holds a second, deliberately lenient reading of a path: how the most credulous
// backend could resolve it (decoding repeatedly, reading "\" as "/", overlong UTF-8 as
// ASCII, dropping ";" parameters). The security property is that a path the filter calls
// safe and places under a bypass prefix lands under that prefix for such a backend too.

export type ModelResult = { ok: true; path: string } | { ok: false };

const UNSAFE: ModelResult = { ok: false };
const MAX_BYTES = 8192;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

type Unit = { byte: number; escaped: boolean };

function hex(byte: number): string {
  return "%" + byte.toString(16).toUpperCase().padStart(2, "0");
}

/** The model for a target given as text (UTF-16, as the string entry point takes it). */
export function modelNormalize(raw: string): ModelResult {
  const cut = raw.search(/[?#]/);
  const part = cut < 0 ? raw : raw.slice(0, cut);
  if (LONE_SURROGATE.test(part)) return UNSAFE; // cannot be well-formed UTF-8
  return modelNormalizeBytes(new TextEncoder().encode(part));
}

/** The model for the raw bytes of a target. */
export function modelNormalizeBytes(raw: Uint8Array): ModelResult {
  const stops = [raw.indexOf(0x3f), raw.indexOf(0x23)].filter((i) => i >= 0);
  const bytes = raw.subarray(0, stops.length > 0 ? Math.min(...stops) : raw.length);
  if (bytes.length > MAX_BYTES || bytes[0] !== 0x2f) return UNSAFE;

  const units = decodeUnits(bytes);
  if (units === null || units.some(isForbidden)) return UNSAFE;
  try {
    FATAL_UTF8.decode(Uint8Array.from(units, (u) => u.byte));
  } catch {
    return UNSAFE;
  }
  const text = units.map(canonical).join("");
  if (/%25[0-9A-Fa-f]{2}/.test(text)) return UNSAFE;
  const segments = text.slice(1).split("/");
  // A segment that dropping its ";" parameters would leave empty or a dot segment.
  if (segments.some((s) => /^\.{0,2}(;|%3B)/.test(s))) return UNSAFE;
  return { ok: true, path: resolve(segments) };
}

// Each byte of the path with whether it came from an escape; null for a malformed escape.
function decodeUnits(bytes: Uint8Array): Unit[] | null {
  const latin1 = Buffer.from(bytes).toString("latin1");
  const units: Unit[] = [];
  for (const match of latin1.matchAll(/%([0-9A-Fa-f]{2})|%|[\s\S]/g)) {
    if (match[0] === "%") return null;
    const escaped = match[1] !== undefined;
    units.push({ byte: escaped ? parseInt(match[1], 16) : match[0].charCodeAt(0), escaped });
  }
  return units;
}

function isForbidden(unit: Unit): boolean {
  if (unit.escaped) return unit.byte === 0x00 || unit.byte === 0x2f || unit.byte === 0x5c;
  return unit.byte < 0x20 || unit.byte === 0x7f || unit.byte === 0x5c;
}

function canonical(unit: Unit): string {
  const char = String.fromCharCode(unit.byte);
  if (unit.escaped) return UNRESERVED.test(char) ? char : hex(unit.byte);
  return unit.byte >= 0x80 ? hex(unit.byte) : char;
}

// Merges empty segments (but keeps a final one, the trailing slash), then applies "." and
// ".." with a stack (RFC 3986 §5.2.4).
function resolve(segments: string[]): string {
  const merged = segments.filter((s, i) => s !== "" || i === segments.length - 1);
  const stack: string[] = [];
  for (const segment of merged) {
    if (segment === "..") stack.pop();
    else if (segment !== "." && segment !== "") stack.push(segment);
  }
  const last = merged[merged.length - 1];
  const trailing = last === "" || last === "." || last === "..";
  return "/" + stack.join("/") + (trailing && stack.length > 0 ? "/" : "");
}

/**
 * How a credulous backend could read the path: percent-decoding until nothing changes,
 * overlong two-byte UTF-8 read as ASCII, "\" as "/", ";" parameters dropped per segment,
 * then slashes merged and dot segments resolved.
 */
export function lenientBackendPath(raw: string): string {
  const cut = raw.search(/[?#]/);
  let bytes = Array.from(Buffer.from(cut < 0 ? raw : raw.slice(0, cut), "utf8"));
  for (let round = 0; round < 8; round++) {
    const next = percentDecodeAll(bytes);
    if (next.length === bytes.length) break;
    bytes = next;
  }
  const text = Buffer.from(readOverlongs(bytes)).toString("latin1").replaceAll("\\", "/");
  const segments = text.split("/").slice(1).map((s) => s.split(";")[0]);
  return resolve(segments.length > 0 ? segments : [""]);
}

function percentDecodeAll(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const pair = String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0);
    if (bytes[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(pair)) {
      out.push(parseInt(pair, 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return out;
}

function readOverlongs(bytes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const next = bytes[i + 1] ?? 0;
    if ((bytes[i] === 0xc0 || bytes[i] === 0xc1) && (next & 0xc0) === 0x80) {
      out.push(((bytes[i] & 1) << 6) | (next & 0x3f));
      i++;
    } else out.push(bytes[i]);
  }
  return out;
}
