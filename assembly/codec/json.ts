// A strict JSON reader (RFC 8259) for what the provider sends: token responses, the discovery
// document, the JWKS, and the claims of a JWT. Strict because these bytes are hostile until
// verified: trailing bytes, leading zeros, control characters and escapes outside RFC 8259 §7,
// lone surrogates, invalid UTF-8 (§8.1) and duplicate object keys (§4; RFC 7519 §4 requires
// rejecting claims with them, as two readers could pick different values) are all refused.
// Input size and nesting depth are bounded (§9 allows limits), so hostile input cannot exhaust
// memory or the stack. Errors carry a fixed message and a byte position, never input content.
// Pure module: no host imports, never traps.
import { decimalToF64, isWithinF64 } from "./decimal";
import { readUtf8, UTF8_INVALID, UTF8_LENGTH_SHIFT, UTF8_CODE_POINT_MASK } from "./utf8";
import { encodeUtf8Unrepaired } from "./utf8";

export const JSON_MAX_BYTES: i32 = 65536;
export const JSON_MAX_DEPTH: i32 = 32;

// getInteger and toInteger answer this when there is no integer to give; the one i64 value it
// stands for, -2^63, is therefore never reported.
export const JSON_NO_INTEGER: i64 = i64.MIN_VALUE;

export const JSON_ERROR_TOO_LARGE = "input too large";
export const JSON_ERROR_TOO_DEEP = "nesting too deep";
export const JSON_ERROR_END = "unexpected end of input";
export const JSON_ERROR_CHARACTER = "unexpected character";
export const JSON_ERROR_TRAILING = "unexpected data after the value";
export const JSON_ERROR_CONTROL = "control character in string";
export const JSON_ERROR_ESCAPE = "invalid escape";
export const JSON_ERROR_SURROGATE = "unpaired surrogate escape";
export const JSON_ERROR_UTF8 = "invalid UTF-8";
export const JSON_ERROR_NUMBER = "invalid number";
export const JSON_ERROR_RANGE = "number out of range";
export const JSON_ERROR_DUPLICATE_KEY = "duplicate object key";
export const JSON_ERROR_NOT_OBJECT = "value is not an object";

export enum JsonKind {
  Missing, // what JsonObject.kindOf answers for a key that is absent
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

export class JsonValue {
  constructor(public readonly kind: JsonKind) {}

  asString(): string | null {
    return this.kind == JsonKind.String ? changetype<JsonString>(this).value : null;
  }

  asNumber(): JsonNumber | null {
    return this.kind == JsonKind.Number ? changetype<JsonNumber>(this) : null;
  }

  asArray(): JsonArray | null {
    return this.kind == JsonKind.Array ? changetype<JsonArray>(this) : null;
  }

  asObject(): JsonObject | null {
    return this.kind == JsonKind.Object ? changetype<JsonObject>(this) : null;
  }

  // The boolean, or `fallback` when the value is not one.
  asBool(fallback: bool): bool {
    return this.kind == JsonKind.Bool ? changetype<JsonBool>(this).value : fallback;
  }
}

export class JsonNull extends JsonValue {
  constructor() {
    super(JsonKind.Null);
  }
}

export class JsonBool extends JsonValue {
  constructor(public readonly value: bool) {
    super(JsonKind.Bool);
  }
}

export class JsonString extends JsonValue {
  constructor(public readonly value: string) {
    super(JsonKind.String);
  }
}

// A number keeps its text: an integer beyond 2^53 (a provider's numeric subject, say) is read
// exactly from it, not from the rounded f64. The f64 is computed when first asked for, so a
// document full of long numbers costs little until its numbers are read.
export class JsonNumber extends JsonValue {
  private nearest: f64 = 0;
  private converted: bool = false;

  constructor(public readonly raw: string) {
    super(JsonKind.Number);
  }

  // The f64 nearest the text (ties to even), as JSON.parse gives it.
  get value(): f64 {
    if (!this.converted) {
      this.nearest = decimalToF64(this.raw);
      this.converted = true;
    }
    return this.nearest;
  }

