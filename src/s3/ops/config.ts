import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3BucketRecord } from '../../store/index.js'
import {
  decodeAcl,
  decodePublicAccessBlock,
  decodeTags,
  encodeAcl,
  encodePublicAccessBlock,
  encodeTags,
} from '../storage/codec.js'
import type { S3Acl, S3Handler, S3ObjectOwnership, S3OpContext } from '../types.js'
import { childrenNamed, childText } from '../xml/parse.js'
import { renderS3Xml, type XmlNode } from '../xml/render.js'
import {
  aclNodes,
  checkAclAllowed,
  expandCannedAcl,
  ownershipOf,
  parseAccessControlPolicy,
  parseCannedAcl,
} from './acl.js'
import {
  header,
  keyOf,
  malformed,
  readSmallBody,
  readXml,
  requireBucket,
  requireObject,
  XML_HEADERS,
  xmlBoolean,
  type S3Env,
} from './env.js'
import { checkTags } from './object-meta.js'

/** S3's limit on a bucket policy: 20 KB. */
const MAX_POLICY_BYTES = 20 * 1024

const xml = (root: string, content: readonly (XmlNode | undefined)[]) => ({
  status: 200,
  headers: XML_HEADERS,
  body: renderS3Xml(root, content),
})

function getBucketPolicy<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    if (bucket.policy === undefined) throw awsError(S3_ERRORS.NoSuchBucketPolicy)
    return Promise.resolve({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: bucket.policy,
    })
  }
}

function blockPublicAccess(bucket: S3BucketRecord) {
  return bucket.publicAccessBlock === undefined
    ? undefined
    : decodePublicAccessBlock(bucket.publicAccessBlock)
}

function putBucketPolicy<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const document = await readSmallBody(ctx, MAX_POLICY_BYTES)
    env.rules.validate(document, bucket.name)
    if (blockPublicAccess(bucket)?.blockPublicPolicy === true && env.rules.isPublic(document))
      throw awsError(S3_ERRORS.AccessDenied, { reason: 'a public policy under BlockPublicPolicy' })
    env.store.s3Buckets.update(bucket.name, { policy: document })
    return { status: 204 }
  }
}

function deleteBucketPolicy<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    env.store.s3Buckets.update(bucket.name, { policy: null })
    return Promise.resolve({ status: 204 })
  }
}

const PAB_FIELDS = [
  ['BlockPublicAcls', 'blockPublicAcls'],
  ['IgnorePublicAcls', 'ignorePublicAcls'],
  ['BlockPublicPolicy', 'blockPublicPolicy'],
  ['RestrictPublicBuckets', 'restrictPublicBuckets'],
] as const

function getPublicAccessBlock<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const pab = blockPublicAccess(requireBucket(env, ctx))
    if (pab === undefined) throw awsError(S3_ERRORS.NoSuchPublicAccessBlockConfiguration)
    return Promise.resolve(
      xml(
        'PublicAccessBlockConfiguration',
        PAB_FIELDS.map(([el, field]): XmlNode => [el, pab[field]]),
      ),
    )
  }
}

function putPublicAccessBlock<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const doc = await readXml(ctx, 'PublicAccessBlockConfiguration')
    const read = (el: string) => xmlBoolean(childText(doc, el))
    const pab = {
      blockPublicAcls: read('BlockPublicAcls'),
      ignorePublicAcls: read('IgnorePublicAcls'),
      blockPublicPolicy: read('BlockPublicPolicy'),
      restrictPublicBuckets: read('RestrictPublicBuckets'),
    }
    env.store.s3Buckets.update(bucket.name, { publicAccessBlock: encodePublicAccessBlock(pab) })
    return { status: 200 }
  }
}

function deletePublicAccessBlock<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    env.store.s3Buckets.update(bucket.name, { publicAccessBlock: null })
    return Promise.resolve({ status: 204 })
  }
}

const OWNERSHIPS: readonly string[] = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
]

function getBucketOwnershipControls<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    if (bucket.ownership === undefined) throw awsError(S3_ERRORS.OwnershipControlsNotFoundError)
    return Promise.resolve(
      xml('OwnershipControls', [['Rule', [['ObjectOwnership', bucket.ownership]]]]),
    )
  }
}

function putBucketOwnershipControls<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const doc = await readXml(ctx, 'OwnershipControls')
    const rules = childrenNamed(doc, 'Rule')
    const [rule] = rules
    const value =
      rules.length === 1 && rule !== undefined ? childText(rule, 'ObjectOwnership') : undefined
    if (value === undefined || !OWNERSHIPS.includes(value)) throw malformed('OwnershipControls')
    env.store.s3Buckets.update(bucket.name, { ownership: value as S3ObjectOwnership })
    return { status: 200 }
  }
}

