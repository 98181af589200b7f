import {
  explain,
  type CompiledPolicy,
  type Decision,
  type EvalRequest,
  type Explanation,
  type LayerTrace,
  type PolicySet,
  type RequestContext,
  type RequestPrincipal,
} from '../../policy/index.js'
import type { S3Acl, S3BucketState, S3Grant, S3ObjectState } from '../types.js'
import { policyTypeName } from './messages.js'
import { OWNER_ROOT_ALWAYS, type S3OperationAuth } from './operations.js'
import { isPublicPolicy } from './policy-rules.js'

/** Who asks, as the decision needs it. */
export type S3Requester =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'root'; readonly arn: string; readonly accountId: string }
  | {
      readonly kind: 'session'
      readonly arn: string
      readonly accountId: string
      readonly roleName: string
      /** The session's compiled identity, boundary and session layers; undefined when its role is gone. */
      readonly layers: PolicySet<CompiledPolicy> | undefined
    }

/** One question, with every fact loaded. */
export interface S3DecisionInput {
  readonly requester: S3Requester
  readonly auth: S3OperationAuth
  readonly resource: string
  /** The bucket the resource is in; undefined for ListBuckets and for a bucket that does not exist. */
  readonly bucket: S3BucketState | undefined
  readonly object: S3ObjectState | undefined
  /** The bucket policy, compiled; undefined when the bucket has none. */
  readonly bucketPolicy: CompiledPolicy | undefined
  readonly context: RequestContext
}

/** A policy type as AWS names it in AccessDenied messages. */
export type S3PolicyType = 'identity' | 'boundary' | 'session' | 'resource'

/** What was decided, and why. */
export interface S3Verdict {
  readonly decision: Decision
  /**
   * For a denial AWS explains (same-account requests): the policy type it names and
   * whether it was an explicit deny. Undefined: the client reads `Access Denied`.
   */
  readonly explained: { readonly type: S3PolicyType; readonly explicit: boolean } | undefined
  /** The rule that decided, in the operator's words. */
  readonly rule: string
  /** The caller's relation to the bucket owner. */
  readonly relation: 'owner-account' | 'cross-account' | 'anonymous'
  readonly identity: Explanation | undefined
  readonly bucketPolicy: Explanation | undefined
  /** The ACL grant that allowed, when one did. */
  readonly aclGrant: string | undefined
}

/** How a bucket-policy Allow names the requester. */
type GrantLevel = 'everyone' | 'session' | 'role' | 'account'

const LEVEL_ORDER: readonly GrantLevel[] = ['everyone', 'session', 'role', 'account']

function requestPrincipal(r: S3Requester): RequestPrincipal | undefined {
  return r.kind === 'anonymous' ? undefined : { type: 'AWS', id: r.arn, account: r.accountId }
}

function layer(why: Explanation | undefined, name: S3PolicyType): LayerTrace | undefined {
  return why?.layers.find((l) => l.layer === name)
}

/** The statements of a policy document by index, as JSON (for their Principal). */
function statementsOf(text: string | undefined): readonly unknown[] {
  if (text === undefined) return []
  try {
    const doc = JSON.parse(text) as { Statement?: unknown }
    return Array.isArray(doc.Statement) ? (doc.Statement as unknown[]) : [doc.Statement]
  } catch {
    return []
  }
}

const values = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v])

