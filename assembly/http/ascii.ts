// ASCII case mapping. Protocol tokens (schemes, hosts, header names, methods, token types)
// are ASCII; the standard library's Unicode case mapping would add several kilobytes of
// tables to the module for nothing.

function mapCase(text: string, from: i32, to: i32): string {
  let changed = false;
  for (let i = 0; i < text.length && !changed; i++) {
    const c = text.charCodeAt(i);
    changed = c >= from && c <= to;
  }
  if (!changed) return text;
  const out = new Array<string>(text.length);
  const shift = from == 65 ? 32 : -32;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = String.fromCharCode(c >= from && c <= to ? c + shift : c);
  }
  return out.join("");
}

/** `text` with A-Z mapped to a-z; every other character kept. */
export function asciiLower(text: string): string {
  return mapCase(text, 65, 90);
}

/** `text` with a-z mapped to A-Z; every other character kept. */
export function asciiUpper(text: string): string {
  return mapCase(text, 97, 122);
}
