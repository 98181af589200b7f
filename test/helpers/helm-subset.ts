import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, parseAllDocuments, stringify } from 'yaml'

/**
 * A deliberately small renderer for the subset of Helm's template language the chart in
 * deploy/helm uses, so the chart can be rendered and validated where helm is not installed.
 *
 * Supported: text with `{{ }}` actions and `{{-` / `-}}` whitespace trimming; comments
 * `{{/* … *\/}}`; `define "name"` in any template; `if` / `else if` / `else` / `end`;
 * `range` over a list (dot becomes the element; `$` stays the root); field chains on `.`
 * and `$` (`.Values.a.b`, `.Release.Name`, `.Release.Namespace`, `.Chart.Name`,
 * `.Chart.Version`, `.Chart.AppVersion`); string, integer and boolean literals; pipelines
 * with `|`; and the functions `include`, `default`, `quote`, `toYaml`, `nindent`, `indent`,
 * `trunc`, `trimSuffix` and `required`.
 *
 * Anything else (variables, parentheses, `with`, `template`, `tpl`, other functions)
 * throws, and so does a lookup of a key the values do not have: stricter than Helm, which
 * would print nothing, so a typo in a template fails the test instead of vanishing.
 */

/** What a template sees as `.` at the top. */
export interface HelmRoot {
  Values: Record<string, unknown>
  Release: { Name: string; Namespace: string; Service: string }
  Chart: { Name: string; Version: string; AppVersion: string }
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: string }
  | { kind: 'if'; branches: { cond: string; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'range'; pipe: string; body: Node[] }

interface Token {
  kind: 'text' | 'action'
  text: string
}

function tokenize(src: string, file: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const open = src.indexOf('{{', i)
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(i) })
      break
    }
    out.push({ kind: 'text', text: src.slice(i, open) })
    const close = src.indexOf('}}', open + 2)
    if (close < 0) throw new Error(`${file}: unclosed '{{'`)
    let inner = src.slice(open + 2, close)
    const trimLeft = inner.startsWith('- ')
    const trimRight = inner.endsWith(' -')
    if (trimLeft) inner = inner.slice(1)
    if (trimRight) inner = inner.slice(0, -1)
    if (trimLeft) {
      const prev = out[out.length - 1]
      if (prev?.kind === 'text') prev.text = prev.text.replace(/\s+$/, '')
    }
    out.push({ kind: 'action', text: inner.trim() })
    i = close + 2
    if (trimRight) {
      const m = /^\s*/.exec(src.slice(i))
      i += m?.[0].length ?? 0
    }
  }
  return out
}

interface Parsed {
  nodes: Node[]
  defines: Map<string, Node[]>
}

function parseTemplate(src: string, file: string, defines: Map<string, Node[]>): Node[] {
  const tokens = tokenize(src, file)
  let pos = 0

  function block(stops: readonly string[]): { nodes: Node[]; stop: string } {
    const nodes: Node[] = []
    while (pos < tokens.length) {
      const t = tokens[pos++]
      if (t === undefined) break
      if (t.kind === 'text') {
        if (t.text !== '') nodes.push({ kind: 'text', text: t.text })
        continue
      }
      const a = t.text
      if (a.startsWith('/*')) {
        if (!a.endsWith('*/')) throw new Error(`${file}: malformed comment {{${a}}}`)
        continue
      }
      const word = /^[a-z]+/.exec(a)?.[0] ?? ''
      if (a === 'end' || a === 'else' || a.startsWith('else if ')) {
        const stop = a.startsWith('else if ') ? 'else if' : a
        if (!stops.includes(stop)) throw new Error(`${file}: unexpected {{${a}}}`)
        pos--
        return { nodes, stop }
      }
      if (word === 'if') {
        const branches: { cond: string; body: Node[] }[] = []
        let cond = a.slice(3).trim()
        let otherwise: Node[] = []
        for (;;) {
          const r = block(['end', 'else', 'else if'])
          branches.push({ cond, body: r.nodes })
          const stopTok = tokens[pos++]
          if (r.stop === 'end') break
          if (r.stop === 'else if') {
            cond = (stopTok?.text ?? '').slice('else if '.length).trim()
            continue
          }
          const rest = block(['end'])
          pos++
          otherwise = rest.nodes
          break
        }
        nodes.push({ kind: 'if', branches, otherwise })
        continue
      }
      if (word === 'range') {
        const pipe = a.slice(6).trim()
        if (pipe.includes(':='))
          throw new Error(`${file}: range with variables is outside the subset`)
        const r = block(['end'])
        pos++
        nodes.push({ kind: 'range', pipe, body: r.nodes })
        continue
      }
      if (word === 'define') {
        const m = /^define\s+"([^"]+)"$/.exec(a)
        if (m?.[1] === undefined) throw new Error(`${file}: malformed {{${a}}}`)
        const r = block(['end'])
        pos++
        defines.set(m[1], r.nodes)
        continue
      }
      if (['with', 'template', 'block', 'tpl', 'break', 'continue'].includes(word))
        throw new Error(`${file}: '{{${a}}}' is outside the Helm subset`)
      nodes.push({ kind: 'action', pipe: a })
    }
    if (!stops.includes('eof')) throw new Error(`${file}: missing {{end}}`)
    return { nodes, stop: 'eof' }
  }

  return block(['eof']).nodes
}