  // The value when the text is an integer literal (no fraction, no exponent) within i64,
  // else JSON_NO_INTEGER. NumericDate claims (RFC 7519 §2) are read this way.
  toInteger(): i64 {
    const raw = this.raw;
    const negative = raw.charCodeAt(0) == 0x2d;
    let magnitude: u64 = 0;
    for (let i = negative ? 1 : 0; i < raw.length; i++) {
      const digit = <u64>(raw.charCodeAt(i) - 0x30);
      if (digit > 9) return JSON_NO_INTEGER;
      if (magnitude > (<u64>i64.MAX_VALUE - digit) / 10) return JSON_NO_INTEGER;
      magnitude = magnitude * 10 + digit;
    }
    return negative ? -(<i64>magnitude) : <i64>magnitude;
  }
}

export class JsonArray extends JsonValue {
  // In document order. Read, do not modify.
  readonly items: Array<JsonValue> = new Array<JsonValue>();

  constructor() {
    super(JsonKind.Array);
  }

  get length(): i32 {
    return this.items.length;
  }

  // The element at `index`, or null when out of range.
  at(index: i32): JsonValue | null {
    return index >= 0 && index < this.items.length ? unchecked(this.items[index]) : null;
  }

  // Every element as a string, or null when any is not a string (as for "aud" or "amr").
  strings(): Array<string> | null {
    const out = new Array<string>(this.items.length);
    for (let i = 0; i < this.items.length; i++) {
      const s = unchecked(this.items[i]).asString();
      if (s == null) return null;
      unchecked((out[i] = s));
    }
    return out;
  }
}

export class JsonObject extends JsonValue {
  // Member names in document order. Read, do not modify.
  readonly keys: Array<string> = new Array<string>();
  private members: Map<string, JsonValue> = new Map<string, JsonValue>();

  constructor() {
    super(JsonKind.Object);
  }

  get size(): i32 {
    return this.keys.length;
  }

  has(key: string): bool {
    return this.members.has(key);
  }

  // The member's value, or null when absent. (Map.get would trap on an absent key.)
  get(key: string): JsonValue | null {
    return this.members.has(key) ? this.members.get(key) : null;
  }

  kindOf(key: string): JsonKind {
    const value = this.get(key);
    return value == null ? JsonKind.Missing : value.kind;
  }

  // The string member, or null when absent or not a string.
  getString(key: string): string | null {
    const value = this.get(key);
    return value != null ? value.asString() : null;
  }

  // The number member, or NaN when absent or not a number.
  getNumber(key: string): f64 {
    const value = this.get(key);
    const number = value != null ? value.asNumber() : null;
    return number == null ? NaN : number.value;
  }

  // The integer member, or JSON_NO_INTEGER when absent, not a number, not written as an
  // integer, or outside i64.
  getInteger(key: string): i64 {
    const value = this.get(key);
    const number = value != null ? value.asNumber() : null;
    return number == null ? JSON_NO_INTEGER : number.toInteger();
  }

  // The boolean member, or `fallback` when absent or not a boolean.
  getBool(key: string, fallback: bool): bool {
    const value = this.get(key);
    return value == null ? fallback : value.asBool(fallback);
  }

  getArray(key: string): JsonArray | null {
    const value = this.get(key);
    return value != null ? value.asArray() : null;
  }

  getObject(key: string): JsonObject | null {
    const value = this.get(key);
    return value != null ? value.asObject() : null;
  }

  // Adds a member; false when the name is already present.
  add(key: string, value: JsonValue): bool {
    if (this.members.has(key)) return false;
    this.members.set(key, value);
    this.keys.push(key);
    return true;
  }
}

// Parses one document of UTF-8 bytes with the default limits; null when it is not valid.
export function parseJson(input: Uint8Array): JsonValue | null {
  return new JsonParser().parse(input);
}

// Parses a document that must be an object, as token responses, discovery documents, JWKS
// and JWT claim sets are. Null otherwise.
export function parseJsonObject(input: Uint8Array): JsonObject | null {
  return new JsonParser().parseObject(input);
}

const NULL_VALUE = new JsonNull();
const TRUE_VALUE = new JsonBool(true);
const FALSE_VALUE = new JsonBool(false);
const NO_INPUT = new Uint8Array(0);

// One parser may read several documents in turn; after a failure `error` and `position` say
// why and where (a byte offset into the input).
export class JsonParser {
  error: string = "";
  position: i32 = -1;
  private input: Uint8Array = NO_INPUT;
  // The input's bytes and length, read directly: in the loops over every byte, the typed
  // array's accessors would cost a call and shadow-stack traffic each.
  private base: usize = 0;
  private length: i32 = 0;
  private pos: i32 = 0;
  // UTF-16 units of the string being decoded, when it has escapes or non-ASCII characters.
  private scratch: StaticArray<u16> = new StaticArray<u16>(0);
  private units: i32 = 0;

