import { InputError, parseGoDurationNs } from '../core/index.js'

const NS_PER_SECOND = 1_000_000_000n

function invalid(text: string, what: string): InputError {
  return new InputError(
    `${what}: invalid duration '${text}' (use whole seconds or Go syntax such as 90s, 10m, 1h30m)`,
  )
}

/**
 * Parses a duration as kubectl's `--duration` does (Go's `time.ParseDuration`: `90s`,
 * `10m`, `1h30m`, `1.5h`), or a plain integer number of seconds, into whole seconds.
 * Negative durations and fractions of a second are refused.
 */
export function parseDuration(text: string, what = 'duration'): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text)
    if (!Number.isSafeInteger(n)) throw invalid(text, what)
    return n
  }
  if (text.startsWith('-')) throw new InputError(`${what} must not be negative, got '${text}'`)
  const total = parseGoDurationNs(text)
  if (total === undefined) throw invalid(text, what)
  if (total % NS_PER_SECOND !== 0n)
    throw new InputError(`${what} must be a whole number of seconds, got '${text}'`)
  return Number(total / NS_PER_SECOND)
}

/** Seconds as a short Go-style duration: 3600 → `1h`, 5400 → `1h30m`, 90 → `1m30s`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`
}
