import type { S3BucketRecord, S3ObjectRecord } from '../../store/index.js'
import type {
  S3Acl,
  S3BucketState,
  S3Grant,
  S3Grantee,
  S3ObjectState,
  S3PublicAccessBlock,
} from '../types.js'

/**
 * The JSON the store keeps for S3 (ACLs, Block Public Access, headers, metadata, tags),
 * encoded and read back with checks, so a corrupt row is an error rather than a wrong
 * answer.
 */

/** A stored object's tag. */
export interface S3Tag {
  readonly key: string
  readonly value: string
}

/** Name/value pairs in the order given (headers, metadata). */
export type S3Pairs = readonly (readonly [string, string])[]

class CorruptRowError extends Error {
  constructor(what: string) {
    super(`stored S3 ${what} is not valid`)
    this.name = 'CorruptRowError'
  }
}

function parse(json: string, what: string): unknown {
  try {
    return JSON.parse(json) as unknown
  } catch {
    throw new CorruptRowError(what)
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const PERMISSIONS = new Set(['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'])

function grantee(v: unknown): S3Grantee {
  if (!isRecord(v)) throw new CorruptRowError('ACL')
  if (v.kind === 'Account' && typeof v.accountId === 'string')
    return { kind: 'Account', accountId: v.accountId }
  if (v.kind === 'AllUsers' || v.kind === 'AuthenticatedUsers' || v.kind === 'LogDelivery')
    return { kind: v.kind }
  throw new CorruptRowError('ACL')
}

function grant(v: unknown): S3Grant {
  if (!isRecord(v) || typeof v.permission !== 'string' || !PERMISSIONS.has(v.permission))
    throw new CorruptRowError('ACL')
  return { grantee: grantee(v.grantee), permission: v.permission as S3Grant['permission'] }
}

export function encodeAcl(acl: S3Acl): string {
  return JSON.stringify(acl)
}

export function decodeAcl(json: string): S3Acl {
  const v = parse(json, 'ACL')
  if (!isRecord(v) || typeof v.ownerAccountId !== 'string' || !Array.isArray(v.grants))
    throw new CorruptRowError('ACL')
  return { ownerAccountId: v.ownerAccountId, grants: v.grants.map(grant) }
}

export function encodePublicAccessBlock(p: S3PublicAccessBlock): string {
  return JSON.stringify(p)
}

export function decodePublicAccessBlock(json: string): S3PublicAccessBlock {
  const v = parse(json, 'public access block')
  if (!isRecord(v)) throw new CorruptRowError('public access block')
  return {
    blockPublicAcls: v.blockPublicAcls === true,
    ignorePublicAcls: v.ignorePublicAcls === true,
    blockPublicPolicy: v.blockPublicPolicy === true,
    restrictPublicBuckets: v.restrictPublicBuckets === true,
  }
}

export function encodePairs(pairs: S3Pairs): string {
  return JSON.stringify(pairs)
}

export function decodePairs(json: string): S3Pairs {
  const v = parse(json, 'headers')
  if (
    !Array.isArray(v) ||
    !v.every(
      (p): p is [string, string] =>
        Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
    )
  )
    throw new CorruptRowError('headers')
  return v
}

export function encodeTags(tags: readonly S3Tag[]): string {
  return JSON.stringify(tags.map((t) => [t.key, t.value]))
}

export function decodeTags(json: string): S3Tag[] {
  return decodePairs(json).map(([key, value]) => ({ key, value }))
}

/** A bucket row as the authoriser reads it. */
export function bucketState(r: S3BucketRecord): S3BucketState {
  return {
    name: r.name,
    ownerAccountId: r.accountId,
    region: r.region,
    policy: r.policy,
    publicAccessBlock:
      r.publicAccessBlock === undefined ? undefined : decodePublicAccessBlock(r.publicAccessBlock),
    ownership: r.ownership,
    acl: decodeAcl(r.acl),
  }
}

/** An object row as the authoriser reads it. */
export function objectState(r: S3ObjectRecord): S3ObjectState {
  return { acl: decodeAcl(r.acl), tags: decodeTags(r.tags) }
}
