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

/** SQLite's NULL for an absent optional value (better-sqlite3 refuses `undefined`). */
export function orNull<T>(v: T | undefined): T | null {
  return v === undefined ? null : v
}

/** An absent optional column, read back: `null` becomes a missing property. */
export function optional<K extends string, T>(key: K, v: T | null): { readonly [P in K]?: T } {
  return (v === null ? {} : { [key]: v }) as { readonly [P in K]?: T }
}
