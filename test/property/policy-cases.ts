/**
 * Loads the policy conformance cases (test/fixtures/policy/<family>/<case>.json, one case per
 * file) and checks their shape strictly: an unknown key anywhere is an error, so a typo in a
 * case file cannot silently weaken it. Used by the conformance runner (against the engine) and
 * by the naive evaluator's self-check.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type {
  ContextEntry,
  ContextKeyType,
  Decision,
  EvalRequest,
  PolicyKind,
  RequestPrincipal,
  SourcePolicyType,
} from '../../src/policy/types.js'

export interface CasePolicy {
  readonly id: string
  readonly type?: SourcePolicyType
  readonly document: unknown
}

export interface CaseMismatch {
  readonly policyId: string
  readonly index: number
  readonly element: 'action' | 'resource' | 'principal' | 'condition'
  readonly key?: string
}

export interface PolicyCase {
  /** Path relative to the fixtures folder, e.g. `irsa/wrong-federated-provider.json`. */
  readonly file: string
  readonly description: string
  readonly source: string
  readonly policies: {
    readonly identity?: readonly CasePolicy[]
    readonly boundary?: readonly CasePolicy[]
    readonly session?: readonly CasePolicy[]
    readonly resource?: CasePolicy
  }
  readonly request: EvalRequest
  readonly expect: {
    readonly decision: Decision
    readonly matched?: readonly { readonly policyId: string; readonly index: number }[]
    readonly missingContextKeys?: readonly string[]
    readonly mismatch?: CaseMismatch
  }
}

const CONTEXT_TYPES: readonly ContextKeyType[] = [
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
const SOURCE_TYPES: readonly SourcePolicyType[] = [
  'user',
  'group',
  'role',
  'aws-managed',
  'user-managed',
  'resource',
  'none',
]
const DECISIONS: readonly Decision[] = ['allowed', 'explicitDeny', 'implicitDeny']
const ELEMENTS = ['action', 'resource', 'principal', 'condition'] as const
const PRINCIPAL_TYPES = ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const

class CaseShapeError extends Error {}

type Obj = Record<string, unknown>

function obj(
  v: unknown,
  where: string,
  allowed: readonly string[],
  required: readonly string[],
): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new CaseShapeError(`${where}: expected an object`)
  }
  const o = v as Obj
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new CaseShapeError(`${where}: unknown key "${k}"`)
  }
  for (const k of required) {
    if (!(k in o)) throw new CaseShapeError(`${where}: missing key "${k}"`)
  }
  return o
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new CaseShapeError(`${where}: expected a string`)
  return v
}

function oneOf<T extends string>(v: unknown, options: readonly T[], where: string): T {
  const s = str(v, where)
  if (!(options as readonly string[]).includes(s)) {
    throw new CaseShapeError(`${where}: "${s}" is not one of ${options.join(', ')}`)
  }
  return s as T
}

function list(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new CaseShapeError(`${where}: expected a list`)
  return v
}

function policy(v: unknown, where: string, typed: boolean): CasePolicy {
  const o = obj(v, where, typed ? ['id', 'type', 'document'] : ['id', 'document'], [
    'id',
    'document',
  ])
  const doc = o['document']
  if (typeof doc !== 'string' && (typeof doc !== 'object' || doc === null)) {
    throw new CaseShapeError(`${where}.document: expected a policy object or JSON text`)
  }
  return {
    id: str(o['id'], `${where}.id`),
    ...(o['type'] !== undefined ? { type: oneOf(o['type'], SOURCE_TYPES, `${where}.type`) } : {}),
    document: doc,
  }
}

function policyList(v: unknown, where: string): CasePolicy[] {
  const l = list(v, where)
  if (l.length === 0) throw new CaseShapeError(`${where}: empty list (leave the layer out)`)
  return l.map((p, i) => policy(p, `${where}[${i}]`, true))
}

function contextEntry(v: unknown, where: string): ContextEntry {
  const o = obj(v, where, ['type', 'values'], ['type', 'values'])
  const type = oneOf(o['type'], CONTEXT_TYPES, `${where}.type`)
  const values = list(o['values'], `${where}.values`).map((x, i) => {
    if (typeof x !== 'string') throw new CaseShapeError(`${where}.values[${i}]: expected a string`)
    return x
  })
  if (!type.endsWith('List') && values.length !== 1) {
    throw new CaseShapeError(`${where}: a single-valued type carries exactly one value`)
  }
  return { type, values }
}

function request(v: unknown, where: string): EvalRequest {
  const o = obj(v, where, ['action', 'resource', 'principal', 'context'], ['action', 'resource'])
  let principal: RequestPrincipal | undefined
  if (o['principal'] !== undefined) {
    const p = obj(o['principal'], `${where}.principal`, ['type', 'id', 'account'], ['type', 'id'])
    principal = {
      type: oneOf(p['type'], PRINCIPAL_TYPES, `${where}.principal.type`),
      id: str(p['id'], `${where}.principal.id`),
      ...(p['account'] !== undefined
        ? { account: str(p['account'], `${where}.principal.account`) }
        : {}),
    }
  }
  const context: Record<string, ContextEntry> = {}
  if (o['context'] !== undefined) {
    const c = obj(o['context'], `${where}.context`, Object.keys(o['context'] as Obj), [])
    for (const [k, e] of Object.entries(c)) context[k] = contextEntry(e, `${where}.context.${k}`)
  }
  return {
    action: str(o['action'], `${where}.action`),
    resource: str(o['resource'], `${where}.resource`),
    ...(principal !== undefined ? { principal } : {}),
    context,
  }
}

