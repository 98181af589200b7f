import type { Clock } from '../core/index.js'

/** A token bucket: `take()` is true when a token was available. */
interface RateLimiter {
  take(): boolean
}

/** A token bucket of `burst` tokens refilled at `perSecond`, timed by the injected clock. */
export function createRateLimiter(o: {
  readonly clock: Clock
  readonly perSecond: number
  readonly burst: number
}): RateLimiter {
  let tokens = o.burst
  let at = o.clock.now()
  return {
    take() {
      const now = o.clock.now()
      tokens = Math.min(o.burst, tokens + ((now - at) / 1000) * o.perSecond)
      at = now
      if (tokens < 1) return false
      tokens -= 1
      return true
    },
  }
}
