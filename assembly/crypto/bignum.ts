// Multi-precision unsigned integers for signature verification: RSA moduli (RFC 8017 §5.2.2)
// and the P-256 group order (FIPS 186-5 §6.4.2, inverting s). Pure module: no host imports.
//
// A number is a StaticArray<u32> of limbs, least significant limb first. Products of two limbs
// are taken in u64, so a product plus two limbs never overflows: (2^32-1)^2 + 2(2^32-1) < 2^64.
// Nothing here is constant time: verification works on public values only.

export type Limbs = StaticArray<u32>;

/** Limb `index` of the limbs at `address`, widened for products. */
@inline
export function limb(address: usize, index: i32): u64 {
  return <u64>load<u32>(address + ((<usize>index) << 2));
}

/** Stores the low 32 bits of `value` as limb `index` of the limbs at `address`. */
@inline
export function setLimb(address: usize, index: i32, value: u64): void {
  store<u32>(address + ((<usize>index) << 2), <u32>value);
}

/** Big-endian bytes to `limbCount` limbs; null when the value needs more limbs. */
export function limbsFromBytes(bytes: Uint8Array, limbCount: i32): Limbs | null {
  if (limbCount <= 0) return null;
  const out = new StaticArray<u32>(limbCount);
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = <u32>bytes[length - 1 - i];
    const limb = i >> 2;
    if (limb >= limbCount) {
      if (byte != 0) return null;
      continue;
    }
    out[limb] |= byte << ((<u32>(i & 3)) << 3);
  }
  return out;
}

/** The low `byteLength` bytes of a number, big-endian (the I2OSP of RFC 8017 §4.1). */
export function bytesFromLimbs(limbs: Limbs, byteLength: i32): Uint8Array {
  const out = new Uint8Array(max(byteLength, 0));
  const limbCount = limbs.length;
  for (let i = 0; i < byteLength; i++) {
    const limb = i >> 2;
    if (limb >= limbCount) break;
    out[byteLength - 1 - i] = <u8>(limbs[limb] >>> ((<u32>(i & 3)) << 3));
  }
  return out;
}

/** -1, 0 or 1 as a < b, a == b, a > b; missing high limbs count as zero. */
export function compareLimbs(a: Limbs, b: Limbs): i32 {
  for (let i = max(a.length, b.length) - 1; i >= 0; i--) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

export function isZeroLimbs(a: Limbs): bool {
  let bits: u32 = 0;
  for (let i = 0; i < a.length; i++) bits |= a[i];
  return bits == 0;
}

/** Number of significant bits (0 for zero). */
export function bitLength(a: Limbs): i32 {
  for (let i = a.length - 1; i >= 0; i--) {
    const limb = a[i];
    if (limb != 0) return (i << 5) + 32 - <i32>clz(limb);
  }
  return 0;
}

/** a -= b over a.length limbs (b must have as many); returns the borrow out, 0 or 1. */
export function subtractLimbs(a: Limbs, b: Limbs): u32 {
  const count = a.length;
  if (b.length < count) return 1;
  let borrow: u64 = 0;
  for (let i = 0; i < count; i++) {
    const difference = <u64>unchecked(a[i]) - <u64>unchecked(b[i]) - borrow;
    unchecked((a[i] = <u32>difference));
    borrow = (difference >> 32) & 1;
  }
  return <u32>borrow;
}

/** a += b over a.length limbs (b must have as many); returns the carry out, 0 or 1. */
export function addLimbs(a: Limbs, b: Limbs): u32 {
  const count = a.length;
  if (b.length < count) return 0;
  let carry: u64 = 0;
  for (let i = 0; i < count; i++) {
    const sum = <u64>unchecked(a[i]) + <u64>unchecked(b[i]) + carry;
    unchecked((a[i] = <u32>sum));
    carry = sum >> 32;
  }
  return <u32>carry;
}

export function copyLimbs(out: Limbs, a: Limbs): void {
  const count = min(out.length, a.length);
  for (let i = 0; i < count; i++) unchecked((out[i] = a[i]));
}

/** The number 1 in `limbCount` limbs. */
export function oneLimbs(limbCount: i32): Limbs {
  const out = new StaticArray<u32>(max(limbCount, 1));
  out[0] = 1;
  return out;
}
