/**
 * A structural scanner over JSON bytes: it finds the members of an object and where each
 * value starts and ends, without building the values. It lets a large JSON file be
 * indexed in one pass and each part parsed only when it is asked for.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d
const COLON = 0x3a
const COMMA = 0x2c

/** A byte range `[start, end)` of a JSON value. */
export interface JsonRange {
  readonly start: number
  readonly end: number
}

/** One member of an object: its key (decoded) and its value's range. */
export interface JsonMember extends JsonRange {
  readonly key: string
}

/** Thrown when the bytes are not the JSON the scanner expects. */
export class JsonScanError extends Error {
  readonly offset: number

  constructor(message: string, offset: number) {
    super(`${message} at byte ${String(offset)}`)
    this.name = 'JsonScanError'
    this.offset = offset
  }
}

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

function skipSpace(buf: Uint8Array, pos: number): number {
  let p = pos
  while (isSpace(buf[p])) p++
  return p
}

/** The offset just past the string that starts (with its quote) at `pos`. */
function skipString(buf: Uint8Array, pos: number): number {
  let p = pos + 1
  for (;;) {
    const b = buf[p]
    if (b === undefined) throw new JsonScanError('unterminated string', pos)
    if (b === BACKSLASH) p += 2
    else if (b === QUOTE) return p + 1
    else p++
  }
}

/** The offset just past the value that starts at `pos` (after any space). */
export function skipValue(buf: Uint8Array, pos: number): number {
  const p = skipSpace(buf, pos)
  const first = buf[p]
  if (first === QUOTE) return skipString(buf, p)
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let q = p
    for (;;) {
      const b = buf[q]
      if (b === undefined || b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b))
        break
      q++
    }
    if (q === p) throw new JsonScanError('expected a value', p)
    return q
  }
  let depth = 0
  let q = p
  for (;;) {
    const b = buf[q]
    if (b === undefined) throw new JsonScanError('unterminated container', p)
    if (b === QUOTE) {
      q = skipString(buf, q)
      continue
    }
    if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--
      if (depth === 0) return q + 1
    }
    q++
  }
}

/**
 * The members of the object that starts at `pos` (after any space), in order, and the
 * offset just past it. `visit`, when given, is called for each member's value instead of
 * skipping it, and returns the offset just past the value; it lets a caller scan nested
 * objects in the same pass.
 */
export function objectMembers(
  buf: Uint8Array,
  pos: number,
  visit?: (key: string, valueStart: number) => number,
): { readonly members: JsonMember[]; readonly end: number } {
  let p = skipSpace(buf, pos)
  if (buf[p] !== OPEN_BRACE) throw new JsonScanError('expected an object', p)
  p = skipSpace(buf, p + 1)
  const members: JsonMember[] = []
  if (buf[p] === CLOSE_BRACE) return { members, end: p + 1 }
  for (;;) {
    if (buf[p] !== QUOTE) throw new JsonScanError('expected a key', p)
    const keyEnd = skipString(buf, p)
    const key = JSON.parse(Buffer.from(buf.subarray(p, keyEnd)).toString('utf8')) as string
    p = skipSpace(buf, keyEnd)
    if (buf[p] !== COLON) throw new JsonScanError('expected a colon', p)
    const start = skipSpace(buf, p + 1)
    const end = visit === undefined ? skipValue(buf, start) : visit(key, start)
    members.push({ key, start, end })
    p = skipSpace(buf, end)
    if (buf[p] === CLOSE_BRACE) return { members, end: p + 1 }
    if (buf[p] !== COMMA) throw new JsonScanError('expected a comma', p)
    p = skipSpace(buf, p + 1)
  }
}

/** The value at `range`, parsed. */
export function parseRange(buf: Uint8Array, range: JsonRange): unknown {
  return JSON.parse(Buffer.from(buf.subarray(range.start, range.end)).toString('utf8'))
}
