/** Exponential backoff with a cap: `initialMs`, doubling, at most `maxMs`; `reset` starts over. */
interface Backoff {
  next(): number
  reset(): void
}

/** Creates a {@link Backoff} (defaults: 500 ms, capped at 30 s). */
export function createBackoff(
  o: { readonly initialMs?: number; readonly maxMs?: number } = {},
): Backoff {
  const initial = o.initialMs ?? 500
  const max = o.maxMs ?? 30_000
  let current = 0
  return {
    next() {
      current = current === 0 ? initial : Math.min(max, current * 2)
      return current
    },
    reset() {
      current = 0
    },
  }
}
