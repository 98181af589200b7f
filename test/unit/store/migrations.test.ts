import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { manualClock } from '../../../src/core/index.js'
import {
  MIGRATIONS,
  SCHEMA_VERSION,
  StoreVersionError,
  openStore,
  type Migration,
} from '../../../src/store/index.js'
import { ACCOUNT, T0, fixture, tempDir } from './helpers.js'

function rows(path: string): { version: number; name: string; applied_at: number }[] {
  const db = new Database(path, { readonly: true })
  try {
    return db
      .prepare<[], { version: number; name: string; applied_at: number }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      )
      .all()
  } finally {
    db.close()
  }
}

test('the migration list is numbered 1..N without gaps and SCHEMA_VERSION is N', () => {
  assert.ok(MIGRATIONS.length > 0)
  MIGRATIONS.forEach((m, i) => {
    assert.equal(m.version, i + 1)
    assert.ok(m.name.length > 0)
  })
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length)
})

test('a fresh database gets every migration, recorded with the clock time', (t) => {
  const { store } = fixture(t)
  assert.deepEqual(store.migration, {
    from: 0,
    to: SCHEMA_VERSION,
    applied: MIGRATIONS.map((m) => m.version),
  })
  assert.equal(store.schemaVersion(), SCHEMA_VERSION)
  store.close()
  assert.deepEqual(
    rows(store.path),
    MIGRATIONS.map((m) => ({ version: m.version, name: m.name, applied_at: T0 })),
  )
})

test('reopening an up-to-date database applies nothing and keeps the data', (t) => {
  const { store, reopen, clock } = fixture(t)
  store.settings.set('port', '4566')
  store.close()
  clock.advance(60_000)
  const again = reopen()
  assert.deepEqual(again.migration, { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] })
  assert.equal(again.settings.get('port'), '4566')
  assert.equal(again.accounts.get(ACCOUNT)?.id, ACCOUNT)
  again.close()
  assert.equal(rows(again.path).length, SCHEMA_VERSION, 'no duplicate bookkeeping rows')
})

test('a database newer than the code is refused with a clear error and left untouched', (t) => {
  const { store } = fixture(t)
  store.close()
  const db = new Database(store.path)
  db.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)",
  ).run(SCHEMA_VERSION + 1)
  db.close()
  assert.throws(
    () => openStore({ path: store.path, clock: manualClock(T0) }),
    (e: unknown) =>
      e instanceof StoreVersionError &&
      e.code === 'ERR_STORE_VERSION' &&
      e.found === SCHEMA_VERSION + 1 &&
      e.known === SCHEMA_VERSION &&
      e.message.includes(`schema version ${String(SCHEMA_VERSION + 1)}`) &&
      e.message.includes('newer irsa'),
  )
  assert.equal(rows(store.path).length, SCHEMA_VERSION + 1)
})

const V2: Migration = {
  version: 2,
  name: 'add notes',
  sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;',
}

test('an older database is upgraded step by step, only the missing migrations run', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const v1 = openStore({ dir, clock, migrations: MIGRATIONS.slice(0, 1) })
  v1.accounts.create({ id: ACCOUNT })
  v1.close()
  clock.advance(1000)
  const v2 = openStore({ dir, clock, migrations: [MIGRATIONS[0]!, V2] })
  assert.deepEqual(v2.migration, { from: 1, to: 2, applied: [2] })
  assert.equal(v2.accounts.get(ACCOUNT)?.id, ACCOUNT)
  v2.close()
  assert.deepEqual(
    rows(join(dir, 'irsa.db')).map((r) => [r.version, r.applied_at]),
    [
      [1, T0],
      [2, T0 + 1000],
    ],
  )
  const db = new Database(join(dir, 'irsa.db'), { readonly: true })
  t.after(() => db.close())
  assert.equal(db.pragma('user_version', { simple: true }), 2)
})

test('a failing migration rolls back entirely: no table, no bookkeeping row', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  openStore({ dir, clock, migrations: MIGRATIONS.slice(0, 1) }).close()
  const broken: Migration = {
    version: 2,
    name: 'broken',
    sql: 'CREATE TABLE half (id INTEGER PRIMARY KEY); THIS IS NOT SQL;',
  }
  assert.throws(() => openStore({ dir, clock, migrations: [MIGRATIONS[0]!, broken] }))
  const db = new Database(join(dir, 'irsa.db'), { readonly: true })
  t.after(() => db.close())
  const half = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half'").pluck().get()
  assert.equal(half, 0)
  assert.deepEqual(
    rows(join(dir, 'irsa.db')).map((r) => r.version),
    [1],
  )
  // The good code still opens it.
  const ok = openStore({ dir, clock })
  ok.close()
})

test('a migration list with a gap is refused as a programming error', (t) => {
  const dir = tempDir(t)
  assert.throws(
    () =>
      openStore({
        dir,
        clock: manualClock(T0),
        migrations: [MIGRATIONS[0]!, { ...V2, version: 3 }],
      }),
    /out of order/,
  )
})

test('a second connection on the same file finds it migrated and shares its data', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const a = openStore({ dir, clock })
  const b = openStore({ dir, clock })
  t.after(() => {
    a.close()
    b.close()
  })
  assert.deepEqual(
    a.migration.applied,
    MIGRATIONS.map((m) => m.version),
  )
  assert.deepEqual(b.migration.applied, [])
  a.accounts.create({ id: ACCOUNT })
  assert.equal(b.accounts.get(ACCOUNT)?.id, ACCOUNT, 'both see one database')
})
