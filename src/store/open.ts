import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import type { Clock } from '../core/index.js'
import { createAccessKeyRepo, type AccessKeyRepo } from './access-keys.js'
import { createAccountRepo, type AccountRepo } from './accounts.js'
import { createClusterRepo, type ClusterRepo } from './clusters.js'
import type { RepoContext } from './context.js'
import { startCheckpointer } from './checkpointer.js'
import { countWrites } from './write-count.js'
import { createDecisionLog, type DecisionLog, type DecisionLogSync } from './decisions.js'
import { StoreError, StoreInvalidError } from './errors.js'
import { ensureDir, ensurePrivateFile } from './files.js'
import {
  createKubeObjectRepo,
  missingKubeObjectRepo,
  type KubeObjectRepo,
  type KubeObjectSync,
} from './kube-objects.js'
import { migrate, type MigrationResult } from './migrate.js'
import { MIGRATIONS, type Migration } from './migrations.js'
import { createOidcProviderRepo, type OidcProviderRepo } from './oidc-providers.js'
import { createPolicyRepo, type PolicyRepo } from './policies.js'
import { createRolePolicyRepo, type RolePolicyRepo } from './role-policies.js'
import { createRoleRepo, type RoleRepo } from './roles.js'
import { createS3BucketRepo, missingS3BucketRepo, type S3BucketRepo } from './s3-buckets.js'
import { createS3ObjectRepo, missingS3ObjectRepo, type S3ObjectRepo } from './s3-objects.js'
import { createServerSecretRepo, type ServerSecretRepo } from './server-secrets.js'
import { createSettingsRepo, type SettingsRepo } from './settings.js'
import { sqliteFailure } from './sqlite-errors.js'

/** The database file's name in a data directory. */
export const DB_FILE = 'irsa.db'
/** How often (clock milliseconds) {@link Store.generation} looks for other connections' commits. */
export const EXTERNAL_CHANGE_CHECK_MS = 1
/** How long a write waits for another connection's lock before `ERR_STORE_BUSY`. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000

/** Where and how to open the store. Give `dir` or `path`, not both. */
export interface OpenStoreOptions {
  /** The data directory (created 0700 when missing); the database is `DIR/irsa.db`. */
  readonly dir?: string
  /** The database file itself; its directory is the data directory. */
  readonly path?: string
  readonly clock: Clock
  /** Fail with `ERR_STORE_MISSING` instead of creating a database (readers: `irsa logs`). */
  readonly mustExist?: boolean
  /** Default {@link DEFAULT_BUSY_TIMEOUT_MS}. */
  readonly busyTimeoutMs?: number
  /** How decision-log appends are synced (default `normal`); every other write is FULL. */
  readonly decisionLogSync?: DecisionLogSync
  /** How long queued decisions wait to be written together (default 20 ms; see `DecisionLog.later`). */
  readonly decisionFlushMs?: number
  /** Told when queued decisions could not be written (they are dropped); the stack logs it. */
  readonly onDecisionsLost?: (lost: number, error: unknown) => void
  /**
   * `background`: WAL checkpoints run in a worker thread, never inside a commit on this
   * thread (see `startCheckpointer`); for a server. Default `auto`: SQLite's own.
   */
  readonly checkpoints?: 'auto' | 'background'
  /** Told of a background checkpointer's trouble (a failed checkpoint, the worker gone). */
  readonly onCheckpointProblem?: (message: string) => void
  /** How Kubernetes object writes are synced (default `normal`, as the decision log). */
  readonly kubeObjectSync?: KubeObjectSync
  /** Tests only: a different migration list. */
  readonly migrations?: readonly Migration[]
}

/** The connection settings that make the store's guarantees. */
interface StorePragmas {
  readonly journalMode: string
  readonly synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'
  readonly foreignKeys: boolean
  readonly busyTimeoutMs: number
}

const SYNC_LEVELS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const

