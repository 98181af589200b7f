import type Database from 'better-sqlite3'

type Statement = Database.Statement
const RUNNERS = ['run', 'get', 'all', 'iterate'] as const

/**
 * Counts this connection's writes as they are made: from now on every statement `db`
 * prepares that is not read-only (`INSERT`, `UPDATE`, `DELETE`, `PRAGMA x = y`, also with
 * `RETURNING`) bumps the count each time it runs, before it runs. Every repository
 * prepares its statements through `db.prepare`, so `Store.generation` can tell a local
 * change without asking SQLite (`total_changes()`, a statement of its own) on every call.
 * A write that bypasses it (`db.exec`: migrations, before anything is served) is still
 * seen through SQLite's own counters, checked at least once per clock millisecond.
 */
export function countWrites(db: Database.Database): () => number {
  let writes = 0
  const prepare = db.prepare.bind(db) as (source: string) => Statement
  const counting = (source: string): Statement => {
    const stmt = prepare(source)
    if (stmt.readonly) return stmt
    for (const name of RUNNERS) {
      const runner = stmt[name].bind(stmt) as (...args: unknown[]) => unknown
      Object.defineProperty(stmt, name, {
        value: (...args: unknown[]): unknown => {
          writes++
          return runner(...args)
        },
      })
    }
    return stmt
  }
  Object.defineProperty(db, 'prepare', { value: counting })
  return () => writes
}