type Arg = { kind: 'lit'; value: unknown } | { kind: 'path'; root: '.' | '$'; keys: string[] }

function lexCommand(cmd: string, where: string): { fn: string | undefined; args: Arg[] } {
  const words: Arg[] = []
  let fn: string | undefined
  let i = 0
  while (i < cmd.length) {
    const c = cmd[i] ?? ''
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"') {
      let j = i + 1
      while (j < cmd.length && cmd[j] !== '"') j += cmd[j] === '\\' ? 2 : 1
      if (j >= cmd.length) throw new Error(`${where}: unterminated string`)
      words.push({ kind: 'lit', value: JSON.parse(cmd.slice(i, j + 1)) as string })
      i = j + 1
      continue
    }
    const m = /^[^\s]+/.exec(cmd.slice(i))
    const w = m?.[0] ?? ''
    i += w.length
    if (/^-?\d+$/.test(w)) words.push({ kind: 'lit', value: Number(w) })
    else if (w === 'true' || w === 'false') words.push({ kind: 'lit', value: w === 'true' })
    else if (w === '.' || w === '$') words.push({ kind: 'path', root: w, keys: [] })
    else if (/^(\.|\$\.)[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(w)) {
      const root = w.startsWith('$') ? '$' : '.'
      words.push({ kind: 'path', root, keys: w.replace(/^\$?\./, '').split('.') })
    } else if (/^[a-zA-Z]+$/.test(w) && words.length === 0 && fn === undefined) fn = w
    else throw new Error(`${where}: '${w}' is outside the Helm subset`)
  }
  return { fn, args: words }
}

/** Go template truthiness: false, 0, nil, "" and empty lists and maps are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (typeof v === 'object') return Object.keys(v).length > 0
  return true
}

function toText(v: unknown, where: string): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new Error(`${where}: cannot print ${v === null ? 'null' : typeof v} (use toYaml)`)
}

function indentLines(n: number, s: string): string {
  const pad = ' '.repeat(n)
  return pad + s.replaceAll('\n', '\n' + pad)
}

/** The renderer for one chart's templates (all files share the named templates). */
class Renderer {
  private readonly defines: Map<string, Node[]>
  private readonly root: HelmRoot

  constructor(defines: Map<string, Node[]>, root: HelmRoot) {
    this.defines = defines
    this.root = root
  }

