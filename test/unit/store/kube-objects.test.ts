import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { manualClock } from '../../../src/core/index.js'
import {
  KUBE_CHANGES_KEPT,
  MIGRATIONS,
  StoreConflictError,
  StoreNotFoundError,
  openStore,
  type Store,
} from '../../../src/store/index.js'
import { ACCOUNT, T0, fixture, tempDir } from './helpers.js'

function cluster(store: Store, name = 'local'): string {
  return store.clusters.create({
    accountId: ACCOUNT,
    region: 'us-east-1',
    name,
    issuerUrl: (id) => `https://127.0.0.1:8443/id/${id}`,
  }).arn
}

const SA = { kind: 'ServiceAccount', namespace: 'default', name: 'app' } as const

test('apply creates, then is unchanged for an equal object, then configures a changed one', (t) => {
  const { store, clock } = fixture(t)
  const arn = cluster(store)
  const object = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app' } }
  const first = store.kubeObjects.apply(arn, { ...SA, object })
  assert.equal(first.change, 'created')
  assert.equal(first.record.resourceVersion, 1)
  assert.equal(first.record.createdAt, T0)
  assert.match(first.record.uid, /^[0-9a-f-]{36}$/)
  assert.deepEqual(first.record.object, object)

  clock.advance(1000)
  // Same content, keys in another order: canonical JSON makes it equal.
  const again = store.kubeObjects.apply(arn, {
    ...SA,
    object: { metadata: { name: 'app' }, kind: 'ServiceAccount', apiVersion: 'v1' },
  })
  assert.equal(again.change, 'unchanged')
  assert.equal(again.record.resourceVersion, 1)
  assert.equal(again.record.updatedAt, T0)

  const annotated = { ...object, metadata: { name: 'app', annotations: { a: 'b' } } }
  const changed = store.kubeObjects.apply(arn, { ...SA, object: annotated })
  assert.equal(changed.change, 'configured')
  assert.equal(changed.record.uid, first.record.uid, 'the uid stays')
  assert.equal(changed.record.createdAt, T0, 'the creation time stays')
  assert.equal(changed.record.updatedAt, T0 + 1000)
  assert.equal(changed.record.resourceVersion, 2)
  assert.deepEqual(store.kubeObjects.get(arn, SA)?.object, annotated)
})

test('list by kind and namespace, ordered; clusters are separate', (t) => {
  const { store } = fixture(t)
  const a = cluster(store, 'a')
  const b = cluster(store, 'b')
  for (const [ns, name] of [
    ['team', 'z'],
    ['default', 'y'],
    ['team', 'x'],
  ] as const)
    store.kubeObjects.apply(a, { kind: 'ServiceAccount', namespace: ns, name, object: { n: name } })
  store.kubeObjects.apply(a, { kind: 'Pod', namespace: 'team', name: 'p', object: {} })
  store.kubeObjects.apply(b, { kind: 'ServiceAccount', namespace: 'team', name: 'w', object: {} })
  const names = (ns?: string) =>
    store.kubeObjects.list(a, 'ServiceAccount', ns).map((r) => `${r.namespace}/${r.name}`)
  assert.deepEqual(names(), ['default/y', 'team/x', 'team/z'])
  assert.deepEqual(names('team'), ['team/x', 'team/z'])
  assert.deepEqual(names('nope'), [])
  assert.deepEqual(
    store.kubeObjects.list(a, 'Pod').map((r) => r.name),
    ['p'],
  )
  assert.deepEqual(
    store.kubeObjects.list(b, 'ServiceAccount').map((r) => r.name),
    ['w'],
  )
  // Revisions count per cluster.
  assert.equal(
    store.kubeObjects.get(a, { kind: 'Pod', namespace: 'team', name: 'p' })?.resourceVersion,
    4,
  )
  assert.equal(
    store.kubeObjects.get(b, { kind: 'ServiceAccount', namespace: 'team', name: 'w' })
      ?.resourceVersion,
    1,
  )
})

test('delete removes one object; deleting a Namespace removes what is in it', (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  store.kubeObjects.apply(arn, { kind: 'Namespace', namespace: '', name: 'team', object: {} })
  store.kubeObjects.apply(arn, { kind: 'ServiceAccount', namespace: 'team', name: 's', object: {} })
  store.kubeObjects.apply(arn, { kind: 'Pod', namespace: 'team', name: 'p', object: {} })
  store.kubeObjects.apply(arn, { kind: 'Pod', namespace: 'other', name: 'p', object: {} })
  assert.equal(store.kubeObjects.delete(arn, { kind: 'Pod', namespace: 'other', name: 'p' }), true)
  assert.equal(store.kubeObjects.delete(arn, { kind: 'Pod', namespace: 'other', name: 'p' }), false)
  assert.equal(
    store.kubeObjects.delete(arn, { kind: 'Namespace', namespace: '', name: 'team' }),
    true,
  )
  assert.deepEqual(store.kubeObjects.list(arn, 'ServiceAccount'), [])
  assert.deepEqual(store.kubeObjects.list(arn, 'Pod'), [])
})

