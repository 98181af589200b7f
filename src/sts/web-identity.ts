import {
  awsError,
  isAwsError,
  iso8601Seconds,
  STS_ERRORS,
  struct,
  type QueryContext,
  type ResultStruct,
} from '../aws/index.js'
import type { Clock, Logger } from '../core/index.js'
import type { PolicyCache, Principal, RoleSessionPrincipal } from '../iam/index.js'
import type { ContextEntry } from '../policy/index.js'
import type { OidcProvider, Store } from '../store/index.js'
import {
  decodeToken,
  isTokenError,
  isVerifyAlg,
  verifyToken,
  type DecodedToken,
  type TokenKeySet,
  type VerifiedToken,
} from '../token/index.js'
import { sessionResult } from './credentials-result.js'
import { DecisionRecorder, type DecisionSink } from './decisions.js'
import { JwksFetchError } from './errors.js'
import type { JwksFetcher } from './jwks-fetcher.js'
import type { StsLookups } from './lookups.js'
import type { TokenMemo } from './token-memo.js'
import {
  DEFAULT_DURATION_SECONDS,
  parseRoleArn,
  SESSION_NAME_PATTERN,
  webIdentityParams,
} from './params.js'
import { sessionPolicies } from './session-policy.js'
import type { SessionCodec } from './session-codec.js'
import { SOURCE_IDENTITY_CLAIM, tagsFromClaims } from './session-tags.js'
import { evaluateTrust, one } from './trust.js'

/** AWS accepts a web identity token for 5 minutes after its `exp`. */
const WEB_IDENTITY_SKEW_SECONDS = 300
const ACTION = 'sts:AssumeRoleWithWebIdentity'

/** What the web identity flow needs. */
interface WebIdentityDeps {
  readonly store: Store
  readonly clock: Clock
  readonly sessions: SessionCodec
  readonly jwks: JwksFetcher
  readonly trustCache: PolicyCache
  readonly decisions: DecisionSink
  readonly lookups: StsLookups
  readonly memo: TokenMemo
  readonly logger?: Logger | undefined
}

const invalid = (reason: string) => awsError(STS_ERRORS.InvalidIdentityToken, { reason })

/** Whether a remembered verification still passes `exp` (with the skew) and `nbf` now. */
function inTime(v: VerifiedToken, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000)
  const { exp, nbf } = v.claims
  return (
    now < exp + WEB_IDENTITY_SKEW_SECONDS &&
    (nbf === undefined || nbf <= now + WEB_IDENTITY_SKEW_SECONDS)
  )
}

/**
 * The IAM provider URL of an issuer: the `iss` without `https://` (case and slashes kept).
 * IAM providers are https only, so any other `iss` has none.
 */
function providerUrlOf(iss: string): string | undefined {
  return iss.startsWith('https://') ? iss.slice(8) : undefined
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v]
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v
  return undefined
}

/**
 * AssumeRoleWithWebIdentity, with STS's checks in STS's order, each failure answered with
 * AWS's code and message and recorded (check and detail, never the token) in the
 * decision log:
 *
 * 1. parameters (lengths, patterns, DurationSeconds range; RoleArn form; session policy
 *    and managed policy ARNs: MalformedPolicyDocument, PackedPolicyTooLarge);
 * 2. the token parses as a compact JWS (InvalidIdentityToken);
 * 3. its `alg` is RS256/384/512 or ES256/384/512 (`none`, HS*, PS* refused);
 * 4. an OIDC provider for its `iss` exists in the role's account ("No OpenIDConnect
 *    provider found in your account for ISS");
 * 5. the issuer's keys can be fetched (IDPCommunicationError; an untrusted certificate
 *    whose thumbprint is not on the provider's list: InvalidIdentityToken);
 * 6. a key has the token's `kid`; 7. the signature verifies; 8. `iss`, `sub`, `aud`, `exp`
 *    are present; 9. `exp` (plus 5 minutes) has not passed (ExpiredTokenException);
 *    10. `nbf` is not in the future;
 * 11. an `aud` value is one of the provider's client IDs ("Incorrect token audience");
 * 12. the role exists (AccessDenied, as AWS answers for a missing role);
 * 13. DurationSeconds is at most the role's MaxSessionDuration;
 * 14. the trust policy allows `sts:AssumeRoleWithWebIdentity` for the provider's ARN as the
 *     Federated principal with the token's context keys (AccessDenied "Not authorized to
 *     perform sts:AssumeRoleWithWebIdentity"), and `sts:TagSession` / `sts:SetSourceIdentity`
 *     when the token carries session tags or a source identity.
 */
