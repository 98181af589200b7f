/**
 * The reference webhook reads annotation values with Go's `strconv`; these parse exactly
 * what Go accepts, so an annotation means here what it means there.
 */

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** `strconv.ParseBool`: the twelve spellings Go accepts, else `undefined`. */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE.has(text)) return true
  if (FALSE.has(text)) return false
  return undefined
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * `strconv.ParseInt(text, 10, 64)`: an optional sign and decimal digits, no spaces, in the
 * int64 range. A value Go accepts but a JavaScript number cannot hold exactly (beyond
 * ±2^53) is also `undefined`, so it is reported as invalid rather than silently rounded.
 */
export function parseGoInt64(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const big = BigInt(text)
  if (big < INT64_MIN || big > INT64_MAX) return undefined
  const n = Number(big)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * The first record of a CSV text, as Go's `encoding/csv` `Reader.Read` returns it with
 * default settings: fields split on `,`, not trimmed; `"…"` quotes a field, with `""` for
 * a quote inside; empty lines are skipped; a record ends at a line break. `undefined`
 * where Go returns an error: no record at all, a bare `"` in an unquoted field, or a
 * quoted field that is unterminated or followed by anything but `,` or the line end.
 */
export function parseCsvFirstRecord(text: string): string[] | undefined {
  let pos = 0
  // Skip empty lines (Go ignores them).
  for (;;) {
    if (text.startsWith('\r\n', pos)) pos += 2
    else if (text[pos] === '\n') pos += 1
    else break
  }
  if (pos >= text.length) return undefined
  const fields: string[] = []
  for (;;) {
    if (text[pos] === '"') {
      // Quoted field.
      let value = ''
      pos += 1
      for (;;) {
        const q = text.indexOf('"', pos)
        if (q < 0) return undefined
        value += text.slice(pos, q)
        pos = q + 1
        if (text[pos] === '"') {
          value += '"'
          pos += 1
          continue
        }
        break
      }
      fields.push(value.replaceAll('\r\n', '\n'))
      const next = text[pos]
      if (next === ',') {
        pos += 1
        continue
      }
      if (next === undefined || next === '\n' || text.startsWith('\r\n', pos)) return fields
      return undefined
    }
    // Unquoted field: up to the next comma or line end.
    let end = pos
    while (end < text.length && text[end] !== ',' && text[end] !== '\n') end += 1
    let field = text.slice(pos, end)
    const atLineEnd = text[end] !== ','
    if (atLineEnd && field.endsWith('\r')) field = field.slice(0, -1)
    if (field.includes('"')) return undefined
    fields.push(field)
    if (atLineEnd) return fields
    pos = end + 1
  }
}
