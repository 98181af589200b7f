import { relaxedCommitter, type CommitSync, type RepoContext } from './context.js'
import { missingS3 } from './s3-buckets.js'
import { guarded, notFound } from './sqlite-errors.js'

/** A flexible checksum as S3 stores it: algorithm and base64 value. */
export interface S3StoredChecksum {
  readonly algorithm: 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256'
  readonly value: string
}

/**
 * One S3 object's metadata. Its bytes are the file `dataFile` under the S3 data
 * directory. `headers`, `metadata`, `acl` and `tags` are JSON the S3 component encodes.
 */
export interface S3ObjectRecord {
  readonly bucket: string
  readonly key: string
  readonly size: number
  /** Quoted, as S3 sends it. */
  readonly etag: string
  readonly contentType: string
  /** JSON: the stored `Content-*`, `Cache-Control` and `Expires` headers. */
  readonly headers: string
  /** JSON: the `x-amz-meta-*` headers. */
  readonly metadata: string
  /** Epoch milliseconds. */
  readonly lastModified: number
  readonly checksum: S3StoredChecksum | undefined
  /** The number of parts of a multipart object. */
  readonly partsCount: number | undefined
  readonly dataFile: string
  readonly ownerAccountId: string
  /** JSON. */
  readonly acl: string
  /** JSON. */
  readonly tags: string
}

/** One unfinished multipart upload. */
export interface S3UploadRecord {
  readonly uploadId: string
  readonly bucket: string
  readonly key: string
  readonly initiatedAt: number
  readonly initiatorArn: string
  readonly ownerAccountId: string
  readonly contentType: string
  readonly headers: string
  readonly metadata: string
  readonly checksumAlgorithm: S3StoredChecksum['algorithm'] | undefined
  readonly acl: string
  readonly tags: string
}

/** One uploaded part. */
export interface S3PartRecord {
  readonly uploadId: string
  readonly partNumber: number
  readonly size: number
  readonly etag: string
  readonly lastModified: number
  readonly checksum: S3StoredChecksum | undefined
  readonly dataFile: string
}

/**
 * S3 objects, multipart uploads and parts. Writes return the data files they made
 * unreferenced, for the caller to remove once the write has committed.
 */
export interface S3ObjectRepo {
  get(bucket: string, key: string): S3ObjectRecord | undefined
  /** Creates or replaces the object; returns the replaced object's data file. */
  put(record: S3ObjectRecord): { readonly replacedFile: string | undefined }
  /** Returns the removed object's data file, or undefined when there was none. */
  delete(bucket: string, key: string): string | undefined
  /** Sets an existing object's ACL or tags (JSON); `StoreNotFoundError` when absent. */
  update(
    bucket: string,
    key: string,
    changes: { readonly acl?: string; readonly tags?: string },
  ): S3ObjectRecord
  /** Up to `limit` objects whose key starts with `prefix` and sorts after `after`, by key (bytes). */
  list(bucket: string, o: { prefix: string; after: string; limit: number }): S3ObjectRecord[]
  /** Objects plus unfinished uploads in the bucket (DeleteBucket refuses a non-empty one). */
  countInBucket(bucket: string): number
  createUpload(record: S3UploadRecord): void
  getUpload(uploadId: string): S3UploadRecord | undefined
  /** Up to `limit` uploads by key then id (ids sort by initiation time), after `(afterKey, afterId)`. */
  listUploads(
    bucket: string,
    o: { prefix: string; afterKey: string; afterId: string; limit: number },
  ): S3UploadRecord[]
  /** Creates or replaces a part; returns the replaced part's file. `StoreNotFoundError` for an unknown upload. */
  putPart(record: S3PartRecord): { readonly replacedFile: string | undefined }
  /** Parts by number, after `afterPart`. */
  listParts(uploadId: string, o?: { afterPart?: number; limit?: number }): S3PartRecord[]
  /** Deletes the upload and its parts; returns the parts' files. `StoreNotFoundError` when absent. */
  deleteUpload(uploadId: string): string[]
  /**
   * Completes an upload in one transaction: writes the object, deletes the upload and
   * its parts. Returns every file no longer referenced (parts and the replaced object).
   */
  completeUpload(uploadId: string, object: S3ObjectRecord): string[]
  /** Every data file rows refer to (startup removes the others). */
  dataFiles(): Set<string>
}

