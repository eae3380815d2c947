// Decimal text to the nearest f64: the number conversion of the JSON reader (json.ts), kept
// apart because it is a subject of its own (IEEE 754 rounding, big integers).
// Decimal text to the nearest f64, ties to even (IEEE 754 §4.3.1), exactly as JSON.parse and
// every other reader of the provider's JSON round it. The standard library's parseFloat is not
// used: it misreads some large exponents. Values that fit both f64 mantissa and power of ten
// exactly take one correctly rounded operation (Clinger's fast path); the rest are computed
// exactly with big integers.

// Digits beyond this many cannot change the rounding: every halfway point between two f64
// values has at most 767 significant digits. Further digits are folded into a sticky one.
const DECIMAL_MAX_DIGITS: i32 = 800;
// Exactly representable powers of ten, 1e0 to 1e22.
const POWERS_OF_TEN: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

// A validated number literal as digits × 10^exponent, digits without leading or trailing
// zeros. `digitAt(k)` reads the k-th significant digit from the text.
class Decimal {
  negative: bool = false;
  digitCount: i32 = 0; // 0 for zero
  exponent: i32 = 0;
  private first: i32 = 0; // index in the text of the first significant digit
  private point: i32 = -1; // index in the text of ".", or -1

  constructor(private text: string) {
    const end = text.length;
    let i = 0;
    this.negative = text.charCodeAt(0) == 0x2d;
    if (this.negative) i++;
    let firstAt = -1; // digit positions, counted without the point
    let lastAt = -1;
    let integerDigits = 0;
    let position = 0;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c == 0x2e) this.point = i;
      else if (c < 0x30 || c > 0x39) break;
      else {
        if (this.point < 0) integerDigits++;
        if (c != 0x30 && firstAt < 0) {
          firstAt = position;
          this.first = i;
        }
        if (c != 0x30) lastAt = position;
        position++;
      }
    }
    if (firstAt >= 0) {
      this.digitCount = lastAt - firstAt + 1; // stays 0 for zero
      this.exponent = integerDigits - 1 - lastAt + readExponent(text, i, end);
    }
  }

  digitAt(k: i32): u32 {
    let i = this.first + k;
    if (this.point >= 0 && this.point > this.first && i >= this.point) i++;
    return <u32>this.text.charCodeAt(i) - 0x30;
  }
}

// The exponent part "e±digits" from `i`, saturated far beyond any f64's range.
function readExponent(text: string, i: i32, end: i32): i32 {
  if (i >= end) return 0;
  i++; // "e" or "E"
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign == 0x2d || sign == 0x2b) {
    negative = sign == 0x2d;
    i++;
  }
  let value = 0;
  for (; i < end; i++) {
    if (value < 100000000) value = value * 10 + (text.charCodeAt(i) - 0x30);
  }
  return negative ? -value : value;
}

// Whether the literal rounds to a finite f64, decided from its magnitude alone unless it is
// within a factor of ten of the largest f64 (about 1.8e308).
export function isWithinF64(text: string): bool {
  const decimal = new Decimal(text);
  const magnitude = decimal.digitCount + decimal.exponent; // value < 10^magnitude
  if (decimal.digitCount == 0 || magnitude <= 308) return true;
  if (magnitude >= 310) return false; // value >= 10^309
  return isFinite(decimalToF64(text));
}

// The f64 nearest the literal `text`, which parseNumber has validated. ±Infinity when it is
// beyond the largest f64.
export function decimalToF64(text: string): f64 {
  const decimal = new Decimal(text);
  const n = decimal.digitCount;
  const e = decimal.exponent;
  let magnitude: f64 = 0;
  if (n == 0 || n + e < -324) magnitude = 0; // below half the smallest subnormal
  else if (n + e > 310) magnitude = Infinity; // at least 1e310
  else if (n <= 19 && (e == 0 || (n <= 15 && e >= -22 && e <= 22))) {
    magnitude = fastDecimalToF64(decimal);
  } else magnitude = exactDecimalToF64(decimal);
  return decimal.negative ? -magnitude : magnitude;
}

// Clinger's fast path: an integer below 2^53 (15 digits) and a power of ten up to 1e22 are both
// exact in f64, so one multiplication or division rounds once, correctly. A 19-digit integer
// with no exponent is exact in u64, and the conversion to f64 rounds correctly.
function fastDecimalToF64(decimal: Decimal): f64 {
  let digits: u64 = 0;
  for (let k = 0; k < decimal.digitCount; k++) digits = digits * 10 + decimal.digitAt(k);
  const e = decimal.exponent;
  if (e == 0) return <f64>digits;
  if (e > 0) return <f64>digits * unchecked(POWERS_OF_TEN[e]);
  return <f64>digits / unchecked(POWERS_OF_TEN[-e]);
}

