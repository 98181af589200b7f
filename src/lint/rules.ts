/**
 * The lint rules: pure functions over a policy document parsed by `src/policy` (which keeps
 * the line and column of every statement and condition key; the JSON tree it parses with
 * gives the position of each action). Each rule has a stable id, a default severity, what
 * goes wrong at run time and the fix. docs/lint.md lists them.
 */
import { policySize, QUOTAS } from '../iam/index.js'
import {
  JsonSyntaxError,
  LineIndex,
  matchWildcard,
  parseJson,
  parsePolicy,
  PolicyValidationError,
  type JsonValue,
  type ParsedCondition,
  type ParsedPolicy,
  type ParsedStatement,
  type PolicyIssue,
  type Position,
} from '../policy/index.js'
import type { IamCatalog } from './catalog.js'

export type Severity = 'error' | 'warning' | 'note'

/** Severities from the most to the least severe. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note']

/** True when `s` is at or above `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold)
}

export interface RuleInfo {
  readonly id: string
  readonly severity: Severity
  /** One line: what the rule finds. */
  readonly summary: string
}

/** Every rule, by id. The ids are stable: CI configurations and SARIF baselines name them. */
export const RULES = {
  invalidPolicy: {
    id: 'invalid-policy',
    severity: 'error',
    summary: 'IAM rejects the document (MalformedPolicyDocument)',
  },
  trustNoSub: {
    id: 'trust-no-sub',
    severity: 'error',
    summary: 'a web-identity trust statement has no condition on the issuer’s :sub (or :aud only)',
  },
  stringEqualsWildcard: {
    id: 'string-equals-wildcard',
    severity: 'error',
    summary: '`*` or `?` under StringEquals, where they are literal characters',
  },
  subWiderThanNamespace: {
    id: 'sub-wider-than-namespace',
    severity: 'error',
    summary: 'a :sub pattern that matches ServiceAccounts of more than one namespace',
  },
  subSetOperator: {
    id: 'sub-set-operator',
    severity: 'warning',
    summary: 'ForAnyValue/ForAllValues on the single-valued :sub',
  },
  conditionKeyProvider: {
    id: 'condition-key-provider-mismatch',
    severity: 'error',
    summary: 'an issuer condition key whose prefix is not the Federated provider',
  },
  audNotSts: {
    id: 'aud-not-sts',
    severity: 'warning',
    summary: 'a :aud condition that does not allow sts.amazonaws.com',
  },
  federatedProviderMissing: {
    id: 'federated-provider-missing',
    severity: 'error',
    summary: 'a Federated principal naming an OIDC provider the account does not have (live roles)',
  },
  trustNotPrincipal: {
    id: 'trust-not-principal',
    severity: 'error',
    summary: 'NotPrincipal in a trust policy',
  },
  trustPolicySize: {
    id: 'trust-policy-size',
    severity: 'warning',
    summary: 'a trust policy within 10% of the role trust policy size quota (or over it)',
  },
  podIdentityNoCondition: {
    id: 'pod-identity-no-condition',
    severity: 'warning',
    summary: 'pods.eks.amazonaws.com trusted with no condition',
  },
  actionResourceMismatch: {
    id: 'action-resource-mismatch',
    severity: 'error',
    summary: 'an action allowed only on resources it cannot apply to',
  },
  unknownAction: {
    id: 'unknown-action',
    severity: 'error',
    summary: 'an action (or service prefix) that AWS does not have',
  },
  wildcardActionAllResources: {
    id: 'wildcard-action-all-resources',
    severity: 'warning',
    summary: 'a wildcard action allowed on Resource "*"',
  },
} as const satisfies Record<string, RuleInfo>

export const RULE_LIST: readonly RuleInfo[] = Object.values(RULES)

/** Where a document comes from: a file, or a live role's policy. */
export interface LintSource {
  /** The file, as given (SARIF artifactLocation.uri). */
  readonly uri?: string
  /** A live role: its name or ARN, and which of its policies. */
  readonly role?: string
  readonly policy?: string
}

export interface FindingLocation extends LintSource {
  readonly line: number
  readonly column: number
  /** The statement's 0-based index and Sid, when the finding is in one. */
  readonly statement?: number
  readonly sid?: string
}