interface ObjectRow {
  bucket: string
  key: string
  size: number
  etag: string
  content_type: string
  headers: string
  metadata: string
  last_modified: number
  checksum_algorithm: string | null
  checksum_value: string | null
  parts_count: number | null
  data_file: string
  owner_account_id: string
  acl: string
  tags: string
}

interface UploadRow {
  upload_id: string
  bucket: string
  key: string
  initiated_at: number
  initiator_arn: string
  owner_account_id: string
  content_type: string
  headers: string
  metadata: string
  checksum_algorithm: string | null
  acl: string
  tags: string
}

interface PartRow {
  upload_id: string
  part_number: number
  size: number
  etag: string
  last_modified: number
  checksum_algorithm: string | null
  checksum_value: string | null
  data_file: string
}

function checksumOf(algorithm: string | null, value: string | null): S3StoredChecksum | undefined {
  if (algorithm === null || value === null) return undefined
  return { algorithm: algorithm as S3StoredChecksum['algorithm'], value }
}

function objectFromRow(r: ObjectRow): S3ObjectRecord {
  return {
    bucket: r.bucket,
    key: r.key,
    size: r.size,
    etag: r.etag,
    contentType: r.content_type,
    headers: r.headers,
    metadata: r.metadata,
    lastModified: r.last_modified,
    checksum: checksumOf(r.checksum_algorithm, r.checksum_value),
    partsCount: r.parts_count ?? undefined,
    dataFile: r.data_file,
    ownerAccountId: r.owner_account_id,
    acl: r.acl,
    tags: r.tags,
  }
}

function objectToRow(o: S3ObjectRecord): ObjectRow {
  return {
    bucket: o.bucket,
    key: o.key,
    size: o.size,
    etag: o.etag,
    content_type: o.contentType,
    headers: o.headers,
    metadata: o.metadata,
    last_modified: o.lastModified,
    checksum_algorithm: o.checksum?.algorithm ?? null,
    checksum_value: o.checksum?.value ?? null,
    parts_count: o.partsCount ?? null,
    data_file: o.dataFile,
    owner_account_id: o.ownerAccountId,
    acl: o.acl,
    tags: o.tags,
  }
}

function uploadFromRow(r: UploadRow): S3UploadRecord {
  return {
    uploadId: r.upload_id,
    bucket: r.bucket,
    key: r.key,
    initiatedAt: r.initiated_at,
    initiatorArn: r.initiator_arn,
    ownerAccountId: r.owner_account_id,
    contentType: r.content_type,
    headers: r.headers,
    metadata: r.metadata,
    checksumAlgorithm: (r.checksum_algorithm ?? undefined) as S3UploadRecord['checksumAlgorithm'],
    acl: r.acl,
    tags: r.tags,
  }
}

function partFromRow(r: PartRow): S3PartRecord {
  return {
    uploadId: r.upload_id,
    partNumber: r.part_number,
    size: r.size,
    etag: r.etag,
    lastModified: r.last_modified,
    checksum: checksumOf(r.checksum_algorithm, r.checksum_value),
    dataFile: r.data_file,
  }
}

/** Prepares the object statements (all of them once, when the store opens). */
function objectStatements(db: RepoContext['db']) {
  return {
    get: db.prepare<[string, string], ObjectRow>(
      'SELECT * FROM s3_objects WHERE bucket = ? AND key = ?',
    ),
    upsert: db.prepare<ObjectRow>(
      `INSERT OR REPLACE INTO s3_objects (bucket, key, size, etag, content_type, headers, metadata,
         last_modified, checksum_algorithm, checksum_value, parts_count, data_file,
         owner_account_id, acl, tags)
       VALUES (@bucket, @key, @size, @etag, @content_type, @headers, @metadata, @last_modified,
         @checksum_algorithm, @checksum_value, @parts_count, @data_file, @owner_account_id,
         @acl, @tags)`,
    ),
    delete: db.prepare<[string, string]>('DELETE FROM s3_objects WHERE bucket = ? AND key = ?'),
    list: db.prepare<{ bucket: string; prefix: string; after: string; limit: number }, ObjectRow>(
      `SELECT * FROM s3_objects
       WHERE bucket = @bucket AND key > @after AND substr(key, 1, length(@prefix)) = @prefix
       ORDER BY key LIMIT @limit`,
    ),
    count: db
      .prepare<[string, string], number>(
        `SELECT (SELECT count(*) FROM s3_objects WHERE bucket = ?)
              + (SELECT count(*) FROM s3_uploads WHERE bucket = ?)`,
      )
      .pluck(),
    files: db
      .prepare<[], string>(
        'SELECT data_file FROM s3_objects UNION ALL SELECT data_file FROM s3_parts',
      )
      .pluck(),
  }
}

