/**
 * Policy values with policy variables, wildcards and escapes, parsed once.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html:
 * a variable is `${key}` and is replaced by the request's value for that (single-valued)
 * context key; `${key, 'default'}` gives a value to use when the key is absent; `${*}`,
 * `${?}` and `${$}` are a literal `*`, `?` and `$`. Variables exist only in
 * `"Version": "2012-10-17"` policies ("variables like ${aws:username} are treated as
 * literal strings" otherwise), in the resource part of a Resource ARN and in the values of
 * String and ARN condition operators. A value substituted for a variable is literal text:
 * a `*` in it is not a wildcard.
 */
import { GlobBuilder, type Glob } from './wildcard.js'

type TemplatePart =
  | { readonly t: 'lit'; readonly text: string }
  | { readonly t: 'star' }
  | { readonly t: 'any' }
  | {
      readonly t: 'var'
      /** The key as written. */
      readonly key: string
      readonly lower: string
      readonly fallback: string | undefined
    }

export interface Template {
  readonly raw: string
  readonly parts: readonly TemplatePart[]
  /** Whether any part is a variable (otherwise the template is constant). */
  readonly hasVars: boolean
}

/** Looks a variable's key up in the request: its single value, or undefined. */
export type Resolver = (key: string, lower: string) => string | undefined

/**
 * Parses `raw`. With `variables`, `${...}` is a variable or an escape; with `wildcards`,
 * `*` and `?` are wildcards (otherwise they are plain characters).
 */
export function parseTemplate(
  raw: string,
  opts: { readonly variables: boolean; readonly wildcards: boolean },
): Template {
  const parts: TemplatePart[] = []
  let lit = ''
  let hasVars = false
  const flush = (): void => {
    if (lit !== '') parts.push({ t: 'lit', text: lit })
    lit = ''
  }
  let i = 0
  while (i < raw.length) {
    const c = raw[i] ?? ''
    if (opts.wildcards && (c === '*' || c === '?')) {
      flush()
      parts.push(c === '*' ? { t: 'star' } : { t: 'any' })
      i++
      continue
    }
    if (opts.variables && c === '$' && raw[i + 1] === '{') {
      const close = raw.indexOf('}', i + 2)
      if (close >= 0) {
        const inner = raw.slice(i + 2, close)
        i = close + 1
        if (inner === '*' || inner === '?' || inner === '$') {
          lit += inner
          continue
        }
        flush()
        parts.push(variable(inner))
        hasVars = true
        continue
      }
    }
    lit += c
    i++
  }
  flush()
  return { raw, parts, hasVars }
}

/** `key` or `key, 'default'` (the docs' form: a comma, then the default in single quotes). */
function variable(inner: string): TemplatePart {
  let key = inner.trim()
  let fallback: string | undefined
  const comma = inner.indexOf(',')
  if (comma >= 0) {
    const def = inner.slice(comma + 1).trim()
    if (def.length >= 2 && def.startsWith("'") && def.endsWith("'")) {
      key = inner.slice(0, comma).trim()
      fallback = def.slice(1, -1)
    }
  }
  return { t: 'var', key, lower: key.toLowerCase(), fallback }
}

/** The template's text with variables resolved, or undefined when one has no value. */
export function renderTemplate(t: Template, resolve: Resolver): string | undefined {
  let out = ''
  for (const p of t.parts) {
    switch (p.t) {
      case 'lit':
        out += p.text
        break
      case 'star':
        out += '*'
        break
      case 'any':
        out += '?'
        break
      case 'var': {
        const v = resolve(p.key, p.lower) ?? p.fallback
        if (v === undefined) return undefined
        out += v
        break
      }
    }
  }
  return out
}

/** The template as a wildcard pattern, or undefined when a variable has no value. */
export function templateGlob(
  t: Template,
  resolve: Resolver | undefined,
  lower = false,
): Glob | undefined {
  const g = new GlobBuilder()
  for (const p of t.parts) {
    switch (p.t) {
      case 'lit':
        g.literal(lower ? p.text.toLowerCase() : p.text)
        break
      case 'star':
        g.star()
        break
      case 'any':
        g.any()
        break
      case 'var': {
        const v = (resolve === undefined ? undefined : resolve(p.key, p.lower)) ?? p.fallback
        if (v === undefined) return undefined
        g.literal(lower ? v.toLowerCase() : v)
        break
      }
    }
  }
  return g.build()
}

/** For explanations: the template with resolvable variables replaced, others left as written. */
export function describeTemplate(t: Template, resolve: Resolver): string {
  if (!t.hasVars) return t.raw
  let out = ''
  for (const p of t.parts) {
    if (p.t === 'lit') out += p.text
    else if (p.t === 'star') out += '*'
    else if (p.t === 'any') out += '?'
    else out += resolve(p.key, p.lower) ?? p.fallback ?? `\${${p.key}}`
  }
  return out
}
