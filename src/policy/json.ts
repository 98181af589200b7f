/**
 * A small JSON parser (RFC 8259) that keeps where every value starts and ends, so that
 * validation issues and matched statements can point at a line and column of the policy
 * text, as the IAM simulator's MatchedStatements do. JSON.parse cannot say where.
 */
import type { Position } from './types.js'

/** Offsets are 0-based UTF-16 indexes into the text; `end` is the index of the last character. */
interface Span {
  readonly start: number
  readonly end: number
}

interface JsonString extends Span {
  readonly kind: 'string'
  readonly value: string
}
interface JsonNumber extends Span {
  readonly kind: 'number'
  /** The number exactly as written. */
  readonly text: string
}
interface JsonBoolean extends Span {
  readonly kind: 'boolean'
  readonly value: boolean
}
interface JsonNull extends Span {
  readonly kind: 'null'
}
interface JsonArray extends Span {
  readonly kind: 'array'
  readonly items: readonly JsonValue[]
}
interface JsonMember {
  readonly key: string
  readonly keyStart: number
  readonly value: JsonValue
}
export interface JsonObject extends Span {
  readonly kind: 'object'
  readonly members: readonly JsonMember[]
  /** The first key that appears twice, if any (JSON.parse would silently keep the last). */
  readonly duplicate?: JsonMember
}
export type JsonValue = JsonString | JsonNumber | JsonBoolean | JsonNull | JsonArray | JsonObject

/** Raised for text that is not JSON; `offset` is where the parser gave up. */
export class JsonSyntaxError extends Error {
  readonly offset: number
  constructor(message: string, offset: number) {
    super(message)
    this.name = 'JsonSyntaxError'
    this.offset = offset
  }
}

/** Policies nest four or five levels; anything deeper is not a policy and must not blow the stack. */
const MAX_DEPTH = 64

/** Parses `text` as one JSON value (surrounding whitespace allowed). */
export function parseJson(text: string): JsonValue {
  const p = new Parser(text)
  p.ws()
  const v = p.value(0)
  p.ws()
  if (p.i < text.length) throw new JsonSyntaxError('unexpected text after the JSON value', p.i)
  return v
}

class Parser {
  i = 0
  readonly s: string

  constructor(s: string) {
    this.s = s
  }

  ws(): void {
    const s = this.s
    for (;;) {
      const c = s.charCodeAt(this.i)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++
      else return
    }
  }

  fail(what: string): never {
    throw new JsonSyntaxError(what, this.i)
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply')
    const c = this.s[this.i]
    switch (c) {
      case '{':
        return this.object(depth)
      case '[':
        return this.array(depth)
      case '"': {
        const start = this.i
        const value = this.string()
        return { kind: 'string', value, start, end: this.i - 1 }
      }
      case 't':
        return this.word('true', { kind: 'boolean', value: true })
      case 'f':
        return this.word('false', { kind: 'boolean', value: false })
      case 'n':
        return this.word('null', { kind: 'null' })
      case undefined:
        return this.fail('unexpected end of text')
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number()
        return this.fail(`unexpected '${c}'`)
    }
  }

  word<T extends object>(w: string, v: T): T & Span {
    if (!this.s.startsWith(w, this.i)) this.fail('unexpected word')
    const start = this.i
    this.i += w.length
    return { ...v, start, end: this.i - 1 }
  }

  number(): JsonNumber {
    const s = this.s
    const start = this.i
    if (s[this.i] === '-') this.i++
    if (s[this.i] === '0') this.i++
    else if (this.digits() === 0) this.fail('bad number')
    if (s[this.i] === '.') {
      this.i++
      if (this.digits() === 0) this.fail('bad number')
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++
      if (s[this.i] === '+' || s[this.i] === '-') this.i++
      if (this.digits() === 0) this.fail('bad number')
    }
    return { kind: 'number', text: s.slice(start, this.i), start, end: this.i - 1 }
  }

  digits(): number {
    const from = this.i
    for (;;) {
      const c = this.s.charCodeAt(this.i)
      if (c >= 0x30 && c <= 0x39) this.i++
      else return this.i - from
    }
  }

  string(): string {
    const s = this.s
    this.i++ // opening quote
    let out = ''
    let run = this.i
    for (;;) {
      const c = s.charCodeAt(this.i)
      if (Number.isNaN(c)) this.fail('unterminated string')
      if (c === 0x22) {
        out += s.slice(run, this.i)
        this.i++
        return out
      }
      if (c < 0x20) this.fail('control character in string')
      if (c !== 0x5c) {
        this.i++
        continue
      }
      out += s.slice(run, this.i)
      const e = s[this.i + 1]
      this.i += 2
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case undefined:
          return this.fail('unterminated string')
        case 'u': {
          const hex = s.slice(this.i, this.i + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape')
          out += String.fromCharCode(parseInt(hex, 16))
          this.i += 4
          break
        }
        default:
          this.i -= 1
          this.fail('bad escape')
      }
      run = this.i
    }
  }

  array(depth: number): JsonArray {
    const start = this.i
    this.i++
    const items: JsonValue[] = []
    this.ws()
    if (this.s[this.i] === ']') {
      this.i++
      return { kind: 'array', items, start, end: this.i - 1 }
    }
    for (;;) {
      this.ws()
      items.push(this.value(depth + 1))
      this.ws()
      const c = this.s[this.i]
      this.i++
      if (c === ']') return { kind: 'array', items, start, end: this.i - 1 }
      if (c !== ',') {
        this.i--
        this.fail("expected ',' or ']'")
      }
    }
  }

  object(depth: number): JsonObject {
    const start = this.i
    this.i++
    const members: JsonMember[] = []
    const seen = new Set<string>()
    let duplicate: JsonMember | undefined
    this.ws()
    if (this.s[this.i] === '}') {
      this.i++
      return { kind: 'object', members, start, end: this.i - 1 }
    }
    for (;;) {
      this.ws()
      if (this.s[this.i] !== '"') this.fail('expected a quoted key')
      const keyStart = this.i
      const key = this.string()
      this.ws()
      if (this.s[this.i] !== ':') this.fail("expected ':'")
      this.i++
      this.ws()
      const member = { key, keyStart, value: this.value(depth + 1) }
      if (seen.has(key)) duplicate ??= member
      seen.add(key)
      members.push(member)
      this.ws()
      const c = this.s[this.i]
      this.i++
      if (c === '}') {
        const end = this.i - 1
        return duplicate === undefined
          ? { kind: 'object', members, start, end }
          : { kind: 'object', members, start, end, duplicate }
      }
      if (c !== ',') {
        this.i--
        this.fail("expected ',' or '}'")
      }
    }
  }
}

/** Turns offsets into 1-based line/column positions (columns count UTF-16 units). */
export class LineIndex {
  readonly #starts: number[] = [0]

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x0a) this.#starts.push(i + 1)
      else if (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a) this.#starts.push(i + 1)
    }
  }

  /** The position of `offset`. */
  position(offset: number): Position {
    const starts = this.#starts
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 }
  }
}
