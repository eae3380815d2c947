// Request path normalization. Rules decide who must log in by matching the request path, and
// a client can spell one path in many ways ("/static/../api", "/static/%2e%2e/api",
// "//api"). The rules must see the one path the backend will serve, so every spelling is
// reduced to a single form, and a spelling whose meaning depends on the backend is refused
// as unsafe: the caller treats an unsafe path as protected, in every mode.
//
// Steps, in order (RFC 3986 §6.2.2 syntax-based normalization, plus refusals):
//  1. The query ("?...") and the fragment ("#...") are cut off (RFC 3986 §3.4, §3.5).
//  2. The path must start with "/" (origin-form, RFC 9112 §3.2.1): "*" and absolute-form
//     targets are unsafe. A path longer than PATH_MAX_BYTES bytes is unsafe.
//  3. Escapes of unreserved characters (ALPHA DIGIT - . _ ~) are decoded (§2.3, §6.2.2.2);
//     every other escape is kept, with uppercase hex (§6.2.2.1). Raw non-ASCII bytes are
//     written as escapes, so "/café" and "/caf%C3%A9" are one path.
//  4. Unsafe: a malformed escape ("%", "%4", "%zz"); an encoded "/" (%2F), "\" (%5C) or NUL
//     (%00), which backends disagree on; a raw "\" (some servers read it as "/"); a raw
//     control character; bytes (raw or escaped) that are not well-formed UTF-8 (RFC 3629
//     §4; an overlong "%C0%AE" is "." to a lenient decoder, RFC 3629 §10); a double-encoded
//     escape ("%25" then two hex digits: "%252e" is "." to a backend that decodes twice); a
//     segment that is empty, "." or ".." but for its parameters (";x", ".;x", "..%3Bx"):
//     Tomcat drops parameters first, so "/static/;/../api" is "/static//../api" there,
//     then "/api", where the rules would have read "/static/api".
//  5. Repeated slashes are merged, then dot segments are removed (RFC 3986 §5.2.4). A ".."
//     above the root stays at the root. Decoding comes first, so "%2e%2E" is "..".
// Decided: matrix parameters (";x") stay part of their segment, so "/productpage;x" is not
// "/productpage" (Envoy does not strip them either), and case is kept: paths are
// case-sensitive (RFC 3986 §6.2.2.1 folds only scheme, host and hex digits).
// Pure module: no host imports, never traps.

// Longest path, in bytes before the query, that is normalized; longer ones are unsafe.
export const PATH_MAX_BYTES: i32 = 8192;

// Why a path is unsafe, for the debug log. Never shown to the client.
export const UNSAFE_NOT_ORIGIN_FORM = "does not start with /";
export const UNSAFE_TOO_LONG = "longer than 8192 bytes";
export const UNSAFE_MALFORMED_ESCAPE = "malformed percent escape";
export const UNSAFE_ENCODED_SLASH = "encoded slash (%2F)";
export const UNSAFE_ENCODED_BACKSLASH = "encoded backslash (%5C)";
export const UNSAFE_ENCODED_NUL = "encoded NUL (%00)";
export const UNSAFE_BACKSLASH = "backslash";
export const UNSAFE_CONTROL = "control character";
export const UNSAFE_INVALID_UTF8 = "not well-formed UTF-8";
export const UNSAFE_DOUBLE_ENCODED = "double-encoded escape (%25 and two hex digits)";
export const UNSAFE_BARE_PARAMETERS = "parameters on an empty or dot segment";

/**
 * The outcome of normalizePath. When `ok` is false, `path` is empty and `reason` says why,
 * so an unsafe path can match nothing: no rule pattern matches the empty string.
 */
export class NormalizedPath {
  private constructor(
    readonly ok: bool,
    readonly path: string,
    readonly reason: string,
  ) {}

  static safe(path: string): NormalizedPath {
    return new NormalizedPath(true, path, "");
  }

  static unsafe(reason: string): NormalizedPath {
    return new NormalizedPath(false, "", reason);
  }
}

const SLASH: u32 = 0x2f;
const DOT: u32 = 0x2e;
const PERCENT: u32 = 0x25;
const SEMICOLON: u32 = 0x3b;
const BACKSLASH: u32 = 0x5c;
const QUESTION: u32 = 0x3f;
const HASH: u32 = 0x23;

