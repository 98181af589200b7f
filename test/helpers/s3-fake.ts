/**
 * TEST-ONLY: an in-memory S3 operations layer, just enough for the wire's interop tests
 * (buckets, objects with Range reads, multipart uploads). It is not the operations layer
 * (src/s3/ops) and checks nothing the wire should not already have checked.
 */
import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { awsError, escapeXml, S3_ERRORS } from '../../src/aws/index.js'
import type {
  S3Handler,
  S3Handlers,
  S3OpContext,
  S3Operation,
  S3Result,
} from '../../src/s3/index.js'

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/'

interface FakeObject {
  readonly bytes: Buffer
  readonly etag: string
  readonly contentType: string
  readonly checksum: { readonly algorithm: string; readonly value: string } | undefined
}

interface Upload {
  readonly bucket: string
  readonly key: string
  readonly parts: Map<number, { bytes: Buffer; etag: string }>
}

/** What the fake saw, for assertions. */
export interface FakeS3State {
  readonly buckets: Map<string, Map<string, FakeObject>>
  readonly uploads: Map<string, Upload>
  /** Operation and headers of every request that reached a handler. */
  readonly seen: {
    operation: S3Operation
    headers: Readonly<Record<string, readonly string[] | undefined>>
  }[]
}

async function readAll<P>(ctx: S3OpContext<P>): Promise<Buffer> {
  const pieces: Uint8Array[] = []
  for await (const p of ctx.body) pieces.push(p)
  return Buffer.concat(pieces)
}

