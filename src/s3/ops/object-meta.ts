import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3ObjectRecord } from '../../store/index.js'
import { decodePairs, decodeTags, type S3Pairs, type S3Tag } from '../storage/codec.js'
import type { S3Headers } from '../types.js'

/** The headers S3 stores with an object and sends back on GET and HEAD. */
const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const

/** The Content-Type S3 gives an object PUT without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream'

/** S3's limit on user metadata: names (without `x-amz-meta-`) and values, in bytes. */
const MAX_METADATA_BYTES = 2048

/** What a write stores besides the bytes, read from its headers. */
export interface ObjectMeta {
  readonly contentType: string
  readonly headers: S3Pairs
  readonly metadata: S3Pairs
}

const first = (headers: S3Headers, name: string) => headers[name]?.[0]

/** Content-Type, the stored Content-* headers and `x-amz-meta-*` of a PUT (or a REPLACE copy). */
export function objectMetaFromHeaders(headers: S3Headers): ObjectMeta {
  const stored: [string, string][] = []
  for (const name of STORED_HEADERS) {
    const v = first(headers, name)
    if (v !== undefined) stored.push([name, v])
  }
  const metadata: [string, string][] = []
  let bytes = 0
  for (const [name, values] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || values === undefined) continue
    const short = name.slice('x-amz-meta-'.length)
    const value = values.join(',')
    bytes += Buffer.byteLength(short) + Buffer.byteLength(value)
    metadata.push([short, value])
  }
  if (bytes > MAX_METADATA_BYTES) throw awsError(S3_ERRORS.MetadataTooLarge)
  metadata.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return {
    contentType: first(headers, 'content-type') ?? DEFAULT_CONTENT_TYPE,
    headers: stored,
    metadata,
  }
}

/** Length in Unicode code points, as S3 counts tag keys and values. */
const codePoints = (s: string) => Array.from(s).length

const MAX_TAGS = 10
const MAX_TAG_KEY = 128
const MAX_TAG_VALUE = 256

/** Checks object tags as S3 does: at most 10, keys 1–128 and values up to 256 characters, no key twice. */
export function checkTags(tags: readonly S3Tag[]): void {
  if (tags.length > MAX_TAGS) throw awsError(S3_ERRORS.InvalidTag, { variant: 'tooMany' })
  const seen = new Set<string>()
  for (const t of tags) {
    if (t.key.length === 0) throw awsError(S3_ERRORS.InvalidTag)
    if (codePoints(t.key) > MAX_TAG_KEY)
      throw awsError(S3_ERRORS.InvalidTag, { variant: 'keyTooLong' })
    if (codePoints(t.value) > MAX_TAG_VALUE)
      throw awsError(S3_ERRORS.InvalidTag, { variant: 'valueTooLong' })
    if (seen.has(t.key)) throw awsError(S3_ERRORS.InvalidTag, { variant: 'duplicate' })
    seen.add(t.key)
  }
}

/** The `x-amz-tagging` header (a URL query string: `k1=v1&k2=v2`), checked. */
export function tagsFromHeader(value: string | undefined): S3Tag[] {
  if (value === undefined || value === '') return []
  const tags = [...new URLSearchParams(value)].map(([key, v]) => ({ key, value: v }))
  checkTags(tags)
  return tags
}

/** {@link objectHeaders} of the records read lately (rows are reused while unchanged). */
const headersOfRecord = new WeakMap<S3ObjectRecord, Readonly<Record<string, string>>>()

/** The response headers GET and HEAD send for an object's stored metadata (a new object each call). */
export function objectHeaders(o: S3ObjectRecord): Record<string, string> {
  let headers = headersOfRecord.get(o)
  if (headers === undefined) {
    headers = storedHeaders(o)
    headersOfRecord.set(o, headers)
  }
  return { ...headers }
}

function storedHeaders(o: S3ObjectRecord): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': o.contentType,
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  }
  for (const [name, value] of decodePairs(o.headers)) out[name] = value
  for (const [name, value] of decodePairs(o.metadata)) out[`x-amz-meta-${name}`] = value
  const tags = decodeTags(o.tags)
  if (tags.length > 0) out['x-amz-tagging-count'] = String(tags.length)
  if (o.partsCount !== undefined) out['x-amz-mp-parts-count'] = String(o.partsCount)
  return out
}

/** The checksum header of a stored checksum (`x-amz-checksum-sha256: …`). */
export function checksumHeader(checksum: S3ObjectRecord['checksum']): Record<string, string> {
  if (checksum === undefined) return {}
  return { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value }
}

/** GetObject's `response-*` query overrides. */
const OVERRIDES: Readonly<Record<string, string>> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
}

/** Applies GetObject's `response-*` overrides to the response headers. */
export function applyOverrides(
  headers: Record<string, string>,
  query: ReadonlyMap<string, string>,
): void {
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const v = query.get(param)
    if (v !== undefined) headers[name] = v
  }
}
