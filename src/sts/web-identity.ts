import type { QueryContext, ResultStruct } from '../aws/index.js'
import type { Clock, Logger } from '../core/index.js'
import type { PolicyCache, Principal } from '../iam/index.js'
import type { Store } from '../store/index.js'
import { DecisionRecorder } from './decisions.js'
import type { JwksFetcher } from './jwks-fetcher.js'
import type { StsLookups } from './lookups.js'
import { parseRoleArn, webIdentityParams } from './params.js'
import type { SessionCodec } from './session-codec.js'
import { sessionPolicies } from './session-policy.js'
import { issueSession, parseOrReject, type Reject } from './session-tail.js'
import type { TokenMemo } from './token-memo.js'
import {
  WEB_IDENTITY_ACTION,
  checkAudience,
  checkForm,
  checkProvider,
  checkVerified,
  fetchKeys,
} from './web-identity-checks.js'
import {
  checkDuration,
  checkRole,
  checkTokenSession,
  checkTrust,
  webIdentityContext,
} from './web-identity-role.js'

/** What the web identity flow needs. */
interface WebIdentityDeps {
  readonly store: Store
  readonly clock: Clock
  readonly sessions: SessionCodec
  readonly jwks: JwksFetcher
  readonly trustCache: PolicyCache
  readonly lookups: StsLookups
  readonly memo: TokenMemo
  readonly logger?: Logger | undefined
}

/**
 * AssumeRoleWithWebIdentity, with STS's checks in STS's order, each failure answered with
 * AWS's code and message and recorded (check and detail, never the token) in the
 * decision log, and the check named in the request log (the trust policy's refusals are
 * recorded only):
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
 * 13. DurationSeconds is at most the role's MaxSessionDuration; the token's session tags
 *     and source identity are well formed and fit;
 * 14. the trust policy allows `sts:AssumeRoleWithWebIdentity` for the provider's ARN as the
 *     Federated principal with the token's context keys (AccessDenied "Not authorized to
 *     perform sts:AssumeRoleWithWebIdentity"), and `sts:TagSession` / `sts:SetSourceIdentity`
 *     when the token carries session tags or a source identity.
 */
export async function assumeRoleWithWebIdentity(
  deps: WebIdentityDeps,
  ctx: QueryContext<Principal>,
): Promise<ResultStruct> {
  const base = { requestId: ctx.requestId, at: ctx.nowMs, action: WEB_IDENTITY_ACTION }
  const rec = new DecisionRecorder(deps.store.decisions, base)
  const reject: Reject = (check, error, detail) => {
    ctx.annotate({ check })
    return rec.reject(check, error, detail)
  }
  // 1. Parameters, RoleArn, session policies.
  const params = () => webIdentityParams(ctx.params)
  const p = parseOrReject(reject, 'parameters', params, (e) => e.message)
  rec.base.resource = p.roleArn
  const roleArn = () => parseRoleArn(p.roleArn)
  const arn = parseOrReject(reject, 'role-arn', roleArn, () => 'RoleArn is not a role ARN')
  rec.base.accountId = arn.accountId
  const policies = sessionPolicies(deps.trustCache, p.policy, p.policyArns)
  if (!policies.ok) throw reject('session-policy', policies.error, policies.why)
  // 2–3. Token form and algorithm; 4. the issuer's provider; 5. its keys.
  const decoded = checkForm(deps.memo, p.token, reject)
  const issuer = checkProvider(deps.lookups, arn.accountId, decoded, reject)
  const provider = issuer.provider
  rec.base.principal = provider.arn
  const keys = await fetchKeys(deps.jwks, issuer, decoded, reject)
  // 6–10. Key id, signature, claims, exp, nbf; 11. audience.
  const verified = checkVerified(deps, p.token, keys, ctx.nowMs, reject)
  const claims = verified.claims
  rec.base.principal = `${provider.arn}:${claims.sub.slice(0, 256)}`
  const audience = checkAudience(verified, provider, reject)
  // 12. Role; 13. duration; the token's session tags and source identity.
  const role = checkRole(deps.lookups, arn, p, issuer.generation, reject)
  const durationSeconds = checkDuration(p, role, reject)
  const session = checkTokenSession(claims, policies, reject)
  // 14. Trust policy.
  const name = p.roleSessionName
  const context = webIdentityContext({ ctx, issuer, claims, audience, name, session })
  const trust = checkTrust(deps.trustCache, rec, role, provider.arn, context, session)

  const result = issueSession(deps.sessions, rec, {
    role,
    params: p,
    durationSeconds,
    nowMs: ctx.nowMs,
    tags: session.tags,
    sourceIdentity: session.sourceIdentity,
    federated: { provider: provider.arn, subject: claims.sub, audience },
    packedSize: policies.packedSize,
    trust,
  })
  ctx.annotate({ roleArn: role.arn, session: name })
  return result
}
