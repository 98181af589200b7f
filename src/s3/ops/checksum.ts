import { createHash } from 'node:crypto'
import { newDigest } from '../http/checksum.js'
import type { S3ChecksumAlgorithm } from '../types.js'

/**
 * The multipart ETag and composite checksum S3 gives a completed upload: a hash of
 * the parts' binary digests concatenated, then `-N` for N parts.
 */

/** `"<md5 of the parts' binary MD5s>-N"`, from the parts' quoted ETags. */
export function multipartEtag(partEtags: readonly string[]): string {
  const md5 = createHash('md5')
  for (const e of partEtags) md5.update(Buffer.from(e.replace(/"/g, ''), 'hex'))
  return `"${md5.digest('hex')}-${String(partEtags.length)}"`
}

/** One hash of `data` by an S3 checksum algorithm, base64 (the wire's incremental digest, fed once). */
export function checksumOf(algorithm: S3ChecksumAlgorithm, data: Uint8Array): string {
  const digest = newDigest(algorithm)
  digest.update(data)
  return digest.base64()
}

/** The composite checksum `base64(hash(part checksums)) + "-N"`. */
export function compositeChecksum(
  algorithm: S3ChecksumAlgorithm,
  partValues: readonly string[],
): string {
  const joined = Buffer.concat(partValues.map((v) => Buffer.from(v, 'base64')))
  return `${checksumOf(algorithm, joined)}-${String(partValues.length)}`
}
