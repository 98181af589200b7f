/**
 * Checks of single policy elements (actions, resources, principals, conditions), each
 * reporting IAM's message through the {@link Checker}.
 */
import { Checker, R } from './checker.js'
import type { LineIndex, JsonValue } from './json.js'
import { MSG, TRUST_MSG } from './messages.js'
import { parseOperator } from './operators.js'
import type { ParsedCondition, PrincipalBlock, PrincipalType } from './types.js'
import { parseDate } from './values.js'
import { matchWildcard } from './wildcard.js'

const PRINCIPAL_TYPES = new Set<string>(['AWS', 'Federated', 'Service', 'CanonicalUser'])
/** The ARN partitions AWS has. */
const PARTITIONS = new Set([
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
])
/** The actions a role trust policy may name (CreateRole rejects others). */
const TRUST_ACTIONS = [
  'sts:assumerole',
  'sts:assumerolewithwebidentity',
  'sts:assumerolewithsaml',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]
const VENDOR = /^[A-Za-z0-9.-]+$/
const UNIQUE_ID = /^[A-Z0-9]{16,128}$/

/** Whether a trust policy may name this action: an STS assume-role action (wildcards allowed). */
export function trustActionOk(a: string): boolean {
  const l = a.toLowerCase()
  return l.startsWith('sts:') && TRUST_ACTIONS.some((t) => matchWildcard(l, t, false))
}

/** IAM's message for a malformed action name, or undefined when it is fine. */
export function actionIssue(a: string): string | undefined {
  if (a === '*') return undefined
  const parts = a.split(':')
  if (parts.length === 1) return MSG.vendorMissing
  if (parts.length > 2) return MSG.oneColon
  const vendor = parts[0] ?? ''
  if (vendor !== '*' && !VENDOR.test(vendor)) return MSG.vendorInvalid(vendor)
  return undefined
}

/** IAM's message for a malformed Resource value, with its rank, or undefined. */
export function resourceIssue(r: string): { rank: number; message: string } | undefined {
  if (r === '*') return undefined
  const first = r.indexOf(':')
  if (first < 0) return { rank: R.resourceFormat, message: MSG.resourceNotArn(r) }
  // IAM's legacy parser: fewer than six segments is fine only without an empty one.
  const colons = r.split(':').length - 1
  const segs = r.split(':')
  if ((colons < 5 && r.includes('::')) || segs.length < 3 || segs[2] === '')
    return { rank: R.legacy, message: MSG.legacyParsing }
  const partition = segs[1] ?? ''
  if (segs[0] !== 'arn' || !PARTITIONS.has(partition)) {
    const rest = r
      .slice(first + 1)
      .split(':')
      .slice(1)
    const part = (i: number): string =>
      i < rest.length && (rest[i] !== '' || rest.length > 1) ? (rest[i] ?? '*') : '*'
    const tail = rest.length > 3 ? rest.slice(3).join(':') : '*'
    return {
      rank: R.resourceFormat,
      message: MSG.partitionInvalid(
        partition,
        `arn:${partition}:${part(0)}:${part(1)}:${part(2)}:${tail}`,
      ),
    }
  }
  const service = segs[2] ?? ''
  if (service.includes('*') || service.includes('?'))
    return { rank: R.resourceFormat, message: MSG.vendorNotQualified }
  const region = segs[3] ?? ''
  if (service === 'iam' && region !== '')
    return { rank: R.resourceFormat, message: MSG.iamRegion(r) }
  if (service === 's3' && region !== '') return { rank: R.resourceFormat, message: MSG.s3Region(r) }
  return undefined
}

