import { parseAmzDate } from '../../aws/index.js'
import type { ContextEntry } from '../../policy/index.js'
import type { S3AuthQuestion, S3Headers, S3ObjectState } from '../types.js'
import type { S3OperationAuth } from './operations.js'

/** Condition keys as the policy engine takes them, by the key's name. */
type Keys = Record<string, ContextEntry>

const str = (value: string): ContextEntry => ({ type: 'string', values: [value] })

function header(headers: S3Headers, name: string): string | undefined {
  const v = headers[name]
  return v === undefined || v.length === 0 ? undefined : v.join(',')
}

const ACL_HEADERS = [
  'x-amz-acl',
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
] as const

const ENCRYPTION_HEADERS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-customer-algorithm',
] as const

/** Copies `x-amz-…` headers into `s3:x-amz-…` keys when the request carries them. */
function fromHeaders(out: Keys, headers: S3Headers, names: readonly string[]): void {
  for (const name of names) {
    const v = header(headers, name)
    if (v !== undefined) out[`s3:${name}`] = str(v)
  }
}

/** `x-amz-tagging` (a URL-encoded query string) as tag pairs; undefined when absent. */
function requestTags(headers: S3Headers): [string, string][] | undefined {
  const raw = header(headers, 'x-amz-tagging')
  if (raw === undefined) return undefined
  return [...new URLSearchParams(raw)]
}

/** How the request was authenticated (`s3:authType`), as S3 names it. */
function authType(q: S3AuthQuestion<unknown>): string {
  return q.caller?.presigned === true ? 'REST-QUERY-STRING' : 'REST-HEADER'
}

/** The signature's age in milliseconds (`s3:signatureAge`), when its time is readable. */
function signatureAge(q: S3AuthQuestion<unknown>): number | undefined {
  const raw = header(q.headers, 'x-amz-date') ?? q.query.get('X-Amz-Date')
  if (raw === undefined) return undefined
  const at = parseAmzDate(raw)
  return at === undefined ? undefined : Math.max(0, q.nowMs - at)
}

/** The keys every signed S3 request carries. */
function signedKeys(out: Keys, q: S3AuthQuestion<unknown>): void {
  if (q.caller === undefined) return
  out['s3:authType'] = str(authType(q))
  out['s3:signatureversion'] = str('AWS4-HMAC-SHA256')
  const age = signatureAge(q)
  if (age !== undefined) out['s3:signatureAge'] = { type: 'numeric', values: [String(age)] }
  const sha = header(q.headers, 'x-amz-content-sha256')
  if (sha !== undefined) out['s3:x-amz-content-sha256'] = str(sha)
}

/** `s3:prefix`, `s3:delimiter`, `s3:max-keys` from a list request's query string. */
function listKeys(out: Keys, query: ReadonlyMap<string, string>): void {
  const prefix = query.get('prefix')
  if (prefix !== undefined) out['s3:prefix'] = str(prefix)
  const delimiter = query.get('delimiter')
  if (delimiter !== undefined) out['s3:delimiter'] = str(delimiter)
  const max = query.get('max-keys')
  if (max !== undefined && /^\d+$/.test(max))
    out['s3:max-keys'] = { type: 'numeric', values: [max] }
}

function requestTagKeys(out: Keys, headers: S3Headers): void {
  const tags = requestTags(headers)
  if (tags === undefined) return
  for (const [k, v] of tags) out[`s3:RequestObjectTag/${k}`] = str(v)
  out['s3:RequestObjectTagKeys'] = { type: 'stringList', values: tags.map(([k]) => k) }
}

function existingTagKeys(out: Keys, object: S3ObjectState | undefined): void {
  for (const t of object?.tags ?? []) out[`s3:ExistingObjectTag/${t.key}`] = str(t.value)
}

/**
 * The S3-specific condition keys of one request (Service Authorization Reference, Amazon
 * S3, "Condition keys"): `s3:ResourceAccount` (the bucket owner), `aws:SecureTransport`
 * and, for signed requests, `s3:authType`, `s3:signatureversion`, `s3:signatureAge` and
 * `s3:x-amz-content-sha256`; then the keys the action takes, each only when the request
 * carries it: `s3:prefix`/`s3:delimiter`/`s3:max-keys` (listing), the `x-amz-acl` and
 * `x-amz-grant-*` headers, the server-side-encryption and storage-class headers,
 * `s3:x-amz-copy-source`/`s3:x-amz-metadata-directive` (CopyObject),
 * `s3:RequestObjectTag/<k>` and `s3:RequestObjectTagKeys` (from `x-amz-tagging`),
 * `s3:ExistingObjectTag/<k>` (the object's tags) and `s3:x-amz-object-ownership`.
 */
export function s3ConditionKeys(
  q: S3AuthQuestion<unknown>,
  auth: S3OperationAuth,
  facts: {
    readonly ownerAccountId: string | undefined
    readonly object: S3ObjectState | undefined
  },
): Keys {
  const out = Object.create(null) as Keys
  if (facts.ownerAccountId !== undefined) out['s3:ResourceAccount'] = str(facts.ownerAccountId)
  out['aws:SecureTransport'] = { type: 'boolean', values: [q.secure ? 'true' : 'false'] }
  signedKeys(out, q)
  for (const family of auth.keys) {
    switch (family) {
      case 'list':
        listKeys(out, q.query)
        break
      case 'acl-headers':
        fromHeaders(out, q.headers, ACL_HEADERS)
        break
      case 'encryption':
        fromHeaders(out, q.headers, ENCRYPTION_HEADERS)
        break
      case 'storage-class':
        fromHeaders(out, q.headers, ['x-amz-storage-class'])
        break
      case 'copy':
        fromHeaders(out, q.headers, ['x-amz-copy-source', 'x-amz-metadata-directive'])
        break
      case 'request-tags':
        requestTagKeys(out, q.headers)
        break
      case 'existing-tags':
        existingTagKeys(out, facts.object)
        break
      case 'object-ownership':
        fromHeaders(out, q.headers, ['x-amz-object-ownership'])
        break
    }
  }
  return out
}
