import { decodeUtf8Lossy } from "../codec/utf8";

// Reading the Cookie request header and writing Set-Cookie response headers
// (RFC 6265 §4.1 for Set-Cookie, §5.4 for the Cookie header a browser sends).
//
// A Cookie header is split on its bytes, and a cookie's name and value are decoded only when
// asked for: a request carries cookies the filter never reads, and the session cookie's value
// (kilobytes) is matched against the session cache as bytes. Splitting the bytes gives what
// splitting the decoded text would: ';' and '=' never occur inside a UTF-8 sequence, and the
// decoding used (decodeUtf8Lossy) replaces a bad byte by one U+FFFD without swallowing the
// next. White space is trimmed as String#trim trims the decoded text: the ASCII spaces and
// the Unicode ones, matched here as their UTF-8 sequences.

/** One cookie of a Cookie header: where its name and value lie in the header's bytes. */
export class Cookie {
  private nameText: string | null = null;
  private valueText: string | null = null;

  constructor(
    /** The bytes of the Cookie header the cookie was read from. */
    public source: Uint8Array,
    public nameStart: i32,
    public nameEnd: i32,
    public valueStart: i32,
    public valueEnd: i32,
  ) {}

  /** A cookie made from text (tests, and cookies the filter builds itself). */
  static of(name: string, value: string): Cookie {
    const nameBytes = String.UTF8.byteLength(name);
    const bytes = Uint8Array.wrap(String.UTF8.encode(name + "=" + value));
    return new Cookie(bytes, 0, nameBytes, nameBytes + 1, bytes.length);
  }

  get name(): string {
    let text = this.nameText;
    if (text === null) {
      text = decodeUtf8Lossy(this.source, this.nameStart, this.nameEnd);
      this.nameText = text;
    }
    return text;
  }

  get value(): string {
    let text = this.valueText;
    if (text === null) {
      text = decodeUtf8Lossy(this.source, this.valueStart, this.valueEnd);
      this.valueText = text;
    }
    return text;
  }

  /** The value's size in bytes, and where its bytes are (valid while `source` lives). */
  get valueSize(): i32 {
    return this.valueEnd - this.valueStart;
  }

  get valuePtr(): usize {
    return this.source.dataStart + <usize>this.valueStart;
  }

  /** True when the name is exactly `ascii`, an ASCII text (as configured cookie names are). */
  nameIs(ascii: string): bool {
    return this.nameEnd - this.nameStart == ascii.length && this.nameStartsWith(ascii);
  }

  /** True when the name begins with `ascii`, an ASCII text. */
  nameStartsWith(ascii: string): bool {
    const size = ascii.length;
    if (this.nameEnd - this.nameStart < size) return false;
    const base = this.source.dataStart + <usize>this.nameStart;
    for (let i = 0; i < size; i++) {
      if (<i32>load<u8>(base + <usize>i) != <i32>ascii.charCodeAt(i)) return false;
    }
    return true;
  }
}

/**
 * The length in bytes of the white space character that starts at `i` (before `end`), or 0:
 * the characters AssemblyScript's isSpace (and JavaScript's trim) take as white space.
 */
function spaceAt(bytes: usize, i: i32, end: i32): i32 {
  const b0 = <u32>load<u8>(bytes + <usize>i);
  if (isAsciiSpace(b0)) return 1;
  if (b0 == 0xc2) return i + 1 < end && load<u8>(bytes + <usize>i + 1) == 0xa0 ? 2 : 0;
  if (b0 < 0xe1 || b0 > 0xef || i + 2 >= end) return 0;
  const b1 = <u32>load<u8>(bytes + <usize>i + 1);
  const b2 = <u32>load<u8>(bytes + <usize>i + 2);
  return isSpace3(b0, b1, b2) ? 3 : 0;
}

