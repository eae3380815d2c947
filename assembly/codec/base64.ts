// Base64 (RFC 4648 §4) and base64url (RFC 4648 §5), strict in both directions. Session cookies
// and every JWT segment pass through here on each request, so decoding fills a pre-sized array
// from a lookup table and allocates nothing per character.
// Strictness: decoding refuses characters outside the alphabet (RFC 4648 §3.3), padding where
// the variant forbids it or its absence where the variant requires it (§3.2), and non-zero
// trailing bits in the last character (§3.5): otherwise several strings would decode to the
// same bytes, and a signature or cookie could be altered without changing what it decodes to.
// Pure module: no host imports, never traps.

const STANDARD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PAD: u32 = 0x3d; // "="
const NOT_IN_ALPHABET: u8 = 0xff;

// Maps each ASCII code to its 6-bit value in the alphabet, or NOT_IN_ALPHABET.
function buildDecodeTable(alphabet: string): StaticArray<u8> {
  const table = new StaticArray<u8>(128);
  for (let c = 0; c < 128; c++) unchecked((table[c] = NOT_IN_ALPHABET));
  for (let v = 0; v < 64; v++) unchecked((table[alphabet.charCodeAt(v)] = <u8>v));
  return table;
}

const STANDARD_TABLE = buildDecodeTable(STANDARD_ALPHABET);
const URL_TABLE = buildDecodeTable(URL_ALPHABET);

// Standard alphabet, padded with "=" to a multiple of four characters (RFC 4648 §4).
export function base64Encode(bytes: Uint8Array): string {
  return encodeWith(bytes, STANDARD_ALPHABET, true);
}

// URL and filename safe alphabet, unpadded, as JWS uses it (RFC 7515 §2, RFC 4648 §5).
export function base64UrlEncode(bytes: Uint8Array): string {
  return encodeWith(bytes, URL_ALPHABET, false);
}

// Decodes standard base64 (RFC 4648 §4): padding required. Null for anything non-canonical.
export function base64Decode(s: string): Uint8Array | null {
  return decodeWith(s, 0, s.length, STANDARD_TABLE, true);
}

// Decodes unpadded base64url (RFC 7515 §2): "=" refused. Null for anything non-canonical.
// `start` and `end` select a part of `s`, so a JWT's segments decode without slicing it.
export function base64UrlDecode(
  s: string,
  start: i32 = 0,
  end: i32 = i32.MAX_VALUE,
): Uint8Array | null {
  if (end > s.length) end = s.length;
  if (start < 0) start = 0;
  if (start > end) return null;
  return decodeWith(s, start, end, URL_TABLE, false);
}

// Writes the characters straight into a new string: one allocation, no concatenation.
function encodeWith(bytes: Uint8Array, alphabet: string, padded: bool): string {
  const n = bytes.length;
  const whole = n / 3;
  const rest = n - whole * 3;
  let chars = whole * 4;
  if (rest > 0) chars += padded ? 4 : rest + 1;
  const out = changetype<usize>(__new(<usize>chars << 1, idof<string>()));
  const src = bytes.dataStart;
  const abc = changetype<usize>(alphabet);

  let o = out;
  for (let i = 0; i < whole; i++) {
    const p = src + <usize>i * 3;
    const w = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p, 1) << 8) | <u32>load<u8>(p, 2);
    store<u16>(o, load<u16>(abc + ((w >> 18) << 1)));
    store<u16>(o, load<u16>(abc + (((w >> 12) & 63) << 1)), 2);
    store<u16>(o, load<u16>(abc + (((w >> 6) & 63) << 1)), 4);
    store<u16>(o, load<u16>(abc + ((w & 63) << 1)), 6);
    o += 8;
  }
  if (rest > 0) encodeTail(src + <usize>whole * 3, rest, abc, o, padded);
  return changetype<string>(out);
}

