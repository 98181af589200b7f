/**
 * One statement of a policy document, one function per element, in the order IAM checks
 * them: Sid, Effect, Principal/NotPrincipal, Condition (before Action: the trust checks run
 * in this order), Action/NotAction, Resource/NotResource. Each records its issues on the
 * {@link Checker}; a statement with an unusable element is rejected (no ParsedStatement).
 */
import { Checker, member, R } from './checker.js'
import type { JsonObject, JsonValue, LineIndex } from './json.js'
import { MSG, TRUST_MSG } from './messages.js'
import {
  actionIssue,
  checkConditions,
  checkPrincipal,
  resourceIssue,
  trustActionOk,
} from './rules.js'
import type { ParsedStatement, PrincipalBlock } from './types.js'

const ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
])
const SID = /^[0-9A-Za-z]*$/

/** The statement being checked: where it is, and whether it is still usable. */
class Scope {
  ok = true
  readonly c: Checker
  readonly node: JsonObject
  readonly path: string

  constructor(c: Checker, node: JsonObject, path: string) {
    this.c = c
    this.node = node
    this.path = path
  }

  reject(): void {
    this.ok = false
  }

  /** A checked element's value; rejects the statement when the check gave none. */
  keep<T>(value: T | undefined): T | undefined {
    if (value === undefined) this.reject()
    return value
  }
}

function checkSid({ c, node, path }: Scope): string | undefined {
  const v = member(node, 'Sid')
  if (v === undefined) return undefined
  if (v.kind !== 'string') {
    c.syntax(`${path}/Sid`, v)
    return undefined
  }
  if (c.identity && !SID.test(v.value)) c.add(R.sid, MSG.sidNotAlphanumeric, `${path}/Sid`, v)
  return v.value
}

function checkEffect(s: Scope): 'Allow' | 'Deny' {
  const { c, node } = s
  const where = `${s.path}/Effect`
  const v = member(node, 'Effect')
  if (v?.kind === 'string' && (v.value === 'Allow' || v.value === 'Deny')) return v.value
  s.reject()
  if (v === undefined) c.add(R.syntax, c.trust ? TRUST_MSG.missingEffect : MSG.syntax, where, node)
  else if (v.kind !== 'string') c.syntax(where, v)
  else if (c.trust) c.add(R.syntax, TRUST_MSG.invalidEffect(v.value), where, v)
  else {
    // IAM's grammar check takes any case; its legacy parser then wants Allow/Deny exactly.
    const l = v.value.toLowerCase()
    const legacy = l === 'allow' || l === 'deny'
    c.add(legacy ? R.legacy : R.syntax, legacy ? MSG.legacyParsing : MSG.syntax, where, v)
  }
  return 'Deny'
}

interface Principals {
  readonly principal: PrincipalBlock | undefined
  readonly notPrincipal: PrincipalBlock | undefined
}

function checkPrincipals(s: Scope, effect: 'Allow' | 'Deny'): Principals {
  const { c, node, path } = s
  const pv = member(node, 'Principal')
  const npv = member(node, 'NotPrincipal')
  if (c.identity) {
    if (pv !== undefined || npv !== undefined) {
      const where = `${path}/${pv !== undefined ? 'Principal' : 'NotPrincipal'}`
      c.add(R.principalProhibited, MSG.principalNotAllowed, where, pv ?? npv)
    }
    return { principal: undefined, notPrincipal: undefined }
  }
  if (pv !== undefined && npv !== undefined) c.syntax(`${path}/NotPrincipal`, npv)
  let notPrincipal: PrincipalBlock | undefined
  if (npv !== undefined && c.trust) {
    const message = effect === 'Allow' ? TRUST_MSG.allowNotPrincipal : TRUST_MSG.notPrincipal
    c.add(R.syntax, message, `${path}/NotPrincipal`, npv)
    s.reject()
  } else if (npv !== undefined) {
    notPrincipal = s.keep(checkPrincipal(c, npv, `${path}/NotPrincipal`))
  }
  const principal =
    pv === undefined ? undefined : s.keep(checkPrincipal(c, pv, `${path}/Principal`))
  if (pv === undefined && npv === undefined) {
    c.add(c.trust ? R.syntax : R.resources, MSG.missingPrincipal, `${path}/Principal`, node)
    s.reject()
  }
  return { principal, notPrincipal }
}

