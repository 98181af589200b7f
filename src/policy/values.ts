/**
 * Parsers for typed condition values: numbers, dates, booleans and base64. Each returns
 * undefined (or NaN) for text it does not accept; the operators then treat the comparison
 * as failed, so a value that cannot be read never makes a condition true.
 */

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Counts the digits at `s[i..]`. */
function digitsAt(s: string, i: number): number {
  let n = 0
  while (isDigit(s.charCodeAt(i + n))) n++
  return n
}

/**
 * A decimal number: optional sign, digits with an optional fraction, optional exponent
 * (`10`, `-3`, `2.5`, `.5`, `1e3`). NaN for anything else (hex, empty, `Infinity`...).
 */
export function parseNumber(s: string): number {
  let i = 0
  if (s[i] === '+' || s[i] === '-') i++
  const int = digitsAt(s, i)
  i += int
  let frac = 0
  if (s[i] === '.') {
    frac = digitsAt(s, i + 1)
    i += 1 + frac
  }
  if (int + frac === 0) return NaN
  if (s[i] === 'e' || s[i] === 'E') {
    let j = i + 1
    if (s[j] === '+' || s[j] === '-') j++
    const exp = digitsAt(s, j)
    if (exp === 0) return NaN
    i = j + exp
  }
  if (i !== s.length) return NaN
  return Number(s)
}

/** Two to four digits at `s[i..i+n)` as a number, or -1. */
function fixed(s: string, i: number, n: number): number {
  let v = 0
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k)
    if (!isDigit(c)) return -1
    v = v * 10 + (c - 0x30)
  }
  return v
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * A date for the Date operators, as milliseconds since the epoch; NaN when unreadable.
 *
 * The condition operator reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date)
 * takes "a date/time in one of the W3C implementations of the ISO 8601 date formats" or
 * epoch (UNIX) time. Accepted: an integer or decimal number of epoch seconds; `YYYY`,
 * `YYYY-MM`, `YYYY-MM-DD`, optionally followed by `Thh:mm`, `Thh:mm:ss` or
 * `Thh:mm:ss.fraction` and a zone `Z`, `±hh:mm` or `±hhmm` (none means UTC).
 */
export function parseDate(s: string): number {
  if (s.length === 0) return NaN
  const c0 = s.charCodeAt(0)
  // Epoch seconds: digits only (or a decimal), e.g. aws:EpochTime. `2024` is epoch time.
  if (!s.includes('-') && !s.includes('T') && !s.includes('t') && !s.includes(':')) {
    if (!isDigit(c0) && c0 !== 0x2e) return NaN
    const n = parseNumber(s)
    return Number.isNaN(n) ? NaN : Math.round(n * 1000)
  }
  const year = fixed(s, 0, 4)
  if (year < 0) return NaN
  let i = 4
  let month = 1
  let day = 1
  if (s[i] === '-') {
    month = fixed(s, i + 1, 2)
    if (month < 1 || month > 12) return NaN
    i += 3
    if (s[i] === '-') {
      day = fixed(s, i + 1, 2)
      if (day < 1 || day > (DAYS[month - 1] ?? 0)) return NaN
      i += 3
    }
  }
  let hour = 0
  let minute = 0
  let second = 0
  let ms = 0
  let offsetMinutes = 0
  if (s[i] === 'T' || s[i] === 't') {
    hour = fixed(s, i + 1, 2)
    if (s[i + 3] !== ':') return NaN
    minute = fixed(s, i + 4, 2)
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN
    i += 6
    if (s[i] === ':') {
      second = fixed(s, i + 1, 2)
      if (second < 0 || second > 59) return NaN
      i += 3
      if (s[i] === '.') {
        const n = digitsAt(s, i + 1)
        if (n === 0) return NaN
        ms = Math.floor(Number(`0.${s.slice(i + 1, i + 1 + n)}`) * 1000)
        i += 1 + n
      }
    }
    const z = s[i]
    if (z === 'Z' || z === 'z') {
      i++
    } else if (z === '+' || z === '-') {
      const oh = fixed(s, i + 1, 2)
      let om = 0
      if (s[i + 3] === ':') {
        om = fixed(s, i + 4, 2)
        i += 6
      } else if (isDigit(s.charCodeAt(i + 3))) {
        om = fixed(s, i + 3, 2)
        i += 5
      } else {
        i += 3
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN
      offsetMinutes = (z === '+' ? 1 : -1) * (oh * 60 + om)
    }
  }
  if (i !== s.length) return NaN
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)))
    return NaN
  // Date.UTC reads years 0-99 as 1900-1999; shift by 400 Gregorian years (146097 days) to avoid it.
  const shift = year < 100 ? 400 : 0
  const utc = Date.UTC(year + shift, month - 1, day, hour, minute, second, ms)
  return utc - (shift === 0 ? 0 : 146097 * 86_400_000) - offsetMinutes * 60_000
}

/** `true`/`false` in any case, else undefined. */
export function parseBool(s: string): boolean | undefined {
  const l = s.toLowerCase()
  return l === 'true' ? true : l === 'false' ? false : undefined
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = new Map(Array.from({ length: B64.length }, (_, i) => [B64.charCodeAt(i), i]))

/**
 * Decodes standard base64 (RFC 4648 §4, padding optional, no whitespace) into a string
 * of byte values (one char per byte), so two encodings of the same bytes compare equal.
 * Undefined for anything that is not base64.
 */
export function decodeBase64(s: string): string | undefined {
  let end = s.length
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--
  if (s.length - end > 2 || (s.length % 4 !== 0 && s.length !== end)) return undefined
  if (end % 4 === 1) return undefined
  let out = ''
  let acc = 0
  let bits = 0
  for (let i = 0; i < end; i++) {
    const v = B64_INDEX.get(s.charCodeAt(i))
    if (v === undefined) return undefined
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out += String.fromCharCode((acc >> bits) & 0xff)
    }
  }
  return out
}
