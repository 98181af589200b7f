import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { awsError, S3_ERRORS, type SignatureChain } from '../../aws/index.js'

/** SHA-256 of the empty string, the "previous data" hash of every chunk string to sign. */
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex')

/** Longest chunk header or trailer line accepted (a size, a signature, a checksum). */
const MAX_LINE = 4096

/** Most trailing headers accepted (S3 clients send one checksum). */
const MAX_TRAILERS = 16

/** Largest chunk size accepted in one frame (S3's own part limit is 5 GiB). */
const MAX_CHUNK = 5 * 1024 * 1024 * 1024

/** How a body's `aws-chunked` frames are signed and what follows the last one. */
export interface ChunkedMode {
  /** Chunk signatures chained from this seed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD*`), or unsigned. */
  readonly chain: SignatureChain | undefined
  /** Whether trailing headers follow the final chunk (`…-TRAILER`). */
  readonly trailer: boolean
}

type State = 'size' | 'data' | 'dataEnd' | 'trailer' | 'done'

function incomplete(reason: string): never {
  throw awsError(S3_ERRORS.IncompleteBody, { reason })
}

function badSignature(reason: string): never {
  throw awsError(S3_ERRORS.SignatureDoesNotMatch, { reason })
}

function hmacHex(key: Uint8Array, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex')
}

function sameHex(expected: string, given: string): boolean {
  return (
    /^[0-9a-f]{64}$/.test(given) &&
    timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(given, 'latin1'))
  )
}

/**
 * A push decoder of `aws-chunked` bodies: `SIZE-HEX[;chunk-signature=SIG]\r\nDATA\r\n`
 * frames, a final zero-size frame, then (trailer modes) `name:value\r\n` trailing headers
 * and, when signed, `x-amz-trailer-signature:SIG\r\n`, then an empty line. Chunk
 * signatures are checked as each chunk ends, each chained from the previous one
 * (`AWS4-HMAC-SHA256-PAYLOAD`), the trailer's with `AWS4-HMAC-SHA256-TRAILER`. Memory is
 * bounded by one header line: data comes back as views of the input.
 */
export class AwsChunkedDecoder {
  readonly #mode: ChunkedMode
  #state: State = 'size'
  #line: Buffer[] = []
  #lineLength = 0
  #remaining = 0
  #chunkSignature = ''
  #chunkHash = createHash('sha256')
  #previous: string
  #trailers = new Map<string, string>()
  #trailerBlock = ''
  #trailerSignature: string | undefined
  #decoded = 0
  #sawEmpty = false

  constructor(mode: ChunkedMode) {
    this.#mode = mode
    this.#previous = mode.chain?.seedSignature ?? ''
  }

  /** Bytes of payload decoded so far. */
  get decodedLength(): number {
    return this.#decoded
  }

  /** The trailing headers (lower-case names), once {@link end} has passed. */
  get trailers(): ReadonlyMap<string, string> {
    return this.#trailers
  }

  /** Decodes the next piece of the body; returns the payload bytes it held. */
  push(input: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    let at = 0
    while (at < input.length) {
      if (this.#state === 'done') incomplete('bytes after the end of an aws-chunked body')
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, input.length - at)
        const piece = input.subarray(at, at + take)
        this.#chunkHash.update(piece)
        out.push(piece)
        this.#decoded += take
        this.#remaining -= take
        at += take
        if (this.#remaining === 0) this.#state = 'dataEnd'
        continue
      }
      at = this.#readLine(input, at)
    }
    return out
  }