/** Prepares the upload and part statements. */
function uploadStatements(db: RepoContext['db']) {
  return {
    insert: db.prepare<UploadRow>(
      `INSERT INTO s3_uploads (upload_id, bucket, key, initiated_at, initiator_arn,
         owner_account_id, content_type, headers, metadata, checksum_algorithm, acl, tags)
       VALUES (@upload_id, @bucket, @key, @initiated_at, @initiator_arn, @owner_account_id,
         @content_type, @headers, @metadata, @checksum_algorithm, @acl, @tags)`,
    ),
    get: db.prepare<[string], UploadRow>('SELECT * FROM s3_uploads WHERE upload_id = ?'),
    list: db.prepare<
      { bucket: string; prefix: string; afterKey: string; afterId: string; limit: number },
      UploadRow
    >(
      `SELECT * FROM s3_uploads
       WHERE bucket = @bucket AND substr(key, 1, length(@prefix)) = @prefix
         AND (key > @afterKey OR (key = @afterKey AND upload_id > @afterId))
       ORDER BY key, upload_id LIMIT @limit`,
    ),
    delete: db.prepare<[string]>('DELETE FROM s3_uploads WHERE upload_id = ?'),
    partFile: db
      .prepare<[string, number], string>(
        'SELECT data_file FROM s3_parts WHERE upload_id = ? AND part_number = ?',
      )
      .pluck(),
    putPart: db.prepare<PartRow>(
      `INSERT OR REPLACE INTO s3_parts (upload_id, part_number, size, etag, last_modified,
         checksum_algorithm, checksum_value, data_file)
       VALUES (@upload_id, @part_number, @size, @etag, @last_modified, @checksum_algorithm,
         @checksum_value, @data_file)`,
    ),
    parts: db.prepare<[string, number, number], PartRow>(
      `SELECT * FROM s3_parts WHERE upload_id = ? AND part_number > ?
       ORDER BY part_number LIMIT ?`,
    ),
    partFiles: db
      .prepare<[string], string>('SELECT data_file FROM s3_parts WHERE upload_id = ?')
      .pluck(),
  }
}

/**
 * Builds the object, upload and part repository over `ctx`. Its writes commit with
 * `synchronous=NORMAL` unless `sync` is `full`, as Kubernetes objects and the decision log
 * do: a write survives a crash of the process (`kill -9`); the object's file was fsynced
 * before its row, so a row never names bytes that are not on disk, and after a power loss
 * only the rows since the last FULL commit or checkpoint can be lost. S3 writes then never
 * hold the event loop for an fsync of the WAL.
 */
