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
