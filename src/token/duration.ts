import { InputError } from '../core/index.js'

const NS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}
const NS_PER_SECOND = 1_000_000_000n
const MAX_NS = 2n ** 63n - 1n
const COMPONENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y

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
  const body = text.startsWith('+') ? text.slice(1) : text
  if (body === '0') return 0
  if (body === '') throw invalid(text, what)
  let total = 0n
  let at = 0
  while (at < body.length) {
    COMPONENT.lastIndex = at
    const m = COMPONENT.exec(body)
    if (m === null) throw invalid(text, what)
    const [whole, intPart = '', fracPart = '', unit = ''] = m
    if (intPart === '' && fracPart === '') throw invalid(text, what)
    const scale = NS_PER_UNIT[unit] ?? 0n
    let ns = BigInt(intPart === '' ? '0' : intPart) * scale
    if (fracPart !== '') ns += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length)
    total += ns
    if (total > MAX_NS) throw invalid(text, what)
    at += whole.length
  }
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
