import { createHash } from 'node:crypto'
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

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}

const CRC32 = crcTable(0xedb88320)
const CRC32C = crcTable(0x82f63b78)

function crc(table: Uint32Array, data: Uint8Array): Buffer {
  let c = 0xffffffff
  for (const b of data) c = (table[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8)
  const out = Buffer.alloc(4)
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0)
  return out
}

/** One hash of `data` by an S3 checksum algorithm, base64. */
export function checksumOf(algorithm: S3ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case 'CRC32':
      return crc(CRC32, data).toString('base64')
    case 'CRC32C':
      return crc(CRC32C, data).toString('base64')
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64')
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64')
  }
}

/** The composite checksum `base64(hash(part checksums)) + "-N"`. */
export function compositeChecksum(
  algorithm: S3ChecksumAlgorithm,
  partValues: readonly string[],
): string {
  const joined = Buffer.concat(partValues.map((v) => Buffer.from(v, 'base64')))
  return `${checksumOf(algorithm, joined)}-${String(partValues.length)}`
}
