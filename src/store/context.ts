import type Database from 'better-sqlite3'
import type { Clock } from '../core/index.js'

/** What every repository is built from: one open connection, the clock, the data directory. */
export interface RepoContext {
  readonly db: Database.Database
  readonly clock: Clock
  /** The data directory: secret files (cluster signing keys) live below it. */
  readonly dir: string
}

/** A key/value tag as IAM keeps it. */
export interface Tag {
  readonly key: string
  readonly value: string
}

/** How a repository's own commits reach the disk; see docs/store.md ("Durability"). */
export type CommitSync = 'normal' | 'full'

/**
 * A wrapper committing `fn` at `synchronous=NORMAL` (it survives a process crash and is
 * fsynced with the next FULL commit or checkpoint) unless `sync` is `full`. The PRAGMA
 * may not change inside a transaction; an enclosing one commits FULL anyway.
 */
export function relaxedCommitter(db: Database.Database, sync: CommitSync): <T>(fn: () => T) => T {
  const relaxed = db.prepare('PRAGMA synchronous = NORMAL')
  const full = db.prepare('PRAGMA synchronous = FULL')
  return (fn) => {
    if (sync === 'full' || db.inTransaction) return fn()
    relaxed.run()
    try {
      return fn()
    } finally {
      full.run()
    }
  }
}
