/**
 * Checksums with known vectors, and the S3 body: every declared hash checked before the
 * iterator ends, unsigned-trailer aws-chunked bodies split at every byte.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { isAwsError } from '../../../src/aws/index.js'
import {
  bodyPlan,
  crc32c,
  newDigest,
  wireBody,
  type BodyPlan,
  type S3Auth,
} from '../../../src/s3/index.js'

const CHECK = Buffer.from('123456789')
const b64crc = (n: number): string => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n >>> 0)
  return b.toString('base64')
}

test('CRC-32C of "123456789" is 0xE3069283 (RFC 3720 check value), incremental or whole', () => {
  assert.equal(crc32c(CHECK), 0xe3069283)
  assert.equal(crc32c(CHECK.subarray(4), crc32c(CHECK.subarray(0, 4))), 0xe3069283)
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa, 'RFC 3720 B.4: 32 bytes of zeros')
  assert.equal(crc32c(new Uint8Array(0)), 0)
})

test('digests: CRC32 0xCBF43926, CRC32C, SHA1 and SHA256 of "123456789" in base64, fed in pieces', () => {
  const expected = {
    CRC32: b64crc(0xcbf43926),
    CRC32C: b64crc(0xe3069283),
    SHA1: createHash('sha1').update(CHECK).digest('base64'),
    SHA256: createHash('sha256').update(CHECK).digest('base64'),
  }
  assert.equal(expected.CRC32, b64crc(crc32(CHECK)))
  for (const [alg, want] of Object.entries(expected)) {
    const d = newDigest(alg as keyof typeof expected)
    for (const byte of CHECK) d.update(Uint8Array.of(byte))
    assert.equal(d.base64(), want, alg)
  }
})

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Uint8Array[] = []
  for await (const p of body) out.push(p)
  return Buffer.concat(out)
}

async function* pieces(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) {
    await Promise.resolve()
    yield p
  }
}

const anonymous: S3Auth<string> = { kind: 'anonymous' }
const headers = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [v]]))

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    assert.ok(isAwsError(e), String(e))
    return e.code
  }
}

const DATA = Buffer.from('hello, S3 wire: some bytes to check')
const md5b64 = createHash('md5').update(DATA).digest('base64')
const sha256hex = createHash('sha256').update(DATA).digest('hex')

test('a plain body: SHA-256, Content-MD5 and a CRC32 header all verified at the end', async () => {
  const plan = bodyPlan(
    'PutObject',
    headers({
      'x-amz-content-sha256': sha256hex,
      'content-md5': md5b64,
      'x-amz-checksum-crc32': b64crc(crc32(DATA)),
      'content-length': String(DATA.length),
    }),
    anonymous,
  )
  const body = wireBody(pieces(DATA.subarray(0, 5), DATA.subarray(5)), plan)
  assert.deepEqual(await readAll(body), DATA)
  assert.ok(body.finished)
  assert.equal(body.md5Hex(), createHash('md5').update(DATA).digest('hex'))
  assert.deepEqual(body.checksum(), { algorithm: 'CRC32', value: b64crc(crc32(DATA)) })
})

test('mismatches are refused before the iterator ends: XAmzContentSHA256Mismatch, BadDigest, IncompleteBody', async () => {
  const other = Buffer.from(DATA)
  other[0] = 0x48
  const run = (h: Record<string, string>, data: Buffer) =>
    readAll(wireBody(pieces(data), bodyPlan('PutObject', headers(h), anonymous)))
  assert.equal(
    await codeOf(run({ 'x-amz-content-sha256': sha256hex }, other)),
    'XAmzContentSHA256Mismatch',
  )
  assert.equal(await codeOf(run({ 'content-md5': md5b64 }, other)), 'BadDigest')
  assert.equal(
    await codeOf(run({ 'x-amz-checksum-crc32c': b64crc(crc32c(DATA)) }, other)),
    'BadDigest',
  )
  assert.equal(
    await codeOf(
      run({ 'x-amz-checksum-sha1': createHash('sha1').update(DATA).digest('base64') }, other),
    ),
    'BadDigest',
  )
  assert.equal(
    await codeOf(run({ 'content-length': String(DATA.length + 1) }, DATA)),
    'IncompleteBody',
  )
  assert.equal(await codeOf(run({ 'x-amz-checksum-crc32c': b64crc(crc32c(DATA)) }, DATA)), 'ok')
})

test('the head is checked before any byte is read: InvalidDigest, InvalidRequest, InvalidArgument, MissingContentLength', () => {
  const plan = (h: Record<string, string>) => () => bodyPlan('PutObject', headers(h), anonymous)
  const code = (f: () => unknown): string => {
    try {
      f()
      return 'ok'
    } catch (e) {
      return isAwsError(e) ? e.code : String(e)
    }
  }
  assert.equal(code(plan({ 'content-md5': 'not-md5' })), 'InvalidDigest')
  assert.equal(code(plan({ 'content-md5': Buffer.alloc(15).toString('base64') })), 'InvalidDigest')
  assert.equal(code(plan({ 'x-amz-checksum-crc64xyz': 'AAAAAAAAAAA=' })), 'InvalidRequest')
  assert.equal(code(plan({ 'x-amz-sdk-checksum-algorithm': 'MD4' })), 'InvalidRequest')
  assert.equal(code(plan({ 'x-amz-checksum-crc32': 'AAAA' })), 'InvalidRequest', 'not 4 bytes')
  assert.equal(code(plan({ 'x-amz-content-sha256': 'nope' })), 'InvalidArgument')
  assert.equal(
    code(
      plan({
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      }),
    ),
    'MissingContentLength',
  )
  assert.equal(
    code(
      plan({
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': '1',
      }),
    ),
    'InvalidRequest',
    'signed chunks need a signature',
  )
  assert.equal(
    code(
      plan({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-trailer': 'x-amz-checksum-crc32' }),
    ),
    'InvalidRequest',
    'a trailer needs a trailer mode',
  )
  assert.equal(
    code(() =>
      bodyPlan(
        'CreateMultipartUpload',
        headers({ 'x-amz-checksum-algorithm': 'CRC32' }),
        anonymous,
      ),
    ),
    'ok',
  )
})

/** An unsigned-trailer aws-chunked body as the SDKs frame it. */
function unsignedTrailerBody(data: Buffer, checksum: string, chunk = 10): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; i < data.length; i += chunk) {
    const piece = data.subarray(i, i + chunk)
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`))
  return Buffer.concat(parts)
}

const trailerPlan = (): BodyPlan =>
  bodyPlan(
    'UploadPart',
    headers({
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-decoded-content-length': String(DATA.length),
    }),
    anonymous,
  )

test('STREAMING-UNSIGNED-PAYLOAD-TRAILER: decoded and its trailing CRC32 checked, split at every byte', async () => {
  const framed = unsignedTrailerBody(DATA, b64crc(crc32(DATA)))
  for (let at = 0; at <= framed.length; at++) {
    const body = wireBody(pieces(framed.subarray(0, at), framed.subarray(at)), trailerPlan())
    assert.deepEqual(await readAll(body), DATA, `split at ${at}`)
    assert.deepEqual(body.checksum(), { algorithm: 'CRC32', value: b64crc(crc32(DATA)) })
  }
})

test('STREAMING-UNSIGNED-PAYLOAD-TRAILER: a wrong trailer is BadDigest, a missing one or an early end refused', async () => {
  const wrong = unsignedTrailerBody(DATA, b64crc(crc32(DATA) ^ 1))
  assert.equal(await codeOf(readAll(wireBody(pieces(wrong), trailerPlan()))), 'BadDigest')
  const framed = unsignedTrailerBody(DATA, b64crc(crc32(DATA)))
  const noTrailer = Buffer.from(
    framed.toString('latin1').replace(/x-amz-checksum-crc32:[^\r]*\r\n/, ''),
    'latin1',
  )
  assert.equal(await codeOf(readAll(wireBody(pieces(noTrailer), trailerPlan()))), 'InvalidRequest')
  const zeroChunk = framed.indexOf('0\r\nx-amz-checksum')
  for (const cut of [3, 20, zeroChunk, zeroChunk + 3])
    assert.equal(
      await codeOf(readAll(wireBody(pieces(framed.subarray(0, cut)), trailerPlan()))),
      'IncompleteBody',
      `cut at ${cut}`,
    )
  // A trailer section may end without its last CRLF (some SDKs send it so); a trailer
  // value cut short is then a checksum that does not match.
  const cutValue = framed.length - 6
  assert.equal(
    await codeOf(readAll(wireBody(pieces(framed.subarray(0, cutValue)), trailerPlan()))),
    'BadDigest',
  )
  assert.equal(
    await codeOf(readAll(wireBody(pieces(framed.subarray(0, framed.length - 2)), trailerPlan()))),
    'ok',
  )
})
