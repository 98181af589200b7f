import type { JsonObject, JsonValue } from '../webhook/index.js'
import { kubeError } from './status.js'

/**
 * Label and field selectors as list and watch take them (`labelSelector=app=web,tier!=db`,
 * `labelSelector=env in (a,b)`, `fieldSelector=metadata.name=x,status.phase!=Failed`),
 * parsed once into a predicate over objects.
 */

export type Selector = (object: JsonObject) => boolean

const ALL: Selector = () => true

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function labelsOf(o: JsonObject): Readonly<Record<string, JsonValue>> {
  const meta = o['metadata']
  const labels = isObject(meta) ? meta['labels'] : undefined
  return isObject(labels) ? labels : {}
}

/** Splits on commas outside parentheses. */
function terms(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out.map((t) => t.trim()).filter((t) => t !== '')
}

const SET_TERM = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/
const EQ_TERM = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/

function labelTerm(term: string): Selector {
  const set = SET_TERM.exec(term)
  if (set !== null) {
    const [, key, op, list] = set as unknown as [string, string, string, string]
    const values = new Set(list.split(',').map((v) => v.trim()))
    return (o) => {
      const v = labelsOf(o)[key]
      const has = typeof v === 'string' && values.has(v)
      return op === 'in' ? has : !has
    }
  }
  const eq = EQ_TERM.exec(term)
  if (eq !== null) {
    const [, key, op, value] = eq as unknown as [string, string, string, string]
    return (o) => (labelsOf(o)[key] === value.trim()) === (op !== '!=')
  }
  if (term.startsWith('!')) {
    const key = term.slice(1).trim()
    return (o) => !(key in labelsOf(o))
  }
  if (/^[A-Za-z0-9._/-]+$/.test(term)) return (o) => term in labelsOf(o)
  throw kubeError('BadRequest', { detail: `unable to parse requirement: ${JSON.stringify(term)}` })
}

/** The predicate of a `labelSelector`; every object when empty. */
export function labelSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === '') return ALL
  const preds = terms(text).map(labelTerm)
  return (o) => preds.every((p) => p(o))
}

function fieldValue(o: JsonObject, path: string): string {
  let cur: JsonValue | undefined = o
  for (const part of path.split('.')) cur = isObject(cur) ? cur[part] : undefined
  if (typeof cur === 'string') return cur
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur)
  return ''
}

/** The predicate of a `fieldSelector` (`=`, `==`, `!=` on dotted paths); all when empty. */
export function fieldSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === '') return ALL
  const preds = terms(text).map((term): Selector => {
    const eq = EQ_TERM.exec(term)
    if (eq === null)
      throw kubeError('BadRequest', {
        detail: `invalid selector: '${term}'; can't understand '${term}'`,
      })
    const [, path, op, value] = eq as unknown as [string, string, string, string]
    return (o) => (fieldValue(o, path) === value.trim()) === (op !== '!=')
  })
  return (o) => preds.every((p) => p(o))
}
