import { IrsaError } from '../core/index.js'

/**
 * A remote issuer could not be reached or answered wrongly (thumbprint, discovery):
 * connection refused, timeout, TLS failure, HTTP status, bad JSON. One line, no secrets.
 */
export class IssuerFetchError extends IrsaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OIDC_FETCH', message, options)
    this.name = 'IssuerFetchError'
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
