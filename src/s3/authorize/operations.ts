import type { S3Operation } from '../types.js'

/** What an S3 action applies to: a bucket, an object, or nothing (`*`). */
export type S3ResourceKind = 'bucket' | 'object' | 'none'

/**
 * The ACL permission an action needs and whose ACL grants it: the bucket's (listing,
 * writing objects, the bucket ACL) or the object's (reading it, its ACL).
 */
export interface S3AclNeed {
  readonly on: 'bucket' | 'object'
  readonly permission: 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP'
}

/** How one operation is authorised. */
export interface S3OperationAuth {
  /** The IAM action, as the Service Authorization Reference names it. */
  readonly action: string
  readonly resource: S3ResourceKind
  /** The request's own condition keys this action takes (beyond the keys every action takes). */
  readonly keys: readonly S3RequestKey[]
  /** The ACL permission that grants the action when ACLs apply; undefined when none does. */
  readonly acl?: S3AclNeed
}

/** The request-specific condition keys irsa sets, by the family they come from. */
export type S3RequestKey =
  | 'list'
  | 'acl-headers'
  | 'encryption'
  | 'copy'
  | 'request-tags'
  | 'existing-tags'
  | 'storage-class'
  | 'object-ownership'

const READ_BUCKET: S3AclNeed = { on: 'bucket', permission: 'READ' }
const WRITE_BUCKET: S3AclNeed = { on: 'bucket', permission: 'WRITE' }
const PUT_KEYS: readonly S3RequestKey[] = [
  'acl-headers',
  'encryption',
  'request-tags',
  'storage-class',
]

const bucket = (action: string, acl?: S3AclNeed): S3OperationAuth =>
  acl === undefined
    ? { action, resource: 'bucket', keys: [] }
    : { action, resource: 'bucket', keys: [], acl }

/**
 * Every operation's IAM action, resource and condition keys, from the Service
 * Authorization Reference (Amazon S3) and the S3 User Guide's "Required permissions for
 * Amazon S3 API operations". Several operations share an action: `HeadBucket` and the
 * list operations need `s3:ListBucket`, `HeadObject` needs `s3:GetObject`, the multipart
 * upload steps need `s3:PutObject`, the Delete* configuration calls need the Put* action.
 * `DeleteObjects` is authorised per key as `s3:DeleteObject` (the operation asks once per
 * key it reads from the body); `CopyObject` is `s3:PutObject` on the destination and is
 * asked again with `copySource` for `s3:GetObject` on the source.
 */
export const S3_OPERATION_AUTH: Readonly<Record<S3Operation, S3OperationAuth>> = {
  ListBuckets: { action: 's3:ListAllMyBuckets', resource: 'none', keys: [] },
  CreateBucket: {
    action: 's3:CreateBucket',
    resource: 'bucket',
    keys: ['acl-headers', 'object-ownership'],
  },
  DeleteBucket: bucket('s3:DeleteBucket'),
  HeadBucket: { action: 's3:ListBucket', resource: 'bucket', keys: [], acl: READ_BUCKET },
  GetBucketLocation: bucket('s3:GetBucketLocation'),
  ListObjectsV2: { action: 's3:ListBucket', resource: 'bucket', keys: ['list'], acl: READ_BUCKET },
  ListObjects: { action: 's3:ListBucket', resource: 'bucket', keys: ['list'], acl: READ_BUCKET },
  PutObject: { action: 's3:PutObject', resource: 'object', keys: PUT_KEYS, acl: WRITE_BUCKET },
  GetObject: {
    action: 's3:GetObject',
    resource: 'object',
    keys: ['existing-tags'],
    acl: { on: 'object', permission: 'READ' },
  },
  HeadObject: {
    action: 's3:GetObject',
    resource: 'object',
    keys: ['existing-tags'],
    acl: { on: 'object', permission: 'READ' },
  },
  DeleteObject: { action: 's3:DeleteObject', resource: 'object', keys: [], acl: WRITE_BUCKET },
  DeleteObjects: { action: 's3:DeleteObject', resource: 'object', keys: [], acl: WRITE_BUCKET },
  CopyObject: {
    action: 's3:PutObject',
    resource: 'object',
    keys: [...PUT_KEYS, 'copy'],
    acl: WRITE_BUCKET,
  },
  CreateMultipartUpload: {
    action: 's3:PutObject',
    resource: 'object',
    keys: PUT_KEYS,
    acl: WRITE_BUCKET,
  },
  UploadPart: { action: 's3:PutObject', resource: 'object', keys: [], acl: WRITE_BUCKET },
  CompleteMultipartUpload: {
    action: 's3:PutObject',
    resource: 'object',
    keys: [],
    acl: WRITE_BUCKET,
  },
  AbortMultipartUpload: { action: 's3:AbortMultipartUpload', resource: 'object', keys: [] },
  ListParts: { action: 's3:ListMultipartUploadParts', resource: 'object', keys: [] },
  ListMultipartUploads: bucket('s3:ListBucketMultipartUploads', READ_BUCKET),
  GetBucketPolicy: bucket('s3:GetBucketPolicy'),
  PutBucketPolicy: bucket('s3:PutBucketPolicy'),
  DeleteBucketPolicy: bucket('s3:DeleteBucketPolicy'),
  GetPublicAccessBlock: bucket('s3:GetBucketPublicAccessBlock'),
  PutPublicAccessBlock: bucket('s3:PutBucketPublicAccessBlock'),
  DeletePublicAccessBlock: bucket('s3:PutBucketPublicAccessBlock'),
  GetBucketOwnershipControls: bucket('s3:GetBucketOwnershipControls'),
  PutBucketOwnershipControls: bucket('s3:PutBucketOwnershipControls'),
  DeleteBucketOwnershipControls: bucket('s3:PutBucketOwnershipControls'),
  GetObjectAcl: {
    action: 's3:GetObjectAcl',
    resource: 'object',
    keys: ['existing-tags'],
    acl: { on: 'object', permission: 'READ_ACP' },
  },
  PutObjectAcl: {
    action: 's3:PutObjectAcl',
    resource: 'object',
    keys: ['acl-headers', 'existing-tags'],
    acl: { on: 'object', permission: 'WRITE_ACP' },
  },
  GetBucketAcl: bucket('s3:GetBucketAcl', { on: 'bucket', permission: 'READ_ACP' }),
  PutBucketAcl: {
    action: 's3:PutBucketAcl',
    resource: 'bucket',
    keys: ['acl-headers'],
    acl: { on: 'bucket', permission: 'WRITE_ACP' },
  },
  GetObjectTagging: { action: 's3:GetObjectTagging', resource: 'object', keys: ['existing-tags'] },
  PutObjectTagging: { action: 's3:PutObjectTagging', resource: 'object', keys: ['existing-tags'] },
  DeleteObjectTagging: {
    action: 's3:DeleteObjectTagging',
    resource: 'object',
    keys: ['existing-tags'],
  },
}

/** The bucket policy actions only the bucket owner's root may always take (lock-out protection). */
export const OWNER_ROOT_ALWAYS: ReadonlySet<string> = new Set([
  's3:GetBucketPolicy',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
])

/** `arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, or `*`. */
export function s3ResourceArn(
  kind: S3ResourceKind,
  bucketName: string | undefined,
  key: string | undefined,
): string {
  if (kind === 'none' || bucketName === undefined) return '*'
  if (kind === 'bucket') return `arn:aws:s3:::${bucketName}`
  return `arn:aws:s3:::${bucketName}/${key ?? ''}`
}