export function checkPrincipal(c: Checker, v: JsonValue, path: string): PrincipalBlock | undefined {
  if (v.kind === 'string') {
    if (v.value === '*') return '*'
    if (c.trust) c.add(R.syntax, TRUST_MSG.principalNotObject, path, v)
    else c.syntax(path, v)
    return undefined
  }
  if (v.kind !== 'object') {
    c.syntax(path, v)
    return undefined
  }
  if (v.members.length === 0) {
    c.add(R.syntax, MSG.principalEmpty, path, v)
    return undefined
  }
  const out: Partial<Record<PrincipalType, readonly string[]>> = {}
  let ok = true
  for (const m of v.members) {
    if (!PRINCIPAL_TYPES.has(m.key)) {
      c.add(R.syntax, MSG.invalidPrincipalType(m.key), `${path}/${m.key}`, m.keyStart)
      ok = false
      continue
    }
    const values = c.strings(m.value, `${path}/${m.key}`)
    if (values === undefined || values.length === 0) {
      if (values !== undefined) c.add(R.syntax, MSG.principalEmpty, `${path}/${m.key}`, m.value)
      ok = false
      continue
    }
    const type = m.key as PrincipalType
    for (const s of values) {
      if (!principalValueOk(type, s)) {
        c.add(R.principalValue, MSG.invalidPrincipal(type, s), `${path}/${m.key}`, m.value)
        ok = false
      }
    }
    out[type] = values
  }
  return ok ? out : undefined
}

/**
 * A principal value IAM accepts: `*` alone (never inside a value, "You cannot use a
 * wildcard to match part of a principal name or ARN", Principal element page), and for
 * AWS an account ID, an ARN or a unique ID.
 */
function principalValueOk(type: PrincipalType, s: string): boolean {
  if (s === '*') return true
  if (s === '' || s.includes('*') || s.includes('?')) return false
  if (type !== 'AWS') return true
  if (/^\d{12}$/.test(s) || UNIQUE_ID.test(s)) return true
  const segs = s.split(':')
  return (
    segs.length >= 6 &&
    segs[0] === 'arn' &&
    PARTITIONS.has(segs[1] ?? '') &&
    (segs[2] === 'iam' || segs[2] === 'sts')
  )
}

export function checkConditions(
  c: Checker,
  v: JsonValue | undefined,
  path: string,
  lines: LineIndex,
): ParsedCondition[] | undefined {
  if (v === undefined) return []
  if (v.kind !== 'object') {
    c.syntax(path, v)
    return undefined
  }
  const out: ParsedCondition[] = []
  let ok = true
  for (const op of v.members) {
    const opPath = `${path}/${op.key}`
    const spec = parseOperator(op.key)
    if (op.value.kind !== 'object') {
      c.syntax(opPath, op.value)
      ok = false
      continue
    }
    if (spec === undefined) {
      c.syntax(opPath, op.keyStart)
      ok = false
      continue
    }
    for (const k of op.value.members) {
      const keyPath = `${opPath}/${k.key}`
      const values = conditionValues(k.value)
      if (values === undefined || values.length === 0) {
        c.syntax(keyPath, k.value)
        ok = false
        continue
      }
      if (!k.key.includes(':')) {
        c.add(R.vendor, c.trust ? TRUST_MSG.syntax : MSG.vendorMissing, keyPath, k.keyStart)
        ok = false
        continue
      }
      if (spec.family === 'date') {
        // IAM's legacy parser rejects dates it cannot read (variables are not substituted here).
        if (values.some((d) => Number.isNaN(parseDate(d)))) {
          c.add(R.legacy, c.trust ? TRUST_MSG.syntax : MSG.legacyParsing, keyPath, k.value)
          ok = false
          continue
        }
      }
      out.push({ operator: op.key, key: k.key, values, position: lines.position(k.keyStart) })
    }
  }
  return ok ? out : undefined
}

/** A condition value: a string, number or boolean, or a list of them (the grammar's condition_value). */
function conditionValues(v: JsonValue): string[] | undefined {
  const one = (x: JsonValue): string | undefined =>
    x.kind === 'string'
      ? x.value
      : x.kind === 'number'
        ? x.text
        : x.kind === 'boolean'
          ? String(x.value)
          : undefined
  if (v.kind === 'array') {
    const out: string[] = []
    for (const x of v.items) {
      const s = one(x)
      if (s === undefined) return undefined
      out.push(s)
    }
    return out
  }
  const s = one(v)
  return s === undefined ? undefined : [s]
}
