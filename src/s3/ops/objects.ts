import { awsError, isAwsError, S3_ERRORS } from '../../aws/index.js'
import type { S3ObjectRecord } from '../../store/index.js'
import { encodePairs, encodeTags } from '../storage/codec.js'
import { SMALL_FILE_BYTES } from '../storage/files.js'
import type { S3Handler, S3OpContext, S3Result } from '../types.js'
import { childrenNamed, childText } from '../xml/parse.js'
import { isoMs, opt, renderS3Xml, type XmlNode } from '../xml/render.js'
import {
  header,
  keyOf,
  malformed,
  readXml,
  requireBucket,
  requireObject,
  XML_HEADERS,
  xmlBoolean,
  type S3Env,
} from './env.js'
import {
  applyOverrides,
  checksumHeader,
  objectHeaders,
  objectMetaFromHeaders,
  tagsFromHeader,
  type ObjectMeta,
} from './object-meta.js'
import { evaluateConditions, parseRange, type ByteRange, type Conditions } from './preconditions.js'
import {
  checkDeclaredLength,
  commitObject,
  newObjectAcl,
  objectRecord,
  writeBody,
} from './write.js'

/** DeleteObjects takes at most this many keys. */
const MAX_DELETE_KEYS = 1000

function storedMeta(meta: ObjectMeta) {
  return {
    contentType: meta.contentType,
    headers: encodePairs(meta.headers),
    metadata: encodePairs(meta.metadata),
  }
}

function putObject<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const key = keyOf(ctx)
    const meta = objectMetaFromHeaders(ctx.headers)
    const tags = tagsFromHeader(header(ctx, 'x-amz-tagging'))
    const acl = newObjectAcl(env, ctx, bucket)
    checkDeclaredLength(ctx)
    const written = await writeBody(env, ctx.body)
    const etag = `"${ctx.body.md5Hex()}"`
    const checksum = ctx.body.checksum()
    const record = objectRecord({
      bucket,
      key,
      written,
      etag,
      meta: storedMeta(meta),
      checksum,
      acl,
      tags: encodeTags(tags),
      nowMs: ctx.nowMs,
    })
    await commitObject(env, written, () => [env.store.s3Objects.put(record).replacedFile])
    ctx.annotate({ bucket: bucket.name, size: written.size })
    return {
      status: 200,
      headers: { etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeader(checksum) },
    }
  }
}

function conditionsOf<P>(ctx: S3OpContext<P>, prefix = ''): Conditions {
  return {
    ifMatch: header(ctx, `${prefix}if-match`),
    ifNoneMatch: header(ctx, `${prefix}if-none-match`),
    ifModifiedSince: header(ctx, `${prefix}if-modified-since`),
    ifUnmodifiedSince: header(ctx, `${prefix}if-unmodified-since`),
  }
}

/** The checks GET and HEAD share; a 304 result, or the range to serve. */
function readPlan<P>(
  ctx: S3OpContext<P>,
  object: S3ObjectRecord,
): { readonly notModified: S3Result } | { readonly range: ByteRange | undefined } {
  const outcome = evaluateConditions(conditionsOf(ctx), object)
  if (outcome === 'failed') throw awsError(S3_ERRORS.PreconditionFailed)
  if (outcome === 'not-modified')
    return {
      notModified: {
        status: 304,
        headers: {
          etag: object.etag,
          'last-modified': new Date(object.lastModified).toUTCString(),
        },
      },
    }
  return { range: parseRange(header(ctx, 'range'), object.size) }
}

/** The headers of a GET or HEAD answer for `object` (and `range`). */
function readHeaders<P>(
  ctx: S3OpContext<P>,
  object: S3ObjectRecord,
  range: ByteRange | undefined,
): Record<string, string> {
  const headers = objectHeaders(object)
  applyOverrides(headers, ctx.query)
  if (range === undefined) {
    headers['content-length'] = String(object.size)
    if (header(ctx, 'x-amz-checksum-mode') === 'ENABLED')
      Object.assign(headers, checksumHeader(object.checksum))
  } else {
    headers['content-length'] = String(range.end - range.start + 1)
    headers['content-range'] =
      `bytes ${String(range.start)}-${String(range.end)}/${String(object.size)}`
  }
  return headers
}

function getObject<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const object = requireObject(env, ctx)
    const plan = readPlan(ctx, object)
    if ('notModified' in plan) return plan.notModified
    const headers = readHeaders(ctx, object, plan.range)
    const status = plan.range === undefined ? 200 : 206
    if (object.size === 0) return { status, headers, body: new Uint8Array(0) }
    const start = plan.range?.start ?? 0
    const end = plan.range?.end ?? object.size - 1
    if (object.size <= SMALL_FILE_BYTES) {
      const bytes = await env.files.readSmall(object.dataFile, object.size)
      return { status, headers, body: bytes.subarray(start, end + 1) }
    }
    const handle = await env.files.open(object.dataFile)
    return { status, headers, body: handle.createReadStream({ start, end }) }
  }
}

function headObject<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const object = requireObject(env, ctx)
    const plan = readPlan(ctx, object)
    if ('notModified' in plan) return Promise.resolve(plan.notModified)
    const headers = readHeaders(ctx, object, plan.range)
    return Promise.resolve({ status: plan.range === undefined ? 200 : 206, headers })
  }
}

function deleteObject<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const removed = env.store.s3Objects.delete(bucket.name, keyOf(ctx))
    if (removed !== undefined) await env.files.remove([removed])
    return { status: 204 }
  }
}

