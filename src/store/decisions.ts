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

/** The decision log: append-only, queried by request id and by time. */
export interface DecisionLog {
  append(entry: NewDecision): DecisionRecord
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
 * Builds the decision log over `ctx`. With `sync: 'normal'` (the default) an append
 * outside any transaction commits with `synchronous=NORMAL`: it survives a crash of the
 * process (kill -9) like every write, but is fsynced with the next FULL commit or
 * checkpoint rather than at once, so one STS call costs no fsync.
 */
export function createDecisionLog({ db, clock }: RepoContext, sync: DecisionLogSync): DecisionLog {
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
  const appendMany = db.transaction((list: readonly NewDecision[]): number => {
    for (const e of list) insert.run(paramsOf(e))
    return list.length
  })
  const pruneTx = db.transaction((before: number): number => prune.run(before).changes)
  const relaxedCommit = relaxedCommitter(db, sync)

  return {
    append: (e) =>
      guarded({ entity: 'decision', key: e.requestId, op: 'insert' }, () =>
        relaxedCommit(() => append.immediate(e)),
      ),
    appendMany: (list) =>
      guarded({ entity: 'decision', key: list[0]?.requestId ?? '', op: 'insert' }, () =>
        relaxedCommit(() => appendMany.immediate(list)),
      ),
    byRequestId: (requestId) => byRequest.all(requestId).map(toRecord),
    since: (from, q = {}) =>
      since
        .all({
          since: from,
          until: q.until ?? null,
          account: q.accountId ?? null,
          limit: q.limit ?? -1,
        })
        .map(toRecord),
    recent: (limit) => recent.all(limit).map(toRecord),
    prune: (before) =>
      guarded({ entity: 'decision', key: String(before), op: 'delete' }, () =>
        pruneTx.immediate(before),
      ),
    count: () => count.get() ?? 0,
  }
}
