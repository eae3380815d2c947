// Exposes the codecs to the Node tests (tests/node/codec.test.ts), which compare them with
// Node's own Buffer, encodeURIComponent and JSON.parse on generated input.
import {
  base64Decode,
  base64Encode,
  base64UrlDecode,
  base64UrlEncode,
} from "../../assembly/codec/base64";
import {
  formEncode,
  parseQuery,
  percentDecode,
  percentDecodeBytes,
  percentEncode,
  QueryParam,
} from "../../assembly/codec/percent";
import { JsonKind, JsonParser, JsonValue, JsonNumber } from "../../assembly/codec/json";
import { isValidUtf8 } from "../../assembly/codec/utf8";

export function b64Encode(bytes: Uint8Array): string {
  return base64Encode(bytes);
}

export function b64Decode(s: string): Uint8Array | null {
  return base64Decode(s);
}

export function b64UrlEncode(bytes: Uint8Array): string {
  return base64UrlEncode(bytes);
}

export function b64UrlDecode(s: string): Uint8Array | null {
  return base64UrlDecode(s);
}

export function utf8Valid(bytes: Uint8Array): bool {
  return isValidUtf8(bytes);
}

export function pctDecode(s: string, plusAsSpace: bool): string | null {
  return percentDecode(s, plusAsSpace);
}

export function pctDecodeBytes(s: string): Uint8Array | null {
  const decoded = percentDecodeBytes(s);
  return decoded != null ? decoded.bytes : null;
}

// Bit 0: "%2F" seen, bit 1: "%5C", bit 2: "%00"; -1 for a malformed escape.
export function pctEncodedFlags(s: string): i32 {
  const decoded = percentDecodeBytes(s);
  if (decoded == null) return -1;
  const slash = i32(decoded.encodedSlash);
  return slash | (i32(decoded.encodedBackslash) << 1) | (i32(decoded.encodedNul) << 2);
}

export function pctEncode(s: string): string {
  return percentEncode(s);
}

export function formEncodePairs(names: Array<string>, values: Array<string>): string {
  const pairs = new Array<QueryParam>();
  for (let i = 0; i < names.length && i < values.length; i++) {
    pairs.push(new QueryParam(names[i], values[i]));
  }
  return formEncode(pairs);
}

// The parameters as [name0, value0, name1, value1, ...], or null when the query is refused.
export function queryParse(query: string): Array<string> | null {
  const params = parseQuery(query);
  if (params == null) return null;
  const flat = new Array<string>();
  for (let i = 0; i < params.length; i++) {
    flat.push(params[i].name);
    flat.push(params[i].value);
  }
  return flat;
}

// The parsed document written back as JSON (members in document order), or null.
export function jsonCanonical(bytes: Uint8Array): string | null {
  const value = new JsonParser().parse(bytes);
  return value != null ? serialize(value) : null;
}

export function jsonCanonicalText(text: string): string | null {
  const value = new JsonParser().parseText(text);
  return value != null ? serialize(value) : null;
}

// The parser's error message, or "" when the document is accepted.
export function jsonError(bytes: Uint8Array, maxBytes: i32, maxDepth: i32): string {
  const parser = new JsonParser(maxBytes, maxDepth);
  return parser.parse(bytes) == null ? parser.error : "";
}

export function jsonErrorPosition(bytes: Uint8Array): i32 {
  const parser = new JsonParser();
  return parser.parse(bytes) == null ? parser.position : -1;
}

// The f64 a number literal parses to, or NaN when it is refused.
export function jsonNumber(text: string): f64 {
  const value = new JsonParser().parseText(text);
  const number = value != null ? value.asNumber() : null;
  return number == null ? NaN : number.value;
}

// getInteger on the top-level object's member `key`.
export function jsonInteger(text: string, key: string): i64 {
  const value = new JsonParser().parseText(text);
  const object = value != null ? value.asObject() : null;
  return object == null ? i64.MIN_VALUE : object.getInteger(key);
}

function serialize(value: JsonValue): string {
  const parts = new Array<string>();
  write(value, parts);
  return parts.join("");
}

function write(value: JsonValue, out: Array<string>): void {
  switch (value.kind) {
    case JsonKind.Null:
      out.push("null");
      break;
    case JsonKind.Bool:
      out.push(value.asBool(false) ? "true" : "false");
      break;
    case JsonKind.Number:
      out.push(formatNumber(changetype<JsonNumber>(value).value));
      break;
    case JsonKind.String:
      out.push(quote(value.asString()!));
      break;
    case JsonKind.Array:
      writeArray(value, out);
      break;
    default:
      writeObject(value, out);
  }
}

function writeArray(value: JsonValue, out: Array<string>): void {
  const items = value.asArray()!.items;
  out.push("[");
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(",");
    write(items[i], out);
  }
  out.push("]");
}

function writeObject(value: JsonValue, out: Array<string>): void {
  const object = value.asObject()!;
  out.push("{");
  for (let i = 0; i < object.keys.length; i++) {
    if (i > 0) out.push(",");
    out.push(quote(object.keys[i]));
    out.push(":");
    write(object.get(object.keys[i])!, out);
  }
  out.push("}");
}

// f64.toString writes -0 as "0.0", losing the sign JSON.parse keeps.
function formatNumber(value: f64): string {
  if (value == 0 && (reinterpret<u64>(value) >> 63) != 0) return "-0";
  return value.toString();
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}
