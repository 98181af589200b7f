import { IrsaError } from '../core/index.js'

/**
 * Why a token was rejected. Stable: STS maps these to AWS's wire errors and `irsa doctor`
 * explains them, so a code is never renamed or reused.
 */
export type TokenErrorCode =
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_TOO_LARGE'
  | 'ERR_TOKEN_UNSUPPORTED_ALG'
  | 'ERR_TOKEN_NO_KEY'
  | 'ERR_TOKEN_BAD_SIGNATURE'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_MISSING_CLAIM'
  | 'ERR_TOKEN_INVALID_CLAIM'
  | 'ERR_TOKEN_ISSUER_MISMATCH'
  | 'ERR_TOKEN_AUDIENCE_MISMATCH'

/** Every {@link TokenErrorCode}, for exhaustive tests and documentation. */
export const TOKEN_ERROR_CODES: readonly TokenErrorCode[] = [
  'ERR_TOKEN_MALFORMED',
  'ERR_TOKEN_TOO_LARGE',
  'ERR_TOKEN_UNSUPPORTED_ALG',
  'ERR_TOKEN_NO_KEY',
  'ERR_TOKEN_BAD_SIGNATURE',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_NOT_YET_VALID',
  'ERR_TOKEN_MISSING_CLAIM',
  'ERR_TOKEN_INVALID_CLAIM',
  'ERR_TOKEN_ISSUER_MISMATCH',
  'ERR_TOKEN_AUDIENCE_MISMATCH',
]

/**
 * Structured facts about a rejection, for callers that build their own message (STS's
 * "Token expired: current date/time NOW must be before the expiration date/time EXP").
 * Times are epoch seconds. None of these is secret; the token itself is never kept.
 */
interface TokenErrorDetails {
  /** The claim at fault (`exp`, `aud`, ...). */
  readonly claim?: string
  /** The token's `exp`. */
  readonly exp?: number
  /** The token's `nbf`. */
  readonly nbf?: number
  /** The verifier's current time. */
  readonly now?: number
  /** The token's `alg` header, when it is the problem or selected no key. */
  readonly alg?: string
  /** The token's `kid` header (absent when the token has none). */
  readonly kid?: string
}

/**
 * A service-account token that failed to decode or verify. `message` is one line and
 * never contains the token or any part of it; the details carry what callers need.
 */
export class TokenError extends IrsaError {
  declare readonly code: TokenErrorCode
  readonly details: TokenErrorDetails

  constructor(code: TokenErrorCode, message: string, details: TokenErrorDetails = {}) {
    super(code, message)
    this.name = 'TokenError'
    this.details = details
  }
}

/** True when `e` is a {@link TokenError}, optionally with the given code. */
export function isTokenError(e: unknown, code?: TokenErrorCode): e is TokenError {
  return e instanceof TokenError && (code === undefined || e.code === code)
}

/**
 * A TokenRequest that kube-apiserver would refuse (a lifetime under 10 minutes, a pod
 * binding without a uid, an invalid name). The message follows Kubernetes' wording.
 */
export class TokenRequestError extends IrsaError {
  constructor(message: string) {
    super('ERR_TOKEN_REQUEST_INVALID', message)
    this.name = 'TokenRequestError'
  }
}
