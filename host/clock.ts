// Time for the host, injectable: the wall and monotonic clocks the module reads, and the timers
// the host runs (ticks, callout timeouts). The gateway uses the system's; the emulator a manual
// clock that moves only when a test advances it, firing due timers in order.

export interface Clock {
  /** Wall-clock time, nanoseconds since the Unix epoch. */
  realtimeNs(): bigint;
  /** Monotonic time, nanoseconds from an arbitrary origin. */
  monotonicNs(): bigint;
  /** Wall-clock time in milliseconds (for records and request times). */
  nowMs(): number;
}

export interface Timer {
  cancel(): void;
}

export interface Scheduler {
  /** Runs `fn` once, `ms` milliseconds from now. */
  after(ms: number, fn: () => void): Timer;
}

/**
 * Milliseconds as exact nanoseconds: whole milliseconds and the rest apart, since a time
 * since the epoch times 1e6 is past 2^53, where a double no longer holds every integer.
 */
function nanoseconds(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1_000_000));
}

export class SystemClock implements Clock, Scheduler {
  private readonly origin = process.hrtime.bigint();
  // The last wall-clock reading: a filter reads the clock on every request, many times in
  // each millisecond, and a BigInt is costly to make.
  private lastMs = -1;
  private lastNs = 0n;

  realtimeNs(): bigint {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastNs = nanoseconds(ms);
    }
    return this.lastNs;
  }

  monotonicNs(): bigint {
    return process.hrtime.bigint() - this.origin;
  }

  nowMs(): number {
    return Date.now();
  }

  after(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  }
}

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that stands still until `advance` moves it; timers fire as time passes them. */
export class ManualClock implements Clock, Scheduler {
  private now: number;
  private readonly start: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  /** @param startMs wall-clock time at creation, in ms since the epoch. */
  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.now = startMs;
    this.start = startMs;
  }

  private lastMs = Number.NaN;
  private lastNs = 0n;

  realtimeNs(): bigint {
    if (this.now !== this.lastMs) {
      this.lastMs = this.now;
      this.lastNs = nanoseconds(this.now);
    }
    return this.lastNs;
  }

  monotonicNs(): bigint {
    return nanoseconds(this.now - this.start);
  }

  nowMs(): number {
    return this.now;
  }

  after(ms: number, fn: () => void): Timer {
    const due = this.now + Math.max(0, ms);
    const timer: PendingTimer = { due, seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Moves time forward by `ms`, running every timer that falls due, in due order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const next = this.timers
        .filter((t) => t.due <= target)
        .sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.now = Math.max(this.now, next.due);
      next.cancelled = true;
      next.fn();
    }
    this.now = target;
  }
}
