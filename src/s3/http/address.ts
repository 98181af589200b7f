import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3Target } from '../types.js'

/** The host S3 clients reach buckets under, besides AWS's own `s3.*` names. */
export const DEFAULT_HOST_SUFFIXES: readonly string[] = ['s3.localhost']

/** A path segment or key, percent-decoded once (`InvalidURI` when not valid UTF-8 escapes). */
function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw awsError(S3_ERRORS.InvalidURI, { reason: 'a path that is not valid percent-encoding' })
  }
}

/**
 * The bucket a virtual-hosted request's Host names, if any: `BUCKET.s3.localhost`,
 * `BUCKET.s3.REGION.amazonaws.com`, `BUCKET.s3-REGION.amazonaws.com`, or a subdomain of
 * a configured suffix. A bare `s3.*` host or a suffix itself is path-style.
 */
export function virtualHostBucket(
  host: string | undefined,
  suffixes: readonly string[],
): string | undefined {
  if (host === undefined) return undefined
  const name = host.replace(/:\d+$/, '').toLowerCase()
  for (const suffix of suffixes)
    if (name.endsWith(`.${suffix}`)) return name.slice(0, -suffix.length - 1)
  const labels = name.split('.')
  const at = labels.findIndex((l) => l === 's3' || /^s3-[a-z0-9-]+$/.test(l))
  return at > 0 && labels.length > at + 1 ? labels.slice(0, at).join('.') : undefined
}

/**
 * The bucket and key a request addresses: virtual-hosted when the Host names a bucket
 * (the whole path is the key), else path-style (`/bucket/key`). The key is decoded
 * exactly once; an empty key is no key.
 */
export function resolveTarget(
  rawPath: string,
  host: string | undefined,
  suffixes: readonly string[],
): S3Target {
  const hosted = virtualHostBucket(host, suffixes)
  if (hosted !== undefined) {
    const key = rawPath.length > 1 ? decodeOnce(rawPath.slice(1)) : undefined
    return { bucket: hosted, key, addressing: 'virtual' }
  }
  const rest = rawPath.slice(1)
  const slash = rest.indexOf('/')
  const bucketRaw = slash === -1 ? rest : rest.slice(0, slash)
  const keyRaw = slash === -1 ? '' : rest.slice(slash + 1)
  return {
    bucket: bucketRaw === '' ? undefined : decodeOnce(bucketRaw),
    key: keyRaw === '' ? undefined : decodeOnce(keyRaw),
    addressing: 'path',
  }
}
