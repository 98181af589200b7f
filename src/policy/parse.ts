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
import { LineIndex, parseJson, JsonSyntaxError, type JsonValue } from './json.js'
import { MSG, TRUST_MSG } from './messages.js'
import { checkStatement } from './statement.js'
import type {
  ParsedPolicy,
  ParsedStatement,
  PolicyIssue,
  PolicyKind,
  PolicyVersion,
  ValidateOptions,
} from './types.js'

const TOP = new Set(['Version', 'Id', 'Statement'])

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
