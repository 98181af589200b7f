/**
 * JSON exactly as kube-apiserver's go-jose writes a token's header and claims. go-jose
 * merges claims into a Go map and marshals it with its fork of Go's old encoding/json, so:
 * object keys are sorted at every level; `<`, `>`, `&`, U+2028 and U+2029 are escaped as
 * `\u003c`-style sequences; control characters other than `\n`, `\r`, `\t` become `\u00XX`;
 * a lone surrogate (invalid UTF-8 in Go) becomes `\ufffd`. Numbers must be integers.
 */

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/

// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f"\\<>&\u2028\u2029]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g

function escapeChar(c: string): string {
  switch (c) {
    case '"':
      return '\\"'
    case '\\':
      return '\\\\'
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
    default:
      if (c.length === 2) return c // a valid surrogate pair stays as it is
      if (c >= '\ud800' && c <= '\udfff') return '\\ufffd'
      return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')
  }
}

/** A JSON string literal as Go's encoder writes it. */
export function goJsonString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`
  return `"${s.replace(ESCAPED, escapeChar)}"`
}

/**
 * Encodes plain data (strings, integers, booleans, null, arrays, plain objects) as go-jose
 * does: compact, object keys sorted (by UTF-16 code unit, which is Go's byte order for the
 * ASCII keys of tokens), undefined members left out as `omitempty` leaves them out.
 */
export function goJson(value: unknown): string {
  if (typeof value === 'string') return goJsonString(value)
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`
  if (typeof value !== 'object') throw new TypeError(`cannot encode a ${typeof value} as JSON`)
  const record = value as Readonly<Record<string, unknown>>
  const parts: string[] = []
  for (const key of Object.keys(record).sort()) {
    const v = record[key]
    if (v !== undefined) parts.push(`${goJsonString(key)}:${goJson(v)}`)
  }
  return `{${parts.join(',')}}`
}
