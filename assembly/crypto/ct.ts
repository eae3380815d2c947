// Constant-time comparison of secrets (MAC tags, session keys). The time taken depends only on
// the lengths, which are public, never on where two secrets first differ: an early exit would
// let a client learn a valid tag byte by byte from response times.

/**
 * Compares `len` bytes at two addresses without exiting early. The caller guarantees that both
 * ranges lie inside live buffers.
 */
export function constantTimeEqualAt(a: usize, b: usize, len: i32): bool {
  let diff: u64 = 0;
  let i = 0;
  // Eight bytes at a time (wasm loads need no alignment), then the rest one by one.
  for (; i + 8 <= len; i += 8) diff |= load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i);
  for (; i < len; i++) diff |= <u64>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  return diff == 0;
}

/**
 * True when `a` and `b` hold the same bytes. A length mismatch makes the result false, but the
 * common prefix is still compared in full, so timing reveals the lengths and nothing else.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  const shorter = a.length < b.length ? a.length : b.length;
  const sameLength = a.length == b.length;
  const sameContent = constantTimeEqualAt(a.dataStart, b.dataStart, shorter);
  return sameLength & sameContent;
}

/** Two strings compared as UTF-8 in constant time for equal lengths (state, nonce). */
export function constantTimeEqualText(a: string, b: string): bool {
  return constantTimeEqual(
    Uint8Array.wrap(String.UTF8.encode(a)), Uint8Array.wrap(String.UTF8.encode(b)),
  );
}
