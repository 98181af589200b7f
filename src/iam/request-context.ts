import type { ContextEntry, RequestContext } from '../policy/index.js'
import type { Principal } from './principal.js'
import { iso8601 } from './wire.js'

/** What the global condition keys of one request are built from. */
interface ContextFacts {
  readonly principal: Principal
  readonly nowMs: number
  readonly sourceIp?: string | undefined
  readonly region?: string | undefined
  /** The role's own tags (`aws:PrincipalTag/…`); session tags override them. */
  readonly roleTags?: readonly { readonly key: string; readonly value: string }[]
  /** Action-specific keys (`iam:PolicyARN`, `aws:RequestTag/…`): a string or a list. */
  readonly extra?: Readonly<Record<string, string | readonly string[]>> | undefined
  /** Keys already typed (S3's `s3:signatureAge`, `aws:SecureTransport`…), set last. */
  readonly typed?: Readonly<Record<string, ContextEntry>> | undefined
}

const one = (type: ContextEntry['type'], value: string): ContextEntry => ({ type, values: [value] })

/**
 * The keys of when and from where, as every request context has them: `aws:CurrentTime`
 * and `aws:EpochTime` from `nowMs`, and `aws:SourceIp` when the client's address is
 * known (an IPv4-mapped IPv6 address as its IPv4 form). Set into `ctx`.
 */
export function addTimeAndOrigin(
  ctx: Record<string, ContextEntry>,
  nowMs: number,
  sourceIp: string | undefined,
): void {
  ctx['aws:CurrentTime'] = one('date', iso8601(nowMs))
  ctx['aws:EpochTime'] = one('numeric', String(Math.floor(nowMs / 1000)))
  if (sourceIp !== undefined && sourceIp !== '')
    ctx['aws:SourceIp'] = one('ip', sourceIp.replace(/^::ffff:/, ''))
}

/**
 * The request context AWS builds for a signed call (IAM User Guide, "AWS global condition
 * context keys"): who (`aws:PrincipalArn` — the role's ARN for a role session —,
 * `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`, `aws:PrincipalTag/…`,
 * `aws:FederatedProvider`, `aws:SourceIdentity`), when (`aws:CurrentTime`,
 * `aws:EpochTime`), from where (`aws:SourceIp`, `aws:RequestedRegion`,
 * `aws:SecureTransport`, always false on this plain-HTTP endpoint), plus the action's own
 * keys. `aws:username` exists only for IAM users, so it is never set here.
 */
export function buildRequestContext(facts: ContextFacts): RequestContext {
  // Tag keys and action keys are callers' text: no prototype, so no key is special.
  const ctx = Object.create(null) as Record<string, ContextEntry>
  const p = facts.principal
  ctx['aws:PrincipalAccount'] = one('string', p.accountId)
  ctx['aws:userid'] = one('string', p.userId)
  if (p.kind === 'root') {
    ctx['aws:PrincipalArn'] = one('string', p.arn)
    ctx['aws:PrincipalType'] = one('string', 'Account')
  } else {
    ctx['aws:PrincipalArn'] = one('string', p.roleArn)
    ctx['aws:PrincipalType'] = one('string', 'AssumedRole')
    const tags = new Map<string, string>()
    for (const t of facts.roleTags ?? []) tags.set(t.key.toLowerCase(), t.value)
    for (const t of p.sessionTags ?? []) tags.set(t.key.toLowerCase(), t.value)
    for (const [k, v] of tags) ctx[`aws:PrincipalTag/${k}`] = one('string', v)
    if (p.federatedProvider !== undefined)
      ctx['aws:FederatedProvider'] = one('string', p.federatedProvider)
    if (p.sourceIdentity !== undefined) ctx['aws:SourceIdentity'] = one('string', p.sourceIdentity)
  }
  addTimeAndOrigin(ctx, facts.nowMs, facts.sourceIp)
  ctx['aws:SecureTransport'] = one('boolean', 'false')
  if (facts.region !== undefined) ctx['aws:RequestedRegion'] = one('string', facts.region)
  for (const [k, v] of Object.entries(facts.extra ?? {}))
    ctx[k] = typeof v === 'string' ? one('string', v) : { type: 'stringList', values: [...v] }
  if (facts.typed !== undefined) Object.assign(ctx, facts.typed)
  return ctx
}
