import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3BucketRecord } from '../../store/index.js'
import { decodePublicAccessBlock } from '../storage/codec.js'
import type { S3Acl, S3Grant, S3Grantee, S3ObjectOwnership, S3PolicyRules } from '../types.js'
import { childrenNamed, childText, type XmlElement } from '../xml/parse.js'
import type { XmlNode } from '../xml/render.js'
import { malformed } from './env.js'

/** The canned ACLs S3 accepts in `x-amz-acl`. */
const CANNED = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
] as const

type CannedAcl = (typeof CANNED)[number]

/** The canned ACLs allowed while Object Ownership is BucketOwnerEnforced. */
const ENFORCED_OK: ReadonlySet<string> = new Set(['private', 'bucket-owner-full-control'])

const GROUP_URI: Readonly<Record<'AllUsers' | 'AuthenticatedUsers' | 'LogDelivery', string>> = {
  AllUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  AuthenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  LogDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
}

function isCanned(v: string): v is CannedAcl {
  return (CANNED as readonly string[]).includes(v)
}

/** Checks an `x-amz-acl` value; InvalidArgument for an unknown one. */
export function parseCannedAcl(value: string): CannedAcl {
  if (!isCanned(value))
    throw awsError(S3_ERRORS.InvalidArgument, { variant: 'cannedAcl', params: { value } })
  return value
}

const account = (accountId: string): S3Grantee => ({ kind: 'Account', accountId })

/** A canned ACL as grants: the owner's FULL_CONTROL first, then what the name adds. */
export function expandCannedAcl(
  canned: CannedAcl,
  ownerAccountId: string,
  bucketOwnerAccountId: string,
): S3Acl {
  const grants: S3Grant[] = [{ grantee: account(ownerAccountId), permission: 'FULL_CONTROL' }]
  const add = (grantee: S3Grantee, permission: S3Grant['permission']) => {
    grants.push({ grantee, permission })
  }
  switch (canned) {
    case 'public-read':
      add({ kind: 'AllUsers' }, 'READ')
      break
    case 'public-read-write':
      add({ kind: 'AllUsers' }, 'READ')
      add({ kind: 'AllUsers' }, 'WRITE')
      break
    case 'authenticated-read':
      add({ kind: 'AuthenticatedUsers' }, 'READ')
      break
    case 'bucket-owner-read':
      if (bucketOwnerAccountId !== ownerAccountId) add(account(bucketOwnerAccountId), 'READ')
      break
    case 'bucket-owner-full-control':
      if (bucketOwnerAccountId !== ownerAccountId)
        add(account(bucketOwnerAccountId), 'FULL_CONTROL')
      break
    case 'log-delivery-write':
      add({ kind: 'LogDelivery' }, 'WRITE')
      add({ kind: 'LogDelivery' }, 'READ_ACP')
      break
    case 'private':
    case 'aws-exec-read':
      break
  }
  return { ownerAccountId, grants }
}

/** The bucket's Object Ownership as it applies (no controls: ObjectWriter). */
export function ownershipOf(bucket: S3BucketRecord): S3ObjectOwnership {
  return bucket.ownership ?? 'ObjectWriter'
}

/** Whether an ACL grants only its owner FULL_CONTROL (what BucketOwnerEnforced allows). */
function ownerOnly(acl: S3Acl): boolean {
  return acl.grants.every(
    (g) =>
      g.grantee.kind === 'Account' &&
      g.grantee.accountId === acl.ownerAccountId &&
      g.permission === 'FULL_CONTROL',
  )
}

/**
 * Refuses an ACL the bucket does not allow: under BucketOwnerEnforced any ACL that is
 * not the owner's full control (`AccessControlListNotSupported`, or the named error
 * CreateBucket uses); a public ACL under BlockPublicAcls (AccessDenied).
 */
export function checkAclAllowed(
  bucket: Pick<S3BucketRecord, 'ownership' | 'publicAccessBlock'>,
  acl: S3Acl,
  rules: S3PolicyRules,
  o: { readonly canned?: string; readonly creating?: boolean } = {},
): void {
  const enforced = (bucket.ownership ?? 'ObjectWriter') === 'BucketOwnerEnforced'
  const allowed = o.canned !== undefined ? ENFORCED_OK.has(o.canned) : ownerOnly(acl)
  if (enforced && !allowed)
    throw o.creating === true
      ? awsError(S3_ERRORS.InvalidBucketAclWithObjectOwnership)
      : awsError(S3_ERRORS.AccessControlListNotSupported)
  const pab =
    bucket.publicAccessBlock === undefined
      ? undefined
      : decodePublicAccessBlock(bucket.publicAccessBlock)
  if (pab?.blockPublicAcls === true && rules.isPublicAcl(acl))
    throw awsError(S3_ERRORS.AccessDenied, { reason: 'a public ACL under BlockPublicAcls' })
}

function granteeNode(g: S3Grantee): XmlNode {
  const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
  if (g.kind === 'Account')
    return [
      'Grantee',
      [
        ['ID', g.accountId],
        ['DisplayName', g.accountId],
      ],
      `${xsi} xsi:type="CanonicalUser"`,
    ]
  return ['Grantee', [['URI', GROUP_URI[g.kind]]], `${xsi} xsi:type="Group"`]
}

/** An ACL as S3 renders it in `<AccessControlPolicy>`: Owner, then AccessControlList. */
export function aclNodes(acl: S3Acl): XmlNode[] {
  return [
    [
      'Owner',
      [
        ['ID', acl.ownerAccountId],
        ['DisplayName', acl.ownerAccountId],
      ],
    ],
    [
      'AccessControlList',
      acl.grants.map((g): XmlNode => [
        'Grant',
        [granteeNode(g.grantee), ['Permission', g.permission]],
      ]),
    ],
  ]
}

const PERMISSIONS = new Set(['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'])

function parseGrantee(el: XmlElement): S3Grantee {
  const type = el.attributes.type
  if (type === 'CanonicalUser') {
    const id = childText(el, 'ID')
    if (id === undefined || id === '') throw malformed('a CanonicalUser grantee without ID')
    return account(id)
  }
  if (type === 'Group') {
    const uri = childText(el, 'URI')
    const kind = (Object.keys(GROUP_URI) as (keyof typeof GROUP_URI)[]).find(
      (k) => GROUP_URI[k] === uri,
    )
    if (kind === undefined) throw malformed('an unknown group URI')
    return { kind }
  }
  throw malformed('a grantee type irsa does not accept')
}

/** An `<AccessControlPolicy>` document as an ACL (the owner must be the resource's). */
export function parseAccessControlPolicy(doc: XmlElement, ownerAccountId: string): S3Acl {
  const owner = doc.children.find((c) => c.name === 'Owner')
  const ownerId = owner === undefined ? undefined : childText(owner, 'ID')
  if (ownerId !== undefined && ownerId !== ownerAccountId) throw malformed('another owner')
  const list = doc.children.find((c) => c.name === 'AccessControlList')
  const grants = (list === undefined ? [] : childrenNamed(list, 'Grant')).map((g): S3Grant => {
    const grantee = g.children.find((c) => c.name === 'Grantee')
    const permission = childText(g, 'Permission') ?? ''
    if (grantee === undefined || !PERMISSIONS.has(permission)) throw malformed('a bad grant')
    return { grantee: parseGrantee(grantee), permission: permission as S3Grant['permission'] }
  })
  return { ownerAccountId, grants }
}
