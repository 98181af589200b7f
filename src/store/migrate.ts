import type Database from 'better-sqlite3'
import type { Clock } from '../core/index.js'
import { StoreInvalidError, StoreVersionError } from './errors.js'
import type { Migration } from './migrations.js'

/** SQLite's `application_id` of an irsa database: "IRSA" in ASCII. */
const APPLICATION_ID = 0x49525341

/** What {@link migrate} did: the schema version before and after. */
export interface MigrationResult {
  readonly from: number
  readonly to: number
  readonly applied: readonly number[]
}

function checkList(migrations: readonly Migration[]): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration list is out of order: position ${i + 1} has version ${m.version}`)
  })
  return migrations.length
}

/**
 * Brings the database to the newest schema in `migrations`: creates `schema_migrations`,
 * refuses a database that is not irsa's or is newer than this code, then applies each
 * missing migration in its own IMMEDIATE transaction together with its bookkeeping row
 * (and `PRAGMA user_version`). Opening an up-to-date database writes nothing. The version
 * is re-read inside each transaction, so two processes opening a fresh file at once apply
 * each migration once.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  clock: Clock,
  file: string,
): MigrationResult {
  const known = checkList(migrations)
  const appId = db.pragma('application_id', { simple: true }) as number
  // One statement, one snapshot: another process creating the schema meanwhile cannot
  // make a fresh file look foreign.
  const shape = db
    .prepare<[], { bookkeeping: number; tables: number }>(
      `SELECT (SELECT count(*) FROM sqlite_schema
                WHERE type = 'table' AND name = 'schema_migrations') AS bookkeeping,
              (SELECT count(*) FROM sqlite_schema) AS tables`,
    )
    .get()
  const hasBookkeeping = shape?.bookkeeping === 1
  const tables = shape?.tables ?? 0
  if ((appId !== 0 && appId !== APPLICATION_ID) || (!hasBookkeeping && tables > 0))
    throw new StoreInvalidError(`${file} is not an irsa database`)
  // IMMEDIATE takes the write lock first (waiting on the busy handler), where an
  // autocommit statement could fail at once on a snapshot another opener just changed.
  if (!hasBookkeeping)
    db.transaction(() =>
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT`),
    ).immediate()
  const current = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  )
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  )
  const from = current.get()?.v ?? 0
  if (from > known)
    throw new StoreVersionError(
      `${file} has schema version ${from}, newer than this irsa understands (${known}); ` +
        'use a newer irsa or another data directory',
      { found: from, known },
    )
  const applied: number[] = []
  const apply = db.transaction((m: Migration) => {
    if ((current.get()?.v ?? 0) >= m.version) return
    db.exec(m.sql)
    record.run(m.version, m.name, clock.now())
    db.pragma(`user_version = ${String(m.version)}`)
    db.pragma(`application_id = ${String(APPLICATION_ID)}`)
    applied.push(m.version)
  })
  for (const m of migrations) if (m.version > from) apply.immediate(m)
  return { from, to: current.get()?.v ?? 0, applied }
}