/** The keys of a `<Delete>` document, and whether it asks for a quiet answer. */
async function deleteRequest<P>(ctx: S3OpContext<P>) {
  const doc = await readXml(ctx, 'Delete')
  const objects = childrenNamed(doc, 'Object')
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS)
    throw malformed(`${String(objects.length)} keys in a Delete document`)
  const keys = objects.map((o) => {
    const key = childText(o, 'Key')
    if (key === undefined || key === '') throw malformed('an Object without Key')
    return o.children.find((c) => c.name === 'Key')?.text ?? key
  })
  return { keys, quiet: xmlBoolean(childText(doc, 'Quiet')) }
}

function deleteObjects<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const { keys, quiet } = await deleteRequest(ctx)
    const deleted: XmlNode[] = []
    const errors: XmlNode[] = []
    for (const key of keys) {
      try {
        ctx.authorize({
          operation: 'DeleteObject',
          target: { bucket: bucket.name, key, addressing: ctx.target.addressing },
        })
      } catch (e) {
        if (!isAwsError(e)) throw e
        errors.push([
          'Error',
          [
            ['Key', key],
            ['Code', e.code],
            ['Message', e.message],
          ],
        ])
        continue
      }
      const removed = env.store.s3Objects.delete(bucket.name, key)
      if (removed !== undefined) await env.files.remove([removed])
      if (!quiet) deleted.push(['Deleted', [['Key', key]]])
    }
    const body = renderS3Xml('DeleteResult', [...deleted, ...errors])
    return { status: 200, headers: XML_HEADERS, body }
  }
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
function parseCopySource(value: string | undefined): { bucket: string; key: string } {
  const bad = () => awsError(S3_ERRORS.InvalidArgument, { variant: 'copySource' })
  if (value === undefined) throw bad()
  let decoded: string
  try {
    decoded = decodeURIComponent(value.split('?')[0] ?? '')
  } catch {
    throw bad()
  }
  const path = decoded.startsWith('/') ? decoded.slice(1) : decoded
  const slash = path.indexOf('/')
  if (slash <= 0 || slash === path.length - 1) throw bad()
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) }
}

function directive<P>(
  ctx: S3OpContext<P>,
  name: string,
  variant: 'metadataDirective' | 'taggingDirective',
) {
  const v = header(ctx, name) ?? 'COPY'
  if (v !== 'COPY' && v !== 'REPLACE') throw awsError(S3_ERRORS.InvalidArgument, { variant })
  return v
}

/** Headers that make a copy onto itself a change S3 accepts. */
const SELF_COPY_CHANGES = [
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
  'x-amz-server-side-encryption',
]

/** CopyObject's source, checked: authorised, present, its copy-source conditions hold. */
function copySource<P>(env: S3Env<P>, ctx: S3OpContext<P>): S3ObjectRecord {
  const source = parseCopySource(header(ctx, 'x-amz-copy-source'))
  ctx.authorize({ operation: 'CopyObject', target: ctx.target, copySource: source })
  if (env.store.s3Buckets.get(source.bucket) === undefined)
    throw awsError(S3_ERRORS.NoSuchBucket, { reason: 'copy source bucket' })
  const object = env.store.s3Objects.get(source.bucket, source.key)
  if (object === undefined) throw awsError(S3_ERRORS.NoSuchKey, { reason: 'copy source key' })
  if (evaluateConditions(conditionsOf(ctx, 'x-amz-copy-source-'), object) !== 'ok')
    throw awsError(S3_ERRORS.PreconditionFailed)
  return object
}

function copyObject<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const key = keyOf(ctx)
    const source = copySource(env, ctx)
    const metaDirective = directive(ctx, 'x-amz-metadata-directive', 'metadataDirective')
    const tagDirective = directive(ctx, 'x-amz-tagging-directive', 'taggingDirective')
    const self = source.bucket === bucket.name && source.key === key
    if (
      self &&
      metaDirective === 'COPY' &&
      !SELF_COPY_CHANGES.some((h) => header(ctx, h) !== undefined)
    )
      throw awsError(S3_ERRORS.InvalidRequest, { variant: 'copySelf' })
    const meta =
      metaDirective === 'COPY'
        ? { contentType: source.contentType, headers: source.headers, metadata: source.metadata }
        : storedMeta(objectMetaFromHeaders(ctx.headers))
    const tags =
      tagDirective === 'COPY'
        ? source.tags
        : encodeTags(tagsFromHeader(header(ctx, 'x-amz-tagging')))
    const acl = newObjectAcl(env, ctx, bucket)
    const handle = await env.files.open(source.dataFile)
    const written = await writeBody(env, handle.createReadStream())
    const etag = `"${written.md5Hex}"`
    const checksum = source.partsCount === undefined ? source.checksum : undefined
    const record = objectRecord({
      bucket,
      key,
      written,
      etag,
      meta,
      checksum,
      acl,
      tags,
      nowMs: ctx.nowMs,
    })
    await commitObject(env, written, () => [env.store.s3Objects.put(record).replacedFile])
    const body = renderS3Xml('CopyObjectResult', [
      ['ETag', etag],
      ['LastModified', isoMs(record.lastModified)],
      opt(
        checksum === undefined ? 'ChecksumCRC32' : `Checksum${checksum.algorithm}`,
        checksum?.value,
      ),
    ])
    return {
      status: 200,
      headers: { ...XML_HEADERS, 'x-amz-server-side-encryption': 'AES256' },
      body,
    }
  }
}

/** The object operations (single-part). */
export function objectHandlers<P>(env: S3Env<P>) {
  return {
    PutObject: putObject(env),
    GetObject: getObject(env),
    HeadObject: headObject(env),
    DeleteObject: deleteObject(env),
    DeleteObjects: deleteObjects(env),
    CopyObject: copyObject(env),
  }
}
