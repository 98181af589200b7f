import type { ContextEntry } from '../policy/index.js'
import type { VerifiedToken } from '../token/index.js'
import { SOURCE_IDENTITY_CLAIM, tagsFromClaims } from './session-tags.js'
import { WEB_IDENTITY_ACTION } from './web-identity-checks.js'
import { webIdentityContext } from './web-identity-role.js'

/** What a web identity trust decision is replayed from (no token signature needed). */
export interface TrustReplayInput {
  readonly claims: VerifiedToken['claims']
  /** The provider URL: the `iss` without `https://`. */
  readonly providerUrl: string
  readonly providerArn: string
  /** The `aud` value that is one of the provider's client IDs. */
  readonly audience: string
  readonly sessionName: string
  readonly nowMs: number
  readonly sourceIp?: string
}

/** The request STS evaluates a role's trust policy with, and the actions it asks. */
export interface TrustReplay {
  readonly context: Record<string, ContextEntry>
  /** `sts:AssumeRoleWithWebIdentity`, then `sts:TagSession` / `sts:SetSourceIdentity` when needed. */
  readonly actions: readonly string[]
  readonly principal: { readonly type: 'Federated'; readonly id: string }
}

/**
 * The trust-policy request AssumeRoleWithWebIdentity builds for a token, built by the same
 * code STS uses (`webIdentityContext`), so a replay (`irsa doctor`) decides as STS does.
 * Session tags that do not parse are left out (STS refuses such a token before the trust
 * policy).
 */
export function webIdentityTrustRequest(i: TrustReplayInput): TrustReplay {
  const tagClaim = tagsFromClaims(i.claims)
  const tags = tagClaim.ok ? tagClaim.tags : []
  const transitiveKeys = tagClaim.ok ? tagClaim.transitiveKeys : []
  const raw = i.claims[SOURCE_IDENTITY_CLAIM]
  const sourceIdentity = typeof raw === 'string' ? raw : undefined
  const session = { tags, transitiveKeys, sourceIdentity }
  const context = webIdentityContext({
    ctx: { nowMs: i.nowMs, sourceIp: i.sourceIp ?? '' },
    issuer: { url: i.providerUrl, provider: { arn: i.providerArn } },
    claims: i.claims,
    audience: i.audience,
    name: i.sessionName,
    session,
  })
  const actions = [
    WEB_IDENTITY_ACTION,
    ...(tags.length > 0 ? ['sts:TagSession'] : []),
    ...(sourceIdentity !== undefined ? ['sts:SetSourceIdentity'] : []),
  ]
  return { context, actions, principal: { type: 'Federated', id: i.providerArn } }
}
