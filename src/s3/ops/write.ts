import { awsError, isAwsError, S3_ERRORS } from '../../aws/index.js'
import { isStoreError, type S3BucketRecord, type S3ObjectRecord } from '../../store/index.js'
import { encodeAcl } from '../storage/codec.js'
import { TooLargeError, type WrittenFile } from '../storage/files.js'
import type { S3Acl, S3OpContext } from '../types.js'
import { checkAclAllowed, expandCannedAcl, ownershipOf, parseCannedAcl } from './acl.js'
import { header, type S3Env } from './env.js'

/** S3's largest single PUT (and part): 5 GiB. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3

/**
 * Who owns an object a request writes, by the bucket's Object Ownership: the bucket
 * owner under BucketOwnerEnforced, or under BucketOwnerPreferred with
 * `bucket-owner-full-control`; the writer otherwise.
 */
function objectOwner(bucket: S3BucketRecord, writer: string, canned: string | undefined): string {
  const ownership = ownershipOf(bucket)
  if (ownership === 'BucketOwnerEnforced') return bucket.accountId
  if (ownership === 'BucketOwnerPreferred' && canned === 'bucket-owner-full-control')
    return bucket.accountId
  return writer
}

/** The ACL a write gives a new object (`x-amz-acl`, default private), checked against the bucket. */
export function newObjectAcl<P>(env: S3Env<P>, ctx: S3OpContext<P>, bucket: S3BucketRecord): S3Acl {
  const cannedHeader = header(ctx, 'x-amz-acl')
  const canned = parseCannedAcl(cannedHeader ?? 'private')
  const writer = env.identify(ctx.caller)?.accountId ?? bucket.accountId
  const owner = objectOwner(bucket, writer, cannedHeader)
  const acl = expandCannedAcl(canned, owner, bucket.accountId)
  if (cannedHeader !== undefined) checkAclAllowed(bucket, acl, env.rules, { canned: cannedHeader })
  return acl
}

/** Refuses a declared length over the limit before any byte is read. */
export function checkDeclaredLength<P>(ctx: S3OpContext<P>): void {
  if (ctx.body.length !== undefined && ctx.body.length > MAX_PUT_BYTES)
    throw awsError(S3_ERRORS.EntityTooLarge)
}

/** Streams a body into a durable data file; EntityTooLarge past 5 GiB. */
export async function writeBody<P>(
  env: S3Env<P>,
  chunks: AsyncIterable<Uint8Array>,
): Promise<WrittenFile> {
  try {
    return await env.files.write(chunks, MAX_PUT_BYTES)
  } catch (e) {
    if (e instanceof TooLargeError) throw awsError(S3_ERRORS.EntityTooLarge)
    throw e
  }
}

/**
 * A store failure while committing: a bucket deleted meanwhile is NoSuchBucket, an
 * upload completed or aborted meanwhile NoSuchUpload.
 */
function commitError(e: unknown): unknown {
  if (isAwsError(e) || !isStoreError(e, 'ERR_STORE_NOT_FOUND')) return e
  if (e.entity === 's3Upload')
    return awsError(S3_ERRORS.NoSuchUpload, { reason: 'the upload ended during the write' })
  return awsError(S3_ERRORS.NoSuchBucket, { reason: 'the bucket went away during the write' })
}

/**
 * Commits a written object: the row names a file that is already durable. A failed
 * commit removes the new file; a committed one removes the file it replaced.
 */
export async function commitObject<P>(
  env: S3Env<P>,
  written: WrittenFile,
  commit: () => readonly (string | undefined)[],
): Promise<void> {
  let unreferenced: readonly (string | undefined)[]
  try {
    unreferenced = commit()
  } catch (e) {
    await env.files.remove([written.name])
    throw commitError(e)
  }
  await env.files.remove(
    unreferenced.filter((f): f is string => f !== undefined && f !== written.name),
  )
}

/** The object row of a write. */
export function objectRecord(o: {
  readonly bucket: S3BucketRecord
  readonly key: string
  readonly written: WrittenFile
  readonly etag: string
  readonly meta: { contentType: string; headers: string; metadata: string }
  readonly checksum: S3ObjectRecord['checksum']
  readonly partsCount?: number | undefined
  readonly acl: S3Acl
  readonly tags: string
  readonly nowMs: number
}): S3ObjectRecord {
  return {
    bucket: o.bucket.name,
    key: o.key,
    size: o.written.size,
    etag: o.etag,
    contentType: o.meta.contentType,
    headers: o.meta.headers,
    metadata: o.meta.metadata,
    lastModified: o.nowMs,
    checksum: o.checksum,
    partsCount: o.partsCount,
    dataFile: o.written.name,
    ownerAccountId: o.acl.ownerAccountId,
    acl: encodeAcl(o.acl),
    tags: o.tags,
  }
}
