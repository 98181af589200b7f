import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import {
  STORE_ERROR_CODES,
  StoreConflictError,
  StoreError,
  StoreInUseError,
  StoreInvalidError,
  StoreLimitError,
  StoreNotFoundError,
  StoreVersionError,
  isStoreError,
} from '../../../src/store/index.js'
import { toStoreError, type WriteContext } from '../../../src/store/sqlite-errors.js'
import { IrsaError } from '../../../src/core/index.js'

function sqliteError(db: Database.Database, sql: string): unknown {
  try {
    db.exec(sql)
  } catch (e) {
    assert.ok(e instanceof Database.SqliteError, `expected a SqliteError from: ${sql}`)
    return e
  }
  assert.fail(`no error from: ${sql}`)
}

function memory(): Database.Database {
  const db = new Database(':memory:')
  db.pragma('foreign_keys = ON')
  db.exec(`
    CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE CHECK (name <> '')) STRICT;
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id)) STRICT;
    INSERT INTO parent (id, name) VALUES (1, 'a');
    INSERT INTO child (id, parent_id) VALUES (1, 1);
  `)
  return db
}

const insertRole: WriteContext = {
  entity: 'role',
  key: 'app',
  op: 'insert',
  parent: { entity: 'account', key: '111122223333' },
}

test('each SQLite constraint maps to its typed store error, naming entity and key', (t) => {
  const db = memory()
  t.after(() => db.close())
  const cases: [string, WriteContext, (e: unknown) => boolean][] = [
    [
      "INSERT INTO parent (id, name) VALUES (2, 'a')",
      insertRole,
      (e) =>
        e instanceof StoreConflictError &&
        e.entity === 'role' &&
        e.key === 'app' &&
        e.message === 'role app already exists',
    ],
    [
      "INSERT INTO parent (id, name) VALUES (1, 'b')",
      insertRole,
      (e) => e instanceof StoreConflictError && e.code === 'ERR_STORE_CONFLICT',
    ],
    [
      'INSERT INTO child (id, parent_id) VALUES (2, 99)',
      insertRole,
      (e) => e instanceof StoreNotFoundError && e.entity === 'account' && e.key === '111122223333',
    ],
    [
      'INSERT INTO child (id, parent_id) VALUES (2, 99)',
      { entity: 'role', key: 'app', op: 'insert' },
      (e) => e instanceof StoreInvalidError && /missing row/.test(e.message),
    ],
    [
      'DELETE FROM parent WHERE id = 1',
      { entity: 'policy', key: 'arn:p', op: 'delete' },
      (e) => e instanceof StoreInUseError && e.reason === 'referenced' && e.key === 'arn:p',
    ],
    [
      "INSERT INTO parent (id, name) VALUES (3, '')",
      insertRole,
      (e) => e instanceof StoreInvalidError && e.entity === 'role',
    ],
    [
      'INSERT INTO parent (id, name) VALUES (3, NULL)',
      insertRole,
      (e) => e instanceof StoreInvalidError,
    ],
    [
      "INSERT INTO child (id, parent_id) VALUES (3, 'not a number')",
      insertRole,
      (e) => e instanceof StoreInvalidError,
    ],
    [
      'SELECT * FROM no_such_table',
      insertRole,
      (e) => isStoreError(e, 'ERR_STORE_FAILED') && /SQLITE_ERROR/.test((e as Error).message),
    ],
  ]
  for (const [sql, ctx, ok] of cases) {
    const mapped = toStoreError(sqliteError(db, sql), ctx)
    assert.ok(ok(mapped), `${sql} → ${String(mapped)}`)
    assert.ok(mapped instanceof IrsaError)
    assert.ok((mapped as Error).cause instanceof Database.SqliteError, 'the cause is kept')
  }
})

test('busy, closed, store errors and foreign errors', () => {
  const dbPath = ':memory:'
  const db = new Database(dbPath)
  db.close()
  let closed: unknown
  try {
    db.prepare('SELECT 1')
  } catch (e) {
    closed = e
  }
  assert.ok(isStoreError(toStoreError(closed, insertRole), 'ERR_STORE_CLOSED'))
  const busy = new Database.SqliteError('database is locked', 'SQLITE_BUSY')
  assert.ok(isStoreError(toStoreError(busy, insertRole), 'ERR_STORE_BUSY'))
  const io = new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE')
  assert.ok(isStoreError(toStoreError(io, insertRole), 'ERR_STORE_IO'))
  const full = new Database.SqliteError('database or disk is full', 'SQLITE_FULL')
  assert.ok(isStoreError(toStoreError(full, insertRole), 'ERR_STORE_IO'))
  const own = new StoreLimitError('x', { limit: 5 })
  assert.equal(toStoreError(own, insertRole), own)
  const other = new RangeError('nope')
  assert.equal(toStoreError(other, insertRole), other)
})

test('every error class has its code, name and stays an IrsaError', () => {
  const errors: StoreError[] = [
    new StoreConflictError('m', { entity: 'role', key: 'k' }),
    new StoreNotFoundError('m', { entity: 'role', key: 'k' }),
    new StoreInUseError('m', { entity: 'role', key: 'k', reason: 'inline-policies' }),
    new StoreLimitError('m', { entity: 'policyVersion', key: 'k', limit: 5 }),
    new StoreInvalidError('m'),
    new StoreVersionError('m', { found: 9, known: 1 }),
  ]
  assert.deepEqual(
    errors.map((e) => [e.name, e.code]),
    [
      ['StoreConflictError', 'ERR_STORE_CONFLICT'],
      ['StoreNotFoundError', 'ERR_STORE_NOT_FOUND'],
      ['StoreInUseError', 'ERR_STORE_IN_USE'],
      ['StoreLimitError', 'ERR_STORE_LIMIT'],
      ['StoreInvalidError', 'ERR_STORE_INVALID'],
      ['StoreVersionError', 'ERR_STORE_VERSION'],
    ],
  )
  for (const e of errors) {
    assert.ok(e instanceof IrsaError)
    assert.ok(isStoreError(e, e.code))
    assert.ok(STORE_ERROR_CODES.includes(e.code))
  }
  assert.equal(new Set(STORE_ERROR_CODES).size, STORE_ERROR_CODES.length)
  assert.equal(isStoreError(new Error('x')), false)
  assert.equal(isStoreError(errors[0], 'ERR_STORE_LIMIT'), false)
})
