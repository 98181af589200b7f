import { IrsaError } from '../core/index.js'

/** Why an issuer fetch failed: no good answer, a certificate nobody vouches for, or a bad document. */
export type IssuerFetchFailure = 'unreachable' | 'untrusted' | 'invalid'

/**
 * A remote issuer could not be reached or answered wrongly (thumbprint, discovery):
 * connection refused, timeout, TLS failure, HTTP status, bad JSON. One line, no secrets.
 */
export class IssuerFetchError extends IrsaError {
  readonly failure: IssuerFetchFailure

  constructor(
    message: string,
    options: { readonly failure: IssuerFetchFailure; readonly cause?: unknown },
  ) {
    super('ERR_OIDC_FETCH', message, options)
    this.name = 'IssuerFetchError'
    this.failure = options.failure
  }
}

/** A key-rotation step that would break verification (signing too early, retiring too soon). */
export class KeyRotationError extends IrsaError {
  constructor(message: string) {
    super('ERR_OIDC_KEY_ROTATION', message)
    this.name = 'KeyRotationError'
  }
}

/** Two issuers on one server claim the same path. */
export class IssuerConflictError extends IrsaError {
  constructor(message: string) {
    super('ERR_OIDC_ISSUER_CONFLICT', message)
    this.name = 'IssuerConflictError'
  }
}