export interface Finding {
  readonly ruleId: string
  readonly severity: Severity
  /** What goes wrong at run time. */
  readonly message: string
  /** What to change. */
  readonly fix: string
  readonly location: FindingLocation
}

export type DocumentKind = 'trust' | 'permissions'

/** What the rules know beyond the document: for live roles, the account's OIDC providers. */
export interface LintContext {
  /** The ARNs of the OIDC providers in the role's account; unknown (not checked) when absent. */
  readonly providers?: readonly string[]
}

/** A document read and parsed once; the rules run over it. */
export interface PreparedPolicy {
  readonly text: string
  readonly kind: DocumentKind
  readonly source: LintSource
  readonly lines: LineIndex
  readonly root: JsonValue | undefined
  /** The policy when IAM accepts it. */
  readonly parsed: ParsedPolicy | undefined
  /** IAM's validation issues, its reported one first. */
  readonly issues: readonly PolicyIssue[]
}

function member(o: JsonValue | undefined, key: string): JsonValue | undefined {
  if (o?.kind !== 'object') return undefined
  return o.members.find((m) => m.key === key)?.value
}

function statementNodes(root: JsonValue | undefined): JsonValue[] {
  const s = member(root, 'Statement')
  if (s === undefined) return []
  return s.kind === 'array' ? [...s.items] : [s]
}

/** Trust when a statement names a principal; permissions otherwise. */
function detectKind(root: JsonValue | undefined): DocumentKind {
  for (const st of statementNodes(root)) {
    if (member(st, 'Principal') !== undefined || member(st, 'NotPrincipal') !== undefined)
      return 'trust'
  }
  return 'permissions'
}

/** Parses `text` once for the rules; `kind` defaults to trust when a statement has a principal. */
export function preparePolicy(
  text: string,
  source: LintSource,
  kind?: DocumentKind,
): PreparedPolicy {
  const lines = new LineIndex(text)
  let root: JsonValue | undefined
  try {
    root = parseJson(text)
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e
  }
  const k = kind ?? detectKind(root)
  let parsed: ParsedPolicy | undefined
  let issues: readonly PolicyIssue[] = []
  try {
    parsed = parsePolicy(text, k === 'trust' ? 'trust' : 'identity')
  } catch (e) {
    if (!(e instanceof PolicyValidationError)) throw e
    issues = e.issues
  }
  return { text, kind: k, source, lines, root, parsed, issues }
}