test('a deleted and re-created object gets a new uid; a deleted cluster takes its objects', (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  const uid1 = store.kubeObjects.apply(arn, { ...SA, object: {} }).record.uid
  store.kubeObjects.delete(arn, SA)
  const uid2 = store.kubeObjects.apply(arn, { ...SA, object: {} }).record.uid
  assert.notEqual(uid1, uid2)
  store.clusters.delete(arn)
  const again = cluster(store)
  assert.equal(store.kubeObjects.get(again, SA), undefined)
})

test('an unknown cluster is StoreNotFoundError; the schema refuses a namespaced Namespace', (t) => {
  const { store } = fixture(t)
  assert.throws(
    () =>
      store.kubeObjects.apply('arn:aws:eks:us-east-1:111122223333:cluster/none', {
        ...SA,
        object: {},
      }),
    (e: unknown) => e instanceof StoreNotFoundError && e.entity === 'cluster',
  )
  const arn = cluster(store)
  assert.throws(
    () =>
      store.kubeObjects.apply(arn, { kind: 'Namespace', namespace: 'x', name: 'y', object: {} }),
    /invalid value/,
  )
})

test('a version-1 database opens, migrates to the current version and keeps its clusters', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const v1 = openStore({ dir, clock, migrations: MIGRATIONS.slice(0, 1) })
  v1.accounts.create({ id: ACCOUNT })
  const arn = cluster(v1)
  assert.equal(v1.schemaVersion(), 1)
  assert.throws(() => {
    v1.kubeObjects.list(arn, 'Pod')
  }, /need schema version 4; this store has 1/)
  v1.close()
  const v2 = openStore({ dir, clock })
  t.after(() => {
    v2.close()
  })
  assert.deepEqual(v2.migration, { from: 1, to: 5, applied: [2, 3, 4, 5] })
  assert.equal(v2.clusters.getByArn(arn)?.name, 'local')
  assert.equal(v2.kubeObjects.apply(arn, { ...SA, object: {} }).change, 'created')
  assert.deepEqual(v2.check(), [])
  assert.equal(join(dir, 'irsa.db'), v2.path)
})

test('objects survive a reopen', (t) => {
  const { store, reopen } = fixture(t)
  const arn = cluster(store)
  store.kubeObjects.apply(arn, { ...SA, object: { keep: [1, 'two', null] } })
  store.close()
  const again = reopen()
  assert.deepEqual(again.kubeObjects.get(arn, SA)?.object, { keep: [1, 'two', null] })
})

test('a version-2 database keeps its objects, uids and resourceVersions; its log starts at its revision', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const v2 = openStore({ dir, clock, migrations: MIGRATIONS.slice(0, 2) })
  v2.accounts.create({ id: ACCOUNT })
  const arn = cluster(v2)
  const path = v2.path
  v2.close()
  const raw = new Database(path)
  const pk = raw.prepare('SELECT pk FROM clusters').pluck().get() as number
  raw
    .prepare(
      `INSERT INTO kube_objects (cluster_pk, kind, namespace, name, uid, resource_version,
         created_at, updated_at, object) VALUES (?, 'ServiceAccount', 'default', 'app', ?, 1, ?, ?, '{"a":1}')`,
    )
    .run(pk, '00000000-0000-4000-8000-000000000001', T0, T0)
  raw.prepare('INSERT INTO kube_revisions (cluster_pk, revision) VALUES (?, 1)').run(pk)
  raw.close()
  const now = openStore({ dir, clock })
  t.after(() => {
    now.close()
  })
  assert.deepEqual(now.migration, { from: 2, to: 5, applied: [3, 4, 5] })
  const kept = now.kubeObjects.get(arn, SA)
  assert.equal(kept?.uid, '00000000-0000-4000-8000-000000000001')
  assert.equal(kept.resourceVersion, 1)
  assert.deepEqual(kept.object, { a: 1 })
  const cm = { kind: 'ConfigMap', namespace: 'default', name: 'kube-root-ca.crt' } as const
  assert.equal(now.kubeObjects.apply(arn, { ...cm, object: { data: {} } }).change, 'created')
  assert.equal(now.kubeObjects.apply(arn, { ...SA, object: { a: 2 } }).record.resourceVersion, 3)
  assert.deepEqual(now.kubeObjects.changes(arn, 0), { floor: 1, changes: [] }, 'no history before')
  assert.deepEqual(
    now.kubeObjects
      .changes(arn, 1)
      .changes.map((c) => [c.type, c.record.name, c.record.resourceVersion]),
    [
      ['ADDED', 'kube-root-ca.crt', 2],
      ['MODIFIED', 'app', 3],
    ],
  )
  assert.deepEqual(now.check(), [])
})