// Scratch buffers, reused by every call so per-request normalization allocates only its
// result. A raw non-ASCII byte grows to three ("%XX"), and a UTF-16 code unit encodes to at
// most three bytes, hence three times the limit.
// They are addressed by pointer: the globals keep them alive, and the allocator never moves
// a block, while a managed reference would be spilled to the shadow stack at every call.
const SCRATCH_BYTES: i32 = PATH_MAX_BYTES * 3;
const INPUT = new StaticArray<u8>(SCRATCH_BYTES);
const OUTPUT = new StaticArray<u8>(SCRATCH_BYTES);
const INPUT_START = changetype<usize>(INPUT);
const OUTPUT_START = changetype<usize>(OUTPUT);

// Why a path is unsafe, as a number while normalizing (no string in the hot loop).
const enum Unsafe {
  NONE,
  NOT_ORIGIN_FORM,
  TOO_LONG,
  MALFORMED_ESCAPE,
  ENCODED_SLASH,
  ENCODED_BACKSLASH,
  ENCODED_NUL,
  BACKSLASH,
  CONTROL,
  INVALID_UTF8,
  DOUBLE_ENCODED,
  BARE_PARAMETERS,
}

function reasonText(code: i32): string {
  switch (code) {
    case Unsafe.NOT_ORIGIN_FORM:
      return UNSAFE_NOT_ORIGIN_FORM;
    case Unsafe.TOO_LONG:
      return UNSAFE_TOO_LONG;
    case Unsafe.MALFORMED_ESCAPE:
      return UNSAFE_MALFORMED_ESCAPE;
    case Unsafe.ENCODED_SLASH:
      return UNSAFE_ENCODED_SLASH;
    case Unsafe.ENCODED_BACKSLASH:
      return UNSAFE_ENCODED_BACKSLASH;
    case Unsafe.ENCODED_NUL:
      return UNSAFE_ENCODED_NUL;
    case Unsafe.BACKSLASH:
      return UNSAFE_BACKSLASH;
    case Unsafe.CONTROL:
      return UNSAFE_CONTROL;
    case Unsafe.INVALID_UTF8:
      return UNSAFE_INVALID_UTF8;
    case Unsafe.DOUBLE_ENCODED:
      return UNSAFE_DOUBLE_ENCODED;
    case Unsafe.BARE_PARAMETERS:
      return UNSAFE_BARE_PARAMETERS;
  }
  return "";
}

@inline
function hexValue(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return <i32>lower - 0x61 + 10;
  return -1;
}

@inline
function hexDigit(value: u32): u8 {
  return <u8>(value < 10 ? 0x30 + value : 0x41 + value - 10);
}

// RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
@inline
function isUnreserved(c: u32): bool {
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x7a) return true;
  if (c >= 0x30 && c <= 0x39) return true;
  return c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
}

/**
 * Writes the normalized path into OUTPUT while the input is read, one byte at a time. Dot
 * segments are resolved when their segment ends, so no second pass and no segment list are
 * needed. `failure` holds the first reason the path is unsafe, Unsafe.NONE while it is
 * safe. Unmanaged: the writer holds no references, so the collector need not track it.
 */
@unmanaged
class PathWriter {
  length: i32 = 0;
  segmentStart: i32 = 0;
  failure: i32 = Unsafe.NONE;
  // UTF-8 continuation bytes still expected, and the range the next one must fall in
  // (Unicode Table 3-7; the narrower ranges exclude overlongs and surrogates).
  utf8Needed: i32 = 0;
  utf8Low: u32 = 0x80;
  utf8High: u32 = 0xbf;

  reset(): void {
    store<u8>(OUTPUT_START, <u8>SLASH);
    this.length = 1;
    this.segmentStart = 1;
    this.failure = Unsafe.NONE;
    this.utf8Needed = 0;
    this.utf8Low = 0x80;
    this.utf8High = 0xbf;
  }

  fail(reason: i32): void {
    if (this.failure == Unsafe.NONE) this.failure = reason;
  }

  @inline
  at(index: i32): u32 {
    return <u32>load<u8>(OUTPUT_START + <usize>index);
  }

  append(c: u32): void {
    store<u8>(OUTPUT_START + <usize>this.length, <u8>c);
    this.length++;
  }

