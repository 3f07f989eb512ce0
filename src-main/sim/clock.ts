/**
 * The simulator's clock. Token lifetimes, dynamic codes and card validity are all judged on it, so
 * a test can cross a 300 s or 7200 s boundary in a millisecond. Real time (plus an offset) by
 * default; frozen once a test sets an absolute time, so assertions at a boundary are exact.
 */
export type ClockState = Readonly<{ now: number; frozen: boolean }>;

export type SimClock = Readonly<{
  /** Unix seconds on the simulated clock. */
  nowSeconds(): number;
  /** Freezes the clock at `unixSeconds`. */
  set(unixSeconds: number): void;
  /** Moves the clock; a frozen clock stays frozen, a running one keeps running. */
  advance(seconds: number): void;
  /** Back to real time. */
  reset(): void;
  state(): ClockState;
}>;

export function createClock(realNowMs: () => number): SimClock {
  let frozenAtMs: number | null = null;
  let offsetMs = 0;
  const nowMs = () => (frozenAtMs ?? realNowMs() + offsetMs);
  const nowSeconds = () => Math.floor(nowMs() / 1000);
  return {
    nowSeconds,
    set(unixSeconds) {
      frozenAtMs = unixSeconds * 1000;
    },
    advance(seconds) {
      if (frozenAtMs !== null) frozenAtMs += seconds * 1000;
      else offsetMs += seconds * 1000;
    },
    reset() {
      frozenAtMs = null;
      offsetMs = 0;
    },
    state: () => ({ now: nowSeconds(), frozen: frozenAtMs !== null }),
  };
}
