// Percent-encoding (RFC 3986 §2.1) and application/x-www-form-urlencoded (WHATWG URL standard,
// "application/x-www-form-urlencoded" section), strict where the filter reads: a malformed
// escape ("%", "%4", "%zz") or decoded bytes that are not UTF-8 make the whole input invalid,
// where a browser would keep the bad escape as text. The callback must not guess what a
// `state` or `code` the client mangled was meant to be.
// Pure module: no host imports, never traps.

import { decodeUtf8, encodeUtf8, encodeUtf8Unrepaired } from "./utf8";

// One name=value pair of a query string or form body, both decoded.
export class QueryParam {
  constructor(
    public name: string,
    public value: string,
  ) {}
}

// parseQuery refuses a query with more parameters than this: a callback or sign-out request
// carries a handful, and the limit bounds the objects a hostile query can make us allocate.
export const QUERY_MAX_PARAMS: i32 = 256;

// The bytes a path decodes to, and which byte values appeared percent-encoded. A path
// normalizer needs the latter: "%2F" is data inside one segment, not a separator, and "%5C"
// or "%00" in a path are signs of an attempt to confuse the backend.
export class PercentDecoded {
  constructor(
    public bytes: Uint8Array,
    private encodedSet: StaticArray<u32>, // 256 bits, one per byte value
  ) {}

  wasEncoded(byte: u8): bool {
    return (unchecked(this.encodedSet[byte >> 5]) & (1 << (byte & 31))) != 0;
  }

  get encodedSlash(): bool {
    return this.wasEncoded(0x2f);
  }

  get encodedBackslash(): bool {
    return this.wasEncoded(0x5c);
  }

  get encodedNul(): bool {
    return this.wasEncoded(0);
  }
}

// Decodes percent escapes, and "+" as a space when `plusAsSpace` (form bodies and query
// strings, but not paths). Null on a malformed escape or when the result is not UTF-8.
export function percentDecode(s: string, plusAsSpace: bool): string | null {
  if (!needsDecoding(s, plusAsSpace)) return s;
  const decoded = decodeEscapes(encodeUtf8Unrepaired(s), plusAsSpace, null);
  if (decoded == null) return null;
  return decodeUtf8(decoded);
}

// Decodes the percent escapes of a path to bytes, without requiring UTF-8 and without
// treating "+" specially (RFC 3986 §3.3). Null on a malformed escape.
export function percentDecodeBytes(s: string): PercentDecoded | null {
  const encodedSet = new StaticArray<u32>(8);
  const decoded = decodeEscapes(encodeUtf8Unrepaired(s), false, encodedSet);
  if (decoded == null) return null;
  return new PercentDecoded(decoded, encodedSet);
}

// Encodes a query component: the unreserved characters of RFC 3986 §2.3 stay, every other
// UTF-8 byte becomes %XX with uppercase digits (RFC 3986 §2.1).
export function percentEncode(s: string): string {
  return encodeWith(s, UNRESERVED, false);
}

// Serializes pairs as application/x-www-form-urlencoded (WHATWG URL standard, the
// urlencoded serializer): the token request body of RFC 6749 §4.1.3 is written this way.
export function formEncode(pairs: Array<QueryParam>): string {
  const parts = new Array<string>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const pair = unchecked(pairs[i]);
    const name = encodeWith(pair.name, FORM_KEPT, true);
    unchecked((parts[i] = name + "=" + encodeWith(pair.value, FORM_KEPT, true)));
  }
  return parts.join("&");
}

// Splits a query string (without its "?") or a form body into decoded pairs, in order and
// with duplicates kept, so that a caller can refuse a repeated `state` or `code`. Empty
// pieces between "&" are skipped and a piece without "=" has an empty value, as the WHATWG
// urlencoded parser does. Null on a malformed escape, bad UTF-8 or too many parameters.
export function parseQuery(
  query: string,
  maxParams: i32 = QUERY_MAX_PARAMS,
): Array<QueryParam> | null {
  const params = new Array<QueryParam>();
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    if (end > start) {
      if (params.length >= maxParams) return null;
      const param = parseParam(query, start, end);
      if (param == null) return null;
      params.push(param);
    }
    start = end + 1;
  }
  return params;
}

// The value of the first parameter named `name`, or null when there is none.
export function queryGet(params: Array<QueryParam>, name: string): string | null {
  for (let i = 0; i < params.length; i++) {
    const param = unchecked(params[i]);
    if (param.name == name) return param.value;
  }
  return null;
}

