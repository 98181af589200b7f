import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3Operation } from '../types.js'

/**
 * S3's subresources (query parameters that name what a request is about rather than
 * filter it), from the S3 API reference. Those irsa does not serve are `NotImplemented`.
 */
const SUBRESOURCES: readonly string[] = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploads',
  'versioning',
  'versions',
  'website',
]

/** What the operation table reads of a request. */
export interface OperationInput {
  readonly method: string
  readonly bucket: string | undefined
  readonly key: string | undefined
  readonly query: ReadonlyMap<string, string>
  /** Whether `x-amz-copy-source` is present. */
  readonly copySource: boolean
}

/** One served operation: method, whether a key is addressed, the subresource (or none). */
type Row = readonly [method: string, onKey: boolean, sub: string | undefined, op: S3Operation]

/** The served operations by method, addressing and subresource. */
const TABLE: readonly Row[] = [
  ['GET', false, 'policy', 'GetBucketPolicy'],
  ['PUT', false, 'policy', 'PutBucketPolicy'],
  ['DELETE', false, 'policy', 'DeleteBucketPolicy'],
  ['GET', false, 'publicAccessBlock', 'GetPublicAccessBlock'],
  ['PUT', false, 'publicAccessBlock', 'PutPublicAccessBlock'],
  ['DELETE', false, 'publicAccessBlock', 'DeletePublicAccessBlock'],
  ['GET', false, 'ownershipControls', 'GetBucketOwnershipControls'],
  ['PUT', false, 'ownershipControls', 'PutBucketOwnershipControls'],
  ['DELETE', false, 'ownershipControls', 'DeleteBucketOwnershipControls'],
  ['GET', false, 'acl', 'GetBucketAcl'],
  ['PUT', false, 'acl', 'PutBucketAcl'],
  ['GET', false, 'location', 'GetBucketLocation'],
  ['GET', false, 'uploads', 'ListMultipartUploads'],
  ['POST', false, 'delete', 'DeleteObjects'],
  ['GET', false, undefined, 'ListObjects'],
  ['PUT', false, undefined, 'CreateBucket'],
  ['DELETE', false, undefined, 'DeleteBucket'],
  ['HEAD', false, undefined, 'HeadBucket'],
  ['GET', true, 'acl', 'GetObjectAcl'],
  ['PUT', true, 'acl', 'PutObjectAcl'],
  ['GET', true, 'tagging', 'GetObjectTagging'],
  ['PUT', true, 'tagging', 'PutObjectTagging'],
  ['DELETE', true, 'tagging', 'DeleteObjectTagging'],
  ['POST', true, 'uploads', 'CreateMultipartUpload'],
  ['GET', true, undefined, 'GetObject'],
  ['PUT', true, undefined, 'PutObject'],
  ['HEAD', true, undefined, 'HeadObject'],
  ['DELETE', true, undefined, 'DeleteObject'],
]

const VERB: Readonly<Record<string, string>> = {
  GET: 'Get',
  PUT: 'Put',
  DELETE: 'Delete',
  POST: 'Post',
  HEAD: 'Head',
}

/** A name for an operation irsa does not serve, for `NotImplemented`'s message. */
function unservedName(method: string, onKey: boolean, sub: string): string {
  const words = sub.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  return `${VERB[method] ?? method}${onKey ? 'Object' : 'Bucket'}${words.charAt(0).toUpperCase()}${words.slice(1)}`
}

function notImplemented(operation: string): never {
  throw awsError(S3_ERRORS.NotImplemented, { variant: 'operation', params: { operation } })
}

function methodNotAllowed(method: string): never {
  throw awsError(S3_ERRORS.MethodNotAllowed, { reason: `${method} on this resource` })
}

/** Multipart operations, named by `uploadId` (and `partNumber`) rather than a subresource. */
function multipart(i: OperationInput): S3Operation | undefined {
  if (i.key === undefined || !i.query.has('uploadId')) return undefined
  if (i.method === 'PUT' && i.query.has('partNumber'))
    return i.copySource ? notImplemented('UploadPartCopy') : 'UploadPart'
  if (i.method === 'GET') return 'ListParts'
  if (i.method === 'POST') return 'CompleteMultipartUpload'
  if (i.method === 'DELETE') return 'AbortMultipartUpload'
  return methodNotAllowed(i.method)
}

/**
 * The S3 operation a request names: its method, whether it addresses a bucket and a key,
 * its subresource (`?policy`, `?acl`, `?uploads`…), `uploadId`/`partNumber`,
 * `list-type=2` and `x-amz-copy-source`. A subresource irsa does not serve is
 * `NotImplemented` naming the operation; a method the resource has none for,
 * `MethodNotAllowed`.
 */
export function resolveOperation(i: OperationInput): S3Operation {
  const method = i.method.toUpperCase()
  if (i.bucket === undefined) return method === 'GET' ? 'ListBuckets' : methodNotAllowed(method)
  const mp = multipart({ ...i, method })
  if (mp !== undefined) return mp
  const onKey = i.key !== undefined
  const subs = SUBRESOURCES.filter((s) => i.query.has(s))
  if (subs.length > 1)
    return notImplemented(subs.map((s) => unservedName(method, onKey, s)).join('+'))
  const sub = subs[0]
  const row = TABLE.find(([m, k, s]) => m === method && k === onKey && s === sub)
  if (row === undefined)
    return sub === undefined
      ? methodNotAllowed(method)
      : notImplemented(unservedName(method, onKey, sub))
  const op = row[3]
  if (op === 'ListObjects' && i.query.get('list-type') === '2') return 'ListObjectsV2'
  if (op === 'PutObject' && i.copySource) return 'CopyObject'
  return op
}
