/**
 * A deliberately naive IAM policy evaluator: the reference the compiled engine in src/policy is
 * checked against. It walks the policy JSON directly on every call, matches wildcards with a
 * plain recursive matcher, and precompiles nothing. It is written to be obviously right, not
 * fast; each rule cites the AWS page it follows. It is one file on purpose (hence its length):
 * the whole reference reads top to bottom, with nothing shared with src/policy.
 *
 * - Evaluation logic and layers:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * - Condition operators, IfExists, Null, missing keys:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - ForAllValues / ForAnyValue:
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * - Policy variables: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import type {
  Decision,
  EvalRequest,
  PolicySet,
  RequestPrincipal,
  SourcePolicyType,
} from '../../src/policy/types.js'

/** A policy as the naive evaluator takes it: the parsed JSON document, never compiled. */
export interface NaivePolicy {
  readonly id: string
  readonly type?: SourcePolicyType
  readonly document: unknown
}

/** A statement that decided, by policy id and 0-based statement index. */
export interface NaiveRef {
  readonly policyId: string
  readonly index: number
}

export interface NaiveResult {
  readonly decision: Decision
  readonly matched: readonly NaiveRef[]
}

type Json = unknown
type Obj = Record<string, Json>

function isObj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A JSON value that may be one string or a list of strings, as a list. */
function strings(v: Json): string[] {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v)) return v.map((x) => String(x))
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)]
  return []
}

/** The statements of a document, in order. */
export function statementsOf(document: Json): Obj[] {
  const doc = (typeof document === 'string' ? JSON.parse(document) : document) as Json
  if (!isObj(doc)) return []
  const s = doc['Statement']
  if (Array.isArray(s)) return s.filter(isObj)
  if (isObj(s)) return [s]
  return []
}

function versionOf(document: Json): string | undefined {
  const doc = (typeof document === 'string' ? JSON.parse(document) : document) as Json
  return isObj(doc) && typeof doc['Version'] === 'string' ? doc['Version'] : undefined
}

// ---------------------------------------------------------------------------------------------
// Wildcards. A pattern is a list of pieces: literal characters, `*` (any run) and `?` (one char).

type Piece = { readonly lit: string } | '*' | '?'

/** Plain recursive matcher with memo (so it stays polynomial); no regular expressions. */
export function matchPieces(
  pieces: readonly Piece[],
  value: string,
  caseInsensitive: boolean,
): boolean {
  const v = caseInsensitive ? value.toLowerCase() : value
  const ps = pieces.map((p) =>
    typeof p === 'string' ? p : { lit: caseInsensitive ? p.lit.toLowerCase() : p.lit },
  )
  const memo = new Map<string, boolean>()
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    let r: boolean
    if (i === ps.length) r = j === v.length
    else {
      const p = ps[i]!
      if (p === '*') r = go(i + 1, j) || (j < v.length && go(i, j + 1))
      else if (p === '?') r = j < v.length && go(i + 1, j + 1)
      else r = v.startsWith(p.lit, j) && go(i + 1, j + p.lit.length)
    }
    memo.set(key, r)
    return r
  }
  return go(0, 0)
}

/** Pieces of a pattern written without variables: `*` and `?` are wildcards. */
export function wildcardPieces(pattern: string): Piece[] {
  const out: Piece[] = []
  for (const ch of pattern) out.push(ch === '*' || ch === '?' ? ch : { lit: ch })
  return out
}

/** `matchWildcard` as the engine exports it, done naively. */
export function naiveWildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  return matchPieces(wildcardPieces(pattern), value, caseInsensitive)
}

// ---------------------------------------------------------------------------------------------
// Context lookups (key names are case-insensitive) and policy variables.

function lookup(request: EvalRequest, key: string): readonly string[] | undefined {
  const want = key.toLowerCase()
  for (const [k, entry] of Object.entries(request.context)) {
    if (k.toLowerCase() === want) return entry.values
  }
  return undefined
}

