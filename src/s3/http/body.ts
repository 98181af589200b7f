import { createHash } from 'node:crypto'
import { awsError, S3_ERRORS } from '../../aws/index.js'
import type { S3Body, S3ChecksumAlgorithm } from '../types.js'
import { checksumHeader, newDigest, type Digest } from './checksum.js'
import { AwsChunkedDecoder, type ChunkedMode } from './chunked.js'

/** What the payload's signature says of it (see `payloadPlan`). */
export type PayloadCheck =
  /** `x-amz-content-sha256: HEX`: the body's SHA-256 must equal it. */
  | { readonly kind: 'sha256'; readonly hex: string }
  /** `UNSIGNED-PAYLOAD`, presigned, or anonymous: nothing signed. */
  | { readonly kind: 'unsigned' }
  /** `STREAMING-…`: `aws-chunked` framing, signed chunks or not, trailer or not. */
  | { readonly kind: 'chunked'; readonly mode: ChunkedMode }

/** The flexible checksum a request declares: a value in a header, or one in a trailer. */
export type ChecksumPlan =
  | { readonly algorithm: S3ChecksumAlgorithm; readonly value: string }
  | { readonly algorithm: S3ChecksumAlgorithm; readonly inTrailer: true }

/** Everything a body is checked against as it is read. */
export interface BodyPlan {
  readonly payload: PayloadCheck
  /** The decoded length the client declared, if any. */
  readonly length: number | undefined
  /** `Content-MD5`, base64 of 16 bytes (validated already). */
  readonly contentMd5: string | undefined
  readonly checksum: ChecksumPlan | undefined
}

/** An {@link S3Body} that also says whether it was read to its verified end. */
export interface WireBody extends S3Body {
  /** True once every byte was read and every check passed. */
  readonly finished: boolean
  /** True once reading started. */
  readonly started: boolean
}

/** Checks at the end of the body, in S3's order. */
function verifyEnd(
  plan: BodyPlan,
  received: number,
  sha: ReturnType<typeof createHash> | undefined,
  md5: string,
  digest: Digest | undefined,
  trailers: ReadonlyMap<string, string>,
): string | undefined {
  if (plan.length !== undefined && received !== plan.length)
    throw awsError(S3_ERRORS.IncompleteBody, {
      reason: `received ${received} of ${plan.length} declared bytes`,
    })
  if (plan.payload.kind === 'sha256' && sha !== undefined && sha.digest('hex') !== plan.payload.hex)
    throw awsError(S3_ERRORS.XAmzContentSHA256Mismatch, { reason: 'body SHA-256 differs' })
  if (
    plan.contentMd5 !== undefined &&
    Buffer.from(md5, 'hex').toString('base64') !== plan.contentMd5
  )
    throw awsError(S3_ERRORS.BadDigest, { reason: 'body MD5 differs from Content-MD5' })
  const { checksum } = plan
  if (checksum === undefined || digest === undefined) return undefined
  const declared =
    'value' in checksum ? checksum.value : trailers.get(checksumHeader(checksum.algorithm))
  if (declared === undefined)
    throw awsError(S3_ERRORS.InvalidRequest, {
      variant: 'trailer',
      reason: `the ${checksumHeader(checksum.algorithm)} trailer is missing`,
    })
  if (digest.base64() !== declared)
    throw awsError(S3_ERRORS.BadDigest, {
      variant: 'checksum',
      params: { algorithm: checksumHeader(checksum.algorithm) },
      reason: `${checksum.algorithm} of the body differs from the declared one`,
    })
  return declared
}

/**
 * The request body as operations read it: `aws-chunked` framing removed and its chunk
 * signatures checked on the way, the SHA-256, MD5 and flexible checksum computed
 * incrementally, and every declared value compared before the iterator reports its end.
 * Reading pulls from `source` (the socket), so backpressure holds and memory is bounded.
 * It can be iterated once.
 */
export function wireBody(source: AsyncIterable<Uint8Array>, plan: BodyPlan): WireBody {
  let started = false
  let finished = false
  let md5Hex: string | undefined
  let declaredChecksum: string | undefined
  // The digests are made when reading starts: most requests (GET, HEAD) never read.
  async function* read(): AsyncGenerator<Uint8Array> {
    if (started) throw new Error('an S3 body can be read once')
    started = true
    const md5 = createHash('md5')
    const sha = plan.payload.kind === 'sha256' ? createHash('sha256') : undefined
    const digest = plan.checksum === undefined ? undefined : newDigest(plan.checksum.algorithm)
    const decoder =
      plan.payload.kind === 'chunked' ? new AwsChunkedDecoder(plan.payload.mode) : undefined
    let received = 0
    for await (const raw of source) {
      const pieces = decoder === undefined ? [raw] : decoder.push(raw)
      for (const piece of pieces) {
        if (piece.length === 0) continue
        md5.update(piece)
        sha?.update(piece)
        digest?.update(piece)
        received += piece.length
        yield piece
      }
    }
    decoder?.end()
    md5Hex = md5.digest('hex')
    declaredChecksum = verifyEnd(
      plan,
      received,
      sha,
      md5Hex,
      digest,
      decoder?.trailers ?? new Map(),
    )
    finished = true
  }
  return {
    length: plan.length,
    get finished() {
      return finished
    },
    get started() {
      return started
    },
    [Symbol.asyncIterator]: () => read(),
    checksum: () =>
      plan.checksum === undefined || declaredChecksum === undefined
        ? undefined
        : { algorithm: plan.checksum.algorithm, value: declaredChecksum },
    md5Hex: () => {
      if (md5Hex === undefined) throw new Error('md5Hex() before the body was read to its end')
      return md5Hex
    },
  }
}