  constructor(
    public maxBytes: i32 = JSON_MAX_BYTES,
    public maxDepth: i32 = JSON_MAX_DEPTH,
  ) {}

  parse(input: Uint8Array): JsonValue | null {
    this.error = "";
    this.position = -1;
    if (input.length > this.maxBytes) return this.fail(JSON_ERROR_TOO_LARGE, 0);
    this.input = input; // keeps the bytes alive while `base` points into them
    this.base = input.dataStart;
    this.length = input.length;
    this.pos = 0;
    const value = this.parseDocument();
    this.input = NO_INPUT; // do not keep the caller's bytes alive
    this.base = NO_INPUT.dataStart;
    this.length = 0;
    return value;
  }

  // Parses a document given as a string. A lone surrogate in it is refused as invalid UTF-8.
  parseText(text: string): JsonValue | null {
    // UTF-8 is never shorter than UTF-16 in units: refuse before encoding a huge string.
    if (text.length > this.maxBytes) return this.fail(JSON_ERROR_TOO_LARGE, 0);
    return this.parse(encodeUtf8Unrepaired(text));
  }

  parseObject(input: Uint8Array): JsonObject | null {
    const value = this.parse(input);
    if (value == null) return null;
    const object = value.asObject();
    if (object == null) this.fail(JSON_ERROR_NOT_OBJECT, 0);
    return object;
  }

  private parseDocument(): JsonValue | null {
    this.skipWhitespace();
    const value = this.parseValue(0);
    if (value == null) return null;
    this.skipWhitespace();
    if (this.pos != this.length) return this.fail(JSON_ERROR_TRAILING, this.pos);
    return value;
  }

  private fail(message: string, position: i32): JsonValue | null {
    this.error = message;
    this.position = position;
    return null;
  }

  // The byte at `i`, or -1 past the end.
  // @ts-ignore: decorator
  @inline
  private byteAt(i: i32): i32 {
    return <u32>i < <u32>this.length ? <i32>load<u8>(this.base + <usize>i) : -1;
  }

  // RFC 8259 §2: the only insignificant whitespace is space, tab, line feed, carriage return.
  private skipWhitespace(): void {
    const base = this.base;
    const length = this.length;
    let i = this.pos;
    while (i < length) {
      const c = load<u8>(base + <usize>i);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      i++;
    }
    this.pos = i;
  }

  // Fails at the current position: the end of input if there, else an unexpected character.
  private unexpected(): JsonValue | null {
    const atEnd = this.pos >= this.length;
    return this.fail(atEnd ? JSON_ERROR_END : JSON_ERROR_CHARACTER, this.pos);
  }

