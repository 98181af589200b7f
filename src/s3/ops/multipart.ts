import { randomBytes } from 'node:crypto'
import type { FileHandle } from 'node:fs/promises'
import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3PartRecord, S3UploadRecord } from '../../store/index.js'
import { S3ErrorWithElements } from '../error-elements.js'
import { decodeAcl, encodePairs, encodeTags } from '../storage/codec.js'
import type { S3ChecksumAlgorithm, S3Handler, S3OpContext } from '../types.js'
import { childrenNamed, childText } from '../xml/parse.js'
import { isoMs, opt, renderS3Xml, type XmlNode } from '../xml/render.js'
import { compositeChecksum, multipartEtag } from './checksum.js'
import { header, keyOf, malformed, readXml, requireBucket, XML_HEADERS, type S3Env } from './env.js'
import { checksumHeader, objectMetaFromHeaders, tagsFromHeader } from './object-meta.js'
import { listPage, parseEncoding, parseMax, urlEncode } from './listing.js'
import {
  checkDeclaredLength,
  commitObject,
  newObjectAcl,
  objectRecord,
  writeBody,
} from './write.js'

/** The smallest part other than the last: 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024
const MAX_PART_NUMBER = 10_000
const ALGORITHMS: readonly S3ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256']

/** An upload id: the initiation time (so ids sort by it) and 24 random bytes, URL-safe. */
function newUploadId(nowMs: number): string {
  return `${nowMs.toString(16).padStart(12, '0')}${randomBytes(24).toString('base64url')}`
}

/** The upload the request names, in its bucket and key; NoSuchUpload otherwise. */
function requireUpload<P>(env: S3Env<P>, ctx: S3OpContext<P>): S3UploadRecord {
  const bucket = requireBucket(env, ctx)
  const key = keyOf(ctx)
  const id = ctx.query.get('uploadId') ?? ''
  const upload = env.store.s3Objects.getUpload(id)
  if (upload === undefined || upload.bucket !== bucket.name || upload.key !== key)
    throw awsError(S3_ERRORS.NoSuchUpload, { reason: 'unknown upload id' })
  return upload
}

function checksumAlgorithmHeader<P>(ctx: S3OpContext<P>): S3ChecksumAlgorithm | undefined {
  const v = header(ctx, 'x-amz-checksum-algorithm')?.toUpperCase()
  if (v === undefined) return undefined
  if (!(ALGORITHMS as readonly string[]).includes(v))
    throw awsError(S3_ERRORS.InvalidRequest, {
      variant: 'checksumType',
      params: { algorithm: v.toLowerCase() },
    })
  return v as S3ChecksumAlgorithm
}

function createMultipartUpload<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const key = keyOf(ctx)
    const meta = objectMetaFromHeaders(ctx.headers)
    const tags = tagsFromHeader(header(ctx, 'x-amz-tagging'))
    const acl = newObjectAcl(env, ctx, bucket)
    const checksumAlgorithm = checksumAlgorithmHeader(ctx)
    const id = env.identify(ctx.caller)
    const uploadId = newUploadId(ctx.nowMs)
    env.store.s3Objects.createUpload({
      uploadId,
      bucket: bucket.name,
      key,
      initiatedAt: ctx.nowMs,
      initiatorArn: id?.arn ?? 'anonymous',
      ownerAccountId: acl.ownerAccountId,
      contentType: meta.contentType,
      headers: encodePairs(meta.headers),
      metadata: encodePairs(meta.metadata),
      checksumAlgorithm,
      acl: JSON.stringify(acl),
      tags: encodeTags(tags),
    })
    const body = renderS3Xml('InitiateMultipartUploadResult', [
      ['Bucket', bucket.name],
      ['Key', key],
      ['UploadId', uploadId],
    ])
    const headers: Record<string, string> = {
      ...XML_HEADERS,
      'x-amz-server-side-encryption': 'AES256',
    }
    if (checksumAlgorithm !== undefined) headers['x-amz-checksum-algorithm'] = checksumAlgorithm
    return Promise.resolve({ status: 200, headers, body })
  }
}

function partNumberOf(value: string | undefined): number {
  const n = Number(value)
  if (value === undefined || !/^\d{1,5}$/.test(value) || n < 1 || n > MAX_PART_NUMBER)
    throw awsError(S3_ERRORS.InvalidArgument, { variant: 'partNumber' })
  return n
}

