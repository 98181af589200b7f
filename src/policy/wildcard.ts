/**
 * `*` and `?` wildcard matching without regular expressions.
 *
 * A pattern is cut at every `*` into chunks of fixed length (a chunk may hold `?`, which
 * matches any one character). The first chunk must match at the start, the last at the
 * end, and every chunk between is placed at its leftmost match after the previous one.
 * Leftmost placement is always safe: a later start only leaves less room for the chunks
 * that follow. So there is no backtracking: `*`-only patterns run in time linear in the
 * value (a chunk without `?` is found with `indexOf`), and a chunk with `?` is found by
 * jumping between occurrences of its longest literal run, costing at most its length per
 * occurrence tried.
 */

/** A fixed-length piece of a pattern between two `*`. */
interface Chunk {
  readonly text: string
  /** `wild[i]` is true when position `i` is a `?`; undefined when the chunk has none. */
  readonly wild: readonly boolean[] | undefined
  /** For a chunk with `?`: its longest run without `?`, searched for with indexOf. */
  readonly anchor: string
  readonly anchorAt: number
}

function chunk(text: string, wild: boolean[] | undefined): Chunk {
  let anchor = ''
  let anchorAt = 0
  if (wild !== undefined) {
    let start = 0
    for (let i = 0; i <= text.length; i++) {
      if (i < text.length && wild[i] !== true) continue
      if (i - start > anchor.length) {
        anchor = text.slice(start, i)
        anchorAt = start
      }
      start = i + 1
    }
  }
  return { text, wild, anchor, anchorAt }
}

/** How a {@link Glob} is matched: the common shapes get a test without a chunk walk. */
export const GLOB_EXACT = 0
/** `*` alone. */
const GLOB_ANY = 1
/** `literal*` (no `?`): a prefix test. */
const GLOB_PREFIX = 2
/** `*literal` (no `?`): a suffix test. */
const GLOB_SUFFIX = 3
/** Anything else: chunks placed leftmost. */
const GLOB_GENERAL = 4

/** A compiled wildcard pattern. */
export interface Glob {
  /** One more chunk than there are `*`s. */
  readonly chunks: readonly Chunk[]
  /** Set when the pattern has no wildcard at all: the value must equal it. */
  readonly exact: string | undefined
  /** One of the `GLOB_` shapes. */
  readonly shape: number
  /** The literal of an exact, prefix or suffix shape (empty otherwise). */
  readonly literal: string
}

function globOf(chunks: readonly Chunk[], exact: string | undefined): Glob {
  if (exact !== undefined) return { chunks, exact, shape: GLOB_EXACT, literal: exact }
  const first = chunks[0]
  const last = chunks[1]
  if (chunks.length === 2 && first !== undefined && last !== undefined) {
    if (first.wild === undefined && last.text === '') {
      const shape = first.text === '' ? GLOB_ANY : GLOB_PREFIX
      return { chunks, exact, shape, literal: first.text }
    }
    if (first.text === '' && last.wild === undefined) {
      return { chunks, exact, shape: GLOB_SUFFIX, literal: last.text }
    }
  }
  return { chunks, exact, shape: GLOB_GENERAL, literal: '' }
}

/** Builds a {@link Glob} piece by piece, so callers can mark which characters are wild. */
export class GlobBuilder {
  readonly #chunks: Chunk[] = []
  #text = ''
  #wild: boolean[] | undefined
  #hasWild = false