// value = D × 10^E. For E >= 0 the integer D × 10^E is formed and its top 64 bits rounded. For
// E < 0, the quotient D × 2^s / 10^-E is computed to 62 or 63 bits by long division, with the
// remainder as sticky bit.
function exactDecimalToF64(decimal: Decimal): f64 {
  const digits = new BigNat();
  let exponent = decimal.exponent;
  const kept = min(decimal.digitCount, DECIMAL_MAX_DIGITS);
  for (let k = 0; k < kept; ) {
    let chunk: u32 = 0; // up to nine digits at a time fit in a u32
    let size = 0;
    for (; size < 9 && k < kept; size++, k++) chunk = chunk * 10 + decimal.digitAt(k);
    digits.multiplyAdd(<u32>unchecked(POWERS_OF_TEN[size]), chunk);
  }
  exponent += decimal.digitCount - kept;
  if (kept < decimal.digitCount) {
    digits.multiplyAdd(10, 1); // dropped digits are not all zero: they end in a non-zero digit
    exponent--;
  }

  if (exponent >= 0) {
    digits.multiplyByPowerOfTen(exponent);
    if (digits.overflowed) return NaN;
    return digits.toF64();
  }
  const divisor = new BigNat();
  divisor.multiplyAdd(1, 1);
  divisor.multiplyByPowerOfTen(-exponent);
  return divideToF64(digits, divisor);
}

// numerator / divisor, correctly rounded. Both are shifted so the quotient has 62 or 63 bits:
// with the remainder's sticky bit, enough to round to 53.
function divideToF64(numerator: BigNat, divisor: BigNat): f64 {
  const shift = 62 + divisor.bitLength() - numerator.bitLength();
  if (shift > 0) numerator.shiftLeft(shift);
  else divisor.shiftLeft(-shift);
  divisor.shiftLeft(62);
  if (numerator.overflowed || divisor.overflowed) return NaN;

  let quotient: u64 = 0;
  for (let bit = 62; bit >= 0; bit--) {
    if (numerator.compare(divisor) >= 0) {
      numerator.subtract(divisor);
      quotient |= (<u64>1) << bit;
    }
    divisor.shiftRightOne();
  }
  return roundToF64(quotient, !numerator.isZero(), -shift);
}

// The f64 nearest (q + f) × 2^binaryExponent, where 0 <= f < 1 and f > 0 exactly when
// `sticky`. Rounds to 53 bits, or fewer for a subnormal result, ties to even.
function roundToF64(q: u64, sticky: bool, binaryExponent: i32): f64 {
  if (q == 0) return 0;
  const bits = 64 - <i32>clz(q);
  let exponent = bits - 1 + binaryExponent; // the value is in [2^exponent, 2^(exponent + 1))
  if (exponent > 1023) return Infinity;
  const keep = exponent >= -1022 ? 53 : exponent + 1075; // a subnormal keeps fewer bits
  if (keep < 0) return 0; // below 2^-1075, half the smallest subnormal

  const drop = bits - keep;
  let m: u64 = drop <= 0 ? q << <u64>(-drop) : drop >= 64 ? 0 : q >> <u64>drop;
  if (drop > 0) {
    const half = (q >> <u64>(drop - 1)) & 1;
    const below = (q & (((<u64>1) << <u64>(drop - 1)) - 1)) != 0 || sticky;
    if (half != 0 && (below || (m & 1) != 0)) m++;
  }
  if (keep < 53) return reinterpret<f64>(m); // m × 2^-1074; 2^52 is the smallest normal
  if (m == (<u64>1) << 53) {
    m >>= 1;
    exponent++;
    if (exponent > 1023) return Infinity;
  }
  return reinterpret<f64>((<u64>(exponent + 1023) << 52) | (m & ((<u64>1 << 52) - 1)));
}

// A non-negative integer of at most BIG_LIMBS × 32 bits, little-endian 32-bit limbs. The
// largest this module forms is about 3,800 bits (10^1125 shifted by 62); an operation that
// would go past the capacity sets `overflowed` instead of writing out of bounds.
const BIG_LIMBS: i32 = 132;

class BigNat {
  overflowed: bool = false;
  private limbs: StaticArray<u32> = new StaticArray<u32>(BIG_LIMBS);
  private used: i32 = 0; // limbs in use; the top one is non-zero