  // Feeds one byte value of the decoded path to the UTF-8 check.
  checkUtf8(b: u32): void {
    if (this.utf8Needed > 0) {
      if (b < this.utf8Low || b > this.utf8High) this.fail(Unsafe.INVALID_UTF8);
      this.utf8Needed--;
      this.utf8Low = 0x80;
      this.utf8High = 0xbf;
      return;
    }
    if (b < 0x80) return;
    if (b < 0xc2 || b > 0xf4) {
      this.fail(Unsafe.INVALID_UTF8);
      return;
    }
    this.utf8Needed = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
    if (b == 0xe0) this.utf8Low = 0xa0;
    else if (b == 0xed) this.utf8High = 0x9f;
    else if (b == 0xf0) this.utf8Low = 0x90;
    else if (b == 0xf4) this.utf8High = 0x8f;
  }

  // A byte that was written raw in the request.
  raw(c: u32): void {
    this.checkUtf8(c);
    if (c < 0x20 || c == 0x7f) this.fail(Unsafe.CONTROL);
    else if (c == BACKSLASH) this.fail(Unsafe.BACKSLASH);
    else if (c == SLASH) this.slash();
    else if (c >= 0x80) this.escape(c);
    else this.literal(c);
  }

  // A byte that was percent-encoded in the request.
  decoded(c: u32): void {
    this.checkUtf8(c);
    if (c == 0) this.fail(Unsafe.ENCODED_NUL);
    else if (c == SLASH) this.fail(Unsafe.ENCODED_SLASH);
    else if (c == BACKSLASH) this.fail(Unsafe.ENCODED_BACKSLASH);
    else if (isUnreserved(c)) this.literal(c);
    else this.escape(c);
  }

  escape(c: u32): void {
    this.append(PERCENT);
    this.append(hexDigit(c >> 4));
    this.append(hexDigit(c & 15));
  }

  // A "%25" written just before two hex digits decodes, a second time, to any byte.
  literal(c: u32): void {
    const n = this.length;
    if (hexValue(c) >= 0 && n >= 4 && hexValue(this.at(n - 1)) >= 0) {
      if (this.at(n - 4) == PERCENT && this.at(n - 3) == 0x32 && this.at(n - 2) == 0x35) {
        this.fail(Unsafe.DOUBLE_ENCODED);
        return;
      }
    }
    this.append(c);
  }

  // Ends the current segment, then starts the next one unless the output already ends in
  // "/": that merges repeated slashes, also where a removed dot segment left one.
  slash(): void {
    this.endSegment();
    if (this.at(this.length - 1) != SLASH) this.append(SLASH);
    this.segmentStart = this.length;
  }

  // RFC 3986 §5.2.4 steps B to D: drop a "." segment, drop ".." with the segment before it.
  // A segment that parameters turn into nothing or a dot segment is refused instead.
  endSegment(): void {
    const start = this.segmentStart;
    const size = this.length - start;
    let dots = 0;
    while (dots < 2 && dots < size && this.at(start + dots) == DOT) dots++;
    if (dots == size) {
      if (dots == 1) this.length = start;
      else if (dots == 2) this.removeLastSegment();
      return;
    }
    if (this.startsParameters(start + dots)) this.fail(Unsafe.BARE_PARAMETERS);
  }

  // ";" or its escape "%3B" at `index`: a backend that decodes before it strips parameters
  // reads "..%3Bx" as "..;x", so the escape counts too.
  startsParameters(index: i32): bool {
    if (index >= this.length) return false;
    if (this.at(index) == SEMICOLON) return true;
    if (index + 2 >= this.length || this.at(index) != PERCENT) return false;
    return this.at(index + 1) == 0x33 && this.at(index + 2) == 0x42;
  }

  // Removes ".." and the segment before it; at the root there is none, so it stays "/".
  removeLastSegment(): void {
    let end = this.segmentStart - 1; // the "/" before ".."
    while (end > 0 && this.at(end - 1) != SLASH) end--;
    this.length = end > 0 ? end : 1;
    this.segmentStart = this.length;
  }

  finish(): void {
    this.endSegment();
    if (this.utf8Needed > 0) this.fail(Unsafe.INVALID_UTF8);
  }
}

const WRITER = new PathWriter();