function isListType(request: EvalRequest, key: string): boolean {
  const want = key.toLowerCase()
  for (const [k, entry] of Object.entries(request.context)) {
    if (k.toLowerCase() === want) return entry.type.endsWith('List')
  }
  return false
}

/**
 * Expands `${…}` in a policy string (Version 2012-10-17 only) into pieces. Escapes `${*}`,
 * `${?}`, `${$}` become literal characters; a variable becomes its single value as literal text,
 * or its `'default'`; a variable with neither makes the whole string unusable (undefined).
 * With `wildcards` false, `*` and `?` written in the policy are literal too.
 */
export function expandPolicyString(
  text: string,
  request: EvalRequest,
  variables: boolean,
  wildcards: boolean,
): Piece[] | undefined {
  const out: Piece[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (variables && ch === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2)
      if (close !== -1) {
        const inner = text.slice(i + 2, close)
        i = close + 1
        if (inner === '*' || inner === '?' || inner === '$') {
          out.push({ lit: inner })
          continue
        }
        const value = resolveVariable(inner, request)
        if (value === undefined) return undefined
        for (const c of value) out.push({ lit: c })
        continue
      }
    }
    if (wildcards && (ch === '*' || ch === '?')) out.push(ch)
    else out.push({ lit: ch })
    i++
  }
  return out
}

function resolveVariable(inner: string, request: EvalRequest): string | undefined {
  let name = inner
  let fallback: string | undefined
  const comma = inner.indexOf(',')
  if (comma !== -1) {
    name = inner.slice(0, comma)
    const rest = inner.slice(comma + 1).trim()
    if (rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'")) fallback = rest.slice(1, -1)
  }
  name = name.trim()
  const values = lookup(request, name)
  // Multivalued keys cannot be used as variables (reference_policies_variables.html).
  if (values !== undefined && values.length === 1 && !isListType(request, name)) return values[0]
  return fallback
}

function piecesToText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (typeof p === 'string' ? p : p.lit)).join('')
}

// ---------------------------------------------------------------------------------------------
// Action, Resource, Principal.

function actionMatches(stmt: Obj, action: string): boolean {
  const one = (p: string): boolean => naiveWildcard(p, action, true)
  if ('Action' in stmt) return strings(stmt['Action']).some(one)
  if ('NotAction' in stmt) return !strings(stmt['NotAction']).some(one)
  return false
}

