const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/**
 * Parses a Go duration (`time.ParseDuration`: `0`, `100ms`, `1.5s`, `2m30s`, `1h`) as
 * the reference's duration flags take it, into milliseconds. Negative durations are
 * refused. Returns `undefined` for anything else.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let at = 0
  let matched = false
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] ?? ''] ?? NaN)
    at = re.lastIndex
    matched = true
  }
  if (!matched || at !== text.length || !Number.isFinite(total)) return undefined
  return total
}
