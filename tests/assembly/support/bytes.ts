// Byte helpers shared by the known-answer tests.

/** Lowercase hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  const digits = "0123456789abcdef";
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    out += digits.charAt(bytes[i] >> 4) + digits.charAt(bytes[i] & 15);
  }
  return out;
}

/** Parses lowercase hex; spaces are skipped so vectors can be laid out as in the RFC. */
export function unhex(text: string): Uint8Array {
  const compact = text.replaceAll(" ", "");
  const out = new Uint8Array(compact.length >> 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = <u8>I32.parseInt(compact.substr(i * 2, 2), 16);
  }
  return out;
}

/** The UTF-8 bytes of `text`. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(text));
}

/** `count` copies of `byte`. */
export function repeated(byte: u8, count: i32): Uint8Array {
  const out = new Uint8Array(count);
  out.fill(byte);
  return out;
}