/** Splits at the first five colons that are not inside `${…}`; the sixth part keeps the rest. */
function arnParts(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length && parts.length < 5; i++) {
    const ch = text[i]
    if (ch === '$' && text[i + 1] === '{') depth++
    else if (ch === '}' && depth > 0) depth--
    else if (ch === ':' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

function resourcePatternMatches(
  pattern: string,
  resource: string,
  request: EvalRequest,
  variables: boolean,
): boolean {
  if (pattern === '*') return true
  const pp = arnParts(pattern)
  const rp = arnParts(resource)
  if (pp.length !== 6 || rp.length !== 6) {
    const pieces = expandPolicyString(pattern, request, variables, true)
    return pieces !== undefined && matchPieces(pieces, resource, false)
  }
  for (let k = 0; k < 6; k++) {
    const pieces = expandPolicyString(pp[k]!, request, variables, true)
    if (pieces === undefined || !matchPieces(pieces, rp[k]!, false)) return false
  }
  return true
}

function resourceMatches(stmt: Obj, request: EvalRequest, variables: boolean): boolean {
  const one = (p: string): boolean =>
    resourcePatternMatches(p, request.resource, request, variables)
  if ('Resource' in stmt) return strings(stmt['Resource']).some(one)
  if ('NotResource' in stmt) return !strings(stmt['NotResource']).some(one)
  return true // trust policies have no Resource: the role itself is the resource
}

/**
 * How one Principal value matches: 0 not at all, 1 by the caller's account only (the account
 * delegates, so its own identity policies must allow too: reference_policies_elements_principal
 * #principal-accounts), 2 directly. `"AWS": "<account>"` and `:root` name the account.
 */
function principalValueLevel(type: string, value: string, p: RequestPrincipal): number {
  if (type !== p.type) return 0
  if (value === '*') return 2
  if (type === 'AWS') {
    const root = /^arn:aws:iam::(\d{12}):root$/.exec(value)
    const account = /^\d{12}$/.test(value) ? value : root?.[1]
    if (account !== undefined) {
      if (p.id === account || p.id === `arn:aws:iam::${account}:root`) return 2
      return p.account === account ? 1 : 0
    }
  }
  return value === p.id ? 2 : 0
}

function principalSpecLevel(spec: Json, p: RequestPrincipal | undefined): number {
  if (spec === '*') return 2
  if (p === undefined || !isObj(spec)) return 0
  let best = 0
  for (const [type, v] of Object.entries(spec)) {
    for (const value of strings(v)) best = Math.max(best, principalValueLevel(type, value, p))
  }
  return best
}

/**
 * NotPrincipal excludes the caller only when every identity it carries is listed: for an IAM
 * role or user both the ARN and its account (reference_policies_elements_notprincipal.html,
 * "you must also specify the account ARN of the not-denied principal").
 */
function notPrincipalExcludes(spec: Json, p: RequestPrincipal | undefined): boolean {
  if (spec === '*') return true
  if (p === undefined || !isObj(spec)) return false
  const listed = strings(spec[p.type])
  if (p.type !== 'AWS') return listed.includes(p.id)
  const account = p.account
  const accountListed =
    account !== undefined &&
    (listed.includes(account) || listed.includes(`arn:aws:iam::${account}:root`))
  if (p.id === account || p.id === `arn:aws:iam::${account ?? ''}:root`) return accountListed
  return accountListed && listed.includes(p.id)
}

/** 0 when the statement's Principal/NotPrincipal rules the caller out, else 1 or 2 as above. */
function principalLevel(stmt: Obj, p: RequestPrincipal | undefined): number {
  if ('Principal' in stmt) return principalSpecLevel(stmt['Principal'], p)
  if ('NotPrincipal' in stmt) return notPrincipalExcludes(stmt['NotPrincipal'], p) ? 0 : 2
  return 2
}

// ---------------------------------------------------------------------------------------------
// Conditions.

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
  'ArnNotEquals',
  'ArnNotLike',
])

/** The positive operator a negated one negates. */
const POSITIVE_OF: Readonly<Record<string, string>> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
}

function parseDate(text: string): number | undefined {
  if (/^-?\d+$/.test(text)) return Number(text) * 1000
  const t = Date.parse(text)
  return Number.isNaN(t) ? undefined : t
}

function parseNumber(text: string): number | undefined {
  if (!/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined
  return Number(text)
}

/** An IPv4 or IPv6 address as a bit string (no shortcuts: spell out every bit). */
function ipBits(text: string): string | undefined {
  if (text.includes('.') && !text.includes(':')) {
    const parts = text.split('.')
    if (parts.length !== 4) return undefined
    let bits = ''
    for (const part of parts) {
      if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined
      bits += Number(part).toString(2).padStart(8, '0')
    }
    return bits
  }
  if (!text.includes(':')) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const group = (s: string): string[] => (s === '' ? [] : s.split(':'))
  const head = group(halves[0]!)
  const tail = halves.length === 2 ? group(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? head.length !== 8 : missing < 0) return undefined
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  let bits = ''
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
    bits += parseInt(g, 16).toString(2).padStart(16, '0')
  }
  return bits
}

function ipInRange(address: string, range: string): boolean {
  const slash = range.indexOf('/')
  const base = slash === -1 ? range : range.slice(0, slash)
  const a = ipBits(address.trim())
  const b = ipBits(base.trim())
  if (a === undefined || b === undefined || a.length !== b.length) return false
  const prefix = slash === -1 ? b.length : Number(range.slice(slash + 1))
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > b.length) return false
  return a.slice(0, prefix) === b.slice(0, prefix)
}

