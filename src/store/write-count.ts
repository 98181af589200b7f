import type Database from 'better-sqlite3'

type Statement = Database.Statement
const RUNNERS = ['run', 'get', 'all', 'iterate'] as const

/**
 * Counts this connection's writes as they are made, so `Store.generation` can tell a
 * local change without asking SQLite: from now on every statement `db` prepares that is
 * not read-only (`INSERT`, `UPDATE`, `DELETE`, `PRAGMA x = y`, also with `RETURNING`)
 * bumps the count each time it runs (before it runs, so a failed write counts too), and
 * so does every `db.exec` and every assigning `db.pragma`. Every repository reaches
 * SQLite through these three.
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
  const exec = db.exec.bind(db)
  const pragma = db.pragma.bind(db)
  Object.defineProperty(db, 'prepare', { value: counting })
  Object.defineProperty(db, 'exec', {
    value: (source: string) => {
      writes++
      return exec(source)
    },
  })
  Object.defineProperty(db, 'pragma', {
    value: (source: string, options?: Database.PragmaOptions) => {
      if (source.includes('=')) writes++
      return pragma(source, options)
    },
  })
  return () => writes
}
