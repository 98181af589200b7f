import { createHash, type Hash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import type { S3ChecksumAlgorithm } from '../types.js'

/** The Castagnoli polynomial, reflected (CRC-32C, iSCSI). */
const CRC32C_POLY = 0x82f63b78

/** CRC-32C's byte table, built once. */
const CRC32C_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32C of `data`, continuing from `previous` (0 to start), as an unsigned 32-bit value. */
export function crc32c(data: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0
  for (const byte of data) c = (CRC32C_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return ~c >>> 0
}

/** An incremental digest whose result is base64, as S3's `x-amz-checksum-*` headers carry it. */
export interface Digest {
  update(data: Uint8Array): void
  /** The digest, base64 (CRCs as 4 big-endian bytes). */
  base64(): string
}

function crcDigest(step: (data: Uint8Array, previous: number) => number): Digest {
  let value = 0
  return {
    update: (data) => {
      value = step(data, value)
    },
    base64: () => {
      const out = Buffer.alloc(4)
      out.writeUInt32BE(value >>> 0)
      return out.toString('base64')
    },
  }
}

function hashDigest(hash: Hash): Digest {
  let result: string | undefined
  return {
    update: (data) => {
      hash.update(data)
    },
    base64: () => (result ??= hash.digest('base64')),
  }
}

/** A fresh digest for one flexible checksum algorithm. */
export function newDigest(algorithm: S3ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'CRC32':
      return crcDigest((d, p) => crc32(d, p))
    case 'CRC32C':
      return crcDigest(crc32c)
    case 'SHA1':
      return hashDigest(createHash('sha1'))
    case 'SHA256':
      return hashDigest(createHash('sha256'))
  }
}

const ALGORITHMS: readonly S3ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256']

/** The algorithm a name denotes (`crc32c`, `CRC32C`), if S3 knows it. */
export function checksumAlgorithm(name: string): S3ChecksumAlgorithm | undefined {
  const upper = name.toUpperCase()
  return ALGORITHMS.find((a) => a === upper)
}

/** The header (and trailer) name of an algorithm's checksum: `x-amz-checksum-crc32c`. */
export function checksumHeader(algorithm: S3ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`
}

/** The decoded byte length of each algorithm's digest. */
export const CHECKSUM_BYTES: Readonly<Record<S3ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  SHA1: 20,
  SHA256: 32,
}