// The final one or two bytes: two or three characters, then "=" up to four if padded.
function encodeTail(p: usize, rest: i32, abc: usize, o: usize, padded: bool): void {
  let w = <u32>load<u8>(p) << 16;
  if (rest == 2) w |= <u32>load<u8>(p, 1) << 8;
  store<u16>(o, load<u16>(abc + ((w >> 18) << 1)));
  store<u16>(o, load<u16>(abc + (((w >> 12) & 63) << 1)), 2);
  if (rest == 2) store<u16>(o, load<u16>(abc + (((w >> 6) & 63) << 1)), 4);
  else if (padded) store<u16>(o, <u16>PAD, 4);
  if (padded) store<u16>(o, <u16>PAD, 6);
}

// The 6-bit value of character `c`, or NOT_IN_ALPHABET (anything above 0x7f is outside it).
// @ts-ignore: decorator
@inline
function sextet(table: StaticArray<u8>, c: u32): u32 {
  return c < 128 ? <u32>unchecked(table[c]) : <u32>NOT_IN_ALPHABET;
}

// Counts the characters of s[start..end) that carry data: the length less the padding, which
// must be exactly what completes the last group of four (RFC 4648 §3.2). -1 when the length
// or the padding is wrong for the variant.
function dataLength(s: string, start: i32, end: i32, padded: bool): i32 {
  const n = end - start;
  if (!padded) return (n & 3) == 1 ? -1 : n;
  if ((n & 3) != 0) return -1;
  if (n == 0) return 0;
  let pads = 0;
  if (<u32>s.charCodeAt(end - 1) == PAD) pads++;
  if (pads == 1 && <u32>s.charCodeAt(end - 2) == PAD) pads++;
  return n - pads;
}

function decodeWith(
  s: string,
  start: i32,
  end: i32,
  table: StaticArray<u8>,
  padded: bool,
): Uint8Array | null {
  const chars = dataLength(s, start, end, padded);
  if (chars < 0) return null;
  const whole = chars >> 2;
  const rest = chars & 3; // 0, 2 or 3: dataLength refused 1
  const out = new Uint8Array(whole * 3 + (rest > 0 ? rest - 1 : 0));
  const src = changetype<usize>(s) + (<usize>start << 1);
  const dst = out.dataStart;

  for (let i = 0; i < whole; i++) {
    const p = src + (<usize>i << 3);
    const a = sextet(table, load<u16>(p));
    const b = sextet(table, load<u16>(p, 2));
    const c = sextet(table, load<u16>(p, 4));
    const d = sextet(table, load<u16>(p, 6));
    if (((a | b | c | d) & 0x80) != 0) return null; // NOT_IN_ALPHABET has bit 7 set
    const w = (a << 18) | (b << 12) | (c << 6) | d;
    const q = dst + <usize>i * 3;
    store<u8>(q, <u8>(w >> 16));
    store<u8>(q, <u8>(w >> 8), 1);
    store<u8>(q, <u8>w, 2);
  }
  if (rest == 0) return out;
  const ok = decodeTail(src + (<usize>whole << 3), rest, table, dst + <usize>whole * 3);
  return ok ? out : null;
}

// Decodes the last two or three characters into one or two bytes. The bits they carry beyond
// those bytes must be zero (RFC 4648 §3.5): "QR==" and "QQ==" must not both mean "A".
function decodeTail(p: usize, rest: i32, table: StaticArray<u8>, q: usize): bool {
  const a = sextet(table, load<u16>(p));
  const b = sextet(table, load<u16>(p, 2));
  const c = rest == 3 ? sextet(table, load<u16>(p, 4)) : 0;
  if (((a | b | c) & 0x80) != 0) return false;
  const w = (a << 18) | (b << 12) | (c << 6);
  const unused: u32 = rest == 3 ? 0xff : 0xffff; // bits past the last whole byte
  if ((w & unused) != 0) return false;
  store<u8>(q, <u8>(w >> 16));
  if (rest == 3) store<u8>(q, <u8>(w >> 8), 1);
  return true;
}
