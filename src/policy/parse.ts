/**
 * Parsing and validation of policy documents: the grammar of
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html and the
 * rules IAM enforces before it stores a policy, by kind:
 *
 * - identity (and permissions boundary, session) policies: no Principal/NotPrincipal
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html:
 *   "You cannot use the Principal element in an identity-based policy"), Resource or
 *   NotResource required, Sids alphanumeric;
 * - role trust policies: Principal required, no Resource/NotResource, no NotPrincipal
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html),
 *   only STS assume-role actions;
 * - resource policies: Principal (or NotPrincipal) required.
 *
 * Each problem becomes a {@link PolicyIssue} with IAM's message (see messages.ts). IAM
 * reports one error; when a document has several, the first issue is the one IAM reports
 * (JSON, then grammar, then the checks in the order IAM makes them).
 */
import { Checker, member, R } from './checker.js'
import { PolicyValidationError } from './errors.js'
import { LineIndex, parseJson, JsonSyntaxError, type JsonObject, type JsonValue } from './json.js'
import { MSG, TRUST_MSG } from './messages.js'
import {
  actionIssue,
  checkConditions,
  checkPrincipal,
  resourceIssue,
  trustActionOk,
} from './rules.js'
import type {
  ParsedPolicy,
  ParsedStatement,
  PolicyIssue,
  PolicyKind,
  PolicyVersion,
  PrincipalBlock,
  ValidateOptions,
} from './types.js'

const TOP = new Set(['Version', 'Id', 'Statement'])
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

interface Analysis {
  readonly issues: readonly PolicyIssue[]
  readonly policy: ParsedPolicy | undefined
}

function analyse(text: string, kind: PolicyKind, options: ValidateOptions): Analysis {
  const c = new Checker(kind)
  const lines = new LineIndex(text)
  const finish = (policy: ParsedPolicy | undefined): Analysis => {
    const sorted = c.issues
      .map((x, i) => ({ x, i }))
      .sort((a, b) => a.x.rank - b.x.rank || a.i - b.i)
    const issues = sorted.map(({ x }): PolicyIssue =>
      x.offset === undefined
        ? { message: x.message, path: x.path }
        : { message: x.message, path: x.path, position: lines.position(x.offset) },
    )
    return { issues, policy: issues.length === 0 ? policy : undefined }
  }

  let root: JsonValue
  try {
    // IAM rejects a byte-order mark as invalid JSON too; JSON has none.
    root = parseJson(text)
  } catch (e) {
    const offset = e instanceof JsonSyntaxError ? e.offset : 0
    c.add(R.json, c.trust ? TRUST_MSG.invalidJson : MSG.syntax, '', offset)
    return finish(undefined)
  }
  if (root.kind !== 'object') {
    c.add(R.json, c.trust ? TRUST_MSG.invalidJson : MSG.syntax, '', root)
    return finish(undefined)
  }
  checkDuplicates(c, root, '')
  for (const m of root.members) if (!TOP.has(m.key)) c.syntax(`/${m.key}`, m.keyStart)

  let version: PolicyVersion | undefined
  const v = member(root, 'Version')
  if (v !== undefined) {
    if (v.kind === 'string' && (v.value === '2012-10-17' || v.value === '2008-10-17'))
      version = v.value
    else c.add(R.syntax, c.trust ? TRUST_MSG.version : MSG.syntax, '/Version', v)
  }
  if (options.managed === true && version !== '2012-10-17' && !c.trust)
    c.add(R.managedVersion, MSG.managedVersion, '/Version', v ?? root)
  let id: string | undefined
  const idv = member(root, 'Id')
  if (idv !== undefined) {
    if (idv.kind === 'string') id = idv.value
    else c.syntax('/Id', idv)
  }

  const sv = member(root, 'Statement')
  const items: { node: JsonValue; path: string }[] = []
  if (sv === undefined) c.syntax('/Statement', root)
  else if (sv.kind === 'object') items.push({ node: sv, path: '/Statement' })
  else if (sv.kind === 'array')
    sv.items.forEach((node, i) => items.push({ node, path: `/Statement/${i}` }))
  else c.syntax('/Statement', sv)
  if (sv?.kind === 'array' && sv.items.length === 0)
    c.add(R.syntax, c.trust ? TRUST_MSG.emptyStatement : MSG.syntax, '/Statement', sv)

  const statements: ParsedStatement[] = []
  const sids = new Map<string, number>()
  items.forEach(({ node, path }, index) => {
    if (node.kind !== 'object') {
      c.syntax(path, node)
      return
    }
    const st = checkStatement(c, node, path, index, lines)
    if (st === undefined) return
    statements.push(st)
    if (st.sid !== undefined && st.sid !== '') {
      if (sids.has(st.sid)) {
        c.add(
          R.sid,
          c.trust ? TRUST_MSG.duplicateSid : MSG.duplicateSid,
          `${path}/Sid`,
          member(node, 'Sid'),
        )
      }
      sids.set(st.sid, index)
    }
  })
  const policy: ParsedPolicy = {
    kind,
    statements,
    ...(version === undefined ? {} : { version }),
    ...(id === undefined ? {} : { id }),
  }
  return finish(policy)
}

