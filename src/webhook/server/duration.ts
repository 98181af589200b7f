import { parseGoDurationNs } from '../../core/index.js'

/**
 * A Go duration (`time.ParseDuration`: `0`, `100ms`, `1.5s`, `2m30s`, `1h`) as the
 * reference's duration flags take it, in milliseconds; `undefined` for anything else,
 * negative durations included.
 */
export function parseGoDuration(text: string): number | undefined {
  const ns = parseGoDurationNs(text)
  return ns === undefined ? undefined : Number(ns) / 1e6
}
