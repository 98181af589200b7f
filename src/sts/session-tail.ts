import { isAwsError, struct, type AwsError, type ResultStruct } from '../aws/index.js'
import type { RoleSessionPrincipal } from '../iam/index.js'
import type { Role } from '../store/index.js'
import { sessionResult } from './credentials-result.js'
import type { DecisionRecorder } from './decisions.js'
import type { AssumeParams } from './params.js'
import type { SessionCodec } from './session-codec.js'

/** Refuses a failed check: records it (check, operator detail) and returns the error to throw. */
export type Reject = (
  check: string,
  error: AwsError,
  detail: Record<string, unknown> | string,
) => AwsError

/**
 * Parses (the request parameters, the RoleArn…) or rejects: an AWS error from `parse` is
 * refused as `check` with `detail(e)` and thrown; any other error is thrown as it is.
 */
export function parseOrReject<T>(
  reject: Reject,
  check: string,
  parse: () => T,
  detail: (e: AwsError) => string,
): T {
  try {
    return parse()
  } catch (e) {
    if (isAwsError(e)) throw reject(check, e, detail(e))
    throw e
  }
}

/** Who the web identity token says the caller is (AssumeRoleWithWebIdentity only). */
export interface FederatedCaller {
  /** The OIDC provider's ARN. */
  readonly provider: string
  /** The token's `sub`. */
  readonly subject: string
  /** The `aud` value that is one of the provider's client IDs. */
  readonly audience: string
}

/** A session every check has allowed. */
export interface SessionGrant {
  readonly role: Role
  readonly params: AssumeParams
  readonly durationSeconds: number
  readonly nowMs: number
  readonly tags: readonly { readonly key: string; readonly value: string }[]
  readonly sourceIdentity: string | undefined
  readonly federated?: FederatedCaller | undefined
  /** PackedPolicySize for these session policies and tags. */
  readonly packedSize: (tags: readonly { key: string; value: string }[]) => number
  /** The trust policy's reasons, recorded after the session's own. */
  readonly trust: Record<string, unknown>
}

/** The session principal a grant becomes. */
function sessionPrincipal(g: SessionGrant): RoleSessionPrincipal {
  const { role, params: p } = g
  const name = p.roleSessionName
  return {
    kind: 'role-session',
    accountId: role.accountId,
    arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${name}`,
    userId: `${role.roleId}:${name}`,
    roleArn: role.arn,
    roleId: role.roleId,
    roleName: role.name,
    sessionName: name,
    ...(p.policy !== undefined ? { sessionPolicy: p.policy } : {}),
    ...(p.policyArns.length > 0 ? { sessionPolicyArns: p.policyArns } : {}),
    ...(g.tags.length > 0 ? { sessionTags: g.tags } : {}),
    ...(g.sourceIdentity !== undefined ? { sourceIdentity: g.sourceIdentity } : {}),
    ...(g.federated !== undefined ? { federatedProvider: g.federated.provider } : {}),
    expiresAtMs: g.nowMs + g.durationSeconds * 1000,
  }
}

/**
 * The end of every assume call once its checks pass: creates the session's credentials,
 * records the decision (`all passed`, the session, its key id and length, then the trust
 * policy's reasons) and renders the result, members in the order of STS's model.
 */
export function issueSession(
  sessions: SessionCodec,
  rec: DecisionRecorder,
  g: SessionGrant,
): ResultStruct {
  const principal = sessionPrincipal(g)
  const creds = sessions.issue(principal)
  const f = g.federated
  rec.allow({
    check: 'all passed',
    ...(f !== undefined ? { subject: f.subject.slice(0, 256), audience: f.audience } : {}),
    session: principal.arn,
    accessKeyId: creds.accessKeyId,
    durationSeconds: g.durationSeconds,
    ...g.trust,
  })
  const withPolicy = g.params.policy !== undefined || g.params.policyArns.length > 0
  const { Credentials, AssumedRoleUser } = sessionResult(creds, principal)
  return struct({
    Credentials,
    ...(f !== undefined ? { SubjectFromWebIdentityToken: f.subject } : {}),
    AssumedRoleUser,
    PackedPolicySize: withPolicy ? g.packedSize(g.tags) : undefined,
    ...(f !== undefined ? { Provider: f.provider, Audience: f.audience } : {}),
    SourceIdentity: g.sourceIdentity,
  })
}