  /** Appends characters that match themselves only. */
  literal(text: string): this {
    if (this.#wild !== undefined) for (let i = 0; i < text.length; i++) this.#wild.push(false)
    this.#text += text
    return this
  }

  /** Appends a `?`, which matches exactly one character. */
  any(): this {
    this.#wild ??= Array.from({ length: this.#text.length }, () => false)
    this.#wild.push(true)
    this.#text += '?'
    this.#hasWild = true
    return this
  }

  /** Appends a `*`, which matches a run of characters (empty included). */
  star(): this {
    this.#chunks.push(chunk(this.#text, this.#wild))
    this.#text = ''
    this.#wild = undefined
    this.#hasWild = true
    return this
  }

  build(): Glob {
    const chunks = [...this.#chunks, chunk(this.#text, this.#wild)]
    return globOf(chunks, this.#hasWild ? undefined : this.#text)
  }
}

/** Compiles a pattern in which every `*` and `?` is a wildcard. */
export function compileGlob(pattern: string): Glob {
  const g = new GlobBuilder()
  let run = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i)
    if (c !== 0x2a && c !== 0x3f) continue
    g.literal(pattern.slice(run, i))
    if (c === 0x2a) g.star()
    else g.any()
    run = i + 1
  }
  return g.literal(pattern.slice(run)).build()
}

/** Whether `s[from..to)` matches `g` as a whole. */
export function matchGlob(g: Glob, s: string, from = 0, to = s.length): boolean {
  switch (g.shape) {
    case GLOB_EXACT:
      // The whole string (actions): one comparison, no builtin call.
      if (from === 0 && to === s.length) return s === g.literal
      return to - from === g.literal.length && s.startsWith(g.literal, from)
    case GLOB_ANY:
      return true
    case GLOB_PREFIX:
      return to - from >= g.literal.length && s.startsWith(g.literal, from)
    case GLOB_SUFFIX:
      return to - from >= g.literal.length && s.startsWith(g.literal, to - g.literal.length)
  }
  const chunks = g.chunks
  const n = chunks.length
  const first = chunks[0]
  if (first === undefined) return false
  if (n === 1) return to - from === first.text.length && chunkAt(first, s, from)
  const last = chunks[n - 1]
  if (last === undefined) return false
  let start = from
  let end = to
  if (first.text.length > end - start || !chunkAt(first, s, start)) return false
  start += first.text.length
  if (last.text.length > end - start || !chunkAt(last, s, end - last.text.length)) return false
  end -= last.text.length
  for (let i = 1; i < n - 1; i++) {
    const c = chunks[i]
    if (c === undefined || c.text.length === 0) continue
    const at = find(c, s, start, end)
    if (at < 0) return false
    start = at + c.text.length
  }
  return true
}

/** Whether chunk `c` matches `s` at `pos` (the caller checked that it fits). */
function chunkAt(c: Chunk, s: string, pos: number): boolean {
  const wild = c.wild
  if (wild === undefined) return s.startsWith(c.text, pos)
  const t = c.text
  for (let i = 0; i < t.length; i++) {
    if (wild[i] !== true && t.charCodeAt(i) !== s.charCodeAt(pos + i)) return false
  }
  return true
}

/** The leftmost position in `[from, to)` where `c` fits and matches, or -1. */
function find(c: Chunk, s: string, from: number, to: number): number {
  const len = c.text.length
  if (c.wild === undefined) {
    const at = s.indexOf(c.text, from)
    return at >= 0 && at + len <= to ? at : -1
  }
  if (c.anchor === '') {
    for (let p = from; p + len <= to; p++) if (chunkAt(c, s, p)) return p
    return -1
  }
  // Jump from one occurrence of the literal anchor to the next instead of trying every position.
  let p = from
  for (;;) {
    const at = s.indexOf(c.anchor, p + c.anchorAt)
    if (at < 0) return -1
    p = at - c.anchorAt
    if (p + len > to) return -1
    if (chunkAt(c, s, p)) return p
    p++
  }
}

/**
 * Whether `value` matches `pattern`, where `*` matches any run of characters (empty
 * included) and `?` any one character. Case-insensitive when asked (both sides are
 * lower-cased). Linear in `value` for `*`-only patterns; never a regular expression.
 */
export function matchWildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (caseInsensitive) return matchGlob(compileGlob(pattern.toLowerCase()), value.toLowerCase())
  return matchGlob(compileGlob(pattern), value)
}
