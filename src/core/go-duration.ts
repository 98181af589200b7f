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
const MAX_NS = 2n ** 63n - 1n
const COMPONENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y

/**
 * Go's `time.ParseDuration` grammar (`0`, `100ms`, `1.5s`, `1h30m`, `.5m`, an optional
 * `+`), as kubectl and the reference webhook take their duration flags, in nanoseconds.
 * Undefined for anything else, for a negative duration, and above Go's limit (2^63-1 ns).
 */
export function parseGoDurationNs(text: string): bigint | undefined {
  const body = text.startsWith('+') ? text.slice(1) : text
  if (body === '0') return 0n
  if (body === '') return undefined
  let total = 0n
  let at = 0
  while (at < body.length) {
    COMPONENT.lastIndex = at
    const m = COMPONENT.exec(body)
    if (m === null) return undefined
    const [whole, intPart = '', fracPart = '', unit = ''] = m
    if (intPart === '' && fracPart === '') return undefined
    const scale = NS_PER_UNIT[unit] ?? 0n
    total += BigInt(intPart === '' ? '0' : intPart) * scale
    if (fracPart !== '') total += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length)
    if (total > MAX_NS) return undefined
    at += whole.length
  }
  return total
}
