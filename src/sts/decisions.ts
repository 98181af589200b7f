import type { AwsError } from '../aws/index.js'
import type { DecisionOutcome, Store } from '../store/index.js'

/** What one STS request's decisions share. */
export interface DecisionBase {
  readonly requestId: string
  readonly at: number
  readonly action: string
  accountId?: string
  principal?: string
  resource?: string
}

/**
 * Records STS decisions for one request: `allow` the success with its reasons, `reject`
 * a failed check (its name, a detail for the operator, the wire code) and returns the
 * error to throw. Reasons never hold the token, a secret or a session token.
 */
export class DecisionRecorder {
  readonly base: DecisionBase
  readonly #store: Store

  constructor(store: Store, base: DecisionBase) {
    this.#store = store
    this.base = base
  }

  allow(reasons: Record<string, unknown>): void {
    this.#store.decisions.append({ ...this.base, decision: 'allowed', reasons })
  }

  reject(
    check: string,
    error: AwsError,
    detail: Record<string, unknown> | string,
    decision: DecisionOutcome = 'rejected',
  ): AwsError {
    const reasons = typeof detail === 'string' ? { check, why: detail } : { check, ...detail }
    this.#store.decisions.append({ ...this.base, decision, errorCode: error.entry.code, reasons })
    return error
  }
}