/** An open store: one SQLite connection and a repository per kind of row. */
export interface Store {
  /** The data directory. */
  readonly dir: string
  /** The database file. */
  readonly path: string
  /** What opening did to the schema. */
  readonly migration: MigrationResult
  readonly accounts: AccountRepo
  readonly accessKeys: AccessKeyRepo
  readonly serverSecrets: ServerSecretRepo
  readonly settings: SettingsRepo
  readonly roles: RoleRepo
  readonly rolePolicies: RolePolicyRepo
  readonly policies: PolicyRepo
  readonly oidcProviders: OidcProviderRepo
  readonly clusters: ClusterRepo
  /** The local clusters' Namespaces, ServiceAccounts and Pods. */
  readonly kubeObjects: KubeObjectRepo
  readonly decisions: DecisionLog
  /** S3 buckets (schema version 5). */
  readonly s3Buckets: S3BucketRepo
  /** S3 objects, multipart uploads and parts (metadata; the bytes are files). */
  readonly s3Objects: S3ObjectRepo
  /**
   * Runs `fn` in one IMMEDIATE transaction: repository calls inside it become savepoints
   * and commit together, or none does when `fn` throws. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T
  /** The schema version in the file. */
  schemaVersion(): number
  /**
   * A number that grows whenever a change is made through this connection (at once) or
   * committed by another, such as another process on the same file (noticed within
   * {@link EXTERNAL_CHANGE_CHECK_MS} of the clock). Two equal answers mean nothing changed
   * in between, so what was read at the first is still current: callers cache rows
   * against it. Inside a transaction every answer is new (what is read there may roll
   * back), and so is the first after it. Costs well under a microsecond, plus about ten
   * once per millisecond.
   */
  generation(): number
  /** The connection's durability settings, as SQLite reports them (for tests and doctor). */
  pragmas(): StorePragmas
  /** `PRAGMA integrity_check` and `foreign_key_check`: an empty list means healthy. */
  check(): string[]
  /** Copies the WAL into the database file (`PRAGMA wal_checkpoint(TRUNCATE)`). */
  checkpoint(): void
  readonly isOpen: boolean
  /** Closes the connection (idempotent). Every acknowledged write is already on disk. */
  close(): void
}

function locate(options: OpenStoreOptions): { dir: string; path: string } {
  if ((options.dir === undefined) === (options.path === undefined))
    throw new StoreInvalidError('openStore needs exactly one of dir and path')
  if (options.dir !== undefined) {
    const dir = resolve(options.dir)
    return { dir, path: join(dir, DB_FILE) }
  }
  const path = resolve(options.path ?? '')
  return { dir: dirname(path), path }
}

function open(path: string, timeout: number): Database.Database {
  try {
    return new Database(path, { timeout, fileMustExist: true })
  } catch (e) {
    if (e instanceof Database.SqliteError) throw sqliteFailure(e)
    throw e
  }
}

/** Whether the schema has `table` (a store opened with an older migration list may not). */
function hasTable(db: Database.Database, table: string): boolean {
  return (
    db
      .prepare<[string], number>(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?",
      )
      .pluck()
      .get(table) === 1
  )
}

/** Blocks the thread for `ms` (a bounded pause between lock retries while opening). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

const RETRY_MS = 10

/**
 * Switches a new file to WAL. That needs an exclusive lock, and SQLite answers BUSY at
 * once, without the busy handler, when processes opening one fresh file at the same time
 * all hold shared locks. So retry, for about the busy timeout.
 */
function enableWal(db: Database.Database, busyTimeoutMs: number): unknown {
  for (let waited = 0; ; waited += RETRY_MS) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true })
    } catch (e) {
      const busy = e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY')
      if (!busy || waited >= busyTimeoutMs) throw e
      pause(RETRY_MS)
    }
  }
}

function configure(db: Database.Database, path: string, busyTimeoutMs: number): void {
  const mode = enableWal(db, busyTimeoutMs)
  if (mode !== 'wal')
    throw new StoreError('ERR_STORE_IO', `${path}: cannot use WAL mode (${String(mode)})`)
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma(`busy_timeout = ${String(Math.max(0, Math.floor(busyTimeoutMs)))}`)
  db.pragma('trusted_schema = OFF')
}

/**
 * Opens (creating when needed) the store in a data directory: the directory 0700, the
 * database 0600, WAL journal, `synchronous=FULL`, foreign keys on, a busy timeout; then
 * the schema is migrated to this code's version. A database newer than this code is
 * refused with `StoreVersionError`; a file that is not irsa's with `ERR_STORE_INVALID`.
 */
