import type { RepoContext } from './context.js'
import { StoreError } from './errors.js'
import { guarded, notFound } from './sqlite-errors.js'

/**
 * One S3 bucket as stored. The ACL and Block Public Access configuration are JSON the
 * S3 component encodes (the store keeps them as given and only checks they are JSON).
 */
export interface S3BucketRecord {
  readonly name: string
  readonly accountId: string
  readonly region: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** The bucket policy document as given, if any. */
  readonly policy: string | undefined
  /** JSON, if the bucket has a Block Public Access configuration. */
  readonly publicAccessBlock: string | undefined
  readonly ownership: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter' | undefined
  /** JSON. */
  readonly acl: string
}

/** What one of {@link S3BucketRepo.update} changes: `undefined` leaves a field alone, `null` clears it. */
export interface S3BucketChanges {
  readonly policy?: string | null
  readonly publicAccessBlock?: string | null
  readonly ownership?: NonNullable<S3BucketRecord['ownership']> | null
  readonly acl?: string
}

/** S3 buckets by name (the namespace is global, as S3's is within a partition). */
export interface S3BucketRepo {
  /** `StoreConflictError` when the name exists; `StoreNotFoundError` for an unknown account. */
  create(record: S3BucketRecord): S3BucketRecord
  get(name: string): S3BucketRecord | undefined
  /** The account's buckets by name. */
  list(accountId: string): S3BucketRecord[]
  /** `StoreNotFoundError` when absent. */
  update(name: string, changes: S3BucketChanges): S3BucketRecord
  /** Deletes the bucket; `StoreInUseError` while it holds objects or uploads. */
  delete(name: string): void
}

interface Row {
  name: string
  account_id: string
  region: string
  created_at: number
  policy: string | null
  public_access_block: string | null
  ownership: string | null
  acl: string
}

function fromRow(r: Row): S3BucketRecord {
  return {
    name: r.name,
    accountId: r.account_id,
    region: r.region,
    createdAt: r.created_at,
    policy: r.policy ?? undefined,
    publicAccessBlock: r.public_access_block ?? undefined,
    ownership: (r.ownership ?? undefined) as S3BucketRecord['ownership'],
    acl: r.acl,
  }
}

function toRow(b: S3BucketRecord): Row {
  return {
    name: b.name,
    account_id: b.accountId,
    region: b.region,
    created_at: b.createdAt,
    policy: b.policy ?? null,
    public_access_block: b.publicAccessBlock ?? null,
    ownership: b.ownership ?? null,
    acl: b.acl,
  }
}

/** Builds the bucket repository over `ctx`. */
export function createS3BucketRepo({ db }: RepoContext): S3BucketRepo {
  const insert = db.prepare<Row>(
    `INSERT INTO s3_buckets (name, account_id, region, created_at, policy, public_access_block,
                             ownership, acl)
     VALUES (@name, @account_id, @region, @created_at, @policy, @public_access_block,
             @ownership, @acl)`,
  )
  const byName = db.prepare<[string], Row>('SELECT * FROM s3_buckets WHERE name = ?')
  const byAccount = db.prepare<[string], Row>(
    'SELECT * FROM s3_buckets WHERE account_id = ? ORDER BY name',
  )
  const save = db.prepare<Row>(
    `UPDATE s3_buckets SET policy = @policy, public_access_block = @public_access_block,
                           ownership = @ownership, acl = @acl
     WHERE name = @name`,
  )
  const remove = db.prepare<[string]>('DELETE FROM s3_buckets WHERE name = ?')
  const get = (name: string): S3BucketRecord | undefined => {
    const r = byName.get(name)
    return r === undefined ? undefined : fromRow(r)
  }
  return {
    create: (record) =>
      guarded(
        {
          entity: 's3Bucket',
          key: record.name,
          op: 'insert',
          parent: { entity: 'account', key: record.accountId },
        },
        () => {
          insert.run(toRow(record))
          return record
        },
      ),
    get,
    list: (accountId) => byAccount.all(accountId).map(fromRow),
    update: (name, changes) =>
      guarded({ entity: 's3Bucket', key: name, op: 'update' }, () => {
        const current = get(name)
        if (current === undefined) throw notFound('s3Bucket', name)
        const next: S3BucketRecord = {
          ...current,
          policy: changes.policy === undefined ? current.policy : (changes.policy ?? undefined),
          publicAccessBlock:
            changes.publicAccessBlock === undefined
              ? current.publicAccessBlock
              : (changes.publicAccessBlock ?? undefined),
          ownership:
            changes.ownership === undefined ? current.ownership : (changes.ownership ?? undefined),
          acl: changes.acl ?? current.acl,
        }
        save.run(toRow(next))
        return next
      }),
    delete: (name) => {
      guarded({ entity: 's3Bucket', key: name, op: 'delete' }, () => {
        if (remove.run(name).changes === 0) throw notFound('s3Bucket', name)
      })
    },
  }
}

/** The schema version that has the S3 tables. */
export const S3_SCHEMA = 5

/** A failure naming the schema the S3 tables need (a store opened with an older migration list). */
export function missingS3(version: number): () => never {
  return () => {
    throw new StoreError(
      'ERR_STORE_FAILED',
      `S3 buckets and objects need schema version ${String(S3_SCHEMA)}; this store has ${String(version)}`,
    )
  }
}

/** The bucket repository of a store without the S3 tables: every call fails. */
export function missingS3BucketRepo(version: number): S3BucketRepo {
  const fail = missingS3(version)
  return { create: fail, get: fail, list: fail, update: fail, delete: fail }
}
