import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3ObjectRecord } from '../../store/index.js'
import type { S3Handler, S3OpContext } from '../types.js'
import { isoMs, opt, renderS3Xml, type XmlNode } from '../xml/render.js'
import { requireBucket, XML_HEADERS, type S3Env } from './env.js'

/** The most keys one listing answers, and the default. */
export const MAX_KEYS = 1000
/** Rows read from the store per batch while grouping. */
const BATCH = 1000

/** One page of a listing: entries and common prefixes, in key order. */
export interface ListPage<T> {
  readonly items: T[]
  readonly prefixes: string[]
  readonly truncated: boolean
  /** The last key or common prefix returned (the next marker). */
  readonly last: string | undefined
}

/** What a listing asks. */
export interface ListQuery {
  readonly prefix: string
  readonly delimiter: string
  /** List keys after this one (a marker, a start-after or a continuation). */
  readonly after: string
  readonly max: number
}

/** The common prefix `key` rolls up into, or undefined. */
function commonPrefix(key: string, q: ListQuery): string | undefined {
  if (q.delimiter === '') return undefined
  const i = key.indexOf(q.delimiter, q.prefix.length)
  return i < 0 ? undefined : key.slice(0, i + q.delimiter.length)
}

/**
 * S3's listing semantics over a source of entries in key order: keys under `prefix`
 * after `after`, those holding `delimiter` past the prefix rolled up into one common
 * prefix each, up to `max` entries and prefixes together. Resuming after a common
 * prefix skips every key under it.
 */
export function listPage<T>(
  fetch: (after: string, limit: number) => readonly T[],
  keyOf: (t: T) => string,
  q: ListQuery,
): ListPage<T> {
  const items: T[] = []
  const prefixes: string[] = []
  let seenPrefix = commonPrefix(q.after, q) === q.after ? q.after : undefined
  let last: string | undefined
  let after = q.after
  if (q.max === 0) return { items, prefixes, truncated: false, last }
  for (;;) {
    const batch = fetch(after, BATCH)
    for (const entry of batch) {
      const key = keyOf(entry)
      after = key
      const cp = commonPrefix(key, q)
      if (cp !== undefined && cp === seenPrefix) continue
      if (items.length + prefixes.length >= q.max) return { items, prefixes, truncated: true, last }
      if (cp !== undefined) {
        prefixes.push(cp)
        seenPrefix = cp
        last = cp
      } else {
        items.push(entry)
        last = key
      }
    }
    if (batch.length < BATCH) return { items, prefixes, truncated: false, last }
  }
}

/** `max-keys`: an integer 0…2^31−1, answered with at most {@link MAX_KEYS}. */
export function parseMax(
  value: string | undefined,
  variant: 'maxKeys' | 'maxParts' | 'maxUploads',
) {
  if (value === undefined) return MAX_KEYS
  if (!/^\d{1,10}$/.test(value) || Number(value) > 2 ** 31 - 1)
    throw awsError(S3_ERRORS.InvalidArgument, { variant })
  return Math.min(Number(value), MAX_KEYS)
}

/** `encoding-type`: `url` or absent. */
export function parseEncoding(value: string | undefined): 'url' | undefined {
  if (value === undefined) return undefined
  if (value !== 'url') throw awsError(S3_ERRORS.InvalidArgument, { variant: 'encodingType' })
  return 'url'
}

/** S3's `encoding-type=url` form: percent-encoding, with `/` kept (clients decode both). */
export function urlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%2F/g, '/')
}

const TOKEN_TAG = '1\n'

function encodeToken(last: string): string {
  return Buffer.from(TOKEN_TAG + last, 'utf8').toString('base64')
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8')
  if (!text.startsWith(TOKEN_TAG) || encodeToken(text.slice(TOKEN_TAG.length)) !== token)
    throw awsError(S3_ERRORS.InvalidArgument, { variant: 'continuationToken' })
  return text.slice(TOKEN_TAG.length)
}