  // `depth` counts the arrays and objects around the value.
  private parseValue(depth: i32): JsonValue | null {
    const c = this.byteAt(this.pos);
    if (c == 0x7b || c == 0x5b) {
      if (depth >= this.maxDepth) return this.fail(JSON_ERROR_TOO_DEEP, this.pos);
      return c == 0x7b ? this.parseObjectBody(depth + 1) : this.parseArrayBody(depth + 1);
    }
    if (c == 0x22) {
      const s = this.parseString();
      return s != null ? new JsonString(s) : null;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (c == 0x74 && this.skipLiteral("true")) return TRUE_VALUE;
    if (c == 0x66 && this.skipLiteral("false")) return FALSE_VALUE;
    if (c == 0x6e && this.skipLiteral("null")) return NULL_VALUE;
    return this.unexpected();
  }

  private skipLiteral(literal: string): bool {
    for (let k = 0; k < literal.length; k++) {
      if (this.byteAt(this.pos + k) != literal.charCodeAt(k)) return false;
    }
    this.pos += literal.length;
    return true;
  }

  // RFC 8259 §4. `pos` is at "{".
  private parseObjectBody(depth: i32): JsonValue | null {
    const object = new JsonObject();
    this.pos++;
    this.skipWhitespace();
    if (this.byteAt(this.pos) == 0x7d) {
      this.pos++;
      return object;
    }
    while (true) {
      const keyAt = this.pos;
      if (this.byteAt(keyAt) != 0x22) return this.unexpected();
      const key = this.parseString();
      if (key == null) return null;
      this.skipWhitespace();
      if (this.byteAt(this.pos) != 0x3a) return this.unexpected();
      this.pos++;
      this.skipWhitespace();

      const value = this.parseValue(depth);
      if (value == null) return null;
      if (!object.add(key, value)) return this.fail(JSON_ERROR_DUPLICATE_KEY, keyAt);
      this.skipWhitespace();
      const c = this.byteAt(this.pos);
      this.pos++;
      if (c == 0x7d) return object;
      if (c != 0x2c) {
        this.pos--;
        return this.unexpected();
      }
      this.skipWhitespace();
    }
  }

  // RFC 8259 §5. `pos` is at "[".
  private parseArrayBody(depth: i32): JsonValue | null {
    const array = new JsonArray();
    this.pos++;
    this.skipWhitespace();
    if (this.byteAt(this.pos) == 0x5d) {
      this.pos++;
      return array;
    }
    while (true) {
      const value = this.parseValue(depth);
      if (value == null) return null;
      array.items.push(value);
      this.skipWhitespace();
      const c = this.byteAt(this.pos);
      this.pos++;
      if (c == 0x5d) return array;
      if (c != 0x2c) {
        this.pos--;
        return this.unexpected();
      }
      this.skipWhitespace();
    }
  }

  // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  private parseNumber(): JsonValue | null {
    const start = this.pos;
    let i = start;
    if (this.byteAt(i) == 0x2d) i++;
    if (this.byteAt(i) == 0x30) i++;
    else i = this.skipDigits(i);
    if (i < 0) return this.fail(JSON_ERROR_NUMBER, start);
    if (this.byteAt(i) == 0x2e) i = this.skipDigits(i + 1);
    if (i < 0) return this.fail(JSON_ERROR_NUMBER, start);
    const e = this.byteAt(i);
    const scaled = e == 0x65 || e == 0x45;
    if (scaled) {
      const sign = this.byteAt(i + 1);
      i = this.skipDigits(sign == 0x2b || sign == 0x2d ? i + 2 : i + 1);
    }
    if (i < 0 || isDigit(this.byteAt(i))) return this.fail(JSON_ERROR_NUMBER, start);

    this.pos = i;
    const raw = String.UTF8.decodeUnsafe(this.base + <usize>start, <usize>(i - start));
    // Without an exponent, fewer than 309 characters cannot reach 1e308.
    if ((scaled || i - start > 308) && !isWithinF64(raw)) {
      return this.fail(JSON_ERROR_RANGE, start);
    }
    return new JsonNumber(raw);
  }

  // The index after one or more digits from `i`, or -1 when there is no digit there.
  private skipDigits(i: i32): i32 {
    if (!isDigit(this.byteAt(i))) return -1;
    while (isDigit(this.byteAt(i))) i++;
    return i;
  }

  // RFC 8259 §7. `pos` is at the opening quote. A string of printable ASCII without escapes,
  // the common case, is copied in one step.
  private parseString(): string | null {
    const base = this.base;
    const length = this.length;
    const start = this.pos + 1;
    for (let i = start; i < length; i++) {
      const c = load<u8>(base + <usize>i);
      if (c == 0x22) {
        this.pos = i + 1;
        return String.UTF8.decodeUnsafe(base + <usize>start, <usize>(i - start));
      }
      if (c == 0x5c || c < 0x20 || c >= 0x80) return this.parseStringSlowly(start);
    }
    this.fail(JSON_ERROR_END, length);
    return null;
  }