function parseCase(file: string, raw: unknown): PolicyCase {
  const o = obj(
    raw,
    file,
    ['description', 'source', 'policies', 'request', 'expect'],
    ['description', 'source', 'policies', 'request', 'expect'],
  )
  const p = obj(
    o['policies'],
    `${file}.policies`,
    ['identity', 'boundary', 'session', 'resource'],
    [],
  )
  if (Object.keys(p).length === 0) throw new CaseShapeError(`${file}.policies: no policies`)
  const policies = {
    ...(p['identity'] !== undefined
      ? { identity: policyList(p['identity'], `${file}.identity`) }
      : {}),
    ...(p['boundary'] !== undefined
      ? { boundary: policyList(p['boundary'], `${file}.boundary`) }
      : {}),
    ...(p['session'] !== undefined ? { session: policyList(p['session'], `${file}.session`) } : {}),
    ...(p['resource'] !== undefined
      ? { resource: policy(p['resource'], `${file}.resource`, false) }
      : {}),
  }
  const e = obj(
    o['expect'],
    `${file}.expect`,
    ['decision', 'matched', 'missingContextKeys', 'mismatch'],
    ['decision'],
  )
  const decision = oneOf(e['decision'], DECISIONS, `${file}.expect.decision`)
  let matched: { policyId: string; index: number }[] | undefined
  if (e['matched'] !== undefined) {
    matched = list(e['matched'], `${file}.expect.matched`).map((m, i) => {
      const r = obj(m, `${file}.expect.matched[${i}]`, ['policyId', 'index'], ['policyId', 'index'])
      return { policyId: str(r['policyId'], 'policyId'), index: index(r['index'], 'index') }
    })
  }
  if (decision !== 'implicitDeny' && (matched === undefined || matched.length === 0)) {
    throw new CaseShapeError(`${file}.expect.matched: required for ${decision}`)
  }
  if (decision === 'implicitDeny' && matched !== undefined && matched.length > 0) {
    throw new CaseShapeError(`${file}.expect.matched: an implicit deny has no deciding statements`)
  }
  let missingContextKeys: string[] | undefined
  if (e['missingContextKeys'] !== undefined) {
    missingContextKeys = list(e['missingContextKeys'], `${file}.expect.missingContextKeys`).map(
      (k, i) => str(k, `${file}.expect.missingContextKeys[${i}]`),
    )
  }
  let mismatch: CaseMismatch | undefined
  if (e['mismatch'] !== undefined) {
    const m = obj(
      e['mismatch'],
      `${file}.expect.mismatch`,
      ['policyId', 'index', 'element', 'key'],
      ['policyId', 'index', 'element'],
    )
    const element = oneOf(m['element'], ELEMENTS, `${file}.expect.mismatch.element`)
    if ((element === 'condition') !== (m['key'] !== undefined)) {
      throw new CaseShapeError(
        `${file}.expect.mismatch: key is given exactly for condition mismatches`,
      )
    }
    mismatch = {
      policyId: str(m['policyId'], 'policyId'),
      index: index(m['index'], 'index'),
      element,
      ...(m['key'] !== undefined ? { key: str(m['key'], 'key') } : {}),
    }
  }
  return {
    file,
    description: str(o['description'], `${file}.description`),
    source: str(o['source'], `${file}.source`),
    policies,
    request: request(o['request'], `${file}.request`),
    expect: {
      decision,
      ...(matched !== undefined ? { matched } : {}),
      ...(missingContextKeys !== undefined ? { missingContextKeys } : {}),
      ...(mismatch !== undefined ? { mismatch } : {}),
    },
  }
}

function index(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new CaseShapeError(`${where}: expected a statement index`)
  }
  return v
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else out.push(p)
  }
  return out
}

/**
 * Every case under `dir`, sorted by path. Throws on a file that is not a `.json` case, on bad
 * JSON, on any unknown or missing key, and when the folder holds no case at all.
 */
export function loadPolicyCases(dir: string): PolicyCase[] {
  const files = walk(dir, [])
  const cases = files.map((path) => {
    const file = relative(dir, path)
    if (!file.endsWith('.json')) throw new CaseShapeError(`${file}: not a .json case file`)
    return parseCase(file, JSON.parse(readFileSync(path, 'utf8')) as unknown)
  })
  if (cases.length === 0) throw new CaseShapeError(`${dir}: no policy cases`)
  return cases
}

/** A policy document as the text the engine compiles. */
export function policyText(document: unknown): string {
  return typeof document === 'string' ? document : JSON.stringify(document, null, 2)
}

/** The kind a case's resource policy compiles as: a trust policy for the assume-role calls. */
export function resourceKind(action: string): PolicyKind {
  return /^sts:AssumeRole/i.test(action) ? 'trust' : 'resource'
}
