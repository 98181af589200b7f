import { IrsaError } from '../core/index.js'
import type { IssuerFetchFailure } from '../oidc/index.js'

/** Why a JWKS could not be had: unreachable/invalid, or a certificate nobody vouches for. */
type JwksFailure = IssuerFetchFailure

/**
 * The issuer's discovery document or key set could not be fetched or trusted. STS turns
 * `untrusted` into InvalidIdentityToken (thumbprint mismatch) and the others into
 * IDPCommunicationError. The message names URLs and reasons, never a token.
 */
export class JwksFetchError extends IrsaError {
  readonly failure: JwksFailure

  constructor(failure: JwksFailure, message: string, options?: { cause?: unknown }) {
    super('ERR_STS_JWKS_FETCH', message, options)
    this.name = 'JwksFetchError'
    this.failure = failure
  }
}
