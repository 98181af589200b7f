import { awsError, STS_ERRORS, type QueryContext, type ResultStruct } from '../aws/index.js'
import {
  addTimeAndOrigin,
  type Authorizer,
  type PolicyCache,
  type Principal,
} from '../iam/index.js'
import { compilePolicy, evaluate, type ContextEntry, type EvalRequest } from '../policy/index.js'
import type { Store } from '../store/index.js'
import { DecisionRecorder } from './decisions.js'
import { assumeRoleParams, DEFAULT_DURATION_SECONDS, parseRoleArn } from './params.js'
import type { SessionCodec } from './session-codec.js'
import { sessionPolicies } from './session-policy.js'
import { issueSession, parseOrReject, type Reject } from './session-tail.js'
import { evaluateTrust, one } from './trust.js'

/** A role session may assume another role for at most an hour (role chaining). */
const ROLE_CHAINING_MAX_SECONDS = 3600
const ACTION = 'sts:AssumeRole'

/** What AssumeRole needs. */
interface AssumeRoleDeps {
  readonly store: Store
  readonly sessions: SessionCodec
  readonly authorizer: Authorizer
  readonly trustCache: PolicyCache
}

// Stands in for the caller's identity layer while asking the trust policy alone whether it
// delegates to the caller's account; the real identity question goes to the authorizer.
const ALLOW_ALL = compilePolicy(
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  'identity',
  { id: 'delegation probe', type: 'none' },
)

/**
 * AssumeRole (signed): the role must exist and its trust policy allow the caller
 * (`AWS` principal: the account, the role, or the session); when the trust policy names
 * only the caller's account, or the role is in another account, the caller's own
 * policies must also allow `sts:AssumeRole` on the role (through the authorizer). A role
 * session assuming a role (role chaining) gets at most one hour.
 */
export function assumeRole(deps: AssumeRoleDeps, ctx: QueryContext<Principal>): ResultStruct {
  const caller = ctx.caller?.principal
  if (caller === undefined) throw new Error('AssumeRole is a signed action')
  const rec = new DecisionRecorder(deps.store.decisions, {
    requestId: ctx.requestId,
    at: ctx.nowMs,
    action: ACTION,
    principal: caller.arn,
    accountId: caller.accountId,
  })
  const reject: Reject = (check, error, detail) => rec.reject(check, error, detail)
  const p = parseOrReject(
    reject,
    'parameters',
    () => assumeRoleParams(ctx.params),
    (e) => e.message,
  )
  rec.base.resource = p.roleArn
  const roleArn = () => parseRoleArn(p.roleArn)
  const arn = parseOrReject(reject, 'role-arn', roleArn, () => 'RoleArn is not a role ARN')
  const session = sessionPolicies(deps.trustCache, p.policy, p.policyArns)
  if (!session.ok) throw rec.reject('session-policy', session.error, session.why)
  const denied = () =>
    awsError(STS_ERRORS.AccessDenied, {
      message: `User: ${caller.arn} is not authorized to perform: ${ACTION} on resource: ${p.roleArn}`,
    })
  const role = deps.store.roles.get(arn.accountId, arn.name)
  if (role?.arn !== p.roleArn)
    throw rec.reject(
      'role',
      denied(),
      role === undefined ? 'the role does not exist' : `the role's ARN is ${role.arn}`,
    )
  const durationSeconds = p.durationSeconds ?? DEFAULT_DURATION_SECONDS
  if (caller.kind === 'role-session' && durationSeconds > ROLE_CHAINING_MAX_SECONDS)
    throw rec.reject(
      'duration',
      awsError(STS_ERRORS.ValidationError, { variant: 'roleChaining' }),
      'role chaining is limited to one hour',
    )
  if (durationSeconds > role.maxSessionDuration)
    throw rec.reject(
      'duration',
      awsError(STS_ERRORS.ValidationError, { variant: 'durationAboveMax' }),
      `DurationSeconds ${durationSeconds} exceeds MaxSessionDuration ${role.maxSessionDuration}`,
    )

  const context: Record<string, ContextEntry> = {
    'sts:RoleSessionName': one('string', p.roleSessionName),
    'aws:PrincipalArn': one('string', caller.kind === 'role-session' ? caller.roleArn : caller.arn),
    'aws:PrincipalAccount': one('string', caller.accountId),
    'aws:userid': one('string', caller.userId),
    'aws:SecureTransport': one('boolean', 'false'),
  }
  if (p.sourceIdentity !== undefined)
    context['sts:SourceIdentity'] = one('string', p.sourceIdentity)
  addTimeAndOrigin(context, ctx.nowMs, ctx.sourceIp)
  const ids = caller.kind === 'role-session' ? [caller.roleArn, caller.arn] : [caller.arn]
  let trust = undefined as ReturnType<typeof evaluateTrust> | undefined
  let delegated = false
  for (const id of ids) {
    const principal = { type: 'AWS', id, account: caller.accountId } as const
    const t = evaluateTrust(deps.trustCache, {
      document: role.assumeRolePolicyDocument,
      roleArn: role.arn,
      action: ACTION,
      principal,
      context,
    })
    trust ??= t
    if (t.result.decision === 'allowed') {
      trust = t
      delegated = false
      break
    }
    const compiled = deps.trustCache.get(
      role.assumeRolePolicyDocument,
      'trust',
      'trust policy',
      'resource',
    )
    const req: EvalRequest = { action: ACTION, resource: role.arn, principal, context }
    if (evaluate(req, { resource: compiled, identity: [ALLOW_ALL] }).decision === 'allowed') {
      trust = { ...t, reasons: { ...t.reasons, delegatedTo: caller.accountId } }
      delegated = true
      break
    }
  }
  if (trust === undefined || (trust.result.decision !== 'allowed' && !delegated))
    throw rec.reject(
      'trust-policy',
      denied(),
      trust?.reasons ?? {},
      trust?.result.decision ?? 'implicitDeny',
    )
  if (delegated || role.accountId !== caller.accountId)
    deps.authorizer.authorize({
      requestId: ctx.requestId,
      principal: caller,
      action: ACTION,
      resource: role.arn,
      ...(ctx.sourceIp !== undefined ? { sourceIp: ctx.sourceIp } : {}),
    })

  return issueSession(deps.sessions, rec, {
    role,
    params: p,
    durationSeconds,
    nowMs: ctx.nowMs,
    tags: [],
    sourceIdentity: p.sourceIdentity,
    packedSize: session.packedSize,
    trust: { trust: trust.reasons },
  })
}
