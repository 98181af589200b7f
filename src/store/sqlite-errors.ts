import Database from 'better-sqlite3'
import {
  StoreConflictError,
  StoreError,
  StoreInUseError,
  StoreInvalidError,
  StoreNotFoundError,
  type StoreEntity,
} from './errors.js'

const LABEL: Readonly<Record<StoreEntity, string>> = {
  account: 'account',
  accessKey: 'access key',
  serverSecret: 'server secret',
  setting: 'setting',
  role: 'role',
  roleTag: 'role tag',
  inlinePolicy: 'inline policy',
  attachment: 'policy attachment',
  policy: 'policy',
  policyVersion: 'policy version',
  oidcProvider: 'OIDC provider',
  cluster: 'cluster',
  signingKey: 'signing key',
  decision: 'decision',
  kubeObject: 'Kubernetes object',
  s3Bucket: 'S3 bucket',
  s3Object: 'S3 object',
  s3Upload: 'S3 multipart upload',
}

/** How people read an entity kind in a message: `OIDC provider`, `access key`. */
function entityLabel(entity: StoreEntity): string {
  return LABEL[entity]
}

/** What a write was doing, so a constraint violation becomes the right typed error. */
export interface WriteContext {
  readonly entity: StoreEntity
  readonly key: string
  readonly op: 'insert' | 'update' | 'delete'
  /** The row an insert refers to (a foreign key failing on insert means it is missing). */
  readonly parent?: { readonly entity: StoreEntity; readonly key: string }
}

/** The `NoSuchEntity`-style error for a row that is not there. */
export function notFound(
  entity: StoreEntity,
  key: string,
  options?: { cause?: unknown },
): StoreNotFoundError {
  return new StoreNotFoundError(
    `${entityLabel(entity)} ${key} does not exist`,
    { entity, key },
    options,
  )
}

/**
 * Turns a SQLite failure into a typed store error: a unique or primary key violation is
 * a conflict, a foreign key is a missing parent (insert) or a dependent row (delete), a
 * CHECK or NOT NULL is an invalid value, BUSY is contention. Store errors pass through.
 * The message names the entity and key only: never a value, a document or a secret.
 */
export function toStoreError(e: unknown, ctx: WriteContext): unknown {
  if (e instanceof StoreError) return e
  if (e instanceof TypeError && /database connection is not open/i.test(e.message))
    return new StoreError('ERR_STORE_CLOSED', 'the store is closed', {}, { cause: e })
  if (!(e instanceof Database.SqliteError)) return e
  const label = entityLabel(ctx.entity)
  const subject = { entity: ctx.entity, key: ctx.key }
  switch (e.code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new StoreConflictError(`${label} ${ctx.key} already exists`, subject, { cause: e })
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      if (ctx.op === 'delete')
        return new StoreInUseError(
          `${label} ${ctx.key} is still referenced`,
          { ...subject, reason: 'referenced' },
          { cause: e },
        )
      if (ctx.parent !== undefined) return notFound(ctx.parent.entity, ctx.parent.key, { cause: e })
      return new StoreInvalidError(`${label} ${ctx.key} refers to a missing row`, subject, {
        cause: e,
      })
    case 'SQLITE_CONSTRAINT_CHECK':
    case 'SQLITE_CONSTRAINT_NOTNULL':
    case 'SQLITE_CONSTRAINT_DATATYPE':
      return new StoreInvalidError(`${label} ${ctx.key} has an invalid value`, subject, {
        cause: e,
      })
    default:
      return sqliteFailure(e)
  }
}

/** A SQLite failure that is not a constraint: busy, I/O, full disk, corruption. */
export function sqliteFailure(e: InstanceType<typeof Database.SqliteError>): StoreError {
  if (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED'))
    return new StoreError(
      'ERR_STORE_BUSY',
      'the database is locked by another process (is another irsa running on this data directory?)',
      {},
      { cause: e },
    )
  if (e.code.startsWith('SQLITE_IOERR') || e.code === 'SQLITE_FULL' || e.code === 'SQLITE_CANTOPEN')
    return new StoreError('ERR_STORE_IO', `database I/O failed (${e.code})`, {}, { cause: e })
  return new StoreError(
    'ERR_STORE_FAILED',
    `database operation failed (${e.code})`,
    {},
    {
      cause: e,
    },
  )
}

/** Runs `fn`, rethrowing any failure as a typed store error for `ctx`. */
export function guarded<T>(ctx: WriteContext, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw toStoreError(e, ctx)
  }
}
