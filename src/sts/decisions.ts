import type { AwsError } from '../aws/index.js'
import type { DecisionLog, DecisionOutcome } from '../store/index.js'

/** What one STS request's decisions share. */
interface DecisionBase {
  readonly requestId: string
  readonly at: number
  readonly action: string
  accountId?: string
  principal?: string
  resource?: string
}

/**
 * Records STS decisions for one request: `allow` queues the success with its reasons
 * (written with others in one transaction: {@link DecisionLog.later}), `reject` writes a
 * failed check at once (its name, a detail for the operator, the wire code) and returns
 * the error to throw. Reasons never hold the token, a secret or a session token.
 */
export class DecisionRecorder {
  readonly base: DecisionBase
  readonly #log: DecisionLog

  constructor(log: DecisionLog, base: DecisionBase) {
    this.#log = log
    this.base = base
  }

  allow(reasons: Record<string, unknown>): void {
    this.#log.later({ ...this.base, decision: 'allowed', reasons })
  }

  reject(
    check: string,
    error: AwsError,
    detail: Record<string, unknown> | string,
    decision: DecisionOutcome = 'rejected',
  ): AwsError {
    const reasons = typeof detail === 'string' ? { check, why: detail } : { check, ...detail }
    this.#log.append({ ...this.base, decision, errorCode: error.entry.code, reasons })
    return error
  }
}