  isZero(): bool {
    return this.used == 0;
  }

  bitLength(): i32 {
    if (this.used == 0) return 0;
    return this.used * 32 - <i32>clz(unchecked(this.limbs[this.used - 1]));
  }

  // this = this × factor + addend
  multiplyAdd(factor: u32, addend: u32): void {
    let carry = <u64>addend;
    for (let k = 0; k < this.used; k++) {
      const product = <u64>unchecked(this.limbs[k]) * factor + carry;
      unchecked((this.limbs[k] = <u32>product));
      carry = product >> 32;
    }
    if (carry != 0) this.pushLimb(<u32>carry);
  }

  multiplyByPowerOfTen(e: i32): void {
    for (; e >= 9; e -= 9) this.multiplyAdd(1000000000, 0);
    if (e > 0) this.multiplyAdd(<u32>unchecked(POWERS_OF_TEN[e]), 0);
  }

  shiftLeft(bits: i32): void {
    if (this.used == 0 || bits <= 0) return;
    const limbShift = bits >> 5;
    const bitShift = bits & 31;
    const used = this.used + limbShift + 1;
    if (used > BIG_LIMBS) {
      this.overflowed = true;
      return;
    }
    for (let k = used - 1; k >= limbShift; k--) {
      const high = this.limbAt(k - limbShift);
      const low = this.limbAt(k - limbShift - 1);
      const value = bitShift == 0 ? high : (high << bitShift) | (low >>> (32 - bitShift));
      unchecked((this.limbs[k] = value));
    }
    for (let k = 0; k < limbShift; k++) unchecked((this.limbs[k] = 0));
    this.used = used;
    this.trim();
  }

  // The division loop runs these three 63 times per number: they index the limbs directly.
  shiftRightOne(): void {
    const limbs = this.limbs;
    const last = this.used - 1;
    if (last < 0) return;
    for (let k = 0; k < last; k++) {
      unchecked((limbs[k] = (limbs[k] >>> 1) | (limbs[k + 1] << 31)));
    }
    unchecked((limbs[last] >>>= 1));
    this.trim();
  }

  compare(other: BigNat): i32 {
    if (this.used != other.used) return this.used > other.used ? 1 : -1;
    const a = this.limbs;
    const b = other.limbs;
    for (let k = this.used - 1; k >= 0; k--) {
      const x = unchecked(a[k]);
      const y = unchecked(b[k]);
      if (x != y) return x > y ? 1 : -1;
    }
    return 0;
  }

  // this = this - other, where this >= other (so other.used <= this.used).
  subtract(other: BigNat): void {
    const a = this.limbs;
    const b = other.limbs;
    const shared = min(other.used, this.used);
    let borrow: i64 = 0;
    for (let k = 0; k < this.used; k++) {
      const y = k < shared ? <i64>unchecked(b[k]) : 0;
      const difference = <i64>unchecked(a[k]) - y - borrow;
      unchecked((a[k] = <u32>difference));
      borrow = difference < 0 ? 1 : 0;
    }
    this.trim();
  }

  // The nearest f64: the top 64 bits, with every lower bit folded into the sticky flag.
  toF64(): f64 {
    const length = this.bitLength();
    if (length <= 64) return roundToF64(this.bitsFrom(0), false, 0);
    const offset = length - 64;
    let sticky = (this.limbAt(offset >> 5) & ((1 << (offset & 31)) - 1)) != 0;
    for (let k = 0; k < offset >> 5 && !sticky; k++) sticky = unchecked(this.limbs[k]) != 0;
    return roundToF64(this.bitsFrom(offset), sticky, offset);
  }

  // The 64 bits starting at bit `offset`.
  private bitsFrom(offset: i32): u64 {
    const k = offset >> 5;
    const shift = <u64>(offset & 31);
    const low = <u64>this.limbAt(k) | (<u64>this.limbAt(k + 1) << 32);
    if (shift == 0) return low;
    return (low >> shift) | (<u64>this.limbAt(k + 2) << (64 - shift));
  }

  // The limb at `k`, or 0 outside the number.
  // @ts-ignore: decorator
  @inline
  private limbAt(k: i32): u32 {
    return k >= 0 && k < this.used ? unchecked(this.limbs[k]) : 0;
  }

  private pushLimb(limb: u32): void {
    if (this.used >= BIG_LIMBS) {
      this.overflowed = true;
      return;
    }
    unchecked((this.limbs[this.used] = limb));
    this.used++;
  }

  private trim(): void {
    while (this.used > 0 && unchecked(this.limbs[this.used - 1]) == 0) this.used--;
  }
}