export function createS3ObjectRepo({ db }: RepoContext, sync: CommitSync = 'normal'): S3ObjectRepo {
  const o = objectStatements(db)
  const u = uploadStatements(db)
  const run = db.transaction((fn: () => unknown) => fn())
  const relaxedCommit = relaxedCommitter(db, sync)
  const tx = { immediate: <T>(fn: () => T): T => relaxedCommit(() => run.immediate(fn) as T) }
  const get = (bucket: string, key: string): S3ObjectRecord | undefined => {
    const r = o.get.get(bucket, key)
    return r === undefined ? undefined : objectFromRow(r)
  }
  const put = (record: S3ObjectRecord): { replacedFile: string | undefined } => {
    const old = o.get.get(record.bucket, record.key)
    o.upsert.run(objectToRow(record))
    return { replacedFile: old?.data_file }
  }
  const deleteUpload = (uploadId: string): string[] => {
    const files = u.partFiles.all(uploadId)
    if (u.delete.run(uploadId).changes === 0) throw notFound('s3Upload', uploadId)
    return files
  }
  const objectKey = (bucket: string, key: string) => `${bucket}/${key}`
  return {
    get,
    put: (record) =>
      guarded(
        {
          entity: 's3Object',
          key: objectKey(record.bucket, record.key),
          op: 'insert',
          parent: { entity: 's3Bucket', key: record.bucket },
        },
        () => tx.immediate(() => put(record)),
      ),
    delete: (bucket, key) =>
      guarded({ entity: 's3Object', key: objectKey(bucket, key), op: 'delete' }, () =>
        tx.immediate(() => {
          const old = o.get.get(bucket, key)
          o.delete.run(bucket, key)
          return old?.data_file
        }),
      ),
    update: (bucket, key, changes) =>
      guarded({ entity: 's3Object', key: objectKey(bucket, key), op: 'update' }, () =>
        tx.immediate(() => {
          const current = get(bucket, key)
          if (current === undefined) throw notFound('s3Object', objectKey(bucket, key))
          const next = {
            ...current,
            acl: changes.acl ?? current.acl,
            tags: changes.tags ?? current.tags,
          }
          o.upsert.run(objectToRow(next))
          return next
        }),
      ),
    list: (bucket, q) => o.list.all({ bucket, ...q }).map(objectFromRow),
    countInBucket: (bucket) => o.count.get(bucket, bucket) ?? 0,
    createUpload: (record) => {
      guarded(
        {
          entity: 's3Upload',
          key: record.uploadId,
          op: 'insert',
          parent: { entity: 's3Bucket', key: record.bucket },
        },
        () => {
          u.insert.run({
            upload_id: record.uploadId,
            bucket: record.bucket,
            key: record.key,
            initiated_at: record.initiatedAt,
            initiator_arn: record.initiatorArn,
            owner_account_id: record.ownerAccountId,
            content_type: record.contentType,
            headers: record.headers,
            metadata: record.metadata,
            checksum_algorithm: record.checksumAlgorithm ?? null,
            acl: record.acl,
            tags: record.tags,
          })
        },
      )
    },
    getUpload: (uploadId) => {
      const r = u.get.get(uploadId)
      return r === undefined ? undefined : uploadFromRow(r)
    },
    listUploads: (bucket, q) => u.list.all({ bucket, ...q }).map(uploadFromRow),
    putPart: (record) =>
      guarded(
        {
          entity: 's3Upload',
          key: record.uploadId,
          op: 'insert',
          parent: { entity: 's3Upload', key: record.uploadId },
        },
        () =>
          tx.immediate(() => {
            const old = u.partFile.get(record.uploadId, record.partNumber)
            u.putPart.run({
              upload_id: record.uploadId,
              part_number: record.partNumber,
              size: record.size,
              etag: record.etag,
              last_modified: record.lastModified,
              checksum_algorithm: record.checksum?.algorithm ?? null,
              checksum_value: record.checksum?.value ?? null,
              data_file: record.dataFile,
            })
            return { replacedFile: old }
          }),
      ),
    listParts: (uploadId, q = {}) =>
      u.parts.all(uploadId, q.afterPart ?? 0, q.limit ?? 10_000).map(partFromRow),
    deleteUpload: (uploadId) =>
      guarded({ entity: 's3Upload', key: uploadId, op: 'delete' }, () =>
        tx.immediate(() => deleteUpload(uploadId)),
      ),
    completeUpload: (uploadId, object) =>
      guarded({ entity: 's3Upload', key: uploadId, op: 'delete' }, () =>
        tx.immediate(() => {
          const parts = deleteUpload(uploadId)
          const { replacedFile } = put(object)
          return replacedFile === undefined ? parts : [...parts, replacedFile]
        }),
      ),
    dataFiles: () => new Set(o.files.all()),
  }
}

/** The object repository of a store without the S3 tables: every call fails. */
export function missingS3ObjectRepo(version: number): S3ObjectRepo {
  const fail = missingS3(version)
  return {
    get: fail,
    put: fail,
    delete: fail,
    update: fail,
    list: fail,
    countInBucket: fail,
    createUpload: fail,
    getUpload: fail,
    listUploads: fail,
    putPart: fail,
    listParts: fail,
    deleteUpload: fail,
    completeUpload: fail,
    dataFiles: fail,
  }
}