/** One positive comparison: does the request value match this one policy value? */
function positiveMatch(
  op: string,
  requestValue: string,
  policyValue: string,
  request: EvalRequest,
  variables: boolean,
): boolean {
  switch (op) {
    case 'StringEquals':
    case 'StringEqualsIgnoreCase': {
      const pieces = expandPolicyString(policyValue, request, variables, false)
      if (pieces === undefined) return false
      const text = piecesToText(pieces)
      return op === 'StringEquals'
        ? text === requestValue
        : text.toLowerCase() === requestValue.toLowerCase()
    }
    case 'StringLike': {
      const pieces = expandPolicyString(policyValue, request, variables, true)
      return pieces !== undefined && matchPieces(pieces, requestValue, false)
    }
    case 'NumericEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
      return compare(
        op.slice('Numeric'.length),
        parseNumber(requestValue),
        parseNumber(policyValue),
      )
    case 'DateEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals':
      return compare(op.slice('Date'.length), parseDate(requestValue), parseDate(policyValue))
    case 'Bool':
      return requestValue.toLowerCase() === policyValue.toLowerCase()
    case 'BinaryEquals':
      return requestValue === policyValue
    case 'IpAddress':
      return ipInRange(requestValue, policyValue)
    case 'ArnEquals':
    case 'ArnLike': {
      const pp = arnParts(policyValue)
      const rp = arnParts(requestValue)
      if (pp.length !== 6 || rp.length !== 6) return false
      for (let k = 0; k < 6; k++) {
        const pieces = expandPolicyString(pp[k]!, request, variables, true)
        if (pieces === undefined || !matchPieces(pieces, rp[k]!, false)) return false
      }
      return true
    }
    default:
      return false
  }
}

function compare(how: string, a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false
  switch (how) {
    case 'Equals':
      return a === b
    case 'LessThan':
      return a < b
    case 'LessThanEquals':
      return a <= b
    case 'GreaterThan':
      return a > b
    case 'GreaterThanEquals':
      return a >= b
    default:
      return false
  }
}

/**
 * One request value against all the policy values of one key: OR over policy values for
 * positive operators; for negated operators the value must match none of them (so several
 * values act as AND of the negations).
 */
function valueMatches(
  base: string,
  requestValue: string,
  policyValues: readonly string[],
  request: EvalRequest,
  variables: boolean,
): boolean {
  const positive = POSITIVE_OF[base]
  if (positive !== undefined) {
    return !policyValues.some((pv) => positiveMatch(positive, requestValue, pv, request, variables))
  }
  return policyValues.some((pv) => positiveMatch(base, requestValue, pv, request, variables))
}

/** One `operator: { key: values }` entry. */
export function naiveConditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  request: EvalRequest,
  variables: boolean,
): boolean {
  let op = operator
  let set: 'ForAllValues' | 'ForAnyValue' | undefined
  if (op.startsWith('ForAllValues:')) {
    set = 'ForAllValues'
    op = op.slice('ForAllValues:'.length)
  } else if (op.startsWith('ForAnyValue:')) {
    set = 'ForAnyValue'
    op = op.slice('ForAnyValue:'.length)
  }
  const values = lookup(request, key)
  const present = values !== undefined && values.length > 0
  if (op === 'Null') {
    return policyValues.some((pv) => (pv.toLowerCase() === 'true' ? !present : present))
  }
  let ifExists = false
  if (op.endsWith('IfExists')) {
    ifExists = true
    op = op.slice(0, -'IfExists'.length)
  }
  if (!present) {
    // The set operators decide first: ForAnyValue is false on an absent key even with
    // IfExists (https://repost.aws/questions/QU9HFmDzP0QGuU-fd7rS6B7w), ForAllValues is true.
    if (set === 'ForAllValues') return true
    if (set === 'ForAnyValue') return false
    if (ifExists) return true
    return NEGATED.has(op)
  }
  const one = (v: string): boolean => valueMatches(op, v, policyValues, request, variables)
  if (set === 'ForAllValues') return values.every(one)
  if (set === 'ForAnyValue') return values.some(one)
  return values.some(one)
}