function deleteBucketOwnershipControls<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    env.store.s3Buckets.update(bucket.name, { ownership: null })
    return Promise.resolve({ status: 204 })
  }
}

/**
 * The ACL a PutBucketAcl or PutObjectAcl asks for: `x-amz-acl` or an
 * `<AccessControlPolicy>` body; checked against Object Ownership and Block Public Access.
 */
async function requestedAcl<P>(
  env: S3Env<P>,
  ctx: S3OpContext<P>,
  bucket: S3BucketRecord,
  ownerAccountId: string,
): Promise<S3Acl> {
  const canned = header(ctx, 'x-amz-acl')
  if (canned !== undefined) {
    const acl = expandCannedAcl(parseCannedAcl(canned), ownerAccountId, bucket.accountId)
    checkAclAllowed(bucket, acl, env.rules, { canned })
    return acl
  }
  const acl = parseAccessControlPolicy(await readXml(ctx, 'AccessControlPolicy'), ownerAccountId)
  checkAclAllowed(bucket, acl, env.rules)
  return acl
}

/** Under BucketOwnerEnforced, every object is the bucket owner's with its full control only. */
function effectiveObjectAcl(bucket: S3BucketRecord, stored: S3Acl): S3Acl {
  if (ownershipOf(bucket) !== 'BucketOwnerEnforced') return stored
  return expandCannedAcl('private', bucket.accountId, bucket.accountId)
}

function getBucketAcl<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const acl = effectiveObjectAcl(bucket, decodeAcl(bucket.acl))
    return Promise.resolve(xml('AccessControlPolicy', aclNodes(acl)))
  }
}

function putBucketAcl<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const acl = await requestedAcl(env, ctx, bucket, bucket.accountId)
    env.store.s3Buckets.update(bucket.name, { acl: encodeAcl(acl) })
    return { status: 200 }
  }
}

function getObjectAcl<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const object = requireObject(env, ctx)
    const acl = effectiveObjectAcl(bucket, decodeAcl(object.acl))
    return Promise.resolve(xml('AccessControlPolicy', aclNodes(acl)))
  }
}

function putObjectAcl<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const bucket = requireBucket(env, ctx)
    const object = requireObject(env, ctx)
    const acl = await requestedAcl(env, ctx, bucket, object.ownerAccountId)
    env.store.s3Objects.update(bucket.name, object.key, { acl: encodeAcl(acl) })
    return { status: 200 }
  }
}

function getObjectTagging<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const object = requireObject(env, ctx)
    const tags = decodeTags(object.tags).map((t): XmlNode => [
      'Tag',
      [
        ['Key', t.key],
        ['Value', t.value],
      ],
    ])
    return Promise.resolve(xml('Tagging', [['TagSet', tags]]))
  }
}

function putObjectTagging<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const object = requireObject(env, ctx)
    const doc = await readXml(ctx, 'Tagging')
    const set = doc.children.find((c) => c.name === 'TagSet')
    if (set === undefined) throw malformed('Tagging without TagSet')
    const tags = childrenNamed(set, 'Tag').map((t) => {
      const key = t.children.find((c) => c.name === 'Key')?.text
      const value = t.children.find((c) => c.name === 'Value')?.text
      if (key === undefined || value === undefined) throw malformed('a Tag without Key or Value')
      return { key, value }
    })
    checkTags(tags)
    env.store.s3Objects.update(object.bucket, object.key, { tags: encodeTags(tags) })
    return { status: 200 }
  }
}

function deleteObjectTagging<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const object = requireObject(env, ctx)
    env.store.s3Objects.update(object.bucket, keyOf(ctx), { tags: encodeTags([]) })
    return Promise.resolve({ status: 204 })
  }
}

/** Bucket policy, Block Public Access, Object Ownership, ACLs and object tagging. */
export function configHandlers<P>(env: S3Env<P>) {
  return {
    GetBucketPolicy: getBucketPolicy(env),
    PutBucketPolicy: putBucketPolicy(env),
    DeleteBucketPolicy: deleteBucketPolicy(env),
    GetPublicAccessBlock: getPublicAccessBlock(env),
    PutPublicAccessBlock: putPublicAccessBlock(env),
    DeletePublicAccessBlock: deletePublicAccessBlock(env),
    GetBucketOwnershipControls: getBucketOwnershipControls(env),
    PutBucketOwnershipControls: putBucketOwnershipControls(env),
    DeleteBucketOwnershipControls: deleteBucketOwnershipControls(env),
    GetBucketAcl: getBucketAcl(env),
    PutBucketAcl: putBucketAcl(env),
    GetObjectAcl: getObjectAcl(env),
    PutObjectAcl: putObjectAcl(env),
    GetObjectTagging: getObjectTagging(env),
    PutObjectTagging: putObjectTagging(env),
    DeleteObjectTagging: deleteObjectTagging(env),
  }
}
