import { awsError, STS_ERRORS, type AwsError } from '../aws/index.js'
import type { Clock } from '../core/index.js'
import type { OidcProvider } from '../store/index.js'
import {
  decodeToken,
  isTokenError,
  isVerifyAlg,
  verifyToken,
  type DecodedToken,
  type TokenError,
  type TokenErrorCode,
  type TokenKeySet,
  type VerifiedToken,
} from '../token/index.js'
import { JwksFetchError } from './errors.js'
import type { JwksFetcher } from './jwks-fetcher.js'
import type { StsLookups } from './lookups.js'
import type { Reject } from './session-tail.js'
import type { TokenMemo } from './token-memo.js'

/** AWS accepts a web identity token for 5 minutes after its `exp`. */
export const WEB_IDENTITY_SKEW_SECONDS = 300
/** The action, as the decision log and the trust policy name it. */
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity'

/** InvalidIdentityToken with AWS's default message; `reason` for the operator. */
export const invalid = (reason: string) => awsError(STS_ERRORS.InvalidIdentityToken, { reason })
/** AccessDenied "Not authorized to perform `action`". */
export const denied = (action: string) => awsError(STS_ERRORS.AccessDenied, { params: { action } })

/**
 * The IAM provider URL of an issuer: the `iss` without `https://` (case and slashes kept).
 * IAM providers are https only, so any other `iss` has none.
 */
export function providerUrlOf(iss: string): string | undefined {
  return iss.startsWith('https://') ? iss.slice(8) : undefined
}

/** 2–3. The token parses as a compact JWS (remembered per token) and its `alg` is allowed. */
export function checkForm(memo: TokenMemo, token: string, reject: Reject): DecodedToken {
  let decoded = memo.decoded(token)
  if (decoded === undefined) {
    try {
      decoded = decodeToken(token)
    } catch (e) {
      if (isTokenError(e)) throw reject('token-form', invalid(e.message), e.message)
      throw e
    }
    memo.rememberDecoded(token, decoded)
  }
  const alg = decoded.header.alg
  if (!isVerifyAlg(alg))
    throw reject('algorithm', invalid(`alg ${alg} is not allowed`), {
      why: 'only RS256/384/512 and ES256/384/512 are accepted',
      alg: alg.slice(0, 20),
    })
  return decoded
}

/** The token's issuer and its OIDC provider, with the store generation both lookups share. */
export interface IssuerProvider {
  readonly iss: string
  /** The provider URL (the `iss` without `https://`). */
  readonly url: string | undefined
  readonly provider: OidcProvider
  readonly generation: number
}

/** 4. An OIDC provider for the token's `iss` exists in the role's account. */
export function checkProvider(
  lookups: StsLookups,
  accountId: string,
  decoded: DecodedToken,
  reject: Reject,
): IssuerProvider {
  const iss = decoded.payload['iss']
  if (typeof iss !== 'string' || iss === '')
    throw reject('issuer', invalid('token has no iss'), 'the token has no string iss claim')
  const url = providerUrlOf(iss)
  // One read of the store's generation serves both lookups of this request.
  const generation = lookups.generation()
  const provider = url === undefined ? undefined : lookups.provider(accountId, url, generation)
  if (provider === undefined)
    throw reject(
      'provider',
      awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'noProvider', params: { issuer: iss } }),
      {
        why: `no OIDC provider for this issuer in account ${accountId}`,
        issuer: iss.slice(0, 300),
      },
    )
  return { iss, url, provider, generation }
}

/**
 * 5. The issuer's keys can be fetched: IDPCommunicationError, or InvalidIdentityToken for
 * an untrusted certificate whose thumbprint is not on the provider's list.
 */
export async function fetchKeys(
  jwks: JwksFetcher,
  { iss, provider }: IssuerProvider,
  decoded: DecodedToken,
  reject: Reject,
): Promise<TokenKeySet> {
  try {
    return await jwks.keys({
      issuer: iss,
      thumbprints: provider.thumbprints,
      kid: decoded.header.kid ?? '',
    })
  } catch (e) {
    if (!(e instanceof JwksFetchError)) throw e
    if (e.failure === 'untrusted')
      throw reject(
        'thumbprint',
        awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'thumbprint', reason: e.message }),
        e.message,
      )
    throw reject(
      'jwks',
      awsError(STS_ERRORS.IDPCommunicationError, { reason: e.message }),
      e.message,
    )
  }
}