/** How one matched Allow statement's Principal names the requester. */
function grantLevel(statement: unknown, r: S3Requester): GrantLevel {
  if (typeof statement !== 'object' || statement === null) return 'account'
  const s = statement as Record<string, unknown>
  const p = s['Principal']
  if (p === undefined || p === '*') return 'everyone'
  if (typeof p !== 'object' || p === null) return 'account'
  const aws = values((p as Record<string, unknown>)['AWS'])
  if (aws.includes('*')) return 'everyone'
  if (r.kind === 'anonymous') return 'everyone'
  if (aws.includes(r.arn)) return 'session'
  if (r.kind === 'root') return 'session'
  const role = new RegExp(`^arn:aws:iam::${r.accountId}:role/(.*/)?${escape(r.roleName)}$`)
  return aws.some((v) => typeof v === 'string' && role.test(v)) ? 'role' : 'account'
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The strongest way the bucket policy's matched Allow statements name the requester. */
function bestGrant(
  why: Explanation | undefined,
  text: string | undefined,
  r: S3Requester,
): GrantLevel | undefined {
  const allows = layer(why, 'resource')?.statements.filter((s) => s.matched && s.effect === 'Allow')
  if (allows === undefined || allows.length === 0) return undefined
  const statements = statementsOf(text)
  const levels = new Set(allows.map((a) => grantLevel(statements[a.statement.index], r)))
  return LEVEL_ORDER.find((l) => levels.has(l))
}

function aclsApply(bucket: S3BucketState): boolean {
  return bucket.ownership !== 'BucketOwnerEnforced'
}

function grantMatches(g: S3Grant, r: S3Requester, ignorePublic: boolean): boolean {
  switch (g.grantee.kind) {
    case 'AllUsers':
      return !ignorePublic
    case 'AuthenticatedUsers':
      return !ignorePublic && r.kind !== 'anonymous'
    case 'Account':
      return r.kind !== 'anonymous' && g.grantee.accountId === r.accountId
    case 'LogDelivery':
      return false
  }
}

/** An ACL grant that allows the action: described, and whether it is to everyone (public). */
interface AclAllow {
  readonly text: string
  readonly public: boolean
}

/** The ACL grant that allows the action; undefined when none does or ACLs are off. */
function aclGrant(input: S3DecisionInput): AclAllow | undefined {
  const { bucket, auth, requester } = input
  if (bucket === undefined || auth.acl === undefined || !aclsApply(bucket)) return undefined
  const acl: S3Acl | undefined = auth.acl.on === 'bucket' ? bucket.acl : input.object?.acl
  if (acl === undefined) return undefined
  const need = auth.acl.permission
  const ignorePublic = bucket.publicAccessBlock?.ignorePublicAcls === true
  const ownsAcl = requester.kind !== 'anonymous' && acl.ownerAccountId === requester.accountId
  if (ownsAcl && (need === 'READ_ACP' || need === 'WRITE_ACP'))
    return { text: `the ${auth.acl.on} ACL's owner has ${need}`, public: false }
  const g = acl.grants.find(
    (x) =>
      (x.permission === need || x.permission === 'FULL_CONTROL') &&
      grantMatches(x, requester, ignorePublic),
  )
  if (g === undefined) return undefined
  const who = g.grantee.kind === 'Account' ? `account ${g.grantee.accountId}` : g.grantee.kind
  return {
    text: `the ${auth.acl.on} ACL grants ${g.permission} to ${who}`,
    public: g.grantee.kind !== 'Account',
  }
}

/** RestrictPublicBuckets: a public bucket policy grants only within the owner's account. */
function policyRestricted(bucket: S3BucketState | undefined): boolean {
  return (
    bucket?.publicAccessBlock?.restrictPublicBuckets === true &&
    bucket.policy !== undefined &&
    isPublicPolicy(bucket.policy)
  )
}

/** The first layer with a matching Deny, in the order AWS names them. */
function explicitDenyIn(
  identity: Explanation | undefined,
  resource: Explanation | undefined,
): S3PolicyType | undefined {
  for (const name of ['identity', 'boundary', 'session'] as const) {
    if (layer(identity, name)?.decision === 'explicitDeny') return name
  }
  return layer(resource, 'resource')?.decision === 'explicitDeny' ? 'resource' : undefined
}

const allows = (why: Explanation | undefined, name: S3PolicyType): boolean =>
  layer(why, name)?.decision === 'allowed'

/** Whether boundary and session layers (when present) allow: what limits a role-ARN grant. */
function limitsAllow(why: Explanation | undefined, set: PolicySet<CompiledPolicy>): boolean {
  return (
    (set.boundary === undefined || allows(why, 'boundary')) &&
    (set.session === undefined || allows(why, 'session'))
  )
}

/** Which layer lacked an Allow, for the message: identity first, then boundary, then session. */
function missingLayer(why: Explanation | undefined, set: PolicySet<CompiledPolicy>): S3PolicyType {
  if (!allows(why, 'identity')) return 'identity'
  if (set.boundary !== undefined && !allows(why, 'boundary')) return 'boundary'
  if (set.session !== undefined && !allows(why, 'session')) return 'session'
  return 'identity'
}

/**
 * Decides one S3 request as S3 does ("How Amazon S3 authorizes a request", S3 User Guide,
 * and the IAM User Guide's policy evaluation logic). Pure: every fact is in `input`.
 *
 * 1. An explicit Deny in any policy (identity, boundary, session, bucket policy) denies,
 *    except the bucket owner's root may always Get/Put/DeleteBucketPolicy.
 * 2. The bucket owner's root is allowed.
 * 3. Same account: allowed when the identity policies (cut down by the boundary and the
 *    session policies) allow, or when the bucket policy allows: a grant naming the
 *    session's ARN (or everyone) stands alone, one naming the role's ARN is still limited
 *    by the boundary and the session policies, one naming the account delegates to the
 *    identity policies. An ACL grant counts as a bucket-policy grant (ACLs apply unless
 *    Object Ownership is BucketOwnerEnforced).
 * 4. Another account (and a root of another account): the identity side must allow and the
 *    bucket's side (bucket policy or ACL) must allow too.
 * 5. Anonymous: only a bucket-policy grant to everyone or an ACL grant to AllUsers allows.
 *
 * Block Public Access: RestrictPublicBuckets drops a public bucket policy's grants to
 * anyone outside the owner's account; IgnorePublicAcls drops ACL grants to AllUsers and
 * AuthenticatedUsers. No bucket (ListBuckets, CreateBucket): the identity side alone.
 */
export function decideS3(input: S3DecisionInput): S3Verdict {
  const r = input.requester
  const request: EvalRequest = {
    action: input.auth.action,
    resource: input.resource,
    ...(r.kind === 'anonymous' ? {} : { principal: requestPrincipal(r) as RequestPrincipal }),
    context: input.context,
  }
  const policyWhy =
    input.bucketPolicy === undefined
      ? undefined
      : explain(request, { resource: input.bucketPolicy })
  const set = r.kind === 'session' ? r.layers : undefined
  const identityWhy = set === undefined ? undefined : explain(request, set)
  const owner = input.bucket?.ownerAccountId
  const relation: S3Verdict['relation'] =
    r.kind === 'anonymous'
      ? 'anonymous'
      : owner === undefined || owner === r.accountId
        ? 'owner-account'
        : 'cross-account'
  const base = { relation, identity: identityWhy, bucketPolicy: policyWhy }
  const verdict = (
    decision: Decision,
    rule: string,
    explained?: S3Verdict['explained'],
    grant?: string,
  ): S3Verdict => ({
    ...base,
    decision,
    rule,
    explained: relation === 'owner-account' && decision !== 'allowed' ? explained : undefined,
    aclGrant: grant,
  })

  if (r.kind === 'root' && relation === 'owner-account' && OWNER_ROOT_ALWAYS.has(input.auth.action))
    return verdict('allowed', 'the bucket owner’s root may always manage the bucket policy')
  const denied = explicitDenyIn(identityWhy, policyWhy)
  if (denied !== undefined)
    return verdict('explicitDeny', `explicit deny in ${policyTypeName(denied)}`, {
      type: denied,
      explicit: true,
    })
  if (r.kind === 'session' && set === undefined)
    return verdict('implicitDeny', 'the session’s role no longer exists', {
      type: 'identity',
      explicit: false,
    })

  const matchedGrant = bestGrant(policyWhy, input.bucket?.policy, r)
  const restricted =
    matchedGrant !== undefined && relation !== 'owner-account' && policyRestricted(input.bucket)
  const policyGrant = restricted ? undefined : matchedGrant
  const acl = aclGrant(input)
  const resourceAllow =
    acl?.text ?? (policyGrant === undefined ? undefined : 'the bucket policy allows')
  const noResource = restricted
    ? 'RestrictPublicBuckets: the public bucket policy grants nothing outside the owner account'
    : 'no bucket policy statement or ACL grant allows it'

  if (r.kind === 'anonymous') {
    if (input.bucket === undefined) return verdict('implicitDeny', 'anonymous: no bucket to grant')
    return resourceAllow !== undefined
      ? verdict('allowed', `anonymous: ${resourceAllow}`, undefined, acl?.text)
      : verdict('implicitDeny', `anonymous: ${noResource}`)
  }
  if (r.kind === 'root') {
    if (relation === 'owner-account') return verdict('allowed', 'the bucket owner’s root user')
    return resourceAllow !== undefined
      ? verdict('allowed', `cross-account root: ${resourceAllow}`, undefined, acl?.text)
      : verdict('implicitDeny', `cross-account: ${noResource}`)
  }
  return decideSession(input, r, set as PolicySet<CompiledPolicy>, {
    identityWhy,
    policyGrant,
    acl,
    resourceAllow,
    noResource,
    verdict,
  })
}

interface SessionFacts {
  readonly identityWhy: Explanation | undefined
  readonly policyGrant: GrantLevel | undefined
  readonly acl: AclAllow | undefined
  readonly resourceAllow: string | undefined
  readonly noResource: string
  readonly verdict: (
    decision: Decision,
    rule: string,
    explained?: S3Verdict['explained'],
    grant?: string,
  ) => S3Verdict
}

/** Steps 3 and 4 for a role session (no explicit deny anywhere). */
function decideSession(
  input: S3DecisionInput,
  r: S3Requester & { kind: 'session' },
  layers: PolicySet<CompiledPolicy>,
  f: SessionFacts,
): S3Verdict {
  const { identityWhy, policyGrant, acl, verdict } = f
  const identityAllows = identityWhy?.decision === 'allowed'
  const crossAccount = input.bucket !== undefined && input.bucket.ownerAccountId !== r.accountId
  if (crossAccount) {
    if (!identityAllows)
      return verdict(
        'implicitDeny',
        `cross-account: no ${policyTypeName(missingLayer(identityWhy, layers))} allows`,
      )
    return f.resourceAllow !== undefined
      ? verdict(
          'allowed',
          `cross-account: identity policies and ${f.resourceAllow}`,
          undefined,
          acl?.text,
        )
      : verdict('implicitDeny', `cross-account: ${f.noResource}`)
  }
  if (identityAllows) return verdict('allowed', 'an identity-based policy allows')
  if (policyGrant === 'everyone' || policyGrant === 'session')
    return verdict(
      'allowed',
      `the bucket policy grants ${policyGrant === 'session' ? 'the session' : 'everyone'}`,
    )
  if (acl?.public === true) return verdict('allowed', acl.text, undefined, acl.text)
  if (policyGrant === 'role') {
    if (limitsAllow(identityWhy, layers))
      return verdict('allowed', 'the bucket policy grants the role')
    const limit = missingLimit(identityWhy, layers)
    return verdict(
      'implicitDeny',
      `the bucket policy grants the role; no ${policyTypeName(limit)} allows`,
      {
        type: limit,
        explicit: false,
      },
    )
  }
  const missing = missingLayer(identityWhy, layers)
  return verdict('implicitDeny', `no ${policyTypeName(missing)} allows`, {
    type: missing,
    explicit: false,
  })
}

/** For a role-ARN grant: the boundary or session layer that did not allow. */
function missingLimit(why: Explanation | undefined, set: PolicySet<CompiledPolicy>): S3PolicyType {
  if (set.boundary !== undefined && !allows(why, 'boundary')) return 'boundary'
  return 'session'
}
