import { relaxedCommitter, type RepoContext } from './context.js'
import { StoreInvalidError } from './errors.js'
import { guarded } from './sqlite-errors.js'

/**
 * The outcome of a decision: the policy engine's three (`allowed`, `explicitDeny`,
 * `implicitDeny`), or `rejected` for a request refused before any policy was evaluated
 * (a bad token, an unknown provider, a validation error).
 */
export type DecisionOutcome = 'allowed' | 'explicitDeny' | 'implicitDeny' | 'rejected'

/** A value that JSON can carry; what reasons read back as. */
type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** One recorded decision (an STS call, an authorisation of a signed call). */
export interface DecisionRecord {
  /** Insertion order, unique. */
  readonly seq: number
  readonly requestId: string
  /** Epoch milliseconds. */
  readonly at: number
  /** The account the request was about; may be one the store does not hold. */
  readonly accountId?: string
  readonly principal?: string
  readonly action: string
  readonly resource?: string
  readonly decision: DecisionOutcome
  /** The AWS error code the client got, when it got one. */
  readonly errorCode?: string
  /** Why: the check that failed, the statements that matched. Parsed back from JSON. */
  readonly reasons: JsonValue
}

/** What {@link DecisionLog.append} records. Never put a token or a secret in it. */
export interface NewDecision {
  readonly requestId: string
  /** Default: the store's clock. */
  readonly at?: number
  readonly accountId?: string
  readonly principal?: string
  readonly action: string
  readonly resource?: string
  readonly decision: DecisionOutcome
  readonly errorCode?: string
  /** Anything JSON.stringify accepts (default `[]`). */
  readonly reasons?: unknown
}

/** Filters of {@link DecisionLog.since}. */
interface DecisionQuery {
  /** Exclusive upper bound, epoch milliseconds. */
  readonly until?: number
  readonly accountId?: string
  /** At most this many records (the oldest first). */
  readonly limit?: number
}

/**
 * The decision log: append-only, queried by request id and by time. Records queued with
 * {@link DecisionLog.later} are written before any other append and before every read,
 * so this connection always reads the log in order and complete.
 */
export interface DecisionLog {
  append(entry: NewDecision): DecisionRecord
  /**
   * Queues a record (stamped now) to be written with others in one transaction, at most
   * `flushMs` later or once 256 are queued: how a hot path records its successes without
   * a commit per request. Other processes see it after the flush; a crash can lose the
   * records of the last `flushMs`.
   */
  later(entry: NewDecision): void
  /** Writes every queued record now; a failure is reported (`onLost`) and they are dropped. */
  flush(): void
  /** Appends several records in one transaction; returns how many. */
  appendMany(entries: readonly NewDecision[]): number
  /** Every record of one request, in order. */
  byRequestId(requestId: string): DecisionRecord[]
  /** Records at or after `since` (epoch milliseconds), oldest first. */
  since(since: number, query?: DecisionQuery): DecisionRecord[]
  /** The newest `limit` records, oldest first. */
  recent(limit: number): DecisionRecord[]
  /** Deletes records older than `before` (epoch milliseconds); returns how many. */
  prune(before: number): number
  count(): number
}

interface Row {
  seq: number
  request_id: string
  at: number
  account_id: string | null
  principal: string | null
  action: string
  resource: string | null
  decision: DecisionOutcome
  error_code: string | null
  reasons: string
}

interface InsertParams {
  request_id: string
  at: number
  account_id: string | null
  principal: string | null
  action: string
  resource: string | null
  decision: string
  error_code: string | null
  reasons: string
}

/** How decision appends reach the disk; see docs/store.md ("Durability"). */
export type DecisionLogSync = 'normal' | 'full'

/** How {@link createDecisionLog} writes. */
export interface DecisionLogOptions {
  readonly sync: DecisionLogSync
  /** Milliseconds a queued record may wait (default {@link DEFAULT_DECISION_FLUSH_MS}; 0: the next turn). */
  readonly flushMs?: number
  /** Told when queued records could not be written (they are dropped). */
  readonly onLost?: (lost: number, error: unknown) => void
}

/** How long a queued decision may wait to be written with others (milliseconds). */
export const DEFAULT_DECISION_FLUSH_MS = 20
/** Queued decisions that are written at once, whatever the time. */
const MAX_QUEUED_DECISIONS = 256

function toRecord(r: Row): DecisionRecord {
  return {
    seq: r.seq,
    requestId: r.request_id,
    at: r.at,
    ...(r.account_id === null ? {} : { accountId: r.account_id }),
    ...(r.principal === null ? {} : { principal: r.principal }),
    action: r.action,
    ...(r.resource === null ? {} : { resource: r.resource }),
    decision: r.decision,
    ...(r.error_code === null ? {} : { errorCode: r.error_code }),
    reasons: JSON.parse(r.reasons) as JsonValue,
  }
}

function reasonsJson(entry: NewDecision): string {
  // JSON.stringify returns undefined for a function or a symbol, whatever its type says.
  let json: unknown
  try {
    json = JSON.stringify(entry.reasons ?? [])
  } catch (e) {
    throw new StoreInvalidError(
      `decision ${entry.requestId}: reasons are not JSON`,
      { entity: 'decision', key: entry.requestId },
      { cause: e },
    )
  }
  if (typeof json !== 'string')
    throw new StoreInvalidError(`decision ${entry.requestId}: reasons are not JSON`, {
      entity: 'decision',
      key: entry.requestId,
    })
  return json
}