  lookup(arg: Arg & { kind: 'path' }, dot: unknown, where: string): unknown {
    let v: unknown = arg.root === '$' ? this.root : dot
    const walked: string[] = []
    for (const k of arg.keys) {
      walked.push(k)
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !(k in v))
        throw new Error(`${where}: no value at ${arg.root}.${walked.join('.')}`)
      v = (v as Record<string, unknown>)[k]
    }
    return v
  }

  call(fn: string, args: unknown[], where: string): unknown {
    const want = (n: number): void => {
      if (args.length !== n) throw new Error(`${where}: ${fn} takes ${n} arguments`)
    }
    const num = (v: unknown): number => {
      if (typeof v !== 'number') throw new Error(`${where}: ${fn} wants a number`)
      return v
    }
    switch (fn) {
      case 'include': {
        want(2)
        const body = this.defines.get(String(args[0]))
        if (body === undefined) throw new Error(`${where}: no template named ${String(args[0])}`)
        return this.nodes(body, args[1], where)
      }
      case 'default':
        want(2)
        return truthy(args[1]) ? args[1] : args[0]
      case 'required':
        want(2)
        if (!truthy(args[1])) throw new Error(`required: ${String(args[0])}`)
        return args[1]
      case 'quote':
        want(1)
        return JSON.stringify(toText(args[0], where))
      case 'toYaml':
        want(1)
        return stringify(args[0]).replace(/\n$/, '')
      case 'nindent':
        want(2)
        return '\n' + indentLines(num(args[0]), toText(args[1], where))
      case 'indent':
        want(2)
        return indentLines(num(args[0]), toText(args[1], where))
      case 'trunc':
        want(2)
        return toText(args[1], where).slice(0, num(args[0]))
      case 'trimSuffix': {
        want(2)
        const s = toText(args[1], where)
        const suffix = toText(args[0], where)
        return suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s
      }
      default:
        throw new Error(`${where}: function '${fn}' is outside the Helm subset`)
    }
  }

  pipeline(pipe: string, dot: unknown, where: string): unknown {
    if (pipe.includes('(') || pipe.includes(':=') || /(^|\s)\$[a-zA-Z]/.test(pipe))
      throw new Error(`${where}: '${pipe}' is outside the Helm subset`)
    let prev: { value: unknown } | undefined
    for (const part of pipe.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
      const { fn, args } = lexCommand(part.trim(), where)
      const values = args.map((a) => (a.kind === 'lit' ? a.value : this.lookup(a, dot, where)))
      if (prev !== undefined) values.push(prev.value)
      if (fn === undefined) {
        if (values.length !== 1) throw new Error(`${where}: '${part}' is not one value`)
        prev = { value: values[0] }
      } else prev = { value: this.call(fn, values, where) }
    }
    if (prev === undefined) throw new Error(`${where}: empty action`)
    return prev.value
  }

  nodes(list: readonly Node[], dot: unknown, where: string): string {
    let out = ''
    for (const n of list) {
      if (n.kind === 'text') out += n.text
      else if (n.kind === 'action') out += toText(this.pipeline(n.pipe, dot, where), where)
      else if (n.kind === 'if') {
        const hit = n.branches.find((b) => truthy(this.pipeline(b.cond, dot, where)))
        out += this.nodes(hit?.body ?? n.otherwise, dot, where)
      } else {
        const items = this.pipeline(n.pipe, dot, where)
        if (items === undefined || items === null) continue
        if (!Array.isArray(items)) throw new Error(`${where}: range over a non-list`)
        for (const item of items) out += this.nodes(n.body, item, where)
      }
    }
    return out
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Helm's values merge: maps merge key by key, anything else is replaced. */
export function mergeValues(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const b = out[k]
    out[k] = isObject(b) && isObject(v) ? mergeValues(b, v) : v
  }
  return out
}

/**
 * The chart's `.helmignore`, limited to exact file paths (comments and blank lines
 * allowed); a glob or directory pattern is outside the subset and throws.
 */
function helmIgnored(chartDir: string): Set<string> {
  const file = join(chartDir, '.helmignore')
  if (!existsSync(file)) return new Set()
  const text = readFileSync(file, 'utf8')
  const out = new Set<string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    if (/[*?[\]!]|\/$/.test(line))
      throw new Error(`.helmignore: '${line}' is outside the subset (exact paths only)`)
    out.add(line)
  }
  return out
}

/** One rendered chart: manifests by template file, and NOTES.txt's text. */
export interface RenderedChart {
  files: Map<string, string>
  notes: string
  /** Every non-empty YAML document of every `.yaml`/`.yml` template, in file order. */
  objects: Record<string, unknown>[]
}

/**
 * Renders the chart in `chartDir` with its values.yaml overlaid by `overrides`, as
 * `helm template NAME CHART --namespace NS` would (within the subset above).
 */
export function renderChart(
  chartDir: string,
  release: { name: string; namespace: string },
  overrides: Record<string, unknown> = {},
): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>
  const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<
    string,
    unknown
  >
  const root: HelmRoot = {
    Values: mergeValues(values, overrides),
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: {
      Name: String(chart['name']),
      Version: String(chart['version']),
      AppVersion: String(chart['appVersion']),
    },
  }
  const dir = join(chartDir, 'templates')
  const ignored = helmIgnored(chartDir)
  const names = readdirSync(dir)
    .filter((n) => !ignored.has(`templates/${n}`))
    .sort()
  const defines = new Map<string, Node[]>()
  const parsed: Parsed[] = names.map((n) => ({
    nodes: parseTemplate(readFileSync(join(dir, n), 'utf8'), n, defines),
    defines,
  }))
  const r = new Renderer(defines, root)
  const files = new Map<string, string>()
  let notes = ''
  const objects: Record<string, unknown>[] = []
  names.forEach((name, i) => {
    if (name.startsWith('_')) return
    const text = r.nodes(parsed[i]?.nodes ?? [], root, name)
    if (name === 'NOTES.txt') {
      notes = text
      return
    }
    files.set(name, text)
    if (!/\.ya?ml$/.test(name)) return
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors[0]?.message ?? ''}`)
      const obj: unknown = doc.toJS()
      if (obj === null || obj === undefined) continue
      if (!isObject(obj)) throw new Error(`${name}: a document that is not an object`)
      objects.push(obj)
    }
  })
  return { files, notes, objects }
}