function conditionsHold(stmt: Obj, request: EvalRequest, variables: boolean): boolean {
  const block = stmt['Condition']
  if (block === undefined) return true
  if (!isObj(block)) return false
  for (const [operator, keys] of Object.entries(block)) {
    if (!isObj(keys)) return false
    for (const [key, v] of Object.entries(keys)) {
      if (!naiveConditionHolds(operator, key, strings(v), request, variables)) return false
    }
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// Statements, layers, decision.

/**
 * Whether a statement applies to the request (action, resource, principal, conditions): 0 no,
 * 1 only through the caller's account (see principalValueLevel), 2 yes.
 */
export function naiveStatementLevel(
  stmt: Obj,
  version: string | undefined,
  request: EvalRequest,
): number {
  const variables = version === '2012-10-17'
  if (!actionMatches(stmt, request.action)) return 0
  if (!resourceMatches(stmt, request, variables)) return 0
  const level = principalLevel(stmt, request.principal)
  if (level === 0 || !conditionsHold(stmt, request, variables)) return 0
  return level
}

/** Whether a statement applies to the request at all. */
export function naiveStatementMatches(
  stmt: Obj,
  version: string | undefined,
  request: EvalRequest,
): boolean {
  return naiveStatementLevel(stmt, version, request) > 0
}

interface LayerHits {
  readonly allows: NaiveRef[]
  readonly denies: NaiveRef[]
  /** Whether some Allow applies directly, not only through the caller's account. */
  readonly direct: boolean
}

function layerHits(policies: readonly NaivePolicy[], request: EvalRequest): LayerHits {
  const allows: NaiveRef[] = []
  const denies: NaiveRef[] = []
  let direct = false
  for (const policy of policies) {
    const version = versionOf(policy.document)
    statementsOf(policy.document).forEach((stmt, index) => {
      const level = naiveStatementLevel(stmt, version, request)
      if (level === 0) return
      const ref = { policyId: policy.id, index }
      if (stmt['Effect'] === 'Deny') denies.push(ref)
      else if (stmt['Effect'] === 'Allow') {
        allows.push(ref)
        if (level === 2) direct = true
      }
    })
  }
  return { allows, denies, direct }
}

/**
 * The decision for a request. Any matching Deny in any layer wins. Otherwise, in identity mode
 * the identity policies must allow and every other given layer (boundary, session) must allow
 * too; in trust mode (a resource policy given) the resource policy must allow and every other
 * given layer must allow too, and when the resource policy names only the caller's account
 * (delegation) the caller's identity policies must be given.
 */
export function naiveEvaluate(request: EvalRequest, set: PolicySet<NaivePolicy>): NaiveResult {
  const hits = (policies: readonly NaivePolicy[] | undefined): LayerHits | undefined =>
    policies === undefined ? undefined : layerHits(policies, request)
  const resource = hits(set.resource === undefined ? undefined : [set.resource])
  const identity = hits(set.identity)
  const given = [resource, identity, hits(set.boundary), hits(set.session)].filter(
    (l): l is LayerHits => l !== undefined,
  )
  const denies = given.flatMap((l) => l.denies)
  if (denies.length > 0) return { decision: 'explicitDeny', matched: sortRefs(denies) }
  const anchor = resource ?? identity
  // A resource policy that names only the caller's account delegates to the account's own
  // identity policies, which must then be given (and, like every given layer, allow).
  const delegated = resource !== undefined && !resource.direct && identity === undefined
  if (anchor !== undefined && !delegated && given.every((l) => l.allows.length > 0)) {
    return { decision: 'allowed', matched: sortRefs(given.flatMap((l) => l.allows)) }
  }
  return { decision: 'implicitDeny', matched: [] }
}

/** Refs in a stable order (policy id, then statement index), for comparisons. */
export function sortRefs(refs: readonly NaiveRef[]): NaiveRef[] {
  return [...refs]
    .map((r) => ({ policyId: r.policyId, index: r.index }))
    .sort((a, b) =>
      a.policyId === b.policyId ? a.index - b.index : a.policyId < b.policyId ? -1 : 1,
    )
}