function ownerNode(accountId: string): XmlNode {
  return [
    'Owner',
    [
      ['ID', accountId],
      ['DisplayName', accountId],
    ],
  ]
}

function contentsNode(o: S3ObjectRecord, enc: (s: string) => string, owner: boolean): XmlNode {
  return [
    'Contents',
    [
      ['Key', enc(o.key)],
      ['LastModified', isoMs(o.lastModified)],
      ['ETag', o.etag],
      opt('ChecksumAlgorithm', o.checksum?.algorithm),
      ['Size', o.size],
      ['StorageClass', 'STANDARD'],
      owner ? ownerNode(o.ownerAccountId) : undefined,
    ],
  ]
}

/** The common parameters of both listings. */
function listParams<P>(ctx: S3OpContext<P>) {
  const encoding = parseEncoding(ctx.query.get('encoding-type'))
  return {
    prefix: ctx.query.get('prefix') ?? '',
    delimiter: ctx.query.get('delimiter') ?? '',
    max: parseMax(ctx.query.get('max-keys'), 'maxKeys'),
    encoding,
    enc: encoding === 'url' ? urlEncode : (s: string) => s,
  }
}

function fetchObjects<P>(env: S3Env<P>, bucket: string, prefix: string) {
  return (after: string, limit: number) =>
    env.store.s3Objects.list(bucket, { prefix, after, limit })
}

function listObjectsV2<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const p = listParams(ctx)
    const token = ctx.query.get('continuation-token')
    const startAfter = ctx.query.get('start-after')
    const after = token !== undefined ? decodeToken(token) : (startAfter ?? '')
    const page = listPage(fetchObjects(env, bucket.name, p.prefix), (o) => o.key, { ...p, after })
    const fetchOwner = ctx.query.get('fetch-owner') === 'true'
    const body = renderS3Xml('ListBucketResult', [
      ['Name', bucket.name],
      ['Prefix', p.enc(p.prefix)],
      ...(token !== undefined ? [['ContinuationToken', token] as const] : []),
      page.truncated && page.last !== undefined
        ? ['NextContinuationToken', encodeToken(page.last)]
        : undefined,
      ['KeyCount', page.items.length + page.prefixes.length],
      ['MaxKeys', p.max],
      p.delimiter === '' ? undefined : ['Delimiter', p.enc(p.delimiter)],
      ['IsTruncated', page.truncated],
      opt('EncodingType', p.encoding),
      startAfter === undefined ? undefined : ['StartAfter', p.enc(startAfter)],
      ...page.items.map((o) => contentsNode(o, p.enc, fetchOwner)),
      ...page.prefixes.map((cp): XmlNode => ['CommonPrefixes', [['Prefix', p.enc(cp)]]]),
    ])
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

function listObjects<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const p = listParams(ctx)
    const marker = ctx.query.get('marker') ?? ''
    const page = listPage(fetchObjects(env, bucket.name, p.prefix), (o) => o.key, {
      ...p,
      after: marker,
    })
    const nextMarker =
      page.truncated && p.delimiter !== '' && page.last !== undefined ? page.last : undefined
    const body = renderS3Xml('ListBucketResult', [
      ['Name', bucket.name],
      ['Prefix', p.enc(p.prefix)],
      ['Marker', p.enc(marker)],
      nextMarker === undefined ? undefined : ['NextMarker', p.enc(nextMarker)],
      ['MaxKeys', p.max],
      p.delimiter === '' ? undefined : ['Delimiter', p.enc(p.delimiter)],
      ['IsTruncated', page.truncated],
      opt('EncodingType', p.encoding),
      ...page.items.map((o) => contentsNode(o, p.enc, true)),
      ...page.prefixes.map((cp): XmlNode => ['CommonPrefixes', [['Prefix', p.enc(cp)]]]),
    ])
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

/** ListObjectsV2 and ListObjects. */
export function listingHandlers<P>(env: S3Env<P>) {
  return { ListObjectsV2: listObjectsV2(env), ListObjects: listObjects(env) }
}
