import {
  compilePolicy,
  evaluate,
  explain,
  matchWildcard,
  type Explanation,
} from '../policy/index.js'
import type { JsonObject, JsonValue } from '../webhook/index.js'
import { webIdentityTrustRequest, type TrustReplayInput } from '../sts/index.js'
import { isObject } from './derive.js'

/** The first failure of one trust-policy replay, with the slip it looks like. */
export interface TrustFailure {
  readonly action: string
  readonly decision: 'explicitDeny' | 'implicitDeny'
  /** The closest Allow statement (or the Deny that matched): `#0` or its Sid. */
  readonly statement: string | null
  readonly index: number | null
  readonly element: 'action' | 'resource' | 'principal' | 'condition' | 'deny' | 'none'
  readonly operator?: string
  readonly key?: string
  readonly expected: readonly string[]
  readonly presented: readonly string[] | null
  /** The mistake recognised: `case`, `namespace-name-swap`, `key-prefix`, … */
  readonly slip: string | undefined
  readonly explanation: string
}

/** A replay: allowed (with the statement that allowed), or the first failure. */
export type TrustReplayResult =
  | {
      readonly allowed: true
      readonly statement: string | null
      readonly actions: readonly string[]
    }
  | { readonly allowed: false; readonly failure: TrustFailure }

/** What a replay needs besides the document. */
export interface TrustQuery extends TrustReplayInput {
  readonly roleArn: string
}

type StatementTraceOf = Explanation['layers'][number]['statements'][number]
type Reason = NonNullable<StatementTraceOf['reason']>

const RANK: Record<Reason['element'], number> = {
  condition: 4,
  resource: 3,
  principal: 2,
  action: 1,
}

const label = (s: StatementTraceOf): string =>
  s.statement.sid !== undefined ? s.statement.sid : `#${s.statement.index}`

/** Evaluates `document` as STS does for the token and returns the first failing action's reason. */
export function replayTrust(document: string, q: TrustQuery): TrustReplayResult {
  const compiled = compilePolicy(document, 'trust', { id: 'trust policy', type: 'resource' })
  const r = webIdentityTrustRequest(q)
  let statement: string | null = null
  for (const action of r.actions) {
    const request = { action, resource: q.roleArn, principal: r.principal, context: r.context }
    const result = evaluate(request, { resource: compiled })
    if (result.decision === 'allowed') {
      statement ??=
        result.matched[0] !== undefined
          ? (result.matched[0].sid ?? `#${result.matched[0].index}`)
          : null
      continue
    }
    return {
      allowed: false,
      failure: failureOf(action, explain(request, { resource: compiled }), q),
    }
  }
  return { allowed: true, statement, actions: r.actions }
}

function failureOf(action: string, why: Explanation, q: TrustQuery): TrustFailure {
  const statements = why.layers.flatMap((l) => l.statements)
  const deny = statements.find((s) => s.effect === 'Deny' && s.matched)
  const base = { action, presented: null, expected: [], slip: undefined }
  if (why.decision === 'explicitDeny' && deny !== undefined)
    return {
      ...base,
      decision: 'explicitDeny',
      statement: label(deny),
      index: deny.statement.index,
      element: 'deny',
      explanation: `statement ${label(deny)} denies ${action}`,
    }
  let closest: { s: StatementTraceOf; reason: Reason } | undefined
  for (const s of statements)
    if (s.effect === 'Allow' && s.reason !== undefined)
      if (closest === undefined || RANK[s.reason.element] > RANK[closest.reason.element])
        closest = { s, reason: s.reason }
  if (closest === undefined)
    return {
      ...base,
      decision: 'implicitDeny',
      statement: null,
      index: null,
      element: 'none',
      explanation: `no Allow statement for ${action}`,
    }
  return describe(action, closest.s, closest.reason, q)
}

