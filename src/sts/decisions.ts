import type { AwsError } from '../aws/index.js'
import type { Logger } from '../core/index.js'
import type { DecisionOutcome, NewDecision, Store } from '../store/index.js'

/** How long successful decisions may wait to be written together (milliseconds). */
const DEFAULT_DECISION_FLUSH_MS = 20

/**
 * Where STS's decisions go. Refusals are written at once (with anything pending, so the
 * log keeps its order); successful calls are batched and written together after
 * `flushMs` (or at 256 pending; with `flushMs` 0, on the next turn of the event loop),
 * one transaction for many calls, which keeps a hot AssumeRoleWithWebIdentity path off
 * one-commit-per-request. A crash can lose at most the successes of the last `flushMs`.
 */
export class DecisionSink {
  readonly #store: Store
  readonly #logger: Logger | undefined
  readonly #flushMs: number
  #pending: NewDecision[] = []
  #scheduled = false

  constructor(store: Store, logger?: Logger, flushMs = DEFAULT_DECISION_FLUSH_MS) {
    this.#store = store
    this.#logger = logger
    this.#flushMs = flushMs
  }

  /** Queues a record for the next flush. */
  later(entry: NewDecision): void {
    this.#pending.push(entry)
    if (this.#pending.length >= 256) this.flush()
    else if (!this.#scheduled) {
      this.#scheduled = true
      const flush = (): void => {
        this.flush()
      }
      if (this.#flushMs <= 0) setImmediate(flush)
      else setTimeout(flush, this.#flushMs)
    }
  }

  /** Writes a record now, after whatever is pending. */
  now(entry: NewDecision): void {
    this.#pending.push(entry)
    this.flush()
  }

  /** Writes everything pending in one transaction. */
  flush(): void {
    this.#scheduled = false
    const list = this.#pending
    if (list.length === 0) return
    this.#pending = []
    try {
      this.#store.decisions.appendMany(list)
    } catch (e) {
      this.#logger?.error(
        { err: e instanceof Error ? e.message : String(e), lost: list.length },
        'sts decisions could not be written',
      )
    }
  }
}

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
 * Records STS decisions for one request: `allow` the success with its reasons, `reject`
 * a failed check (its name, a detail for the operator, the wire code) and returns the
 * error to throw. Reasons never hold the token, a secret or a session token.
 */
export class DecisionRecorder {
  readonly base: DecisionBase
  readonly #sink: DecisionSink

  constructor(sink: DecisionSink, base: DecisionBase) {
    this.#sink = sink
    this.base = base
  }

  allow(reasons: Record<string, unknown>): void {
    this.#sink.later({ ...this.base, decision: 'allowed', reasons })
  }

  reject(
    check: string,
    error: AwsError,
    detail: Record<string, unknown> | string,
    decision: DecisionOutcome = 'rejected',
  ): AwsError {
    const reasons = typeof detail === 'string' ? { check, why: detail } : { check, ...detail }
    this.#sink.now({ ...this.base, decision, errorCode: error.entry.code, reasons })
    return error
  }
}
