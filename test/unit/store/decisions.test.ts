import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { isStoreError, type NewDecision } from '../../../src/store/index.js'
import { join } from 'node:path'
import { ACCOUNT, T0, fixture } from './helpers.js'

const deny: NewDecision = {
  requestId: 'req-1',
  accountId: ACCOUNT,
  principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/127.0.0.1:8443/id/ABC`,
  action: 'sts:AssumeRoleWithWebIdentity',
  resource: `arn:aws:iam::${ACCOUNT}:role/app`,
  decision: 'implicitDeny',
  errorCode: 'AccessDenied',
  reasons: [{ check: 'trust-policy', statement: 0, condition: 'StringEquals', key: 'sub' }],
}

test('append records every field, stamped by the clock; reasons round-trip as JSON', (t) => {
  const { store } = fixture(t)
  const rec = store.decisions.append(deny)
  assert.deepEqual(rec, {
    seq: 1,
    requestId: 'req-1',
    at: T0,
    accountId: ACCOUNT,
    principal: deny.principal,
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: deny.resource,
    decision: 'implicitDeny',
    errorCode: 'AccessDenied',
    reasons: [{ check: 'trust-policy', statement: 0, condition: 'StringEquals', key: 'sub' }],
  })
  const minimal = store.decisions.append({
    requestId: 'r2',
    action: 'iam:GetRole',
    decision: 'allowed',
    at: 5,
  })
  assert.deepEqual(minimal, {
    seq: 2,
    requestId: 'r2',
    at: 5,
    action: 'iam:GetRole',
    decision: 'allowed',
    reasons: [],
  })
  assert.equal(store.decisions.count(), 2)
})

test('by request id: every record of that request, in order', (t) => {
  const { store, clock } = fixture(t)
  store.decisions.append(deny)
  clock.advance(1)
  store.decisions.append({ requestId: 'other', action: 'x', decision: 'allowed' })
  store.decisions.append({ ...deny, decision: 'rejected', errorCode: 'InvalidIdentityToken' })
  assert.deepEqual(
    store.decisions.byRequestId('req-1').map((d) => [d.seq, d.decision]),
    [
      [1, 'implicitDeny'],
      [3, 'rejected'],
    ],
  )
  assert.deepEqual(store.decisions.byRequestId('none'), [])
})

test('since: a time window, oldest first, with account filter and limit; recent and prune', (t) => {
  const { store } = fixture(t)
  const at = (m: number) => T0 + m * 60_000
  store.decisions.appendMany([
    { requestId: 'a', action: 'x', decision: 'allowed', at: at(0) },
    { requestId: 'b', action: 'x', decision: 'allowed', at: at(10), accountId: ACCOUNT },
    { requestId: 'c', action: 'x', decision: 'allowed', at: at(5) },
    { requestId: 'd', action: 'x', decision: 'allowed', at: at(20), accountId: '999999999999' },
  ])
  const ids = (l: { requestId: string }[]) => l.map((d) => d.requestId)
  assert.deepEqual(ids(store.decisions.since(at(5))), ['c', 'b', 'd'])
  assert.deepEqual(ids(store.decisions.since(at(5), { until: at(20) })), ['c', 'b'])
  assert.deepEqual(ids(store.decisions.since(0, { accountId: ACCOUNT })), ['b'])
  assert.deepEqual(ids(store.decisions.since(0, { limit: 2 })), ['a', 'c'])
  assert.deepEqual(
    ids(store.decisions.recent(2)),
    ['c', 'd'],
    'the newest two by insertion, oldest first',
  )
  assert.equal(store.decisions.prune(at(10)), 2)
  assert.deepEqual(ids(store.decisions.since(0)), ['b', 'd'])
})

test('the request-id and time indexes exist and serve both lookups', (t) => {
  const { store } = fixture(t)
  const db = new Database(store.path, { readonly: true })
  t.after(() => db.close())
  const indexes = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'decisions'")
    .pluck()
    .all()
  assert.deepEqual([...indexes].sort(), ['decisions_at', 'decisions_request_id'])
  const plan = (sql: string): string =>
    db
      .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all()
      .map((r) => r.detail)
      .join('; ')
  assert.match(
    plan("SELECT * FROM decisions WHERE request_id = 'x' ORDER BY seq"),
    /decisions_request_id/,
  )
  assert.match(plan('SELECT * FROM decisions WHERE at >= 5 ORDER BY at, seq'), /decisions_at/)
})

test('reasons that are not JSON are refused without writing anything', (t) => {
  const { store } = fixture(t)
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  for (const reasons of [cyclic, () => 1, Symbol('s')])
    assert.throws(
      () => store.decisions.append({ ...deny, reasons }),
      (e: unknown) =>
        isStoreError(e, 'ERR_STORE_INVALID') && e.entity === 'decision' && e.key === 'req-1',
    )
  assert.throws(
    () => store.decisions.appendMany([deny, { ...deny, requestId: 'bad', reasons: cyclic }]),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
  )
  assert.equal(store.decisions.count(), 0, 'appendMany is all or nothing')
})

test('appends commit relaxed (NORMAL) and restore FULL; inside a transaction they commit with it', (t) => {
  const { store, reopen } = fixture(t)
  store.decisions.append(deny)
  assert.equal(store.pragmas().synchronous, 'FULL', 'FULL is restored after a relaxed append')
  store.settings.set('k', 'v')
  assert.throws(() =>
    store.transaction(() => {
      store.decisions.append({ ...deny, requestId: 'in-tx' })
      throw new Error('abort')
    }),
  )
  assert.deepEqual(store.decisions.byRequestId('in-tx'), [], 'rolled back with the transaction')
  store.transaction(() => store.decisions.append({ ...deny, requestId: 'in-tx' }))
  assert.equal(store.pragmas().synchronous, 'FULL')
  const full = reopen({ decisionLogSync: 'full' })
  full.decisions.append({ ...deny, requestId: 'full' })
  assert.equal(full.pragmas().synchronous, 'FULL')
  assert.equal(store.decisions.byRequestId('full').length, 1)
})

const allowed = (requestId: string): NewDecision => ({
  requestId,
  action: 's3:GetObject',
  decision: 'allowed',
  reasons: { rule: 'identity allows' },
})

test('later: queued records are stamped when queued and read at once, in order, by this connection', (t) => {
  const { store, clock } = fixture(t)
  store.decisions.later(allowed('a'))
  clock.advance(7)
  store.decisions.later(allowed('b'))
  store.decisions.append({ ...deny, requestId: 'c' })
  assert.deepEqual(
    store.decisions.recent(10).map((d) => [d.requestId, d.at]),
    [
      ['a', T0],
      ['b', T0 + 7],
      ['c', T0 + 7],
    ],
    'queued records go first, with the time they were queued at',
  )
  store.decisions.later(allowed('d'))
  assert.equal(store.decisions.count(), 4)
  store.decisions.later(allowed('e'))
  assert.equal(store.decisions.byRequestId('e').length, 1)
  store.decisions.later(allowed('f'))
  assert.equal(store.decisions.since(T0).length, 6)
})

test('later: another process sees queued records within flushMs, or at once at 256 queued', async (t) => {
  const { store, reopen } = fixture(t)
  const reader = reopen()
  store.decisions.later(allowed('soon'))
  assert.equal(reader.decisions.count(), 0, 'not written yet')
  await new Promise((r) => setTimeout(r, 200))
  assert.equal(reader.decisions.count(), 1, 'written by the timer')
  for (let i = 0; i < 256; i++) store.decisions.later(allowed(`n${String(i)}`))
  assert.equal(reader.decisions.count(), 257, 'the 256th queued record writes the batch')
})

test('later: close writes what is queued; a record that is not JSON is refused at once', (t) => {
  const { store, reopen } = fixture(t)
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  store.decisions.later(allowed('kept'))
  assert.throws(
    () => {
      store.decisions.later({ ...allowed('bad'), reasons: cyclic })
    },
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
  )
  store.close()
  const again = reopen()
  assert.deepEqual(
    again.decisions.recent(5).map((d) => d.requestId),
    ['kept'],
  )
})

test('later: nothing queued is written inside another transaction (its rollback would lose it)', (t) => {
  const { store } = fixture(t)
  store.decisions.later(allowed('outside'))
  assert.throws(() =>
    store.transaction(() => {
      store.decisions.append({ ...deny, requestId: 'in-tx' })
      throw new Error('abort')
    }),
  )
  assert.deepEqual(
    store.decisions.recent(5).map((d) => d.requestId),
    ['outside'],
  )
})

test('later: a batch that cannot be written is reported with its size', async (t) => {
  const lost: number[] = []
  const { reopen, dir } = fixture(t)
  const store = reopen({
    busyTimeoutMs: 0,
    decisionFlushMs: 1,
    onDecisionsLost: (n) => {
      lost.push(n)
    },
  })
  // Another connection holds the write lock, and this store waits for none.
  const raw = new Database(join(dir, 'irsa.db'))
  t.after(() => raw.close())
  raw.exec('BEGIN IMMEDIATE')
  store.decisions.later(allowed('x'))
  store.decisions.later(allowed('y'))
  await new Promise((r) => setTimeout(r, 100))
  raw.exec('ROLLBACK')
  assert.deepEqual(lost, [2])
  assert.equal(store.decisions.count(), 0, 'dropped, not half-written')
})