test('the change log: one change per revision, in the write transaction, DELETED with the last object', (t) => {
  const { store, clock, reopen } = fixture(t)
  const arn = cluster(store)
  store.kubeObjects.apply(arn, { kind: 'Namespace', namespace: '', name: 'team', object: {} })
  const sa = { kind: 'ServiceAccount', namespace: 'team', name: 's' } as const
  const created = store.kubeObjects.apply(arn, { ...sa, object: { v: 1 } }).record
  clock.advance(5)
  store.kubeObjects.apply(arn, { ...sa, object: { v: 1 } })
  store.kubeObjects.apply(arn, { ...sa, object: { v: 2 } })
  store.kubeObjects.apply(arn, { kind: 'Pod', namespace: 'team', name: 'p', object: { p: 1 } })
  assert.throws(() => {
    store.transaction(() => {
      store.kubeObjects.apply(arn, { ...sa, object: { v: 3 } })
      throw new Error('rolled back')
    })
  })
  assert.equal(
    store.kubeObjects.delete(arn, { kind: 'Namespace', namespace: '', name: 'team' }),
    true,
  )
  const all = store.kubeObjects.changes(arn, 0)
  assert.equal(all.floor, 0)
  assert.deepEqual(
    all.changes.map((c) => [c.record.resourceVersion, c.type, c.record.kind, c.record.name]),
    [
      [1, 'ADDED', 'Namespace', 'team'],
      [2, 'ADDED', 'ServiceAccount', 's'],
      [3, 'MODIFIED', 'ServiceAccount', 's'],
      [4, 'ADDED', 'Pod', 'p'],
      [5, 'DELETED', 'Pod', 'p'],
      [6, 'DELETED', 'ServiceAccount', 's'],
      [7, 'DELETED', 'Namespace', 'team'],
    ],
  )
  const deletedSa = all.changes.find(
    (c) => c.type === 'DELETED' && c.record.kind === 'ServiceAccount',
  )
  assert.deepEqual(deletedSa?.record.object, { v: 2 })
  assert.equal(deletedSa.record.uid, created.uid)
  assert.equal(store.kubeObjects.revision(arn), 7)
  assert.deepEqual(
    store.kubeObjects.changes(arn, 5, 1).changes.map((c) => c.record.resourceVersion),
    [6],
  )
  store.close()
  const again = reopen()
  assert.deepEqual(
    again.kubeObjects.changes(arn, 3).changes.map((c) => c.record.resourceVersion),
    [4, 5, 6, 7],
    'the log survives a reopen',
  )
})

test(`the change log keeps the last ${String(KUBE_CHANGES_KEPT)} changes; older ones are below the floor`, (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  const extra = 25
  store.transaction(() => {
    for (let i = 1; i <= KUBE_CHANGES_KEPT + extra; i++)
      store.kubeObjects.apply(arn, { ...SA, object: { i } })
  })
  const last = KUBE_CHANGES_KEPT + extra
  assert.equal(store.kubeObjects.revision(arn), last)
  const from0 = store.kubeObjects.changes(arn, 0)
  assert.deepEqual(from0, { floor: extra, changes: [] })
  const atFloor = store.kubeObjects.changes(arn, extra)
  assert.equal(atFloor.changes.length, KUBE_CHANGES_KEPT)
  assert.equal(atFloor.changes[0]?.record.resourceVersion, extra + 1)
  assert.deepEqual(atFloor.changes.at(-1)?.record.object, { i: last })
  assert.equal(store.kubeObjects.changes(arn, last).changes.length, 0)
})

test('preconditions: create refuses an existing object, update a missing or moved one', (t) => {
  const { store } = fixture(t)
  const arn = cluster(store)
  const created = store.kubeObjects.apply(arn, { ...SA, object: { v: 1 } }, { exists: false })
  assert.equal(created.change, 'created')
  assert.throws(
    () => store.kubeObjects.apply(arn, { ...SA, object: { v: 1 } }, { exists: false }),
    (e) => e instanceof StoreConflictError && /already exists/.test(e.message),
  )
  const rv = created.record.resourceVersion
  const updated = store.kubeObjects.apply(
    arn,
    { ...SA, object: { v: 2 } },
    { exists: true, resourceVersion: rv },
  )
  assert.equal(updated.change, 'configured')
  assert.throws(
    () =>
      store.kubeObjects.apply(
        arn,
        { ...SA, object: { v: 3 } },
        { exists: true, resourceVersion: rv },
      ),
    (e) => e instanceof StoreConflictError && /is at resourceVersion/.test(e.message),
  )
  assert.deepEqual(
    store.kubeObjects.get(arn, SA)?.object,
    { v: 2 },
    'a refused write wrote nothing',
  )
  assert.throws(
    () =>
      store.kubeObjects.apply(
        arn,
        { kind: 'Pod', namespace: 'default', name: 'ghost', object: {} },
        { exists: true },
      ),
    StoreNotFoundError,
  )
})