function describe(
  action: string,
  s: StatementTraceOf,
  reason: Reason,
  q: TrustQuery,
): TrustFailure {
  const base = {
    action,
    decision: 'implicitDeny' as const,
    statement: label(s),
    index: s.statement.index,
  }
  switch (reason.element) {
    case 'condition': {
      const presented = reason.actual ?? null
      const slip = conditionSlip(
        reason.operator,
        reason.key,
        reason.expected,
        presented,
        q.providerUrl,
      )
      return {
        ...base,
        element: 'condition',
        operator: reason.operator,
        key: reason.key,
        expected: reason.expected,
        presented,
        slip,
        explanation: `${reason.operator} ${reason.key}: expected ${JSON.stringify(reason.expected)}, presented ${presented === null ? '(key absent)' : JSON.stringify(presented)}`,
      }
    }
    case 'principal': {
      const expected = reason.patterns ?? []
      const slip = expected
        .map((p) => principalSlip(p.replace(/^Federated:/, ''), q.providerArn))
        .find((x) => x !== undefined)
      return {
        ...base,
        element: 'principal',
        expected,
        presented: [`Federated:${q.providerArn}`],
        slip: slip ?? 'other-provider',
        explanation: `the statement's principal ${JSON.stringify(expected)} is not Federated ${q.providerArn}`,
      }
    }
    case 'action':
    case 'resource':
      return {
        ...base,
        element: reason.element,
        expected: reason.patterns ?? [],
        presented: [reason.element === 'action' ? action : q.roleArn],
        slip: undefined,
        explanation: `the statement's ${reason.element} does not cover ${reason.element === 'action' ? action : q.roleArn}`,
      }
  }
}

const CLAIM_SUFFIXES = ['sub', 'aud', 'amr', 'azp']
const SA = /^system:serviceaccount:([^:]+):([^:]+)$/

function splitKey(key: string): { prefix: string; suffix: string } {
  const i = key.lastIndexOf(':')
  return i < 0 ? { prefix: '', suffix: key } : { prefix: key.slice(0, i), suffix: key.slice(i + 1) }
}

/** The mistake a failing condition looks like, or undefined for a plain wrong value. */
export function conditionSlip(
  operator: string,
  key: string,
  expected: readonly string[],
  presented: readonly string[] | null,
  providerUrl: string,
): string | undefined {
  const { prefix, suffix } = splitKey(key)
  if (presented === null) {
    if (!CLAIM_SUFFIXES.includes(suffix.toLowerCase()) || prefix === providerUrl) return undefined
    if (prefix.replace(/\/+$/, '') === providerUrl.replace(/\/+$/, '')) return 'trailing-slash'
    if (prefix.toLowerCase() === providerUrl.toLowerCase()) return 'case'
    if (prefix.replace(/^https?:\/\//, '') === providerUrl) return 'key-has-scheme'
    return 'key-prefix'
  }
  const got = presented[0] ?? ''
  if (
    /^StringEquals$/i.test(operator) &&
    expected.some((e) => /[*?]/.test(e) && matchWildcard(e, got, false))
  )
    return 'wildcard-under-StringEquals'
  if (suffix === 'aud' && expected.some((e) => SA.test(e))) return 'sub-value-under-aud'
  if (expected.some((e) => e.toLowerCase() === got.toLowerCase())) return 'case'
  const p = SA.exec(got)
  if (suffix === 'sub' && p !== null)
    for (const e of expected) {
      const m = SA.exec(e)
      if (m === null) continue
      if (m[1] === p[2] && m[2] === p[1]) return 'namespace-name-swap'
      if (m[2] === p[2]) return 'wrong-namespace'
      if (m[1] === p[1]) return 'wrong-service-account'
    }
  return undefined
}

/** The mistake a Federated principal looks like next to the provider's ARN, or undefined. */
export function principalSlip(given: string, providerArn: string): string | undefined {
  const [, , , , account = '', ...rest] = given.split(':')
  const [, , , , want = '', ...wantRest] = providerArn.split(':')
  if (rest.join(':') === wantRest.join(':') && account !== want) return 'different-account'
  if (given.replace(/\/+$/, '') === providerArn.replace(/\/+$/, '')) return 'trailing-slash'
  if (given.toLowerCase() === providerArn.toLowerCase()) return 'case'
  return undefined
}

function statementsOf(doc: JsonObject): JsonObject[] {
  const s = doc['Statement']
  if (Array.isArray(s)) return s.filter(isObject)
  return isObject(s) ? [s] : []
}

const list = (v: JsonValue | undefined): string[] =>
  typeof v === 'string'
    ? [v]
    : Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : []

const one = (values: readonly string[]): JsonValue =>
  values.length === 1 && values[0] !== undefined ? values[0] : [...values]

/** `o` without `key`. */
const without = (o: JsonObject, key: string): JsonObject =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))

