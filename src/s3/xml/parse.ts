/**
 * A small, bounded XML parser for S3's request documents (CreateBucketConfiguration,
 * Delete, CompleteMultipartUpload, Tagging, AccessControlPolicy…). Those documents are
 * elements, text and a few attributes, so a full parser buys nothing and brings risk:
 * this one refuses any DTD (`<!DOCTYPE`, `<!ENTITY`), knows only XML's five predefined
 * entities and character references (no entity expansion, no external fetch), and
 * bounds depth and element count. Namespace prefixes are dropped from names.
 */

/** One element: local name, attributes by local name, child elements, its own text. */
export interface XmlElement {
  readonly name: string
  readonly attributes: Readonly<Record<string, string>>
  readonly children: readonly XmlElement[]
  /** The element's character data (CDATA included), concatenated. */
  readonly text: string
}

/** A document that is not well-formed, or over the bounds. */
export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'XmlSyntaxError'
  }
}

/** How much a document may hold. */
interface XmlBounds {
  readonly maxDepth: number
  readonly maxElements: number
}

const DEFAULT_BOUNDS: XmlBounds = { maxDepth: 16, maxElements: 50_000 }

const NAME = /^[A-Za-z_][\w.:-]*/
const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
}

function localName(qname: string): string {
  const i = qname.indexOf(':')
  return i < 0 ? qname : qname.slice(i + 1)
}

/** Replaces entity and character references; anything else is an error. */
function decodeText(raw: string): string {
  return raw.replace(/&([^;]{0,10});/g, (_, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) return codePoint(parseInt(ref.slice(2), 16))
    if (ref.startsWith('#')) return codePoint(parseInt(ref.slice(1), 10))
    const v = ENTITIES[ref]
    if (v === undefined) throw new XmlSyntaxError(`unknown entity &${ref};`)
    return v
  })
}

function codePoint(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 0x10ffff) throw new XmlSyntaxError('bad reference')
  return String.fromCodePoint(n)
}

interface Building {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  text: string
}

/** A cursor over the document. */
class Scanner {
  pos = 0
  elements = 0
  readonly src: string
  readonly bounds: XmlBounds
  constructor(src: string, bounds: XmlBounds) {
    this.src = src
    this.bounds = bounds
  }

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos)
  }

  /** Moves past `end`, returning what came before it. */
  until(end: string): string {
    const i = this.src.indexOf(end, this.pos)
    if (i < 0) throw new XmlSyntaxError(`unterminated, expected ${end}`)
    const s = this.src.slice(this.pos, i)
    this.pos = i + end.length
    return s
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++
  }

  name(): string {
    const m = NAME.exec(this.src.slice(this.pos, this.pos + 256))
    if (m === null) throw new XmlSyntaxError('expected a name')
    this.pos += m[0].length
    return m[0]
  }
}

/** Skips the prolog, comments and whitespace before or after the root element. */
function skipMisc(s: Scanner, allowDeclaration: boolean): void {
  for (;;) {
    s.skipSpace()
    if (allowDeclaration && s.startsWith('<?xml')) {
      s.until('?>')
      allowDeclaration = false
    } else if (s.startsWith('<!--')) s.until('-->')
    else if (s.startsWith('<!') || s.startsWith('<?'))
      throw new XmlSyntaxError('DTDs and processing instructions are not accepted')
    else return
  }
}

function attributes(s: Scanner): Record<string, string> {
  const out: Record<string, string> = {}
  for (;;) {
    s.skipSpace()
    if (s.startsWith('/>') || s.startsWith('>')) return out
    const name = s.name()
    s.skipSpace()
    if (!s.startsWith('=')) throw new XmlSyntaxError('expected =')
    s.pos++
    s.skipSpace()
    const quote = s.src[s.pos]
    if (quote !== '"' && quote !== "'") throw new XmlSyntaxError('expected a quoted value')
    s.pos++
    const raw = s.until(quote)
    if (raw.includes('<')) throw new XmlSyntaxError('< in an attribute value')
    out[localName(name)] = decodeText(raw)
  }
}

/** Parses one element starting at `<`. */
function element(s: Scanner, depth: number): XmlElement {
  if (depth > s.bounds.maxDepth) throw new XmlSyntaxError('too deep')
  if (++s.elements > s.bounds.maxElements) throw new XmlSyntaxError('too many elements')
  s.pos++ // <
  const qname = s.name()
  const el: Building = { name: localName(qname), attributes: attributes(s), children: [], text: '' }
  if (s.startsWith('/>')) {
    s.pos += 2
    return el
  }
  s.pos++ // >
  for (;;) {
    const lt = s.src.indexOf('<', s.pos)
    if (lt < 0) throw new XmlSyntaxError(`unclosed <${qname}>`)
    el.text += decodeText(s.src.slice(s.pos, lt))
    s.pos = lt
    if (s.startsWith('</')) {
      s.pos += 2
      if (s.name() !== qname) throw new XmlSyntaxError(`mismatched </…> for <${qname}>`)
      s.skipSpace()
      if (!s.startsWith('>')) throw new XmlSyntaxError('expected >')
      s.pos++
      return el
    }
    if (s.startsWith('<![CDATA[')) {
      s.pos += 9
      el.text += s.until(']]>')
    } else if (s.startsWith('<!--')) s.until('-->')
    else if (s.startsWith('<!') || s.startsWith('<?'))
      throw new XmlSyntaxError('DTDs and processing instructions are not accepted')
    else el.children.push(element(s, depth + 1))
  }
}

/** Parses a whole document: one root element, optionally after an XML declaration. */
export function parseXml(src: string, bounds: XmlBounds = DEFAULT_BOUNDS): XmlElement {
  const s = new Scanner(src.startsWith('\uFEFF') ? src.slice(1) : src, bounds)
  skipMisc(s, true)
  if (!s.startsWith('<')) throw new XmlSyntaxError('expected the root element')
  const root = element(s, 1)
  skipMisc(s, false)
  if (s.pos !== s.src.length) throw new XmlSyntaxError('content after the root element')
  return root
}

/** The children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name)
}

/** The text of the first child named `name`, trimmed; undefined when there is none. */
export function childText(el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text.trim()
}
