// Durations in the configuration: "168h", "30m", "90s", "1h30m" (Go-style units h, m, s),
// a bare number of seconds as a string ("3600"), or "0". Results are whole seconds.

/** Seconds, or -1 when `text` is not a duration this filter accepts. */
export function parseDuration(text: string): i64 {
  const length = text.length;
  if (length == 0 || length > 32) return -1;
  let total: i64 = 0;
  let number: i64 = -1;
  let sawUnit = false;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      number = (number < 0 ? 0 : number) * 10 + (c - 48);
      if (number > 100_000_000_000) return -1; // over 3,000 years: a typo, not a duration
      continue;
    }
    const unit = unitSeconds(c);
    if (unit == 0 || number < 0) return -1;
    total += number * unit;
    number = -1;
    sawUnit = true;
  }
  if (number >= 0) {
    // Trailing digits without a unit are seconds only when the whole text is a number.
    if (sawUnit) return -1;
    total = number;
  }
  return total;
}

function unitSeconds(c: i32): i64 {
  if (c == 104) return 3600; // h
  if (c == 109) return 60; // m
  if (c == 115) return 1; // s
  return 0;
}
