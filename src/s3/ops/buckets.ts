import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3BucketRecord } from '../../store/index.js'
import { encodeAcl, encodePublicAccessBlock } from '../storage/codec.js'
import type { S3Acl, S3Handler, S3ObjectOwnership, S3OpContext, S3Result } from '../types.js'
import { childText } from '../xml/parse.js'
import { isoMs, renderS3Xml, type XmlNode } from '../xml/render.js'
import { checkAclAllowed, expandCannedAcl, parseCannedAcl } from './acl.js'
import {
  header,
  readSmallBody,
  requireBucket,
  requireIdentity,
  parseXmlDocument,
  XML_HEADERS,
  type S3Env,
} from './env.js'

/** The region S3 treats as the absent LocationConstraint. */
const US_EAST_1 = 'us-east-1'

/** Prefixes and suffixes S3 reserves. */
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-']
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']

/**
 * Whether a name follows S3's general purpose bucket naming rules: 3–63 characters of
 * lower-case letters, digits, dots and hyphens, starting and ending with a letter or
 * digit, no two adjacent dots, not an IPv4 address, no reserved prefix or suffix.
 */
export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false
  if (name.includes('..')) return false
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return false
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
}

const OWNERSHIPS: readonly S3ObjectOwnership[] = [
  'BucketOwnerEnforced',
  'BucketOwnerPreferred',
  'ObjectWriter',
]

function ownershipHeader<P>(ctx: S3OpContext<P>): S3ObjectOwnership {
  const v = header(ctx, 'x-amz-object-ownership')
  if (v === undefined) return 'BucketOwnerEnforced'
  if (!(OWNERSHIPS as readonly string[]).includes(v))
    throw awsError(S3_ERRORS.InvalidRequest, { variant: 'ownership', params: { value: v } })
  return v as S3ObjectOwnership
}

/** The LocationConstraint of a CreateBucketConfiguration body (undefined when none). */
async function locationConstraint<P>(ctx: S3OpContext<P>): Promise<string | undefined> {
  const text = (await readSmallBody(ctx)).trim()
  if (text === '') return undefined
  const doc = parseXmlDocument(text, 'CreateBucketConfiguration')
  const lc = childText(doc, 'LocationConstraint')
  return lc === '' ? undefined : lc
}

/**
 * S3's rule between the constraint and the endpoint's region: in us-east-1 the
 * constraint is absent (naming us-east-1 is InvalidLocationConstraint, another region
 * IllegalLocationConstraintException); elsewhere it must name the region.
 */
function checkLocation(region: string, constraint: string | undefined): void {
  if (constraint === region && region !== US_EAST_1) return
  if (constraint === undefined && region === US_EAST_1) return
  if (constraint === US_EAST_1) throw awsError(S3_ERRORS.InvalidLocationConstraint)
  if (constraint === undefined)
    throw awsError(S3_ERRORS.IllegalLocationConstraintException, { variant: 'unspecified' })
  throw awsError(S3_ERRORS.IllegalLocationConstraintException, { params: { region: constraint } })
}

/** The rules that make a new bucket: AWS's defaults since April 2023 (BPA on, ACLs disabled). */
function newBucket<P>(
  ctx: S3OpContext<P>,
  name: string,
  accountId: string,
): { readonly record: S3BucketRecord; readonly acl: S3Acl } {
  const ownership = ownershipHeader(ctx)
  const cannedHeader = header(ctx, 'x-amz-acl')
  const canned = parseCannedAcl(cannedHeader ?? 'private')
  const acl = expandCannedAcl(canned, accountId, accountId)
  const pab = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  }
  const record: S3BucketRecord = {
    name,
    accountId,
    region: ctx.region,
    createdAt: ctx.nowMs,
    policy: undefined,
    publicAccessBlock: encodePublicAccessBlock(pab),
    ownership,
    acl: encodeAcl(acl),
  }
  return { record, acl }
}

function createBucket<P>(env: S3Env<P>): S3Handler<P> {
  return async (ctx) => {
    const id = requireIdentity(env, ctx)
    const name = ctx.target.bucket ?? ''
    if (!isValidBucketName(name))
      throw awsError(S3_ERRORS.InvalidBucketName, { reason: 'bucket naming rules' })
    checkLocation(ctx.region, await locationConstraint(ctx))
    const existing = env.store.s3Buckets.get(name)
    if (existing !== undefined) {
      if (existing.accountId !== id.accountId) throw awsError(S3_ERRORS.BucketAlreadyExists)
      if (ctx.region === US_EAST_1 && existing.region === US_EAST_1)
        return { status: 200, headers: { location: `/${name}` } }
      throw awsError(S3_ERRORS.BucketAlreadyOwnedByYou)
    }
    const { record, acl } = newBucket(ctx, name, id.accountId)
    const canned = header(ctx, 'x-amz-acl')
    if (canned !== undefined) checkAclAllowed(record, acl, env.rules, { canned, creating: true })
    env.store.s3Buckets.create(record)
    ctx.annotate({ bucket: name })
    return { status: 200, headers: { location: `/${name}` } }
  }
}

function deleteBucket<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const result = env.store.transaction((): S3Result => {
      if (env.store.s3Objects.countInBucket(bucket.name) > 0)
        throw awsError(S3_ERRORS.BucketNotEmpty)
      env.store.s3Buckets.delete(bucket.name)
      return { status: 204 }
    })
    return Promise.resolve(result)
  }
}

function headBucket<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    return Promise.resolve({
      status: 200,
      headers: {
        'x-amz-bucket-region': bucket.region,
        'x-amz-access-point-alias': 'false',
      },
    })
  }
}

function getBucketLocation<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const bucket = requireBucket(env, ctx)
    const body = renderS3Xml('LocationConstraint', bucket.region === US_EAST_1 ? '' : bucket.region)
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

function listBuckets<P>(env: S3Env<P>): S3Handler<P> {
  return (ctx) => {
    const id = requireIdentity(env, ctx)
    const buckets = env.store.s3Buckets.list(id.accountId).map((b): XmlNode => [
      'Bucket',
      [
        ['Name', b.name],
        ['CreationDate', isoMs(b.createdAt)],
        ['BucketRegion', b.region],
      ],
    ])
    const body = renderS3Xml('ListAllMyBucketsResult', [
      [
        'Owner',
        [
          ['ID', id.accountId],
          ['DisplayName', id.accountId],
        ],
      ],
      ['Buckets', buckets],
    ])
    return Promise.resolve({ status: 200, headers: XML_HEADERS, body })
  }
}

/** The bucket-level operations. */
export function bucketHandlers<P>(env: S3Env<P>) {
  return {
    ListBuckets: listBuckets(env),
    CreateBucket: createBucket(env),
    DeleteBucket: deleteBucket(env),
    HeadBucket: headBucket(env),
    GetBucketLocation: getBucketLocation(env),
  }
}