/** The service prefixes a document's actions name (what the catalog must cover). */
export function servicePrefixes(p: PreparedPolicy): Set<string> {
  const out = new Set<string>()
  for (const st of p.parsed?.statements ?? []) {
    for (const a of [...(st.action ?? []), ...(st.notAction ?? [])]) {
      const i = a.indexOf(':')
      if (i > 0) out.add(a.slice(0, i).toLowerCase())
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------

const FEDERATED_OIDC = /^arn:[^:]+:iam::\d{12}:oidc-provider\/(.+)$/
const SET_PREFIX = /^(ForAnyValue|ForAllValues):/i
const POSITIVE = new Set(['stringequals', 'stringlike', 'stringequalsignorecase'])
const EQUALS = new Set([
  'stringequals',
  'stringequalsignorecase',
  'stringnotequals',
  'stringnotequalsignorecase',
])

/** `ForAnyValue:StringLikeIfExists` → `stringlike`. */
function baseOperator(op: string): string {
  return op
    .replace(SET_PREFIX, '')
    .replace(/IfExists$/i, '')
    .toLowerCase()
}

/** `oidc.eks.x.amazonaws.com/id/ABC:sub` → prefix and claim, when the prefix looks like an issuer. */
function issuerKey(key: string): { prefix: string; claim: string } | undefined {
  const i = key.lastIndexOf(':')
  if (i <= 0) return undefined
  const prefix = key.slice(0, i)
  // An issuer URL (perhaps written with its scheme) has a host with a dot or a port;
  // `aws:ResourceTag/a:b` is a tag key.
  const host = prefix.replace(/^[a-z]+:\/\//i, '')
  if (!/^[^:]*[./]/.test(host) && !/^[^:/]+:\d+\//.test(host)) return undefined
  return { prefix, claim: key.slice(i + 1).toLowerCase() }
}

/** The OIDC providers (URL without scheme) a statement's Federated principal names. */
function oidcProviders(st: ParsedStatement): string[] {
  const p = st.principal
  if (p === undefined || p === '*') return []
  const out: string[] = []
  for (const f of p.Federated ?? []) {
    const m = FEDERATED_OIDC.exec(f)
    if (m?.[1] !== undefined) out.push(m[1])
  }
  return out
}

class Collector {
  readonly findings: Finding[] = []
  readonly p: PreparedPolicy

  constructor(p: PreparedPolicy) {
    this.p = p
  }

  add(
    rule: RuleInfo,
    at: Position,
    st: ParsedStatement | undefined,
    message: string,
    fix: string,
    severity: Severity = rule.severity,
  ): void {
    const location: FindingLocation = {
      ...this.p.source,
      line: at.line,
      column: at.column,
      ...(st === undefined ? {} : { statement: st.index }),
      ...(st?.sid === undefined || st.sid === '' ? {} : { sid: st.sid }),
    }
    this.findings.push({ ruleId: rule.id, severity, message, fix, location })
  }

  /** The position of Federated principal `i` of statement `st`. */
  federatedPosition(st: ParsedStatement, i: number): Position {
    const node = statementNodes(this.p.root)[st.index]
    const v = member(member(node, 'Principal'), 'Federated')
    const item = v?.kind === 'array' ? v.items[i] : i === 0 ? v : undefined
    return item === undefined ? st.start : this.p.lines.position(item.start)
  }

  /** The position of item `i` of element `el` of statement `st` (the statement's when unknown). */
  itemPosition(st: ParsedStatement, el: string, i: number): Position {
    const node = statementNodes(this.p.root)[st.index]
    const v = member(node, el)
    const item = v?.kind === 'array' ? v.items[i] : i === 0 ? v : undefined
    return item === undefined ? st.start : this.p.lines.position(item.start)
  }
}

function issueFindings(c: Collector): void {
  const { issues, kind } = c.p
  const first = issues[0]
  if (first === undefined) return
  const at = (i: PolicyIssue): Position => i.position ?? { line: 1, column: 1 }
  const np = issues.filter((i) => kind === 'trust' && i.path.endsWith('/NotPrincipal'))
  for (const i of np) {
    c.add(
      RULES.trustNotPrincipal,
      at(i),
      undefined,
      `IAM rejects a trust policy with NotPrincipal (${i.message}): CreateRole and ` +
        'UpdateAssumeRolePolicy fail with MalformedPolicyDocument, and as a Deny it would match ' +
        'every principal but the ones named, including the web identity.',
      'Name the principals that may assume the role in Principal (for IRSA the Federated OIDC ' +
        'provider) and narrow them with conditions; never NotPrincipal.',
    )
  }
  if (np.length > 0 && np.includes(first)) return
  c.add(
    RULES.invalidPolicy,
    at(first),
    undefined,
    `IAM rejects this ${kind === 'trust' ? 'trust' : 'permissions'} policy with ` +
      `MalformedPolicyDocument: ${first.message} (at ${first.path === '' ? 'the document' : first.path}).`,
    'Fix the element named; `irsa policy validate` checks a document as IAM does.',
  )
}

function conditionsByKey(st: ParsedStatement, provider: string, claim: string): ParsedCondition[] {
  const want = `${provider}:${claim}`.toLowerCase()
  return st.conditions.filter((c) => c.key.toLowerCase() === want)
}

const NS_A = 'system:serviceaccount:irsa-lint-namespace-a:irsa-lint-sa'
const NS_B = 'system:serviceaccount:irsa-lint-namespace-b:irsa-lint-sa'

function trustRules(c: Collector, st: ParsedStatement): void {
  const providers = oidcProviders(st)
  if (st.effect !== 'Allow') return
  for (const provider of providers) {
    const subs = conditionsByKey(st, provider, 'sub').filter((x) =>
      POSITIVE.has(baseOperator(x.operator)),
    )
    if (subs.length === 0) {
      const auds = conditionsByKey(st, provider, 'aud')
      const audOnly = auds.length > 0
      c.add(
        RULES.trustNoSub,
        audOnly ? (auds[0]?.position ?? st.start) : st.start,
        st,
        (audOnly
          ? `The statement conditions only ${provider}:aud, which every token the issuer signs for STS carries`
          : `The statement has no condition on ${provider}:sub`) +
          ', so any ServiceAccount of the cluster (any subject the issuer signs for) can assume the role.',
        `Add "StringEquals": { "${provider}:sub": "system:serviceaccount:NAMESPACE:NAME" } ` +
          `(and keep "${provider}:aud": "sts.amazonaws.com").`,
      )
    }
    for (const sub of subs) {
      if (baseOperator(sub.operator) !== 'stringlike') continue
      for (const v of sub.values) {
        if (matchWildcard(v, NS_A, false) && matchWildcard(v, NS_B, false)) {
          c.add(
            RULES.subWiderThanNamespace,
            sub.position,
            st,
            `${sub.operator} "${v}" on ${sub.key} matches ServiceAccounts of every namespace, so ` +
              'anyone who can create a ServiceAccount (or a pod) in any namespace of the cluster can assume the role.',
            'Name the namespace (and the ServiceAccount): "system:serviceaccount:NAMESPACE:NAME" ' +
              'under StringEquals, or at most "system:serviceaccount:NAMESPACE:*" under StringLike.',
          )
          break
        }
      }
    }
    for (const aud of conditionsByKey(st, provider, 'aud')) {
      const op = baseOperator(aud.operator)
      if (!POSITIVE.has(op)) continue
      const ok = aud.values.some((v) =>
        op === 'stringlike'
          ? matchWildcard(v, 'sts.amazonaws.com', false)
          : op === 'stringequalsignorecase'
            ? v.toLowerCase() === 'sts.amazonaws.com'
            : v === 'sts.amazonaws.com',
      )
      if (!ok)
        c.add(
          RULES.audNotSts,
          aud.position,
          st,
          `${aud.key} allows ${aud.values.map((v) => `"${v}"`).join(', ')}, not "sts.amazonaws.com": ` +
            'tokens the EKS pod identity webhook projects carry the audience sts.amazonaws.com, so STS ' +
            'denies AssumeRoleWithWebIdentity (AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity).',
          `Use "${provider}:aud": "sts.amazonaws.com", or configure the webhook's token audience to the value here.`,
        )
    }
  }
  // Issuer keys on the wrong provider, set operators on :sub.
  for (const cond of st.conditions) {
    const k = issuerKey(cond.key)
    if (k === undefined) continue
    const set = SET_PREFIX.exec(cond.operator)
    if (k.claim === 'sub' && set !== null)
      c.add(
        RULES.subSetOperator,
        cond.position,
        st,
        `${cond.operator} treats ${cond.key} as a set, but the token's sub is one value: ` +
          (set[1]?.toLowerCase() === 'forallvalues'
            ? 'ForAllValues is also true when the key is absent or empty, so the condition can allow more than it names.'
            : 'it matches as the plain operator would, and reads as though sub could hold several values.'),
        `Use ${cond.operator.replace(SET_PREFIX, '')} without the set qualifier.`,
      )
    if (
      providers.length > 0 &&
      !providers.some((p) => p.toLowerCase() === k.prefix.toLowerCase())
    ) {
      const hint = providers.map((p) => `${p}:${k.claim}`).join(' or ')
      c.add(
        RULES.conditionKeyProvider,
        cond.position,
        st,
        `${cond.key} does not name the statement's Federated provider (${providers.join(', ')}): ` +
          'STS sets only the provider’s own keys, so this key is absent in every request and the ' +
          `condition ${POSITIVE.has(baseOperator(cond.operator)) ? 'never matches (AccessDenied)' : 'does not test the token'}.`,
        `Write the key as ${hint} (the provider URL without https:// and without a trailing slash).`,
      )
    }
  }
}

function providerRule(c: Collector, st: ParsedStatement, known: readonly string[]): void {
  if (st.principal === undefined || st.principal === '*') return
  const have = new Set(known.map((k) => k.toLowerCase()))
  ;(st.principal.Federated ?? []).forEach((f, i) => {
    const m = FEDERATED_OIDC.exec(f)
    if (m === null || have.has(f.toLowerCase())) return
    c.add(
      RULES.federatedProviderMissing,
      c.federatedPosition(st, i),
      st,
      `${f} is not an OIDC provider of the account: STS answers AssumeRoleWithWebIdentity with ` +
        `InvalidIdentityToken (No OpenIDConnect provider found in your account for https://${m[1] ?? ''}).`,
      `Create it (aws iam create-open-id-connect-provider --url https://${m[1] ?? ''} ` +
        '--client-id-list sts.amazonaws.com, or eksctl utils associate-iam-oidc-provider), or fix the ARN ' +
        '(account ID, region, cluster ID).',
    )
  })
}

function podIdentityRule(c: Collector, st: ParsedStatement): void {
  if (st.effect !== 'Allow' || st.principal === undefined || st.principal === '*') return
  const svc = st.principal.Service ?? []
  if (!svc.some((s) => s.toLowerCase() === 'pods.eks.amazonaws.com')) return
  if (st.conditions.length > 0) return
  c.add(
    RULES.podIdentityNoCondition,
    st.start,
    st,
    'The statement trusts pods.eks.amazonaws.com with no condition, so every EKS Pod Identity ' +
      'association in the account, for any cluster, namespace and ServiceAccount, can hand this role to a pod.',
    'Add conditions on aws:SourceAccount and aws:SourceArn (the cluster ARN), and on the ' +
      'kubernetes-namespace / kubernetes-service-account session tags (aws:RequestTag/…) when the role is for one workload.',
  )
}

function sizeRule(c: Collector): void {
  const quota = QUOTAS.ACLSizePerRole
  // The size never exceeds the length: most documents need no count.
  if (c.p.text.length < quota * 0.9) return
  const size = policySize(c.p.text)
  if (size < quota * 0.9) return
  const over = size > quota
  c.add(
    RULES.trustPolicySize,
    { line: 1, column: 1 },
    undefined,
    over
      ? `The trust policy is ${size} characters (whitespace not counted), over the ${quota}-character ` +
          'role trust policy quota: CreateRole and UpdateAssumeRolePolicy fail with LimitExceeded.'
      : `The trust policy is ${size} characters (whitespace not counted), within 10% of the ` +
          `${quota}-character role trust policy quota: the next ServiceAccount added fails with LimitExceeded.`,
    'Merge statements (one :sub condition can list several ServiceAccounts), use StringLike for one ' +
      'namespace, split the workloads across roles, or raise the quota (Service Quotas, up to 8,192).',
    over ? 'error' : 'warning',
  )
}

const HAS_WILDCARD = /[*?]/

function permissionRules(c: Collector, st: ParsedStatement, catalog: IamCatalog): void {
  for (const el of ['Action', 'NotAction'] as const) {
    const list = el === 'Action' ? st.action : st.notAction
    list?.forEach((a, i) => {
      if (a === '*') return
      const colon = a.indexOf(':')
      if (colon <= 0) return
      const prefix = a.slice(0, colon)
      const name = a.slice(colon + 1)
      if (!catalog.covers(prefix)) return
      const svc = catalog.service(prefix)
      let known: boolean
      if (svc === undefined) known = false
      else if (HAS_WILDCARD.test(name)) {
        known = [...svc.actions.values()].some((x) => matchWildcard(name, x.name, true))
      } else known = svc.actions.has(name.toLowerCase())
      if (known) return
      c.add(
        RULES.unknownAction,
        c.itemPosition(st, el, i),
        st,
        svc === undefined
          ? `"${a}": AWS has no service with the prefix "${prefix}", so the entry matches no request ` +
              `(${st.effect === 'Allow' ? 'the permission it meant to grant is denied' : 'the Deny denies nothing'}).`
          : `"${a}": ${prefix} has no action ${HAS_WILDCARD.test(name) ? 'matching ' : ''}"${name}", so the entry matches no request ` +
              `(${st.effect === 'Allow' ? 'the calls it meant to allow are denied' : 'the Deny denies nothing'}).`,
        'Spell the action as the Service Authorization Reference does (prefix:ActionName).',
      )
    })
  }
  if (st.effect !== 'Allow' || st.action === undefined || st.resource === undefined) return
  const resources = st.resource
  const allResources = resources.includes('*')
  st.action.forEach((a, i) => {
    if (HAS_WILDCARD.test(a)) {
      if (allResources)
        c.add(
          RULES.wildcardActionAllResources,
          c.itemPosition(st, 'Action', i),
          st,
          `"${a}" on Resource "*" allows every matching action on every resource of the account, ` +
            'including actions AWS adds later: a pod with this role can do far more than it needs.',
          'List the actions the workload calls and the ARNs it calls them on.',
        )
      return
    }
    const colon = a.indexOf(':')
    const svc = colon > 0 ? catalog.service(a.slice(0, colon)) : undefined
    const action = svc?.actions.get(a.slice(colon + 1).toLowerCase())
    if (action === undefined || allResources) return
    const applies = resources.some(
      (r) =>
        (HAS_WILDCARD.test(r) && action.resourcePatterns.length > 0) ||
        action.resourcePatterns.some((p) => p.test(r)),
    )
    if (applies) return
    const named = resources.map((r) => `"${r}"`).join(', ')
    const bucketOnly =
      action.resourceArns.some((t) => t.includes('${BucketName}/${ObjectName}')) &&
      resources.find((r) => /^arn:[^:]+:s3:::[^/]+$/.test(r))
    c.add(
      RULES.actionResourceMismatch,
      c.itemPosition(st, 'Action', i),
      st,
      action.resourceArns.length === 0
        ? `${action.name} takes no resource ARN (only Resource "*"), so ${named} never matches its ` +
            `requests: calls to ${a} are denied (AccessDenied).`
        : `${a} applies to ${action.resourceArns.join(' or ')}; ${named} is none of them, so the ` +
            `statement never allows it: calls to ${a} are denied (AccessDenied).`,
      typeof bucketOnly === 'string'
        ? `Name the objects: "${bucketOnly}/*" (keep "${bucketOnly}" for bucket actions such as s3:ListBucket).`
        : action.resourceArns.length === 0
          ? `Allow ${a} in a statement with Resource "*".`
          : `Name resources of the form ${action.resourceArns.join(' or ')}.`,
    )
  })
}

/**
 * Runs every rule over one prepared document. `catalog` must cover the services
 * {@link servicePrefixes} names; uncovered prefixes are not checked.
 */
export function lintPrepared(
  p: PreparedPolicy,
  catalog: IamCatalog,
  context: LintContext = {},
): Finding[] {
  const c = new Collector(p)
  issueFindings(c)
  if (p.kind === 'trust' && p.issues.length === 0 && p.root !== undefined) sizeRule(c)
  const parsed = p.parsed
  if (parsed === undefined) return c.findings
  for (const st of parsed.statements) {
    for (const cond of st.conditions) {
      if (!EQUALS.has(baseOperator(cond.operator))) continue
      const bad = cond.values.filter((v) => HAS_WILDCARD.test(v.replace(/\$\{[*?$]\}/g, '')))
      if (bad.length === 0) continue
      const like = cond.operator
        .replace(/StringEquals/i, 'StringLike')
        .replace(/StringNotEquals/i, 'StringNotLike')
      c.add(
        RULES.stringEqualsWildcard,
        cond.position,
        st,
        `${cond.operator} compares ${cond.key} with ${bad.map((v) => `"${v}"`).join(', ')} character ` +
          'for character: `*` and `?` are literal there, so no real value matches ' +
          (cond.operator.toLowerCase().includes('not')
            ? '(and the negation matches every value).'
            : '(AccessDenied).'),
        `Use ${like} for a pattern, or write the exact value.`,
      )
    }
    if (p.kind === 'trust') {
      trustRules(c, st)
      podIdentityRule(c, st)
      if (context.providers !== undefined) providerRule(c, st, context.providers)
    } else permissionRules(c, st, catalog)
  }
  c.findings.sort(
    (a, b) => a.location.line - b.location.line || a.location.column - b.location.column,
  )
  return c.findings
}