// Index of the first "?" or "#" in the `length` bytes at `data`, or `length`.
function pathEnd(data: usize, length: i32): i32 {
  for (let i = 0; i < length; i++) {
    const c = <u32>load<u8>(data + <usize>i);
    if (c == QUESTION || c == HASH) return i;
  }
  return length;
}

// Normalizes the `length` bytes at `data` into OUTPUT (WRITER.length bytes). Returns
// Unsafe.NONE when the path is safe, else the reason it is not.
function normalizeInto(data: usize, length: i32): i32 {
  const end = pathEnd(data, length);
  if (end > PATH_MAX_BYTES) return Unsafe.TOO_LONG;
  if (end == 0 || <u32>load<u8>(data) != SLASH) return Unsafe.NOT_ORIGIN_FORM;

  const writer = WRITER;
  writer.reset();
  let i = 1;
  while (i < end && writer.failure == Unsafe.NONE) {
    const c = <u32>load<u8>(data + <usize>i);
    if (c != PERCENT) {
      writer.raw(c);
      i++;
      continue;
    }
    const high = i + 2 < end ? hexValue(load<u8>(data + <usize>(i + 1))) : -1;
    const low = i + 2 < end ? hexValue(load<u8>(data + <usize>(i + 2))) : -1;
    if (high < 0 || low < 0) return Unsafe.MALFORMED_ESCAPE;
    writer.decoded(<u32>((high << 4) | low));
    i += 3;
  }
  writer.finish();
  return writer.failure;
}

function outputString(): string {
  return String.UTF8.decodeUnsafe(OUTPUT_START, <usize>WRITER.length);
}

/**
 * Normalizes the raw bytes of a request target, as the host hands over `:path`. This is the
 * form to use on requests: a string decoded from these bytes with String.UTF8.decode is not
 * the same path when the bytes are not UTF-8 (that decoder turns "\xC1/" into "o", hiding a
 * "/" from the rules that the backend will see).
 */
export function normalizePathBytes(raw: ArrayBuffer): NormalizedPath {
  return normalizePathAt(changetype<usize>(raw), raw.byteLength);
}

/**
 * normalizePathBytes for the `size` bytes at `ptr`, which must lie in a live buffer. When the
 * normal form is exactly `spelled` (the path as already decoded, most often), that string is
 * the result and none is made.
 */
export function normalizePathAt(ptr: usize, size: i32, spelled: string = ""): NormalizedPath {
  const failure = normalizeInto(ptr, size);
  if (failure != Unsafe.NONE) return NormalizedPath.unsafe(reasonText(failure));
  if (sameAscii(spelled, WRITER.length)) return NormalizedPath.safe(spelled);
  return NormalizedPath.safe(outputString());
}

/**
 * Normalizes a request target given as a string, as configuration gives patterns. The
 * string is taken as UTF-16 text and encoded to UTF-8 (an unpaired surrogate becomes bytes
 * that are not UTF-8, so it is unsafe). See normalizePathBytes for request bytes.
 */
export function normalizePath(rawPath: string): NormalizedPath {
  const text = changetype<usize>(rawPath);
  let units = 0;
  while (units < rawPath.length) {
    const c = <u32>load<u16>(text + (<usize>units << 1));
    if (c == QUESTION || c == HASH) break;
    units++;
  }
  // Each unit is one to three bytes, so more units than the limit is too long already.
  if (units > PATH_MAX_BYTES) return NormalizedPath.unsafe(UNSAFE_TOO_LONG);
  const bytes = <i32>String.UTF8.encodeUnsafe(text, units, INPUT_START);

  const failure = normalizeInto(INPUT_START, bytes);
  if (failure != Unsafe.NONE) return NormalizedPath.unsafe(reasonText(failure));
  if (units == rawPath.length && sameAscii(rawPath, WRITER.length)) {
    return NormalizedPath.safe(rawPath); // already normal: keep the string, allocate less
  }
  return NormalizedPath.safe(outputString());
}

// True when `text` is exactly the `length` ASCII bytes in OUTPUT.
function sameAscii(text: string, length: i32): bool {
  if (text.length != length) return false;
  const units = changetype<usize>(text);
  for (let i = 0; i < length; i++) {
    const unit = <u32>load<u16>(units + (<usize>i << 1));
    if (unit != <u32>load<u8>(OUTPUT_START + <usize>i)) return false;
  }
  return true;
}