  // Decodes escapes and UTF-8 into `scratch`. Every unit written consumes at least one input
  // byte, so the input's length bounds the units of any string in it.
  private parseStringSlowly(start: i32): string | null {
    const length = this.length;
    if (this.scratch.length < length) this.scratch = new StaticArray<u16>(length);
    this.units = 0;
    let i = start;
    while (i < length) {
      const c = <i32>load<u8>(this.base + <usize>i);
      if (c == 0x22) break;
      if (c < 0x20) {
        this.fail(JSON_ERROR_CONTROL, i);
        return null;
      }
      let next = i + 1;
      if (c == 0x5c) next = this.readEscape(i);
      else if (c < 0x80) this.pushUnit(c);
      else next = this.readMultibyte(i);
      if (next < 0) return null; // the reader has set the error
      i = next;
    }
    if (i >= length || this.units > this.scratch.length) {
      this.fail(JSON_ERROR_END, length);
      return null;
    }
    this.pos = i + 1;
    const units = changetype<usize>(this.scratch);
    return String.UTF16.decodeUnsafe(units, <usize>this.units << 1);
  }

  // @ts-ignore: decorator
  @inline
  private pushUnit(unit: i32): void {
    if (this.units < this.scratch.length) unchecked((this.scratch[this.units] = <u16>unit));
    this.units++;
  }

  // RFC 8259 §7: \" \\ \/ \b \f \n \r \t, and \uXXXX where a surrogate must come as an
  // escaped high-low pair. Returns the index after the escape, or -1.
  private readEscape(i: i32): i32 {
    const e = this.byteAt(i + 1);
    const simple = simpleEscape(e);
    if (simple >= 0) {
      this.pushUnit(simple);
      return i + 2;
    }
    const unit = e == 0x75 ? this.readHex4(i + 2) : -1;
    if (unit < 0) return this.failAt(JSON_ERROR_ESCAPE, i);
    if (unit < 0xd800 || unit > 0xdfff) {
      this.pushUnit(unit);
      return i + 6;
    }
    const pairs = this.byteAt(i + 6) == 0x5c && this.byteAt(i + 7) == 0x75;
    const low = pairs ? this.readHex4(i + 8) : -1;
    if (unit >= 0xdc00 || low < 0xdc00 || low > 0xdfff) {
      return this.failAt(JSON_ERROR_SURROGATE, i);
    }
    this.pushUnit(unit);
    this.pushUnit(low);
    return i + 12;
  }

  // The value of four hex digits at `i`, or -1.
  private readHex4(i: i32): i32 {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const digit = hexDigit(this.byteAt(i + k));
      if (digit < 0) return -1;
      value = (value << 4) | digit;
    }
    return value;
  }

  // One UTF-8 character (RFC 8259 §8.1), as one UTF-16 unit or a surrogate pair.
  private readMultibyte(i: i32): i32 {
    const packed = readUtf8(this.input, i);
    if (packed == UTF8_INVALID) return this.failAt(JSON_ERROR_UTF8, i);
    const codePoint = packed & UTF8_CODE_POINT_MASK;
    if (codePoint < 0x10000) this.pushUnit(codePoint);
    else {
      this.pushUnit(0xd800 + ((codePoint - 0x10000) >> 10));
      this.pushUnit(0xdc00 + ((codePoint - 0x10000) & 0x3ff));
    }
    return i + (packed >>> UTF8_LENGTH_SHIFT);
  }

  // fail() for the readers that answer an index: -1.
  private failAt(message: string, position: i32): i32 {
    this.fail(message, position);
    return -1;
  }
}

// The unit a one-character escape stands for, or -1 (RFC 8259 §7).
function simpleEscape(c: i32): i32 {
  switch (c) {
    case 0x22: return 0x22; // \"
    case 0x5c: return 0x5c; // \\
    case 0x2f: return 0x2f; // \/
    case 0x62: return 0x08; // \b
    case 0x66: return 0x0c; // \f
    case 0x6e: return 0x0a; // \n
    case 0x72: return 0x0d; // \r
    case 0x74: return 0x09; // \t
    default: return -1;
  }
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}