/** The length of the white space character that ends just before `end` (after `start`), or 0. */
function spaceBefore(bytes: usize, start: i32, end: i32): i32 {
  const last = <u32>load<u8>(bytes + <usize>end - 1);
  if (isAsciiSpace(last)) return 1;
  if (end - start >= 2 && last == 0xa0 && load<u8>(bytes + <usize>end - 2) == 0xc2) return 2;
  if (end - start < 3) return 0;
  const b0 = <u32>load<u8>(bytes + <usize>end - 3);
  const b1 = <u32>load<u8>(bytes + <usize>end - 2);
  return isSpace3(b0, b1, last) ? 3 : 0;
}

/** Space, and TAB to CR (U+0009 to U+000D). */
function isAsciiSpace(b: u32): bool {
  return b == 0x20 || (b >= 0x09 && b <= 0x0d);
}

/** U+1680, U+2000 to U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF in UTF-8. */
function isSpace3(b0: u32, b1: u32, b2: u32): bool {
  if (b0 == 0xe1) return b1 == 0x9a && b2 == 0x80;
  if (b0 == 0xe2) {
    if (b1 == 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf;
    return b1 == 0x81 && b2 == 0x9f;
  }
  if (b0 == 0xe3) return b1 == 0x80 && b2 == 0x80;
  return b0 == 0xef && b1 == 0xbb && b2 == 0xbf;
}

/**
 * Splits the Cookie header in bytes[start..end) into its cookies, in order, duplicates kept
 * (a client may send two cookies of one name; the caller decides what that means), appending
 * them to `into`. Pairs without '=' and empty names are skipped; white space around names and
 * values is trimmed (RFC 6265 §5.4 joins with "; "). One pass over the bytes: this runs on
 * every request.
 */
export function parseCookieBytes(
  bytes: Uint8Array, start: i32, end: i32, into: Array<Cookie>,
): Array<Cookie> {
  if (start < 0) start = 0;
  if (end > bytes.length) end = bytes.length;
  const base = bytes.dataStart;
  let at = start;
  while (at < end) {
    let stop = at;
    let eq = -1;
    while (stop < end) {
      // Whole words at a time past bytes that are neither ';' nor (before the first) '='.
      // After the '=' only ';' ends the cookie: its value, often kilobytes, is skipped
      // sixteen bytes a turn.
      if (eq < 0) {
        while (stop + 8 <= end) {
          const word = load<u64>(base + <usize>stop);
          if (hasByte(word, SEMICOLONS) || hasByte(word, EQUALS)) break;
          stop += 8;
        }
      } else {
        stop = skipToSemicolon(base, stop, end);
      }
      if (stop >= end) break;
      const c = <i32>load<u8>(base + <usize>stop);
      if (c == 59) break; // ';'
      if (c == 61 && eq < 0) eq = stop; // '='
      stop++;
    }
    if (eq > at) addCookie(bytes, at, eq, stop, into);
    at = stop + 1;
  }
  return into;
}

const SEMICOLONS: u64 = 0x3b3b3b3b3b3b3b3b;
const EQUALS: u64 = 0x3d3d3d3d3d3d3d3d;
const LOW_BITS: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;

/** True when one of the eight bytes of `word` equals the byte repeated in `pattern`. */
// @ts-ignore: decorator
@inline
function hasByte(word: u64, pattern: u64): bool {
  return zeroBytes(word ^ pattern) != 0; // the matching byte becomes zero
}

/** Nonzero when one of the eight bytes of `x` is zero. */
// @ts-ignore: decorator
@inline
function zeroBytes(x: u64): u64 {
  return (x - LOW_BITS) & ~x & HIGH_BITS;
}

/** The first `i` from `at` on whose word of eight bytes may hold a ';' (or `end`'s last). */
function skipToSemicolon(base: usize, at: i32, end: i32): i32 {
  let i = at;
  while (i + 16 <= end) {
    const first = load<u64>(base + <usize>i) ^ SEMICOLONS;
    const second = load<u64>(base + <usize>i, 8) ^ SEMICOLONS;
    if ((zeroBytes(first) | zeroBytes(second)) != 0) break;
    i += 16;
  }
  while (i + 8 <= end && !hasByte(load<u64>(base + <usize>i), SEMICOLONS)) i += 8;
  return i;
}

function addCookie(bytes: Uint8Array, start: i32, eq: i32, end: i32, into: Array<Cookie>): void {
  const base = bytes.dataStart;
  let nameStart = start;
  let nameEnd = eq;
  let step = 0;
  while (nameStart < nameEnd && (step = spaceAt(base, nameStart, nameEnd)) > 0) nameStart += step;
  while (nameEnd > nameStart && (step = spaceBefore(base, nameStart, nameEnd)) > 0) nameEnd -= step;
  if (nameEnd == nameStart) return;
  let valueStart = eq + 1;
  let valueEnd = end;
  while (valueStart < valueEnd && (step = spaceAt(base, valueStart, valueEnd)) > 0) valueStart += step;
  while (valueEnd > valueStart && (step = spaceBefore(base, valueStart, valueEnd)) > 0) valueEnd -= step;
  into.push(new Cookie(bytes, nameStart, nameEnd, valueStart, valueEnd));
}

/** The cookies of a Cookie header given as text (read as its UTF-8 bytes). */
export function parseCookieHeader(
  header: string, into: Array<Cookie> = new Array<Cookie>(),
): Array<Cookie> {
  const bytes = Uint8Array.wrap(String.UTF8.encode(header));
  return parseCookieBytes(bytes, 0, bytes.length, into);
}

/** Every cookie named `name` (ASCII), in order. */
export function findCookies(cookies: Array<Cookie>, name: string): Array<Cookie> {
  const found = new Array<Cookie>();
  for (let i = 0; i < cookies.length; i++) {
    if (cookies[i].nameIs(name)) found.push(cookies[i]);
  }
  return found;
}

/**
 * Rebuilds a Cookie header from the cookies the filter keeps for the upstream: each as its
 * bytes were sent, joined by "; ".
 */
export function joinCookies(cookies: Array<Cookie>): ArrayBuffer {
  let size = cookies.length > 0 ? 2 * (cookies.length - 1) : 0;
  for (let i = 0; i < cookies.length; i++) {
    const cookie = cookies[i];
    size += cookie.nameEnd - cookie.nameStart + 1 + cookie.valueSize;
  }
  const out = new ArrayBuffer(size);
  let at = changetype<usize>(out);
  for (let i = 0; i < cookies.length; i++) {
    const cookie = cookies[i];
    if (i > 0) {
      store<u8>(at, 59); // ';'
      store<u8>(at + 1, 32);
      at += 2;
    }
    const nameSize = cookie.nameEnd - cookie.nameStart;
    memory.copy(at, cookie.source.dataStart + <usize>cookie.nameStart, nameSize);
    at += nameSize;
    store<u8>(at, 61); // '='
    at += 1;
    memory.copy(at, cookie.valuePtr, cookie.valueSize);
    at += cookie.valueSize;
  }
  return out;
}

export enum SameSite {
  Lax,
  Strict,
  None,
}

/** The attributes every cookie of the filter carries. */
export class CookieAttributes {
  path: string = "/";
  domain: string = "";
  secure: bool = true;
  httpOnly: bool = true;
  sameSite: SameSite = SameSite.Lax;
}

function sameSiteName(value: SameSite): string {
  if (value == SameSite.Strict) return "Strict";
  if (value == SameSite.None) return "None";
  return "Lax";
}

/**
 * A Set-Cookie value. `maxAge` < 0 leaves Max-Age out (a browser-session cookie); 0 deletes
 * the cookie. Name and value must already be cookie-safe (base64url and '.' here).
 */
export function buildSetCookie(
  name: string, value: string, attributes: CookieAttributes, maxAge: i64,
): string {
  let header = name + "=" + value + "; Path=" + attributes.path;
  if (attributes.domain.length > 0) header += "; Domain=" + attributes.domain;
  if (maxAge >= 0) header += "; Max-Age=" + maxAge.toString();
  if (attributes.secure) header += "; Secure";
  if (attributes.httpOnly) header += "; HttpOnly";
  header += "; SameSite=" + sameSiteName(attributes.sameSite);
  return header;
}

/** A Set-Cookie value that makes the browser drop the cookie now. */
export function buildClearCookie(name: string, attributes: CookieAttributes): string {
  return buildSetCookie(name, "", attributes, 0);
}
