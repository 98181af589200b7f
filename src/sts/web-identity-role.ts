import { awsError, STS_ERRORS, type QueryContext } from '../aws/index.js'
import { addTimeAndOrigin, type PolicyCache, type Principal } from '../iam/index.js'
import type { ContextEntry } from '../policy/index.js'
import type { Role } from '../store/index.js'
import type { VerifiedToken } from '../token/index.js'
import type { DecisionRecorder } from './decisions.js'
import type { StsLookups } from './lookups.js'
import { DEFAULT_DURATION_SECONDS, SESSION_NAME_PATTERN, type WebIdentityParams } from './params.js'
import type { SessionPolicies } from './session-policy.js'
import type { Reject } from './session-tail.js'
import { SOURCE_IDENTITY_CLAIM, tagsFromClaims, type TagClaim } from './session-tags.js'
import { evaluateTrust, one } from './trust.js'
import { WEB_IDENTITY_ACTION, denied, invalid, type IssuerProvider } from './web-identity-checks.js'

/** 12. The role exists (AccessDenied, as AWS answers for a missing role). */
export function checkRole(
  lookups: StsLookups,
  arn: { readonly accountId: string; readonly name: string },
  { roleArn }: WebIdentityParams,
  generation: number,
  reject: Reject,
): Role {
  const role = lookups.role(arn.accountId, arn.name, generation)
  if (role?.arn !== roleArn)
    throw reject(
      'role',
      denied(WEB_IDENTITY_ACTION),
      role === undefined ? 'the role does not exist' : `the role's ARN is ${role.arn}`,
    )
  return role
}

/** 13. DurationSeconds (default one hour) is at most the role's MaxSessionDuration. */
export function checkDuration(p: WebIdentityParams, role: Role, reject: Reject): number {
  const durationSeconds = p.durationSeconds ?? DEFAULT_DURATION_SECONDS
  if (durationSeconds > role.maxSessionDuration)
    throw reject(
      'duration',
      awsError(STS_ERRORS.ValidationError, { variant: 'durationAboveMax' }),
      {
        why: `DurationSeconds ${durationSeconds} exceeds the role's MaxSessionDuration ${role.maxSessionDuration}`,
      },
    )
  return durationSeconds
}

/** The session tags and source identity a token carries. */
export interface TokenSession {
  readonly tags: Extract<TagClaim, { ok: true }>['tags']
  readonly transitiveKeys: readonly string[]
  readonly sourceIdentity: string | undefined
}

function badSourceIdentity(raw: unknown): boolean {
  return (
    raw !== undefined &&
    (typeof raw !== 'string' ||
      raw.length < 2 ||
      raw.length > 64 ||
      !SESSION_NAME_PATTERN.test(raw))
  )
}

/**
 * The token's session tags are well formed, its source identity is 2–64 characters of
 * `[\w+=,.@-]`, and the tags fit with the session policies (PackedPolicyTooLarge).
 */
export function checkTokenSession(
  claims: Readonly<Record<string, unknown>>,
  session: Extract<SessionPolicies, { ok: true }>,
  reject: Reject,
): TokenSession {
  const tagClaim = tagsFromClaims(claims)
  if (!tagClaim.ok) throw reject('session-tags', invalid(tagClaim.why), tagClaim.why)
  const sourceRaw = claims[SOURCE_IDENTITY_CLAIM]
  if (badSourceIdentity(sourceRaw))
    throw reject(
      'source-identity',
      invalid('bad source identity claim'),
      'the source identity claim is not 2–64 characters of [\\w+=,.@-]',
    )
  if (tagClaim.tags.length > 0 && session.packedSize(tagClaim.tags) > 100)
    throw reject(
      'packed-size',
      awsError(STS_ERRORS.PackedPolicyTooLarge),
      'session policies and tags are too large',
    )
  const sourceIdentity = typeof sourceRaw === 'string' ? sourceRaw : undefined
  return { tags: tagClaim.tags, transitiveKeys: tagClaim.transitiveKeys, sourceIdentity }
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v
  return undefined
}

