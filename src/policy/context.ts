/**
 * Request context entries as the IAM simulator takes them (ContextEntry: a key, a type of
 * ContextKeyTypeEnum and values), written on the command line as `KEY=TYPE:VALUE`.
 */
import { InputError } from '../core/index.js'
import { parseCidr, parseIp } from './ip.js'
import type { ContextEntry, ContextKeyType } from './types.js'
import { decodeBase64, parseBool, parseDate, parseNumber } from './values.js'

const TYPES: readonly ContextKeyType[] = [
  'string',
  'stringList',
  'numeric',
  'numericList',
  'boolean',
  'booleanList',
  'ip',
  'ipList',
  'binary',
  'binaryList',
  'date',
  'dateList',
]
const TYPE_SET = new Set<string>(TYPES)

function checkValue(type: ContextKeyType, v: string): boolean {
  switch (type.replace('List', '')) {
    case 'numeric':
      return !Number.isNaN(parseNumber(v))
    case 'boolean':
      return parseBool(v) !== undefined
    case 'ip':
      return parseIp(v) !== undefined || parseCidr(v) !== undefined
    case 'binary':
      return decodeBase64(v) !== undefined
    case 'date':
      return !Number.isNaN(parseDate(v))
    default:
      return true
  }
}

/**
 * Parses `KEY=TYPE:VALUE`, TYPE one of the simulator's twelve context key types; list
 * types take comma-separated values (`aws:TagKeys=stringList:a,b`; an empty VALUE is an
 * empty list). The key may itself hold `=` and `:` (the first `=` followed by a known
 * `TYPE:` separates them). Throws InputError for anything else, or for a value that is not
 * of its type.
 */
export function parseContextEntry(spec: string): { key: string; entry: ContextEntry } {
  let eq = spec.indexOf('=')
  while (eq >= 0) {
    const colon = spec.indexOf(':', eq + 1)
    if (colon > 0 && TYPE_SET.has(spec.slice(eq + 1, colon))) break
    eq = spec.indexOf('=', eq + 1)
  }
  if (eq <= 0) {
    throw new InputError(
      `--context '${spec}': expected KEY=TYPE:VALUE with TYPE one of ${TYPES.join(', ')}`,
    )
  }
  const key = spec.slice(0, eq)
  const colon = spec.indexOf(':', eq + 1)
  const type = spec.slice(eq + 1, colon) as ContextKeyType
  const raw = spec.slice(colon + 1)
  const values = type.endsWith('List') ? (raw === '' ? [] : raw.split(',')) : [raw]
  for (const v of values) {
    if (!checkValue(type, v))
      throw new InputError(
        `--context ${key}: '${v}' is not a valid ${type.replace('List', '')} value`,
      )
  }
  return { key, entry: { type, values } }
}

/** Every context key type, in the simulator's order. */
export const CONTEXT_KEY_TYPES = TYPES
