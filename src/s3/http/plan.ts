import { awsError, headerValue, S3_ERRORS, type HeaderValues } from '../../aws/index.js'
import type { S3Auth } from '../sigv4.js'
import type { S3Operation } from '../types.js'
import type { BodyPlan, ChecksumPlan, PayloadCheck } from './body.js'
import { CHECKSUM_BYTES, checksumAlgorithm } from './checksum.js'

const SHA256_HEX = /^[0-9a-f]{64}$/

/** `x-amz-checksum-*` headers that are not a checksum of the body. */
const NOT_A_CHECKSUM = new Set([
  'x-amz-checksum-algorithm',
  'x-amz-checksum-type',
  'x-amz-checksum-mode',
])

/** Operations whose checksum headers describe the object, not this request's body. */
const OBJECT_CHECKSUM_OPS: ReadonlySet<S3Operation> = new Set([
  'CreateMultipartUpload',
  'CompleteMultipartUpload',
])

/** What `x-amz-content-sha256` says the payload is. */
function payloadCheck<P>(headers: HeaderValues, auth: S3Auth<P>): PayloadCheck {
  const declared =
    auth.kind === 'anonymous' ? headerValue(headers, 'x-amz-content-sha256') : auth.payloadHash
  const chain = auth.kind === 'anonymous' ? undefined : auth.chain
  switch (declared) {
    case undefined:
    case 'UNSIGNED-PAYLOAD':
      return { kind: 'unsigned' }
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { kind: 'chunked', mode: { chain: undefined, trailer: true } }
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      if (chain === undefined || auth.kind !== 'header')
        throw awsError(S3_ERRORS.InvalidRequest, { variant: 'streamingAnonymous' })
      return { kind: 'chunked', mode: { chain, trailer: declared.endsWith('-TRAILER') } }
    default:
      if (!SHA256_HEX.test(declared))
        throw awsError(S3_ERRORS.InvalidArgument, { variant: 'contentSha256' })
      return { kind: 'sha256', hex: declared }
  }
}

/** A non-negative decimal length header, or undefined. */
function lengthHeader(headers: HeaderValues, name: string): number | undefined {
  const v = headerValue(headers, name)
  if (v === undefined) return undefined
  if (!/^[0-9]{1,16}$/.test(v)) throw awsError(S3_ERRORS.InvalidArgument, { reason: `bad ${name}` })
  return Number(v)
}

/** `Content-MD5`, when present: the base64 of 16 bytes (`InvalidDigest` otherwise). */
function contentMd5(headers: HeaderValues): string | undefined {
  const v = headerValue(headers, 'content-md5')
  if (v === undefined) return undefined
  const bytes = Buffer.from(v, 'base64')
  if (bytes.length !== 16 || bytes.toString('base64') !== v)
    throw awsError(S3_ERRORS.InvalidDigest, { reason: 'Content-MD5 is not the base64 of 16 bytes' })
  return v
}

/** A checksum header's value, checked to be the base64 of the algorithm's digest length. */
function checksumValue(name: string, value: string, bytes: number, algorithm: string): string {
  const raw = Buffer.from(value, 'base64')
  if (raw.length !== bytes || raw.toString('base64') !== value)
    throw awsError(S3_ERRORS.InvalidRequest, {
      variant: 'checksumType',
      params: { algorithm: algorithm.toLowerCase() },
      reason: `${name} is not ${bytes} bytes of base64`,
    })
  return value
}

/** The flexible checksum declared: `x-amz-trailer`, else an `x-amz-checksum-*` header. */
function checksumPlan(headers: HeaderValues, payload: PayloadCheck): ChecksumPlan | undefined {
  const sdk = headerValue(headers, 'x-amz-sdk-checksum-algorithm')
  if (sdk !== undefined && checksumAlgorithm(sdk) === undefined)
    throw awsError(S3_ERRORS.InvalidRequest, { variant: 'checksumAlgorithm' })
  const trailer = headerValue(headers, 'x-amz-trailer')?.trim().toLowerCase()
  if (trailer !== undefined) {
    const algorithm = trailer.startsWith('x-amz-checksum-')
      ? checksumAlgorithm(trailer.slice('x-amz-checksum-'.length))
      : undefined
    if (algorithm === undefined || payload.kind !== 'chunked' || !payload.mode.trailer)
      throw awsError(S3_ERRORS.InvalidRequest, { variant: 'trailer' })
    return { algorithm, inTrailer: true }
  }
  const names = Object.keys(headers).filter(
    (h) => h.startsWith('x-amz-checksum-') && !NOT_A_CHECKSUM.has(h),
  )
  if (names.length === 0) return undefined
  const plans = names.map((name) => {
    const algorithm = checksumAlgorithm(name.slice('x-amz-checksum-'.length))
    if (algorithm === undefined)
      throw awsError(S3_ERRORS.InvalidRequest, { variant: 'checksumAlgorithm' })
    const value = checksumValue(
      name,
      headerValue(headers, name) ?? '',
      CHECKSUM_BYTES[algorithm],
      algorithm,
    )
    return { algorithm, value }
  })
  if (plans.length > 1)
    throw awsError(S3_ERRORS.InvalidRequest, {
      message:
        'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    })
  return plans[0]
}

/**
 * Reads what a request declares of its body, from the head alone, and refuses what S3
 * refuses before reading it: a malformed `x-amz-content-sha256` (`InvalidArgument`), a
 * bad `Content-MD5` (`InvalidDigest`), an unknown checksum algorithm or a malformed
 * checksum value (`InvalidRequest`), an `aws-chunked` body without its decoded length
 * (`MissingContentLength`).
 */
export function bodyPlan<P>(
  operation: S3Operation,
  headers: HeaderValues,
  auth: S3Auth<P>,
): BodyPlan {
  const payload = payloadCheck(headers, auth)
  const decoded = lengthHeader(headers, 'x-amz-decoded-content-length')
  if (payload.kind === 'chunked' && decoded === undefined)
    throw awsError(S3_ERRORS.MissingContentLength, {
      reason: 'aws-chunked without x-amz-decoded-content-length',
    })
  const length = payload.kind === 'chunked' ? decoded : lengthHeader(headers, 'content-length')
  const checksum = OBJECT_CHECKSUM_OPS.has(operation) ? undefined : checksumPlan(headers, payload)
  return { payload, length, contentMd5: contentMd5(headers), checksum }
}