/** What the trust policy's request context is built from. */
export interface WebIdentityContextInput {
  readonly ctx: Pick<QueryContext<Principal>, 'nowMs' | 'sourceIp'>
  /** The provider, and its URL: the prefix of the `sub`, `aud`, `amr` and `azp` keys. */
  readonly issuer: Pick<IssuerProvider, 'url'> & {
    readonly provider: Pick<IssuerProvider['provider'], 'arn'>
  }
  readonly claims: VerifiedToken['claims']
  readonly audience: string
  /** RoleSessionName. */
  readonly name: string
  readonly session: TokenSession
}

/**
 * The trust policy's request context: the provider's `sub`, `aud` (and `amr`, `azp` when the
 * token has them), the provider, the session name, time, source IP, and the token's source
 * identity and session tags.
 */
export function webIdentityContext(i: WebIdentityContextInput): Record<string, ContextEntry> {
  const { ctx, claims, session } = i
  const url = i.issuer.url ?? ''
  const context: Record<string, ContextEntry> = {
    [`${url}:sub`]: one('string', claims.sub),
    [`${url}:aud`]: one('string', i.audience),
    'aws:FederatedProvider': one('string', i.issuer.provider.arn),
    'sts:RoleSessionName': one('string', i.name),
    'aws:SecureTransport': one('boolean', 'false'),
  }
  const amr = stringList(claims['amr'])
  if (amr !== undefined) context[`${url}:amr`] = { type: 'stringList', values: amr }
  if (typeof claims['azp'] === 'string') context[`${url}:azp`] = one('string', claims['azp'])
  addTimeAndOrigin(context, ctx.nowMs, ctx.sourceIp)
  if (session.sourceIdentity !== undefined)
    context['sts:SourceIdentity'] = one('string', session.sourceIdentity)
  if (session.tags.length > 0) {
    for (const t of session.tags) context[`aws:RequestTag/${t.key}`] = one('string', t.value)
    context['aws:TagKeys'] = { type: 'stringList', values: session.tags.map((t) => t.key) }
    context['sts:TransitiveTagKeys'] = { type: 'stringList', values: [...session.transitiveKeys] }
  }
  return context
}

/**
 * 14. The trust policy allows `sts:AssumeRoleWithWebIdentity` for the provider as the
 * Federated principal, and `sts:TagSession` / `sts:SetSourceIdentity` when the token
 * carries session tags or a source identity. Returns the reasons the decision records.
 */
export function checkTrust(
  cache: PolicyCache,
  rec: DecisionRecorder,
  role: Role,
  providerArn: string,
  context: Record<string, ContextEntry>,
  session: TokenSession,
): Record<string, unknown> {
  const principal = { type: 'Federated', id: providerArn } as const
  const ask = (action: string) =>
    evaluateTrust(cache, {
      document: role.assumeRolePolicyDocument,
      roleArn: role.arn,
      action,
      principal,
      context,
    })
  const trust = ask(WEB_IDENTITY_ACTION)
  if (trust.result.decision !== 'allowed')
    throw rec.reject(
      'trust-policy',
      denied(WEB_IDENTITY_ACTION),
      trust.reasons,
      trust.result.decision,
    )
  const extra: Record<string, unknown>[] = []
  for (const [needed, action] of [
    [session.tags.length > 0, 'sts:TagSession'],
    [session.sourceIdentity !== undefined, 'sts:SetSourceIdentity'],
  ] as const) {
    if (!needed) continue
    const t = ask(action)
    if (t.result.decision !== 'allowed')
      throw rec.reject('trust-policy', denied(action), t.reasons, t.result.decision)
    extra.push(t.reasons)
  }
  return {
    matched: trust.reasons['matched'] ?? [],
    ...(extra.length > 0 ? { sessionTrust: extra } : {}),
  }
}
