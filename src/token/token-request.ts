import { TokenRequestError } from './errors.js'

/** TokenRequest's minimum lifetime: 10 minutes. */
const MIN_EXPIRATION_SECONDS = 600
/** TokenRequest's maximum lifetime: 2^32 seconds. */
const MAX_EXPIRATION_SECONDS = 2 ** 32
/** The lifetime of a projected token when none is asked for: 1 hour. */
export const DEFAULT_EXPIRATION_SECONDS = 3600
/** The lifetime the ServiceAccount admission plugin asks for in `kube-api-access-*` volumes. */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 3607
/** How long an extended `kube-api-access-*` token really lives: one year. */
export const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600

/**
 * Validates `spec.expirationSeconds` as kube-apiserver does, with its wording:
 * `spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes`.
 */
function checkExpirationSeconds(seconds: number): void {
  const invalid = (why: string) =>
    new TokenRequestError(`spec.expirationSeconds: Invalid value: ${seconds}: ${why}`)
  if (!Number.isSafeInteger(seconds)) throw invalid('must be a whole number of seconds')
  if (seconds < MIN_EXPIRATION_SECONDS)
    throw invalid('may not specify a duration less than 10 minutes')
  if (seconds > MAX_EXPIRATION_SECONDS)
    throw invalid('may not specify a duration larger than 2^32 seconds')
}

/**
 * Validates a maximum lifetime as kube-apiserver validates
 * `--service-account-max-token-expiration`: between 1 hour and 2^32 seconds.
 */
export function checkMaxExpirationSeconds(
  seconds: number,
  what = 'maximum token expiration',
): void {
  if (!Number.isSafeInteger(seconds) || seconds < 3600 || seconds > MAX_EXPIRATION_SECONDS)
    throw new TokenRequestError(`${what} must be between 1 hour and 2^32 seconds, got ${seconds}`)
}

/** The lifetime a TokenRequest gets, and the warnings kube-apiserver would return with it. */
interface GrantedExpiration {
  readonly expirationSeconds: number
  readonly warnings: readonly string[]
}

/**
 * Applies the maximum: a longer request is shortened, not refused, with kube-apiserver's
 * warning `requested expiration of N seconds shortened to M seconds`.
 */
export function grantExpiration(requested: number, maxSeconds?: number): GrantedExpiration {
  checkExpirationSeconds(requested)
  if (maxSeconds !== undefined && requested > maxSeconds)
    return {
      expirationSeconds: maxSeconds,
      warnings: [`requested expiration of ${requested} seconds shortened to ${maxSeconds} seconds`],
    }
  return { expirationSeconds: requested, warnings: [] }
}