  /**
   * Checks the body ended where its framing says; throws `IncompleteBody` otherwise. Some
   * SDKs end a trailer section without its closing empty line (or its last CRLF): once
   * trailers have arrived, the end of the stream closes them.
   */
  end(): void {
    if (this.#state === 'trailer' && this.#mode.trailer) {
      const last = Buffer.concat(this.#line)
        .toString('latin1')
        .replace(/\r?\n?$/, '')
      this.#line = []
      // A non-empty last line is a trailer (only an empty line ends the section).
      if (last !== '') this.#onTrailer(last)
      if (this.#trailers.size > 0 || this.#sawEmpty) {
        this.#finishTrailers()
        this.#state = 'done'
      }
    }
    if (this.#state !== 'done') incomplete(`aws-chunked body ended early (in ${this.#state})`)
  }

  /** Accumulates a CRLF-terminated line from `input` at `at`; handles it when complete. */
  #readLine(input: Uint8Array, at: number): number {
    const lf = input.indexOf(0x0a, at)
    const end = lf === -1 ? input.length : lf + 1
    this.#lineLength += end - at
    if (this.#lineLength > MAX_LINE) incomplete('an aws-chunked header line is too long')
    this.#line.push(Buffer.from(input.subarray(at, end)))
    if (lf !== -1) {
      const raw = Buffer.concat(this.#line)
      this.#line = []
      this.#lineLength = 0
      if (raw.length < 2 || raw[raw.length - 2] !== 0x0d)
        incomplete('a bare LF in aws-chunked framing')
      this.#onLine(raw.subarray(0, raw.length - 2).toString('latin1'))
    }
    return end
  }

  #onLine(line: string): void {
    if (this.#state === 'dataEnd') {
      if (line !== '') incomplete('a chunk longer than its declared size')
      this.#checkChunk()
      this.#state = 'size'
    } else if (this.#state === 'size') this.#onSize(line)
    else this.#onTrailer(line)
  }

  #onSize(line: string): void {
    const [size = '', ...extensions] = line.split(';')
    if (!/^[0-9a-fA-F]{1,10}$/.test(size)) incomplete('a malformed aws-chunked size line')
    const n = Number.parseInt(size, 16)
    if (n > MAX_CHUNK) incomplete('an aws-chunked chunk over 5 GiB')
    const signature = extensions
      .map((e) => e.trim())
      .find((e) => e.startsWith('chunk-signature='))
      ?.slice('chunk-signature='.length)
    if (this.#mode.chain !== undefined && signature === undefined)
      badSignature('an aws-chunked chunk without its chunk-signature')
    this.#chunkSignature = signature ?? ''
    this.#chunkHash = createHash('sha256')
    this.#remaining = n
    if (n > 0) {
      this.#state = 'data'
      return
    }
    this.#checkChunk()
    this.#state = 'trailer'
  }

  /** Verifies the chunk just read against its chained signature (signed modes only). */
  #checkChunk(): void {
    const chain = this.#mode.chain
    if (chain === undefined) return
    const toSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      chain.amzDate,
      chain.scope,
      this.#previous,
      EMPTY_SHA256,
      this.#chunkHash.digest('hex'),
    ].join('\n')
    const expected = hmacHex(chain.signingKey, toSign)
    if (!sameHex(expected, this.#chunkSignature))
      badSignature(`chunk signature mismatch after ${this.#decoded} payload bytes`)
    this.#previous = expected
  }

  #onTrailer(line: string): void {
    // The zero-size chunk's own (empty) data line, which some SDKs send before trailers.
    if (line === '' && this.#mode.trailer && this.#trailers.size === 0 && !this.#sawEmpty) {
      this.#sawEmpty = true
      return
    }
    if (line === '') {
      this.#finishTrailers()
      this.#state = 'done'
      return
    }
    if (!this.#mode.trailer)
      incomplete('trailing headers after an aws-chunked body with none declared')
    const colon = line.indexOf(':')
    if (colon <= 0) incomplete('a malformed aws-chunked trailer line')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'x-amz-trailer-signature') {
      this.#trailerSignature = value
      return
    }
    if (this.#trailers.size >= MAX_TRAILERS) incomplete('too many aws-chunked trailing headers')
    this.#trailers.set(name, value)
    this.#trailerBlock += `${name}:${value}\n`
  }

  /** Verifies the trailer signature (signed trailer mode). */
  #finishTrailers(): void {
    const chain = this.#mode.chain
    if (chain === undefined || !this.#mode.trailer) return
    if (this.#trailerSignature === undefined) badSignature('a signed trailer without its signature')
    const toSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      chain.amzDate,
      chain.scope,
      this.#previous,
      createHash('sha256').update(this.#trailerBlock).digest('hex'),
    ].join('\n')
    if (!sameHex(hmacHex(chain.signingKey, toSign), this.#trailerSignature))
      badSignature('trailer signature mismatch')
  }
}