/** Action/NotAction or Resource/NotResource: at most one of the two, each a string list. */
interface Pair {
  readonly positive: string[] | undefined
  readonly negative: string[] | undefined
  /** The element given (the positive one when both are). */
  readonly at: JsonValue | undefined
  /** The list the statement uses, and the path of its element. */
  readonly list: string[] | undefined
  readonly where: string
}

function readPair(s: Scope, name: 'Action' | 'Resource'): Pair {
  const { c, node, path } = s
  const v = member(node, name)
  const nv = member(node, `Not${name}`)
  if (v !== undefined && nv !== undefined) {
    c.syntax(`${path}/Not${name}`, nv)
    s.reject()
  }
  const positive = v === undefined ? undefined : s.keep(c.strings(v, `${path}/${name}`))
  const negative = nv === undefined ? undefined : s.keep(c.strings(nv, `${path}/Not${name}`))
  const where = `${path}/${positive !== undefined ? name : `Not${name}`}`
  return { positive, negative, at: v ?? nv, list: positive ?? negative, where }
}

/** Each item of the pair's list that `issue` finds fault with: an issue, and rejection. */
function checkItems(
  s: Scope,
  pair: Pair,
  issue: (item: string) => { rank: number; message: string } | undefined,
): void {
  for (const item of pair.list ?? []) {
    const found = issue(item)
    if (found === undefined) continue
    s.c.add(found.rank, found.message, pair.where, pair.at)
    s.reject()
  }
}

function checkActions(s: Scope): Pair {
  const { c, node, path } = s
  const pair = readPair(s, 'Action')
  if (pair.at === undefined || pair.list?.length === 0) {
    const message = c.trust ? TRUST_MSG.missingAction : MSG.missingActions
    c.add(c.trust ? R.syntax : R.actions, message, `${path}/Action`, pair.at ?? node)
    s.reject()
  }
  if (!c.trust) {
    checkItems(s, pair, (a) => {
      const message = actionIssue(a)
      return message === undefined ? undefined : { rank: R.vendor, message }
    })
  } else if (!(pair.list ?? []).every(trustActionOk)) {
    c.add(R.syntax, TRUST_MSG.nonStsAction, pair.where, pair.at)
    s.reject()
  }
  return pair
}

/** A trust policy names no resource: the role is the resource. */
function checkNoResources(s: Scope): void {
  const { c, node, path } = s
  const rv = member(node, 'Resource')
  const nrv = member(node, 'NotResource')
  if (rv !== undefined) c.add(R.syntax, TRUST_MSG.resource, `${path}/Resource`, rv)
  else if (nrv !== undefined) c.add(R.syntax, TRUST_MSG.notResource, `${path}/NotResource`, nrv)
  if (rv !== undefined || nrv !== undefined) s.reject()
}

function checkResources(s: Scope): Pair | undefined {
  if (s.c.trust) {
    checkNoResources(s)
    return undefined
  }
  const pair = readPair(s, 'Resource')
  if (pair.list === undefined || pair.list.length === 0) {
    if (pair.at === undefined || pair.at.kind === 'array')
      s.c.add(R.resources, MSG.missingResources, `${s.path}/Resource`, pair.at ?? s.node)
    s.reject()
  }
  checkItems(s, pair, resourceIssue)
  return pair
}

/** The statement at `path`, or undefined (and its issues on `c`) when IAM would reject it. */
export function checkStatement(
  c: Checker,
  node: JsonObject,
  path: string,
  index: number,
  lines: LineIndex,
): ParsedStatement | undefined {
  const s = new Scope(c, node, path)
  for (const m of node.members) if (!ELEMENTS.has(m.key)) c.syntax(`${path}/${m.key}`, m.keyStart)
  const sid = checkSid(s)
  const effect = checkEffect(s)
  const { principal, notPrincipal } = checkPrincipals(s, effect)
  const conditions = s.keep(
    checkConditions(c, member(node, 'Condition'), `${path}/Condition`, lines),
  )
  const actions = checkActions(s)
  const resources = checkResources(s)
  if (!s.ok) return undefined
  return {
    index,
    effect,
    conditions: conditions ?? [],
    start: lines.position(node.start),
    end: lines.position(node.end),
    ...(sid === undefined ? {} : { sid }),
    ...(principal === undefined ? {} : { principal }),
    ...(notPrincipal === undefined ? {} : { notPrincipal }),
    ...(actions.positive === undefined ? {} : { action: actions.positive }),
    ...(actions.negative === undefined ? {} : { notAction: actions.negative }),
    ...(resources?.positive === undefined ? {} : { resource: resources.positive }),
    ...(resources?.negative === undefined ? {} : { notResource: resources.negative }),
  }
}
