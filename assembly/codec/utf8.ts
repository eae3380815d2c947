// Strict UTF-8 (RFC 3629 §4): every byte sequence the filter turns into text from client or
// provider bytes goes through here, so that overlong forms, encoded surrogates and code points
// above U+10FFFF are refused instead of being decoded leniently (RFC 3629 §10 explains how a
// lenient decoder lets a forbidden character, such as "/" or NUL, slip past a check).
// Pure module: no host imports, never traps.

// readUtf8 answers this when the bytes at the index are not one well-formed character.
export const UTF8_INVALID: i32 = -1;

// readUtf8 packs the character's length in bytes above its code point (21 bits), so that a
// single call both validates and decodes without allocating.
export const UTF8_LENGTH_SHIFT: i32 = 21;
export const UTF8_CODE_POINT_MASK: i32 = (1 << UTF8_LENGTH_SHIFT) - 1;

// Reads one character at `i`, not past `end` (clamped to the array). Returns
// (length << UTF8_LENGTH_SHIFT) | codePoint, or UTF8_INVALID. The ranges of the second byte
// follow the UTF8-2/3/4 rules of RFC 3629 §4, which exclude overlongs and surrogates.
export function readUtf8(bytes: Uint8Array, i: i32, end: i32 = i32.MAX_VALUE): i32 {
  if (end > bytes.length) end = bytes.length;
  if (i < 0 || i >= end) return UTF8_INVALID;
  const b0 = <i32>unchecked(bytes[i]);
  if (b0 < 0x80) return (1 << UTF8_LENGTH_SHIFT) | b0;

  let length = 0;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0; // shorter forms are overlong
    if (b0 == 0xed) high = 0x9f; // U+D800..U+DFFF are surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90; // shorter forms are overlong
    if (b0 == 0xf4) high = 0x8f; // above U+10FFFF
  } else return UTF8_INVALID;
  if (end - i < length) return UTF8_INVALID;

  const b1 = <i32>unchecked(bytes[i + 1]);
  if (b1 < low || b1 > high) return UTF8_INVALID;
  let codePoint = (b0 & (0xff >> (length + 1))) << 6 | (b1 & 0x3f);
  for (let k = 2; k < length; k++) {
    const b = <i32>unchecked(bytes[i + k]);
    if ((b & 0xc0) != 0x80) return UTF8_INVALID;
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  return (length << UTF8_LENGTH_SHIFT) | codePoint;
}

// True when bytes[start..end) is entirely well-formed UTF-8.
export function isValidUtf8(bytes: Uint8Array, start: i32 = 0, end: i32 = i32.MAX_VALUE): bool {
  if (end > bytes.length) end = bytes.length;
  if (start < 0) start = 0;
  let i = start;
  while (i < end) {
    if (unchecked(bytes[i]) < 0x80) {
      i++;
      continue;
    }
    const packed = readUtf8(bytes, i, end);
    if (packed == UTF8_INVALID) return false;
    i += packed >>> UTF8_LENGTH_SHIFT;
  }
  return true;
}

// Decodes bytes[start..end) to a string, or null when it is not well-formed UTF-8. The
// standard library's decoder is lenient (it decodes overlongs), so validate first.
export function decodeUtf8(
  bytes: Uint8Array,
  start: i32 = 0,
  end: i32 = i32.MAX_VALUE,
): string | null {
  if (end > bytes.length) end = bytes.length;
  if (start < 0) start = 0;
  if (start >= end) return "";
  if (!isValidUtf8(bytes, start, end)) return null;
  return String.UTF8.decodeUnsafe(bytes.dataStart + <usize>start, <usize>(end - start));
}

// Encodes a string as UTF-8 the way the WHATWG Encoding standard's "UTF-8 encode" does: a
// lone surrogate, which has no UTF-8 form, becomes U+FFFD. Never fails.
export function encodeUtf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE));
}

// Encodes a string keeping a lone surrogate as its three-byte (WTF-8) form, which every strict
// check in this module then refuses: for input that must be rejected rather than repaired.
export function encodeUtf8Unrepaired(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

// The string of `size` ASCII bytes at `ptr`: each byte widened to one UTF-16 unit, without
// the general decoder's work (almost every header value the filter reads is ASCII).
function widenAscii(ptr: usize, size: i32): string {
  const out = changetype<string>(__new(<usize>size << 1, idof<string>()));
  const to = changetype<usize>(out);
  let i = 0;
  // Four bytes at a time: a u32 of ASCII bytes spreads into a u64 of UTF-16 units.
  for (; i + 4 <= size; i += 4) {
    const word = <u64>load<u32>(ptr + <usize>i);
    store<u64>(to + (<usize>i << 1),
      (word & 0xff) | ((word & 0xff00) << 8) | ((word & 0xff0000) << 16) | ((word & 0xff000000) << 24));
  }
  for (; i < size; i++) store<u16>(to + (<usize>i << 1), load<u8>(ptr + <usize>i));
  return out;
}

// True when bytes[start..end) (within the array) are all below 0x80: eight at a time, as
// almost every header value is ASCII.
function isAscii(bytes: Uint8Array, start: i32, end: i32): bool {
  let at = bytes.dataStart + <usize>start;
  const stop = bytes.dataStart + <usize>end;
  while (at + 8 <= stop) {
    if ((load<u64>(at) & 0x8080808080808080) != 0) return false;
    at += 8;
  }
  while (at < stop) {
    if (load<u8>(at) >= 0x80) return false;
    at++;
  }
  return true;
}

// Decodes bytes[start..end) replacing each byte that does not begin a well-formed character
// with U+FFFD, one replacement per bad byte, never swallowing the bytes after it (so an
// invalid byte cannot hide an ASCII delimiter such as ";" that follows it). For header
// values, which a client controls and the filter must read exactly as a parser would.
export function decodeUtf8Lossy(bytes: Uint8Array, start: i32 = 0, end: i32 = i32.MAX_VALUE): string {
  if (end > bytes.length) end = bytes.length;
  if (start < 0) start = 0;
  if (start >= end) return "";
  if (isAscii(bytes, start, end)) return widenAscii(bytes.dataStart + <usize>start, end - start);
  if (isValidUtf8(bytes, start, end)) {
    return String.UTF8.decodeUnsafe(bytes.dataStart + <usize>start, <usize>(end - start));
  }
  const parts = new Array<string>();
  let run = start;
  let i = start;
  while (i < end) {
    const packed = unchecked(bytes[i]) < 0x80 ? (1 << UTF8_LENGTH_SHIFT) : readUtf8(bytes, i, end);
    if (packed != UTF8_INVALID) {
      i += packed >>> UTF8_LENGTH_SHIFT;
      continue;
    }
    if (i > run) parts.push(String.UTF8.decodeUnsafe(bytes.dataStart + <usize>run, <usize>(i - run)));
    parts.push("\uFFFD");
    i++;
    run = i;
  }
  if (end > run) parts.push(String.UTF8.decodeUnsafe(bytes.dataStart + <usize>run, <usize>(end - run)));
  return parts.join("");
}