/** Duplicate keys anywhere: JSON.parse would keep the last silently; IAM must not guess. */
function checkDuplicates(c: Checker, v: JsonValue, path: string): void {
  if (v.kind === 'object') {
    if (v.duplicate !== undefined) c.syntax(`${path}/${v.duplicate.key}`, v.duplicate.keyStart)
    for (const m of v.members) checkDuplicates(c, m.value, `${path}/${m.key}`)
  } else if (v.kind === 'array') {
    v.items.forEach((x, i) => {
      checkDuplicates(c, x, `${path}/${i}`)
    })
  }
}

function checkStatement(
  c: Checker,
  node: JsonObject,
  path: string,
  index: number,
  lines: LineIndex,
): ParsedStatement | undefined {
  const status = { ok: true }
  const bad = (): void => {
    status.ok = false
  }
  for (const m of node.members) if (!ELEMENTS.has(m.key)) c.syntax(`${path}/${m.key}`, m.keyStart)

  let sid: string | undefined
  const sidv = member(node, 'Sid')
  if (sidv !== undefined) {
    if (sidv.kind !== 'string') c.syntax(`${path}/Sid`, sidv)
    else {
      sid = sidv.value
      if (c.identity && !SID.test(sid)) c.add(R.sid, MSG.sidNotAlphanumeric, `${path}/Sid`, sidv)
    }
  }

  // Effect
  let effect: 'Allow' | 'Deny' = 'Deny'
  const ev = member(node, 'Effect')
  if (ev === undefined) {
    c.add(R.syntax, c.trust ? TRUST_MSG.missingEffect : MSG.syntax, `${path}/Effect`, node)
    bad()
  } else if (ev.kind !== 'string') {
    c.syntax(`${path}/Effect`, ev)
    bad()
  } else if (ev.value === 'Allow' || ev.value === 'Deny') {
    effect = ev.value
  } else if (c.trust) {
    c.add(R.syntax, TRUST_MSG.invalidEffect(ev.value), `${path}/Effect`, ev)
    bad()
  } else {
    // IAM's grammar check takes any case; its legacy parser then wants Allow/Deny exactly.
    const l = ev.value.toLowerCase()
    c.add(
      l === 'allow' || l === 'deny' ? R.legacy : R.syntax,
      l === 'allow' || l === 'deny' ? MSG.legacyParsing : MSG.syntax,
      `${path}/Effect`,
      ev,
    )
    bad()
  }

  // Principal / NotPrincipal
  const pv = member(node, 'Principal')
  const npv = member(node, 'NotPrincipal')
  let principal: PrincipalBlock | undefined
  let notPrincipal: PrincipalBlock | undefined
  if (c.identity) {
    if (pv !== undefined || npv !== undefined)
      c.add(
        R.principalProhibited,
        MSG.principalNotAllowed,
        `${path}/${pv !== undefined ? 'Principal' : 'NotPrincipal'}`,
        pv ?? npv,
      )
  } else {
    if (pv !== undefined && npv !== undefined) c.syntax(`${path}/NotPrincipal`, npv)
    if (npv !== undefined && c.trust) {
      c.add(
        R.syntax,
        effect === 'Allow' ? TRUST_MSG.allowNotPrincipal : TRUST_MSG.notPrincipal,
        `${path}/NotPrincipal`,
        npv,
      )
      bad()
    } else if (npv !== undefined) {
      notPrincipal = checkPrincipal(c, npv, `${path}/NotPrincipal`)
      if (notPrincipal === undefined) bad()
    }
    if (pv !== undefined) {
      principal = checkPrincipal(c, pv, `${path}/Principal`)
      if (principal === undefined) bad()
    }
    if (pv === undefined && npv === undefined) {
      c.add(c.trust ? R.syntax : R.resources, MSG.missingPrincipal, `${path}/Principal`, node)
      bad()
    }
  }

  // Condition (before Action: the trust checks run in this order)
  const conditions = checkConditions(c, member(node, 'Condition'), `${path}/Condition`, lines)
  if (conditions === undefined) bad()

  // Action / NotAction
  const av = member(node, 'Action')
  const nav = member(node, 'NotAction')
  let action: string[] | undefined
  let notAction: string[] | undefined
  if (av !== undefined && nav !== undefined) {
    c.syntax(`${path}/NotAction`, nav)
    bad()
  }
  if (av !== undefined) {
    action = c.strings(av, `${path}/Action`)
    if (action === undefined) bad()
  }
  if (nav !== undefined) {
    notAction = c.strings(nav, `${path}/NotAction`)
    if (notAction === undefined) bad()
  }
  const actions = action ?? notAction
  if ((av === undefined && nav === undefined) || actions?.length === 0) {
    c.add(
      c.trust ? R.syntax : R.actions,
      c.trust ? TRUST_MSG.missingAction : MSG.missingActions,
      `${path}/Action`,
      av ?? nav ?? node,
    )
    bad()
  }
  for (const a of actions ?? []) {
    const at = av ?? nav
    const where = `${path}/${action !== undefined ? 'Action' : 'NotAction'}`
    if (c.trust) {
      if (!trustActionOk(a)) {
        c.add(R.syntax, TRUST_MSG.nonStsAction, where, at)
        bad()
        break
      }
      continue
    }
    const message = actionIssue(a)
    if (message !== undefined) {
      c.add(R.vendor, message, where, at)
      bad()
    }
  }

  // Resource / NotResource
  const rv = member(node, 'Resource')
  const nrv = member(node, 'NotResource')
  let resource: string[] | undefined
  let notResource: string[] | undefined
  if (c.trust) {
    if (rv !== undefined) c.add(R.syntax, TRUST_MSG.resource, `${path}/Resource`, rv)
    else if (nrv !== undefined) c.add(R.syntax, TRUST_MSG.notResource, `${path}/NotResource`, nrv)
    if (rv !== undefined || nrv !== undefined) bad()
  } else {
    if (rv !== undefined && nrv !== undefined) {
      c.syntax(`${path}/NotResource`, nrv)
      bad()
    }
    if (rv !== undefined) {
      resource = c.strings(rv, `${path}/Resource`)
      if (resource === undefined) bad()
    }
    if (nrv !== undefined) {
      notResource = c.strings(nrv, `${path}/NotResource`)
      if (notResource === undefined) bad()
    }
    const resources = resource ?? notResource
    if (resources === undefined || resources.length === 0) {
      if (rv === undefined && nrv === undefined) {
        c.add(R.resources, MSG.missingResources, `${path}/Resource`, node)
      } else if ((rv ?? nrv)?.kind === 'array') {
        c.add(R.resources, MSG.missingResources, `${path}/Resource`, rv ?? nrv)
      }
      bad()
    }
    for (const r of resources ?? []) {
      const issue = resourceIssue(r)
      if (issue !== undefined) {
        c.add(
          issue.rank,
          issue.message,
          `${path}/${resource !== undefined ? 'Resource' : 'NotResource'}`,
          rv ?? nrv,
        )
        bad()
      }
    }
  }

  if (!status.ok) return undefined
  return {
    index,
    effect,
    conditions: conditions ?? [],
    start: lines.position(node.start),
    end: lines.position(node.end),
    ...(sid === undefined ? {} : { sid }),
    ...(principal === undefined ? {} : { principal }),
    ...(notPrincipal === undefined ? {} : { notPrincipal }),
    ...(action === undefined ? {} : { action }),
    ...(notAction === undefined ? {} : { notAction }),
    ...(resource === undefined ? {} : { resource }),
    ...(notResource === undefined ? {} : { notResource }),
  }
}

/**
 * Validates a policy document for its kind. Returns every issue, IAM's reported one first
 * (each with IAM's MalformedPolicyDocument message, a JSON-pointer-like path and, where
 * known, a 1-based line and column); empty when IAM would accept the document.
 */
export function validatePolicy(
  text: string,
  kind: PolicyKind,
  options: ValidateOptions = {},
): readonly PolicyIssue[] {
  return analyse(text, kind, options).issues
}

/**
 * Parses and validates a policy document; throws {@link PolicyValidationError} (code
 * `MalformedPolicyDocument`, IAM's message) when IAM would reject it. The result keeps each
 * statement's position in the text.
 */
export function parsePolicy(
  text: string,
  kind: PolicyKind,
  options: ValidateOptions = {},
): ParsedPolicy {
  const a = analyse(text, kind, options)
  if (a.policy === undefined) throw new PolicyValidationError(a.issues)
  return a.policy
}
