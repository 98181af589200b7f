import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { manualClock } from '../../../src/core/index.js'
import { DB_FILE, SCHEMA_VERSION, isStoreError, openStore } from '../../../src/store/index.js'
import { ACCOUNT, T0, fixture, tempDir } from './helpers.js'

const mode = (p: string): number => statSync(p).mode & 0o777

test('a new data directory is 0700 and the database, WAL and shm files are 0600', (t) => {
  const { store, dir } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
  assert.equal(store.dir, dir)
  assert.equal(store.path, join(dir, DB_FILE))
  assert.equal(mode(dir), 0o700)
  const files = readdirSync(dir).sort()
  assert.deepEqual(files, ['irsa.db', 'irsa.db-shm', 'irsa.db-wal'])
  for (const f of files) assert.equal(mode(join(dir, f)), 0o600, f)
})

test('an existing database file readable by others is narrowed to 0600', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  openStore({ dir, clock }).close()
  chmodSync(join(dir, DB_FILE), 0o644)
  const store = openStore({ dir, clock })
  t.after(() => {
    store.close()
  })
  assert.equal(mode(join(dir, DB_FILE)), 0o600)
})

test('the connection runs WAL, synchronous=FULL, foreign keys on, the busy timeout given', (t) => {
  const { store } = fixture(t)
  assert.deepEqual(store.pragmas(), {
    journalMode: 'wal',
    synchronous: 'FULL',
    foreignKeys: true,
    busyTimeoutMs: 5000,
  })
  const other = openStore({ path: store.path, clock: manualClock(T0), busyTimeoutMs: 250 })
  t.after(() => {
    other.close()
  })
  assert.equal(other.pragmas().busyTimeoutMs, 250)
  // Persistent facts in the file itself, read by a separate connection.
  const db = new Database(store.path, { readonly: true })
  t.after(() => db.close())
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  assert.equal(db.pragma('application_id', { simple: true }), 0x49525341)
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION)
})

test('foreign keys are enforced and a lock held elsewhere makes a write wait, then fail as busy', (t) => {
  const { store } = fixture(t)
  const s2 = openStore({ path: store.path, clock: manualClock(T0), busyTimeoutMs: 200 })
  t.after(() => {
    s2.close()
  })
  assert.throws(
    () => s2.roles.create({ accountId: '999999999999', name: 'r', assumeRolePolicyDocument: '{}' }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'account',
  )
  const probe = new Database(store.path)
  t.after(() => probe.close())
  probe.exec('BEGIN IMMEDIATE')
  const started = process.hrtime.bigint()
  assert.throws(
    () => {
      s2.settings.set('k', 'v')
    },
    (e: unknown) => isStoreError(e, 'ERR_STORE_BUSY') && /another process/.test(e.message),
  )
  const waitedMs = Number(process.hrtime.bigint() - started) / 1e6
  probe.exec('ROLLBACK')
  assert.ok(waitedMs >= 150, `waited ${String(waitedMs)} ms for a 200 ms busy timeout`)
  s2.settings.set('k', 'v')
  assert.equal(store.settings.get('k'), 'v')
})

test('path opens a database file directly; its directory is the data directory', (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'nested', 'custom.db')
  const store = openStore({ path, clock: manualClock(T0) })
  t.after(() => {
    store.close()
  })
  assert.equal(store.path, path)
  assert.equal(store.dir, join(dir, 'nested'))
  assert.equal(mode(path), 0o600)
  assert.equal(mode(join(dir, 'nested')), 0o700)
})

test('an existing data directory keeps its mode; the files in it are still 0600', (t) => {
  const dir = join(tempDir(t), 'shared')
  mkdirSync(dir, { mode: 0o755 })
  chmodSync(dir, 0o755)
  const store = openStore({ dir, clock: manualClock(T0) })
  t.after(() => {
    store.close()
  })
  assert.equal(mode(dir), 0o755)
  assert.equal(mode(store.path), 0o600)
})

test('openStore needs exactly one of dir and path', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  assert.throws(
    () => openStore({ clock }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
  )
  assert.throws(
    () => openStore({ clock, dir, path: join(dir, 'x.db') }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
  )
})

test('mustExist refuses a missing database and creates nothing', (t) => {
  const dir = join(tempDir(t), 'absent')
  assert.throws(
    () => openStore({ dir, clock: manualClock(T0), mustExist: true }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_MISSING') && e.message.includes(DB_FILE),
  )
  assert.throws(() => statSync(dir), /ENOENT/)
})

test('a file that is not a database, or another application`s database, is refused', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const garbage = join(dir, 'garbage.db')
  writeFileSync(
    garbage,
    'this is not sqlite at all, just text long enough to have a header....'.repeat(3),
    { mode: 0o600 },
  )
  assert.throws(
    () => openStore({ path: garbage, clock }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID') && /not an irsa database/.test(e.message),
  )
  const foreign = join(dir, 'foreign.db')
  const db = new Database(foreign)
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)')
  db.close()
  assert.throws(
    () => openStore({ path: foreign, clock }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID') && /not an irsa database/.test(e.message),
  )
  const tables = new Database(foreign, { readonly: true })
  t.after(() => tables.close())
  const names = tables.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()
  assert.deepEqual(names, ['notes'], 'the foreign database was not modified')
})

test('a data directory path that is a file is refused', (t) => {
  const file = join(tempDir(t), 'plain')
  writeFileSync(file, 'x')
  assert.throws(
    () => openStore({ dir: file, clock: manualClock(T0) }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_IO') && /not a directory/.test(e.message),
  )
})

test('close is idempotent; a write after close is ERR_STORE_CLOSED', (t) => {
  const { store } = fixture(t)
  assert.equal(store.isOpen, true)
  store.close()
  store.close()
  assert.equal(store.isOpen, false)
  assert.throws(
    () => {
      store.settings.set('k', 'v')
    },
    (e: unknown) => isStoreError(e, 'ERR_STORE_CLOSED'),
  )
})

test('close leaves no WAL behind and the data is in the main file', (t) => {
  const { store, dir } = fixture(t)
  store.settings.set('port', '8443')
  store.close()
  assert.deepEqual(readdirSync(dir), [DB_FILE])
  const db = new Database(join(dir, DB_FILE), { readonly: true })
  t.after(() => db.close())
  assert.equal(db.prepare("SELECT value FROM settings WHERE key = 'port'").pluck().get(), '8443')
})

test('check() is empty for a healthy database; checkpoint() empties the WAL', (t) => {
  const { store, dir } = fixture(t)
  store.settings.set('a', '1')
  assert.ok(statSync(join(dir, 'irsa.db-wal')).size > 0)
  store.checkpoint()
  assert.equal(statSync(join(dir, 'irsa.db-wal')).size, 0)
  assert.deepEqual(store.check(), [])
})