export function openStore(options: OpenStoreOptions): Store {
  const { dir, path } = locate(options)
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  if (options.mustExist === true && !existsSync(path))
    throw new StoreError('ERR_STORE_MISSING', `no irsa database at ${path}`)
  ensureDir(dir)
  ensurePrivateFile(path)
  const db = open(path, busyTimeoutMs)
  const localWrites = countWrites(db)
  let migration: MigrationResult
  try {
    configure(db, path, busyTimeoutMs)
    migration = migrate(db, options.migrations ?? MIGRATIONS, options.clock, path)
  } catch (e) {
    db.close()
    if (e instanceof Database.SqliteError && e.code === 'SQLITE_NOTADB')
      throw new StoreInvalidError(`${path} is not an irsa database`, {}, { cause: e })
    if (e instanceof Database.SqliteError) throw sqliteFailure(e)
    throw e
  }
  const ctx: RepoContext = { db, clock: options.clock, dir }
  const checkpointer =
    options.checkpoints === 'background'
      ? startCheckpointer(db, path, options.onCheckpointProblem ?? (() => undefined))
      : undefined
  const integrity = db.prepare<[], string>('PRAGMA integrity_check').pluck()
  const foreignKeys = db.prepare<[], { table: string; rowid: number | null; parent: string }>(
    'PRAGMA foreign_key_check',
  )
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)')
  // This connection's writes are counted as they run (countWrites); data_version moves
  // when another connection commits (it opens a read transaction: shared-memory locks,
  // about 10 µs under load), asked at most once per clock millisecond.
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  let seenVersion = -1
  let seenWrites = -1
  let afterTransaction = false
  let checkedAt = Number.NEGATIVE_INFINITY
  let generation = 0
  const version = db
    .prepare<[], number | null>('SELECT max(version) FROM schema_migrations')
    .pluck()
  const pragma = (name: string) => db.prepare<[], string | number>(`PRAGMA ${name}`).pluck()
  const pragmas = {
    journalMode: pragma('journal_mode'),
    synchronous: pragma('synchronous'),
    foreignKeys: pragma('foreign_keys'),
    busyTimeout: pragma('busy_timeout'),
  }
  const tx = db.transaction((fn: () => unknown) => fn())
  const decisions = createDecisionLog(ctx, {
    sync: options.decisionLogSync ?? 'normal',
    ...(options.decisionFlushMs === undefined ? {} : { flushMs: options.decisionFlushMs }),
    ...(options.onDecisionsLost === undefined ? {} : { onLost: options.onDecisionsLost }),
  })
  const hasS3 = hasTable(db, 's3_buckets')
  return {
    dir,
    path,
    migration,
    accounts: createAccountRepo(ctx),
    accessKeys: createAccessKeyRepo(ctx),
    serverSecrets: createServerSecretRepo(ctx),
    settings: createSettingsRepo(ctx),
    roles: createRoleRepo(ctx),
    rolePolicies: createRolePolicyRepo(ctx),
    policies: createPolicyRepo(ctx),
    oidcProviders: createOidcProviderRepo(ctx),
    clusters: createClusterRepo(ctx),
    kubeObjects: hasTable(db, 'kube_changes')
      ? createKubeObjectRepo(ctx, options.kubeObjectSync ?? 'normal')
      : missingKubeObjectRepo(migration.to),
    decisions,
    s3Buckets: hasS3 ? createS3BucketRepo(ctx) : missingS3BucketRepo(migration.to),
    s3Objects: hasS3 ? createS3ObjectRepo(ctx) : missingS3ObjectRepo(migration.to),
    transaction: <T>(fn: () => T): T => {
      try {
        return tx.immediate(fn) as T
      } catch (e) {
        if (!(e instanceof Database.SqliteError)) throw e
        if (e.code.startsWith('SQLITE_CONSTRAINT'))
          throw new StoreInvalidError(
            `the transaction violates a constraint (${e.code})`,
            {},
            {
              cause: e,
            },
          )
        throw sqliteFailure(e)
      }
    },
    schemaVersion: () => version.get() ?? 0,
    generation: () => {
      // Nothing read inside a transaction is reused, nor after it: it may roll back.
      if (db.inTransaction) {
        afterTransaction = true
        return ++generation
      }
      const writes = localWrites()
      if (writes !== seenWrites || afterTransaction) {
        seenWrites = writes
        afterTransaction = false
        generation++
      }
      // Another connection's commit: SQLite is asked at most once per clock millisecond.
      const now = options.clock.now()
      if (now - checkedAt >= EXTERNAL_CHANGE_CHECK_MS || now < checkedAt) {
        checkedAt = now
        const version = dataVersion.get() ?? 0
        if (version !== seenVersion) {
          seenVersion = version
          generation++
        }
      }
      return generation
    },
    pragmas: () => ({
      journalMode: String(pragmas.journalMode.get()),
      synchronous: SYNC_LEVELS[Number(pragmas.synchronous.get())] ?? 'OFF',
      foreignKeys: pragmas.foreignKeys.get() === 1,
      busyTimeoutMs: Number(pragmas.busyTimeout.get()),
    }),
    check: () => {
      const problems = integrity.all().filter((r) => r !== 'ok')
      for (const f of foreignKeys.all())
        problems.push(
          `foreign key: ${f.table} row ${String(f.rowid)} refers to missing ${f.parent}`,
        )
      return problems
    },
    checkpoint: () => {
      checkpoint.run()
    },
    get isOpen() {
      return db.open
    },
    close: () => {
      if (!db.open) return
      decisions.flush()
      checkpointer?.stop()
      db.close()
    },
  }
}