export async function assumeRoleWithWebIdentity(
  deps: WebIdentityDeps,
  ctx: QueryContext<Principal>,
): Promise<ResultStruct> {
  const rec = new DecisionRecorder(deps.decisions, {
    requestId: ctx.requestId,
    at: ctx.nowMs,
    action: ACTION,
  })
  const fail = (
    check: string,
    error: ReturnType<typeof awsError>,
    detail: Record<string, unknown> | string,
  ) => {
    ctx.annotate({ check })
    return rec.reject(check, error, detail)
  }

  // 1. Parameters.
  let p
  try {
    p = webIdentityParams(ctx.params)
  } catch (e) {
    if (isAwsError(e)) throw fail('parameters', e, e.message)
    throw e
  }
  rec.base.resource = p.roleArn
  let arn
  try {
    arn = parseRoleArn(p.roleArn)
  } catch (e) {
    if (isAwsError(e)) throw fail('role-arn', e, 'RoleArn is not a role ARN')
    throw e
  }
  rec.base.accountId = arn.accountId
  const session = sessionPolicies(deps.trustCache, p.policy, p.policyArns)
  if (!session.ok) throw fail('session-policy', session.error, session.why)

  // 2–3. Token form and algorithm.
  let decoded: DecodedToken | undefined = deps.memo.decoded(p.token)
  if (decoded === undefined) {
    try {
      decoded = decodeToken(p.token)
    } catch (e) {
      if (isTokenError(e)) throw fail('token-form', invalid(e.message), e.message)
      throw e
    }
    deps.memo.rememberDecoded(p.token, decoded)
  }
  const alg = decoded.header.alg
  if (!isVerifyAlg(alg))
    throw fail('algorithm', invalid(`alg ${alg} is not allowed`), {
      why: 'only RS256/384/512 and ES256/384/512 are accepted',
      alg: alg.slice(0, 20),
    })

  // 4. Provider for the issuer, in the role's account.
  const iss = decoded.payload['iss']
  if (typeof iss !== 'string' || iss === '')
    throw fail('issuer', invalid('token has no iss'), 'the token has no string iss claim')
  const url = providerUrlOf(iss)
  // One read of the store's generation serves both lookups of this request.
  const generation = deps.lookups.generation()
  const provider: OidcProvider | undefined =
    url === undefined ? undefined : deps.lookups.provider(arn.accountId, url, generation)
  if (provider === undefined)
    throw fail(
      'provider',
      awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'noProvider', params: { issuer: iss } }),
      {
        why: `no OIDC provider for this issuer in account ${arn.accountId}`,
        issuer: iss.slice(0, 300),
      },
    )
  rec.base.principal = provider.arn

  // 5. Keys.
  let keys: TokenKeySet
  try {
    keys = await deps.jwks.keys({
      issuer: iss,
      thumbprints: provider.thumbprints,
      kid: decoded.header.kid ?? '',
    })
  } catch (e) {
    if (e instanceof JwksFetchError) {
      if (e.failure === 'untrusted')
        throw fail(
          'thumbprint',
          awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'thumbprint', reason: e.message }),
          e.message,
        )
      throw fail(
        'jwks',
        awsError(STS_ERRORS.IDPCommunicationError, { reason: e.message }),
        e.message,
      )
    }
    throw e
  }

  // 6–10. Key id, signature, claims, exp, nbf.
  let verified: VerifiedToken | undefined = deps.memo.verified(p.token, keys)
  if (verified !== undefined && !inTime(verified, ctx.nowMs)) verified = undefined
  try {
    if (verified === undefined) {
      verified = verifyToken(p.token, keys, {
        clock: deps.clock,
        clockSkewSeconds: WEB_IDENTITY_SKEW_SECONDS,
      })
      deps.memo.rememberVerified(p.token, keys, verified)
    }
  } catch (e) {
    if (!isTokenError(e)) throw e
    switch (e.code) {
      case 'ERR_TOKEN_NO_KEY':
        throw fail(
          'kid',
          awsError(STS_ERRORS.InvalidIdentityToken, {
            variant: 'verificationKey',
            reason: e.message,
          }),
          e.message,
        )
      case 'ERR_TOKEN_BAD_SIGNATURE':
        throw fail('signature', invalid(e.message), e.message)
      case 'ERR_TOKEN_EXPIRED': {
        const now = e.details.now ?? Math.floor(ctx.nowMs / 1000)
        const exp = e.details.exp ?? 0
        throw fail(
          'exp',
          awsError(STS_ERRORS.ExpiredTokenException, { params: { now, exp }, reason: e.message }),
          { why: e.message, exp, now },
        )
      }
      case 'ERR_TOKEN_NOT_YET_VALID':
        throw fail('nbf', invalid(e.message), { why: e.message, nbf: e.details.nbf ?? null })
      case 'ERR_TOKEN_AUDIENCE_MISMATCH':
      case 'ERR_TOKEN_INVALID_CLAIM':
      case 'ERR_TOKEN_ISSUER_MISMATCH':
      case 'ERR_TOKEN_MALFORMED':
      case 'ERR_TOKEN_MISSING_CLAIM':
      case 'ERR_TOKEN_TOO_LARGE':
      case 'ERR_TOKEN_UNSUPPORTED_ALG':
        throw fail('claims', invalid(e.message), e.message)
    }
  }
  const claims = verified.claims
  rec.base.principal = `${provider.arn}:${claims.sub.slice(0, 256)}`

  // 11. Audience.
  const audience = verified.audiences.find((a) => provider.clientIds.includes(a))
  if (audience === undefined)
    throw fail('audience', awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'audience' }), {
      why: 'no aud value is a client ID of the provider',
      aud: verified.audiences.map((a) => a.slice(0, 255)),
      clientIds: provider.clientIds,
    })

  // 12. Role.
  const role = deps.lookups.role(arn.accountId, arn.name, generation)
  const denied = () => awsError(STS_ERRORS.AccessDenied, { params: { action: ACTION } })
  if (role?.arn !== p.roleArn)
    throw fail(
      'role',
      denied(),
      role === undefined ? 'the role does not exist' : `the role's ARN is ${role.arn}`,
    )

  // 13. Duration.
  const durationSeconds = p.durationSeconds ?? DEFAULT_DURATION_SECONDS
  if (durationSeconds > role.maxSessionDuration)
    throw fail('duration', awsError(STS_ERRORS.ValidationError, { variant: 'durationAboveMax' }), {
      why: `DurationSeconds ${durationSeconds} exceeds the role's MaxSessionDuration ${role.maxSessionDuration}`,
    })

  // Session tags and source identity from the token.
  const tagClaim = tagsFromClaims(claims)
  if (!tagClaim.ok) throw fail('session-tags', invalid(tagClaim.why), tagClaim.why)
  const sourceRaw = claims[SOURCE_IDENTITY_CLAIM]
  const sourceIdentity = typeof sourceRaw === 'string' ? sourceRaw : undefined
  if (
    sourceRaw !== undefined &&
    (sourceIdentity === undefined ||
      sourceIdentity.length < 2 ||
      sourceIdentity.length > 64 ||
      !SESSION_NAME_PATTERN.test(sourceIdentity))
  )
    throw fail(
      'source-identity',
      invalid('bad source identity claim'),
      'the source identity claim is not 2–64 characters of [\\w+=,.@-]',
    )
  if (tagClaim.tags.length > 0 && session.packedSize(tagClaim.tags) > 100)
    throw fail(
      'packed-size',
      awsError(STS_ERRORS.PackedPolicyTooLarge),
      'session policies and tags are too large',
    )

  // 14. Trust policy.
  const context: Record<string, ContextEntry> = {
    [`${url ?? ''}:sub`]: one('string', claims.sub),
    [`${url ?? ''}:aud`]: one('string', audience),
    'aws:FederatedProvider': one('string', provider.arn),
    'sts:RoleSessionName': one('string', p.roleSessionName),
    'aws:CurrentTime': one('date', iso8601Seconds(ctx.nowMs)),
    'aws:EpochTime': one('numeric', String(Math.floor(ctx.nowMs / 1000))),
    'aws:SecureTransport': one('boolean', 'false'),
  }
  const amr = stringList(claims['amr'])
  if (amr !== undefined) context[`${url ?? ''}:amr`] = { type: 'stringList', values: amr }
  if (typeof claims['azp'] === 'string') context[`${url ?? ''}:azp`] = one('string', claims['azp'])
  if (ctx.sourceIp !== undefined && ctx.sourceIp !== '')
    context['aws:SourceIp'] = one('ip', ctx.sourceIp.replace(/^::ffff:/, ''))
  if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = one('string', sourceIdentity)
  if (tagClaim.tags.length > 0) {
    for (const t of tagClaim.tags) context[`aws:RequestTag/${t.key}`] = one('string', t.value)
    context['aws:TagKeys'] = { type: 'stringList', values: tagClaim.tags.map((t) => t.key) }
    context['sts:TransitiveTagKeys'] = { type: 'stringList', values: [...tagClaim.transitiveKeys] }
  }
  const principal = { type: 'Federated', id: provider.arn } as const
  const ask = (action: string) =>
    evaluateTrust(deps.trustCache, {
      document: role.assumeRolePolicyDocument,
      roleArn: role.arn,
      action,
      principal,
      context,
    })
  const trust = ask(ACTION)
  if (trust.result.decision !== 'allowed')
    throw rec.reject('trust-policy', denied(), trust.reasons, trust.result.decision)
  const extra: Record<string, unknown>[] = []
  for (const [needed, action] of [
    [tagClaim.tags.length > 0, 'sts:TagSession'],
    [sourceIdentity !== undefined, 'sts:SetSourceIdentity'],
  ] as const) {
    if (!needed) continue
    const t = ask(action)
    if (t.result.decision !== 'allowed')
      throw rec.reject(
        'trust-policy',
        awsError(STS_ERRORS.AccessDenied, { params: { action } }),
        t.reasons,
        t.result.decision,
      )
    extra.push(t.reasons)
  }

  // Credentials.
  const sessionName = p.roleSessionName
  const sessionPrincipal: RoleSessionPrincipal = {
    kind: 'role-session',
    accountId: role.accountId,
    arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    userId: `${role.roleId}:${sessionName}`,
    roleArn: role.arn,
    roleId: role.roleId,
    roleName: role.name,
    sessionName,
    ...(p.policy !== undefined ? { sessionPolicy: p.policy } : {}),
    ...(p.policyArns.length > 0 ? { sessionPolicyArns: p.policyArns } : {}),
    ...(tagClaim.tags.length > 0 ? { sessionTags: tagClaim.tags } : {}),
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
    federatedProvider: provider.arn,
    expiresAtMs: ctx.nowMs + durationSeconds * 1000,
  }
  const creds = deps.sessions.issue(sessionPrincipal)
  rec.allow({
    check: 'all passed',
    subject: claims.sub.slice(0, 256),
    audience,
    session: sessionPrincipal.arn,
    accessKeyId: creds.accessKeyId,
    durationSeconds,
    matched: trust.reasons['matched'] ?? [],
    ...(extra.length > 0 ? { sessionTrust: extra } : {}),
  })
  ctx.annotate({ roleArn: role.arn, session: sessionName })
  const withPolicy = p.policy !== undefined || p.policyArns.length > 0
  const { Credentials, AssumedRoleUser } = sessionResult(creds, sessionPrincipal)
  return struct({
    Credentials,
    SubjectFromWebIdentityToken: claims.sub,
    AssumedRoleUser,
    PackedPolicySize: withPolicy ? session.packedSize(tagClaim.tags) : undefined,
    Provider: provider.arn,
    Audience: audience,
    SourceIdentity: sourceIdentity,
  })
}