// How many parameters are named `name`: a callback refuses `state` or `code` given twice.
export function queryCount(params: Array<QueryParam>, name: string): i32 {
  let count = 0;
  for (let i = 0; i < params.length; i++) {
    if (unchecked(params[i]).name == name) count++;
  }
  return count;
}

function parseParam(query: string, start: i32, end: i32): QueryParam | null {
  let equals = query.indexOf("=", start);
  if (equals < 0 || equals > end) equals = end;
  const name = percentDecode(query.substring(start, equals), true);
  if (name == null) return null;
  const value = equals < end ? percentDecode(query.substring(equals + 1, end), true) : "";
  if (value == null) return null;
  return new QueryParam(name, value);
}

// A string with no escape, no "+" to turn into a space and no lone surrogate (which has no
// UTF-8 form) decodes to itself.
function needsDecoding(s: string, plusAsSpace: bool): bool {
  for (let i = 0; i < s.length; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c == 0x25 || (c == 0x2b && plusAsSpace) || (c & 0xf800) == 0xd800) return true;
  }
  return false;
}

// The value of one hexadecimal digit (RFC 3986 §2.1 allows either case), or -1.
function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower - 0x61 < 6) return <i32>(lower - 0x61 + 10);
  return -1;
}

// Replaces each %XX by its byte (and "+" by a space if asked), recording in `encodedSet`
// which byte values were escaped. Null when a "%" is not followed by two hex digits.
function decodeEscapes(
  src: Uint8Array,
  plusAsSpace: bool,
  encodedSet: StaticArray<u32> | null,
): Uint8Array | null {
  const n = src.length;
  const out = new Uint8Array(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    let b = <u32>unchecked(src[i]);
    i++;
    if (b == 0x25) {
      if (n - i < 2) return null;
      const high = hexValue(unchecked(src[i]));
      const low = hexValue(unchecked(src[i + 1]));
      if (high < 0 || low < 0) return null;
      b = <u32>((high << 4) | low);
      i += 2;
      if (encodedSet != null) unchecked((encodedSet[b >> 5] |= 1 << (b & 31)));
    } else if (b == 0x2b && plusAsSpace) b = 0x20;
    unchecked((out[o++] = <u8>b));
  }
  return out.subarray(0, o);
}

// 128 flags, one per ASCII code: true for the characters an encoder leaves as they are.
function keptSet(kept: string): StaticArray<bool> {
  const set = new StaticArray<bool>(128);
  for (let i = 0; i < kept.length; i++) unchecked((set[kept.charCodeAt(i) & 127] = true));
  return set;
}

const DIGITS_AND_LETTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// RFC 3986 §2.3 unreserved characters.
const UNRESERVED = keptSet(DIGITS_AND_LETTERS + "-._~");
// The bytes the WHATWG urlencoded serializer leaves as they are ("~" is escaped there).
const FORM_KEPT = keptSet(DIGITS_AND_LETTERS + "*-._");
const HEX_UPPER = "0123456789ABCDEF";

// Encodes the UTF-8 bytes of `s`, writing the result straight into a string sized in a first
// pass. A space becomes "+" when `spaceAsPlus` (form encoding), else "%20".
function encodeWith(s: string, kept: StaticArray<bool>, spaceAsPlus: bool): string {
  const bytes = encodeUtf8(s);
  let length = 0;
  let unchanged = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = unchecked(bytes[i]);
    const keep = isKept(kept, b);
    unchanged = unchanged && keep;
    length += keep || (b == 0x20 && spaceAsPlus) ? 1 : 3;
  }
  if (unchanged) return s; // only kept ASCII characters, so the bytes are the string

  const out = changetype<usize>(__new(<usize>length << 1, idof<string>()));
  let o = out;
  const hex = changetype<usize>(HEX_UPPER);
  for (let i = 0; i < bytes.length; i++) {
    const b = <u32>unchecked(bytes[i]);
    if (isKept(kept, <u8>b)) {
      store<u16>(o, <u16>b);
      o += 2;
    } else if (b == 0x20 && spaceAsPlus) {
      store<u16>(o, 0x2b);
      o += 2;
    } else {
      store<u16>(o, 0x25);
      store<u16>(o, load<u16>(hex + ((b >> 4) << 1)), 2);
      store<u16>(o, load<u16>(hex + ((b & 15) << 1)), 4);
      o += 6;
    }
  }
  return changetype<string>(out);
}

// @ts-ignore: decorator
@inline
function isKept(kept: StaticArray<bool>, b: u8): bool {
  return b < 128 && unchecked(kept[b]);
}