function uploadPart<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const partNumber = partNumberOf(ctx.query.get('partNumber'))
    const upload = requireUpload(env, ctx)
    checkDeclaredLength(ctx)
    const written = await writeBody(env, ctx.body)
    const etag = `"${ctx.body.md5Hex()}"`
    const checksum = ctx.body.checksum()
    const part: S3PartRecord = {
      uploadId: upload.uploadId,
      partNumber,
      size: written.size,
      etag,
      lastModified: ctx.nowMs,
      checksum,
      dataFile: written.name,
    }
    await commitObject(env, written, () => [env.store.s3Objects.putPart(part).replacedFile])
    return {
      status: 200,
      headers: { etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeader(checksum) },
    }
  }
}

const normalizeEtag = (e: string) => `"${e.trim().replace(/^"|"$/g, '')}"`

/** The parts a CompleteMultipartUpload document names, checked against the stored ones. */
async function chosenParts<P>(ctx: S3OpContext<P>, stored: readonly S3PartRecord[]) {
  const doc = await readXml(ctx, 'CompleteMultipartUpload')
  const requested = childrenNamed(doc, 'Part').map((p) => ({
    number: Number(childText(p, 'PartNumber')),
    etag: childText(p, 'ETag'),
  }))
  if (requested.length === 0) throw malformed('no parts')
  const byNumber = new Map(stored.map((p) => [p.partNumber, p]))
  let previous = 0
  const parts = requested.map((r) => {
    if (!Number.isInteger(r.number) || r.etag === undefined) throw malformed('a bad Part')
    if (r.number <= previous) throw awsError(S3_ERRORS.InvalidPartOrder)
    previous = r.number
    const part = byNumber.get(r.number)
    if (part === undefined || part.etag !== normalizeEtag(r.etag))
      throw awsError(S3_ERRORS.InvalidPart, { reason: `part ${String(r.number)}` })
    return part
  })
  parts.slice(0, -1).forEach((p) => {
    if (p.size < MIN_PART_BYTES)
      throw new S3ErrorWithElements(
        awsError(S3_ERRORS.EntityTooSmall, { reason: `part ${String(p.partNumber)}` }),
        [
          ['ProposedSize', String(p.size)],
          ['MinSizeAllowed', String(MIN_PART_BYTES)],
          ['PartNumber', String(p.partNumber)],
          ['ETag', p.etag.replace(/"/g, '')],
        ],
      )
  })
  return parts
}

/** The parts' bytes in order, from handles opened before streaming starts. */
async function* concatenate(handles: readonly FileHandle[]): AsyncIterable<Uint8Array> {
  for (const h of handles) {
    for await (const chunk of h.createReadStream()) yield chunk as Uint8Array
  }
}

function compositeOf(upload: S3UploadRecord, parts: readonly S3PartRecord[]) {
  const algorithm = upload.checksumAlgorithm
  if (algorithm === undefined) return undefined
  const values = parts.map((p) =>
    p.checksum?.algorithm === algorithm ? p.checksum.value : undefined,
  )
  if (values.some((v) => v === undefined)) return undefined
  return { algorithm, value: compositeChecksum(algorithm, values as string[]) }
}

function completeMultipartUpload<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const upload = requireUpload(env, ctx)
    const bucket = requireBucket(env, ctx)
    const parts = await chosenParts(ctx, env.store.s3Objects.listParts(upload.uploadId))
    const handles = await Promise.all(parts.map((p) => env.files.open(p.dataFile)))
    const written = await writeBody(env, concatenate(handles)).finally(() =>
      Promise.all(handles.map((h) => h.close().catch(() => undefined))),
    )
    const etag = multipartEtag(parts.map((p) => p.etag))
    const checksum = compositeOf(upload, parts)
    const record = objectRecord({
      bucket,
      key: upload.key,
      written,
      etag,
      meta: upload,
      checksum,
      partsCount: parts.length,
      acl: decodeAcl(upload.acl),
      tags: upload.tags,
      nowMs: ctx.nowMs,
    })
    await commitObject(env, written, () =>
      env.store.s3Objects.completeUpload(upload.uploadId, record),
    )
    const host = ctx.headers.host?.[0] ?? 'localhost'
    const scheme = ctx.secure ? 'https' : 'http'
    const body = renderS3Xml('CompleteMultipartUploadResult', [
      ['Location', `${scheme}://${host}/${bucket.name}/${encodeURIComponent(upload.key)}`],
      ['Bucket', bucket.name],
      ['Key', upload.key],
      ['ETag', etag],
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

function abortMultipartUpload<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const upload = requireUpload(env, ctx)
    await env.files.remove(env.store.s3Objects.deleteUpload(upload.uploadId))
    return { status: 204 }
  }
}

function people(accountId: string, arn: string): XmlNode[] {
  return [
    [
      'Initiator',
      [
        ['ID', arn],
        ['DisplayName', arn],
      ],
    ],
    [
      'Owner',
      [
        ['ID', accountId],
        ['DisplayName', accountId],
      ],
    ],
  ]
}

function partNode(p: S3PartRecord): XmlNode {
  return [
    'Part',
    [
      ['PartNumber', p.partNumber],
      ['LastModified', isoMs(p.lastModified)],
      ['ETag', p.etag],
      ['Size', p.size],
      opt(
        p.checksum === undefined ? 'ChecksumCRC32' : `Checksum${p.checksum.algorithm}`,
        p.checksum?.value,
      ),
    ],
  ]
}

function listParts<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const upload = requireUpload(env, ctx)
    const max = parseMax(ctx.query.get('max-parts'), 'maxParts')
    const markerText = ctx.query.get('part-number-marker') ?? '0'
    if (!/^\d{1,5}$/.test(markerText))
      throw awsError(S3_ERRORS.InvalidArgument, { variant: 'partNumberMarker' })
    const marker = Number(markerText)
    const found = env.store.s3Objects.listParts(upload.uploadId, {
      afterPart: marker,
      limit: max + 1,
    })
    const parts = found.slice(0, max)
    const truncated = found.length > max
    const body = renderS3Xml('ListPartsResult', [
      ['Bucket', upload.bucket],
      ['Key', upload.key],
      ['UploadId', upload.uploadId],
      ['PartNumberMarker', marker],
      ['NextPartNumberMarker', parts.at(-1)?.partNumber ?? 0],
      ['MaxParts', max],
      ['IsTruncated', truncated],
      ...parts.map(partNode),
      ...people(upload.ownerAccountId, upload.initiatorArn),
      ['StorageClass', 'STANDARD'],
      opt('ChecksumAlgorithm', upload.checksumAlgorithm),
    ])
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

function uploadNode(u: S3UploadRecord, enc: (s: string) => string): XmlNode {
  return [
    'Upload',
    [
      ['Key', enc(u.key)],
      ['UploadId', u.uploadId],
      ...people(u.ownerAccountId, u.initiatorArn),
      ['StorageClass', 'STANDARD'],
      ['Initiated', isoMs(u.initiatedAt)],
      opt('ChecksumAlgorithm', u.checksumAlgorithm),
    ],
  ]
}

/** Sorts after every upload id of a key (ids are base64url and hex). */
const AFTER_ALL_IDS = '\u{10FFFF}'

function listMultipartUploads<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const prefix = ctx.query.get('prefix') ?? ''
    const delimiter = ctx.query.get('delimiter') ?? ''
    const keyMarker = ctx.query.get('key-marker') ?? ''
    const idMarker = ctx.query.get('upload-id-marker')
    const max = parseMax(ctx.query.get('max-uploads'), 'maxUploads')
    const encoding = parseEncoding(ctx.query.get('encoding-type'))
    const enc = encoding === 'url' ? urlEncode : (s: string) => s
    const all = env.store.s3Objects.listUploads(bucket.name, {
      prefix,
      afterKey: keyMarker,
      afterId: idMarker ?? AFTER_ALL_IDS,
      limit: 1_000_000,
    })
    let served = false
    const fetch = () => {
      if (served) return []
      served = true
      return all
    }
    const page = listPage(fetch, (u) => u.key, { prefix, delimiter, after: '', max })
    const lastUpload = page.items.at(-1)
    const body = renderS3Xml('ListMultipartUploadsResult', [
      ['Bucket', bucket.name],
      ['KeyMarker', enc(keyMarker)],
      ['UploadIdMarker', idMarker ?? ''],
      page.truncated ? ['NextKeyMarker', enc(page.last ?? '')] : undefined,
      page.truncated && lastUpload !== undefined && page.last === lastUpload.key
        ? ['NextUploadIdMarker', lastUpload.uploadId]
        : undefined,
      opt('Delimiter', delimiter === '' ? undefined : enc(delimiter)),
      ['Prefix', enc(prefix)],
      ['MaxUploads', max],
      ['IsTruncated', page.truncated],
      opt('EncodingType', encoding),
      ...page.items.map((u) => uploadNode(u, enc)),
      ...page.prefixes.map((cp): XmlNode => ['CommonPrefixes', [['Prefix', enc(cp)]]]),
    ])
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

/** The multipart upload operations. */
export function multipartHandlers<P>(env: S3Env<P>) {
  return {
    CreateMultipartUpload: createMultipartUpload(env),
    UploadPart: uploadPart(env),
    CompleteMultipartUpload: completeMultipartUpload(env),
    AbortMultipartUpload: abortMultipartUpload(env),
    ListParts: listParts(env),
    ListMultipartUploads: listMultipartUploads(env),
  }
}
