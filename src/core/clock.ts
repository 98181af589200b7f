/**
 * Time, injected. Nothing in `src/` reads the wall clock except {@link systemClock};
 * tests pass a {@link ManualClock} and never sleep.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  set(ms: number): void
  advance(ms: number): void
}

/** Creates a {@link ManualClock} starting at `startMs` (epoch milliseconds). */
export function manualClock(startMs: number): ManualClock {
  let t = startMs
  return {
    now: () => t,
    set: (ms) => {
      t = ms
    },
    advance: (ms) => {
      t += ms
    },
  }
}

/** Whole seconds since the epoch, as JWT NumericDate and STS use them. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000)
}