const xml = (body: string): S3Result => ({
  status: 200,
  headers: { 'Content-Type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
})

function header<P>(ctx: S3OpContext<P>, name: string): string | undefined {
  return ctx.headers[name]?.[0]
}

/** A fresh in-memory fake and its state. */
export function fakeS3<P>(): { handlers: S3Handlers<P>; state: FakeS3State } {
  const state: FakeS3State = { buckets: new Map(), uploads: new Map(), seen: [] }
  const bucketOf = (ctx: S3OpContext<P>): Map<string, FakeObject> => {
    const b = state.buckets.get(ctx.target.bucket ?? '')
    if (b === undefined) throw awsError(S3_ERRORS.NoSuchBucket)
    return b
  }
  const objectOf = (ctx: S3OpContext<P>): FakeObject => {
    const o = bucketOf(ctx).get(ctx.target.key ?? '')
    if (o === undefined) throw awsError(S3_ERRORS.NoSuchKey)
    return o
  }
  const objectHeaders = (o: FakeObject, ctx: S3OpContext<P>): Record<string, string> => ({
    ETag: o.etag,
    'Content-Type': o.contentType,
    'Last-Modified': new Date(ctx.nowMs).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...(o.checksum !== undefined && header(ctx, 'x-amz-checksum-mode') === 'ENABLED'
      ? { [`x-amz-checksum-${o.checksum.algorithm.toLowerCase()}`]: o.checksum.value }
      : {}),
  })
  const uploadOf = (ctx: S3OpContext<P>): Upload => {
    const u = state.uploads.get(ctx.query.get('uploadId') ?? '')
    if (u === undefined) throw awsError(S3_ERRORS.NoSuchUpload)
    return u
  }
  const own: Partial<Record<S3Operation, S3Handler<P>>> = {
    CreateBucket: async (ctx) => {
      await readAll(ctx)
      state.buckets.set(ctx.target.bucket ?? '', new Map())
      return { status: 200, headers: { Location: `/${ctx.target.bucket ?? ''}` } }
    },
    HeadBucket: (ctx) => {
      bucketOf(ctx)
      return Promise.resolve({ status: 200 })
    },
    PutObject: async (ctx) => {
      const bucket = bucketOf(ctx)
      const bytes = await readAll(ctx)
      const etag = `"${ctx.body.md5Hex()}"`
      const checksum = ctx.body.checksum()
      bucket.set(ctx.target.key ?? '', {
        bytes,
        etag,
        contentType: header(ctx, 'content-type') ?? 'binary/octet-stream',
        checksum,
      })
      return {
        status: 200,
        headers: {
          ETag: etag,
          ...(checksum !== undefined
            ? { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value }
            : {}),
        },
      }
    },
    GetObject: (ctx) => {
      const o = objectOf(ctx)
      const range = /^bytes=(\d+)-(\d*)$/.exec(header(ctx, 'range') ?? '')
      if (range === null)
        return Promise.resolve({
          status: 200,
          headers: { ...objectHeaders(o, ctx), 'Content-Length': String(o.bytes.length) },
          body: Readable.from(
            Array.from({ length: Math.ceil(o.bytes.length / 65536) }, (_, n) =>
              o.bytes.subarray(n * 65536, (n + 1) * 65536),
            ),
          ),
        })
      const start = Number(range[1])
      const end = Math.min(
        range[2] === '' ? o.bytes.length - 1 : Number(range[2]),
        o.bytes.length - 1,
      )
      // A range's bytes are not the object's checksum: S3 sends none with a 206.
      const headers = Object.fromEntries(
        Object.entries(objectHeaders(o, ctx)).filter(([h]) => !h.startsWith('x-amz-checksum-')),
      )
      return Promise.resolve({
        status: 206,
        headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${o.bytes.length}` },
        body: o.bytes.subarray(start, end + 1),
      })
    },
    HeadObject: (ctx) => {
      const o = objectOf(ctx)
      return Promise.resolve({
        status: 200,
        headers: { ...objectHeaders(o, ctx), 'Content-Length': String(o.bytes.length) },
      })
    },
    DeleteObject: (ctx) => {
      bucketOf(ctx).delete(ctx.target.key ?? '')
      return Promise.resolve({ status: 204 })
    },
    CreateMultipartUpload: async (ctx) => {
      bucketOf(ctx)
      await readAll(ctx)
      const id = randomUUID()
      state.uploads.set(id, {
        bucket: ctx.target.bucket ?? '',
        key: ctx.target.key ?? '',
        parts: new Map(),
      })
      return xml(
        `<InitiateMultipartUploadResult xmlns="${NS}"><Bucket>${escapeXml(ctx.target.bucket ?? '')}</Bucket><Key>${escapeXml(ctx.target.key ?? '')}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      )
    },
    UploadPart: async (ctx) => {
      const upload = uploadOf(ctx)
      const bytes = await readAll(ctx)
      const etag = `"${ctx.body.md5Hex()}"`
      upload.parts.set(Number(ctx.query.get('partNumber')), { bytes, etag })
      const checksum = ctx.body.checksum()
      return {
        status: 200,
        headers: {
          ETag: etag,
          ...(checksum !== undefined
            ? { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value }
            : {}),
        },
      }
    },
    CompleteMultipartUpload: async (ctx) => {
      const upload = uploadOf(ctx)
      const doc = (await readAll(ctx)).toString('utf8')
      const numbers = [...doc.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))
      const parts = numbers.map((n) => upload.parts.get(n))
      if (parts.some((p) => p === undefined)) throw awsError(S3_ERRORS.InvalidPart)
      const bytes = Buffer.concat(parts.map((p) => p?.bytes ?? Buffer.alloc(0)))
      const md5s = Buffer.concat(
        parts.map((p) => Buffer.from((p?.etag ?? '').replace(/"/g, ''), 'hex')),
      )
      const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`
      bucketOf(ctx).set(upload.key, {
        bytes,
        etag,
        contentType: 'binary/octet-stream',
        checksum: undefined,
      })
      state.uploads.delete(ctx.query.get('uploadId') ?? '')
      return xml(
        `<CompleteMultipartUploadResult xmlns="${NS}"><Location>/${escapeXml(upload.bucket)}/${escapeXml(upload.key)}</Location><Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`,
      )
    },
    AbortMultipartUpload: (ctx) => {
      uploadOf(ctx)
      state.uploads.delete(ctx.query.get('uploadId') ?? '')
      return Promise.resolve({ status: 204 })
    },
  }
  const notServed =
    (operation: S3Operation): S3Handler<P> =>
    () =>
      Promise.reject(
        awsError(S3_ERRORS.NotImplemented, { variant: 'operation', params: { operation } }),
      )
  const record =
    (operation: S3Operation, h: S3Handler<P>): S3Handler<P> =>
    (ctx) => {
      state.seen.push({ operation, headers: ctx.headers })
      return h(ctx)
    }
  const ALL: readonly S3Operation[] = [
    'ListBuckets',
    'CreateBucket',
    'DeleteBucket',
    'HeadBucket',
    'GetBucketLocation',
    'ListObjectsV2',
    'ListObjects',
    'PutObject',
    'GetObject',
    'HeadObject',
    'DeleteObject',
    'DeleteObjects',
    'CopyObject',
    'CreateMultipartUpload',
    'UploadPart',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
    'ListParts',
    'ListMultipartUploads',
    'GetBucketPolicy',
    'PutBucketPolicy',
    'DeleteBucketPolicy',
    'GetPublicAccessBlock',
    'PutPublicAccessBlock',
    'DeletePublicAccessBlock',
    'GetBucketOwnershipControls',
    'PutBucketOwnershipControls',
    'DeleteBucketOwnershipControls',
    'GetObjectAcl',
    'PutObjectAcl',
    'GetBucketAcl',
    'PutBucketAcl',
    'GetObjectTagging',
    'PutObjectTagging',
    'DeleteObjectTagging',
  ]
  const handlers = Object.fromEntries(
    ALL.map((op) => [op, record(op, own[op] ?? notServed(op))]),
  ) as Record<S3Operation, S3Handler<P>>
  return { handlers, state }
}
