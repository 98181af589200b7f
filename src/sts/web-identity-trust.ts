import { iso8601Seconds, type QueryContext } from '../aws/index.js'
import type { PolicyCache, Principal } from '../iam/index.js'
import type { ContextEntry } from '../policy/index.js'
import type { Role } from '../store/index.js'
import type { VerifiedToken } from '../token/index.js'
import type { DecisionRecorder } from './decisions.js'
import { evaluateTrust, one } from './trust.js'
import { ACTION, denied, type TokenSession } from './web-identity-checks.js'

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v
  return undefined
}

/** What the trust policy's request context is built from. */
export interface WebIdentityContextInput {
  readonly ctx: QueryContext<Principal>
  /** The provider URL: the prefix of the `sub`, `aud`, `amr` and `azp` keys. */
  readonly url: string | undefined
  readonly providerArn: string
  readonly claims: VerifiedToken['claims']
  readonly audience: string
  readonly roleSessionName: string
  readonly session: TokenSession
}

/**
 * The trust policy's request context: the provider's `sub`, `aud` (and `amr`, `azp` when the
 * token has them), the provider, the session name, time, source IP, and the token's source
 * identity and session tags.
 */
export function webIdentityContext(i: WebIdentityContextInput): Record<string, ContextEntry> {
  const { ctx, claims, session } = i
  const url = i.url ?? ''
  const context: Record<string, ContextEntry> = {
    [`${url}:sub`]: one('string', claims.sub),
    [`${url}:aud`]: one('string', i.audience),
    'aws:FederatedProvider': one('string', i.providerArn),
    'sts:RoleSessionName': one('string', i.roleSessionName),
    'aws:CurrentTime': one('date', iso8601Seconds(ctx.nowMs)),
    'aws:EpochTime': one('numeric', String(Math.floor(ctx.nowMs / 1000))),
    'aws:SecureTransport': one('boolean', 'false'),
  }
  const amr = stringList(claims['amr'])
  if (amr !== undefined) context[`${url}:amr`] = { type: 'stringList', values: amr }
  if (typeof claims['azp'] === 'string') context[`${url}:azp`] = one('string', claims['azp'])
  if (ctx.sourceIp !== undefined && ctx.sourceIp !== '')
    context['aws:SourceIp'] = one('ip', ctx.sourceIp.replace(/^::ffff:/, ''))
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
  const trust = ask(ACTION)
  if (trust.result.decision !== 'allowed')
    throw rec.reject('trust-policy', denied(ACTION), trust.reasons, trust.result.decision)
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