function findKey(o: JsonObject, key: string): string | undefined {
  return Object.keys(o).find((k) => k.toLowerCase() === key.toLowerCase())
}

/** Changes `doc` (in place) to cure `f`; false when it does not know how. */
function cure(doc: JsonObject, f: TrustFailure, q: TrustQuery): boolean {
  if (f.index === null) return false
  const st = statementsOf(doc)[f.index]
  if (st === undefined) return false
  if (f.element === 'principal') {
    st['Principal'] = { Federated: q.providerArn }
    return true
  }
  if (f.element === 'action') {
    st['Action'] = [...new Set([...list(st['Action']), f.action])]
    return true
  }
  if (f.element !== 'condition' || f.operator === undefined || f.key === undefined) return false
  const cond = st['Condition']
  if (!isObject(cond)) return false
  const opKey = findKey(cond, f.operator)
  const block = opKey === undefined ? undefined : cond[opKey]
  if (opKey === undefined || !isObject(block)) return false
  const key = findKey(block, f.key)
  if (key === undefined) return false
  const moved = cureCondition(block, key, f, q)
  if (moved === undefined) return false
  if (moved.operator === undefined) {
    // In place of the old entry, so the corrected document reads as the original.
    cond[opKey] = Object.fromEntries(
      Object.entries(block).flatMap(([k, v]) =>
        k === key ? Object.entries(moved.entries) : [[k, v] as const],
      ),
    )
    return true
  }
  const rest = without(block, key)
  const kept = Object.keys(rest).length === 0 ? without(cond, opKey) : { ...cond, [opKey]: rest }
  const target = findKey(kept, moved.operator) ?? moved.operator
  const existing = kept[target]
  st['Condition'] = {
    ...kept,
    [target]: { ...(isObject(existing) ? existing : {}), ...moved.entries },
  }
  return true
}

/** The entries that replace a failing condition entry, and the operator they go under. */
interface CuredCondition {
  /** Another operator block, or undefined for the same one. */
  readonly operator?: string
  readonly entries: JsonObject
}

const KEY_SLIPS = ['trailing-slash', 'case', 'key-has-scheme', 'key-prefix']

function cureCondition(
  block: JsonObject,
  key: string,
  f: TrustFailure,
  q: TrustQuery,
): CuredCondition | undefined {
  const { suffix } = splitKey(key)
  const values = list(block[key])
  const got = f.presented?.[0]
  if (f.presented === null)
    return f.slip !== undefined && KEY_SLIPS.includes(f.slip)
      ? { entries: { [`${q.providerUrl}:${suffix}`]: one(values) } }
      : undefined
  if (got === undefined) return undefined
  if (f.slip === 'wildcard-under-StringEquals')
    return { operator: 'StringLike', entries: { [key]: one(values) } }
  if (f.slip === 'sub-value-under-aud')
    return {
      entries: { [key]: got, [`${q.providerUrl}:sub`]: one(values.filter((v) => SA.test(v))) },
    }
  return { entries: { [key]: one(values.length <= 1 ? [got] : [...values, got]) } }
}

/** A corrected trust policy that the replay allows, or undefined when no cure is found. */
export function correctTrust(document: string, q: TrustQuery): string | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(document)
  } catch {
    return undefined
  }
  if (!isObject(doc)) return undefined
  for (let i = 0; i < 8; i++) {
    const text = JSON.stringify(doc)
    let r: TrustReplayResult
    try {
      r = replayTrust(text, q)
    } catch {
      return undefined
    }
    if (r.allowed) return i === 0 ? undefined : text
    if (r.failure.decision === 'explicitDeny' || !cure(doc, r.failure, q)) return undefined
  }
  return undefined
}