/** How one token verification error is refused: the check, the AWS error, the detail. */
interface VerifyFailure {
  readonly check: string
  readonly error: (e: TokenError, nowMs: number) => AwsError
  /** For the decision log; the error's message when absent. */
  readonly detail?: (e: TokenError, nowMs: number) => Record<string, unknown>
}

const nowOf = (e: TokenError, nowMs: number) => e.details.now ?? Math.floor(nowMs / 1000)
const claims: VerifyFailure = { check: 'claims', error: (e) => invalid(e.message) }

/** 6–10. Every token verification error: the check that failed and the AWS error it becomes. */
export const VERIFY_FAILURES: Readonly<Record<TokenErrorCode, VerifyFailure>> = {
  ERR_TOKEN_NO_KEY: {
    check: 'kid',
    error: (e) =>
      awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'verificationKey', reason: e.message }),
  },
  ERR_TOKEN_BAD_SIGNATURE: { check: 'signature', error: (e) => invalid(e.message) },
  ERR_TOKEN_EXPIRED: {
    check: 'exp',
    error: (e, nowMs) =>
      awsError(STS_ERRORS.ExpiredTokenException, {
        params: { now: nowOf(e, nowMs), exp: e.details.exp ?? 0 },
        reason: e.message,
      }),
    detail: (e, nowMs) => ({ why: e.message, exp: e.details.exp ?? 0, now: nowOf(e, nowMs) }),
  },
  ERR_TOKEN_NOT_YET_VALID: {
    check: 'nbf',
    error: (e) => invalid(e.message),
    detail: (e) => ({ why: e.message, nbf: e.details.nbf ?? null }),
  },
  ERR_TOKEN_AUDIENCE_MISMATCH: claims,
  ERR_TOKEN_INVALID_CLAIM: claims,
  ERR_TOKEN_ISSUER_MISMATCH: claims,
  ERR_TOKEN_MALFORMED: claims,
  ERR_TOKEN_MISSING_CLAIM: claims,
  ERR_TOKEN_TOO_LARGE: claims,
  ERR_TOKEN_UNSUPPORTED_ALG: claims,
}

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
 * 6–10. A key has the token's `kid`, the signature verifies, `iss`, `sub`, `aud`, `exp` are
 * present, `exp` (plus 5 minutes) has not passed, `nbf` is not in the future. A verification
 * remembered for these keys is reused while it is still in time.
 */
export function checkVerified(
  deps: { readonly memo: TokenMemo; readonly clock: Clock },
  token: string,
  keys: TokenKeySet,
  nowMs: number,
  reject: Reject,
): VerifiedToken {
  const remembered = deps.memo.verified(token, keys)
  if (remembered !== undefined && inTime(remembered, nowMs)) return remembered
  let verified
  try {
    verified = verifyToken(token, keys, {
      clock: deps.clock,
      clockSkewSeconds: WEB_IDENTITY_SKEW_SECONDS,
    })
  } catch (e) {
    if (!isTokenError(e)) throw e
    const f = VERIFY_FAILURES[e.code]
    throw reject(f.check, f.error(e, nowMs), f.detail?.(e, nowMs) ?? e.message)
  }
  deps.memo.rememberVerified(token, keys, verified)
  return verified
}

/** 11. An `aud` value is one of the provider's client IDs ("Incorrect token audience"). */
export function checkAudience(
  verified: VerifiedToken,
  provider: OidcProvider,
  reject: Reject,
): string {
  const audience = verified.audiences.find((a) => provider.clientIds.includes(a))
  if (audience === undefined)
    throw reject('audience', awsError(STS_ERRORS.InvalidIdentityToken, { variant: 'audience' }), {
      why: 'no aud value is a client ID of the provider',
      aud: verified.audiences.map((a) => a.slice(0, 255)),
      clientIds: provider.clientIds,
    })
  return audience
}
