const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** Parses SigV4's ISO 8601 basic format (`20150830T123600Z`); undefined when malformed. */
export function parseAmzDate(s: string): number | undefined {
  const m = AMZ_DATE.exec(s)
  if (m === null) return undefined
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return undefined
  const ms = Date.UTC(y, mo - 1, d, h, mi, se)
  // Reject dates that roll over (20150231 is not 20150303).
  if (new Date(ms).getUTCDate() !== d) return undefined
  return ms
}

/** Formats epoch milliseconds as SigV4's `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
}

/** Parses an HTTP `Date` header (RFC 7231 IMF-fixdate and its obsolete forms). */
export function parseHttpDate(s: string): number | undefined {
  const ms = Date.parse(s)
  return Number.isFinite(ms) ? ms : undefined
}