/**
 * A queue of decisions written in batches by `write`, after `flushMs` or at
 * {@link MAX_QUEUED_DECISIONS}; `flush` writes it now. A failed write is told to `onLost`.
 * Inside another transaction (`busy`) nothing is written: its rollback would take other
 * requests' records with it; the timer writes them after.
 */
function decisionQueue(
  write: (list: readonly InsertParams[]) => void,
  busy: () => boolean,
  o: DecisionLogOptions,
): { readonly add: (row: InsertParams) => void; readonly flush: () => void } {
  const flushMs = o.flushMs ?? DEFAULT_DECISION_FLUSH_MS
  let pending: InsertParams[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = (): void => {
    if (pending.length === 0 || busy()) return
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const list = pending
    pending = []
    try {
      write(list)
    } catch (e) {
      o.onLost?.(list.length, e)
    }
  }
  return {
    add(row) {
      pending.push(row)
      if (pending.length >= MAX_QUEUED_DECISIONS) flush()
      else if (timer === undefined) timer = setTimeout(flush, flushMs).unref()
    },
    flush,
  }
}

/**
 * Builds the decision log over `ctx`. With `sync: 'normal'` (the default) an append
 * outside any transaction commits with `synchronous=NORMAL`: it survives a crash of the
 * process (kill -9) like every write, but is fsynced with the next FULL commit or
 * checkpoint rather than at once, so one STS call costs no fsync. Queued records
 * ({@link DecisionLog.later}) are written in one such commit per batch.
 */
export function createDecisionLog(
  { db, clock }: RepoContext,
  options: DecisionLogOptions,
): DecisionLog {
  const insert = db.prepare<InsertParams>(
    `INSERT INTO decisions (request_id, at, account_id, principal, action, resource, decision,
                            error_code, reasons)
     VALUES (@request_id, @at, @account_id, @principal, @action, @resource, @decision,
             @error_code, @reasons)`,
  )
  const byRequest = db.prepare<[string], Row>(
    'SELECT * FROM decisions WHERE request_id = ? ORDER BY seq',
  )
  const since = db.prepare<
    { since: number; until: number | null; account: string | null; limit: number },
    Row
  >(
    `SELECT * FROM decisions
     WHERE at >= @since AND (@until IS NULL OR at < @until)
       AND (@account IS NULL OR account_id = @account)
     ORDER BY at, seq LIMIT @limit`,
  )
  const recent = db.prepare<[number], Row>(
    'SELECT * FROM (SELECT * FROM decisions ORDER BY seq DESC LIMIT ?) ORDER BY seq',
  )
  const prune = db.prepare<[number]>('DELETE FROM decisions WHERE at < ?')
  const count = db.prepare<[], number>('SELECT count(*) FROM decisions').pluck()

  const paramsOf = (e: NewDecision): InsertParams => ({
    request_id: e.requestId,
    at: e.at ?? clock.now(),
    account_id: e.accountId ?? null,
    principal: e.principal ?? null,
    action: e.action,
    resource: e.resource ?? null,
    decision: e.decision,
    error_code: e.errorCode ?? null,
    reasons: reasonsJson(e),
  })
  /** Inserts one record and returns it as a read would (reasons through JSON, as stored). */
  const append = db.transaction((e: NewDecision): DecisionRecord => {
    const params = paramsOf(e)
    const seq = Number(insert.run(params).lastInsertRowid)
    return toRecord({ ...params, seq, decision: e.decision })
  })
  // A batch is the STS hot path's whole write cost: insert, read nothing back.
  const insertAll = db.transaction((rows: readonly InsertParams[]): number => {
    for (const row of rows) insert.run(row)
    return rows.length
  })
  const pruneTx = db.transaction((before: number): number => prune.run(before).changes)
  const relaxedCommit = relaxedCommitter(db, options.sync)
  const many = (rows: readonly InsertParams[]): number =>
    guarded({ entity: 'decision', key: rows[0]?.request_id ?? '', op: 'insert' }, () =>
      relaxedCommit(() => insertAll.immediate(rows)),
    )
  const queue = decisionQueue(many, () => db.inTransaction, options)
  const { flush } = queue

  return {
    append: (e) => {
      flush()
      return guarded({ entity: 'decision', key: e.requestId, op: 'insert' }, () =>
        relaxedCommit(() => append.immediate(e)),
      )
    },
    appendMany: (list) => {
      const rows = list.map(paramsOf)
      flush()
      return many(rows)
    },
    // Stamped and turned into JSON now: a record that cannot be written throws here, to
    // its caller, and never costs the others of its batch.
    later: (e) => {
      queue.add(paramsOf(e))
    },
    flush,
    byRequestId: (requestId) => {
      flush()
      return byRequest.all(requestId).map(toRecord)
    },
    since: (from, q = {}) => {
      flush()
      return since
        .all({
          since: from,
          until: q.until ?? null,
          account: q.accountId ?? null,
          limit: q.limit ?? -1,
        })
        .map(toRecord)
    },
    recent: (limit) => {
      flush()
      return recent.all(limit).map(toRecord)
    },
    prune: (before) => {
      flush()
      return guarded({ entity: 'decision', key: String(before), op: 'delete' }, () =>
        pruneTx.immediate(before),
      )
    },
    count: () => {
      flush()
      return count.get() ?? 0
    },
  }
}
