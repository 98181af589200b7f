import { COMMON_ERRORS } from '../errors/common.js'
import { awsError } from '../errors/aws-error.js'

/** One decoded `name=value` pair, in the order it arrived. */
export type FormPair = readonly [name: string, value: string]

/** Decodes `%XX` escapes (and `+` as a space when `plus` is set); null when malformed. */
function percentDecode(s: string, plus: boolean): string | null {
  const t = plus ? s.replaceAll('+', ' ') : s
  if (!t.includes('%')) return t
  try {
    return decodeURIComponent(t)
  } catch {
    return null
  }
}

/**
 * Parses an `application/x-www-form-urlencoded` body or a URL query string (without the
 * `?`) into ordered pairs. Empty pieces (`a=1&&b=2`, a trailing `&`) are skipped; a name
 * without `=` has the empty value, so `PolicyArns=` and `PolicyArns` both mean "empty".
 * A bad `%` escape or invalid UTF-8 is `MalformedQueryString`, never a crash.
 */
export function parseForm(text: string): FormPair[] {
  const out: FormPair[] = []
  if (text === '') return out
  for (const piece of text.split('&')) {
    if (piece === '') continue
    const eq = piece.indexOf('=')
    const rawName = eq === -1 ? piece : piece.slice(0, eq)
    const rawValue = eq === -1 ? '' : piece.slice(eq + 1)
    const name = percentDecode(rawName, true)
    const value = percentDecode(rawValue, true)
    if (name === null || value === null)
      throw awsError(COMMON_ERRORS.MalformedQueryString, {
        reason: 'a form or query parameter has a bad %-escape or invalid UTF-8',
      })
    if (name === '') continue
    out.push([name, value])
  }
  return out
}
