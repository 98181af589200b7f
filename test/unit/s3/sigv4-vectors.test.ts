/**
 * S3's SigV4 against AWS's published examples ("Signature Calculations for the
 * Authorization Header: Transferring Payload in a Single Chunk" and "… in Multiple
 * Chunks"), with their example keys and date, on an injected clock.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { deriveSigningKey, isAwsError, SigningKeyCache } from '../../../src/aws/index.js'
import { manualClock } from '../../../src/core/index.js'
import {
  AwsChunkedDecoder,
  authenticateS3,
  type S3Auth,
  type S3SignedHead,
} from '../../../src/s3/index.js'

const KEY = 'AKIAIOSFODNN7EXAMPLE'
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const T0 = Date.UTC(2013, 4, 24)
const scope = `${KEY}/20130524/us-east-1/s3/aws4_request`

const deps = (nowMs = T0) => ({
  credentials: (k: { accessKeyId: string }) =>
    k.accessKeyId === KEY
      ? { status: 'found' as const, secretAccessKey: SECRET, principal: 'example' }
      : { status: 'unknown' as const },
  clock: manualClock(nowMs),
  keyCache: new SigningKeyCache(),
})

function head(method: string, target: string, headers: Record<string, string>): S3SignedHead {
  const q = target.indexOf('?')
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]])),
  }
}

const auth = (signedHeaders: string, signature: string): string =>
  `AWS4-HMAC-SHA256 Credential=${scope},SignedHeaders=${signedHeaders},Signature=${signature}`

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    assert.ok(isAwsError(e), String(e))
    return e.code
  }
  return 'ok'
}

test('GET Object (Range, empty payload hash): the published signature verifies', async () => {
  const h = head('GET', '/test.txt', {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY,
    'x-amz-date': '20130524T000000Z',
    authorization: auth(
      'host;range;x-amz-content-sha256;x-amz-date',
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    ),
  })
  const a = await authenticateS3(h, deps())
  assert.equal(a.kind, 'header')
  assert.equal(a.caller.principal, 'example')
  const wrong = { ...h, headers: { ...h.headers, range: ['bytes=0-10'] } }
  assert.equal(await code(authenticateS3(wrong, deps())), 'SignatureDoesNotMatch')
})

test('PUT Object: the canonical URI is the path as sent (%24 not re-encoded), Date and x-amz-date', async () => {
  const h = head('PUT', '/test%24file.text', {
    host: 'examplebucket.s3.amazonaws.com',
    date: 'Fri, 24 May 2013 00:00:00 GMT',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    authorization: auth(
      'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    ),
  })
  const a = await authenticateS3(h, deps())
  assert.equal(
    a.kind === 'header' ? a.payloadHash : undefined,
    '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
  )
})

test('GET Bucket (list objects): the canonical query sorts max-keys and prefix', async () => {
  const h = head('GET', '/?max-keys=2&prefix=J', {
    host: 'examplebucket.s3.amazonaws.com',
    'x-amz-content-sha256': EMPTY,
    'x-amz-date': '20130524T000000Z',
    authorization: auth(
      'host;x-amz-content-sha256;x-amz-date',
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    ),
  })
  assert.equal((await authenticateS3(h, deps())).kind, 'header')
})

test('refusals in S3 terms: no x-amz-content-sha256, unknown key, skewed clock', async () => {
  const base = {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY,
    'x-amz-date': '20130524T000000Z',
    authorization: auth(
      'host;range;x-amz-content-sha256;x-amz-date',
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    ),
  }
  const noHash = Object.fromEntries(
    Object.entries(base).filter(([k]) => k !== 'x-amz-content-sha256'),
  )
  assert.equal(
    await code(authenticateS3(head('GET', '/test.txt', noHash), deps())),
    'MissingSecurityHeader',
  )
  const other = { ...base, authorization: base.authorization.replace(KEY, 'AKIAOTHEROTHEROTHER1') }
  assert.equal(
    await code(authenticateS3(head('GET', '/test.txt', other), deps())),
    'InvalidAccessKeyId',
  )
  assert.equal(
    await code(authenticateS3(head('GET', '/test.txt', base), deps(T0 + 16 * 60_000))),
    'RequestTimeTooSkewed',
  )
  assert.equal(
    await code(authenticateS3(head('GET', '/test.txt', base), deps(T0 + 14 * 60_000))),
    'ok',
  )
  const v2 = { host: 'examplebucket.s3.amazonaws.com', authorization: `AWS ${KEY}:c2lnbmF0dXJl` }
  assert.equal(await code(authenticateS3(head('GET', '/test.txt', v2), deps())), 'InvalidRequest')
  assert.equal(
    (await authenticateS3(head('GET', '/test.txt', { host: 'x' }), deps())).kind,
    'anonymous',
  )
})

/** The multi-chunk example: 65 KiB of 'a' in a 64 KiB and a 1 KiB chunk. */
const CHUNKED_HEADERS = {
  host: 's3.amazonaws.com',
  'x-amz-date': '20130524T000000Z',
  'x-amz-storage-class': 'REDUCED_REDUNDANCY',
  'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'content-encoding': 'aws-chunked',
  'x-amz-decoded-content-length': '66560',
  'content-length': '66824',
  authorization: auth(
    'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
    '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  ),
}
const CHUNKED_BODY = Buffer.concat([
  Buffer.from(
    '10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n',
  ),
  Buffer.alloc(65536, 'a'),
  Buffer.from(
    '\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n',
  ),
  Buffer.alloc(1024, 'a'),
  Buffer.from(
    '\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
  ),
])

async function seed(): Promise<Exclude<S3Auth<string>, { kind: 'anonymous' }>> {
  const a = await authenticateS3(
    head('PUT', '/examplebucket/chunkObject.txt', CHUNKED_HEADERS),
    deps(),
  )
  assert.equal(a.kind, 'header')
  return a
}

function decodeIn(
  auth: Exclude<S3Auth<string>, { kind: 'anonymous' }>,
  pieces: readonly Uint8Array[],
): Buffer {
  const d = new AwsChunkedDecoder({ chain: auth.chain, trailer: false })
  const out: Uint8Array[] = []
  for (const p of pieces) out.push(...d.push(p))
  d.end()
  return Buffer.concat(out)
}

test('the multi-chunk example: the seed verifies and every chunk signature chains from it', async () => {
  assert.equal(CHUNKED_BODY.length, 66824, 'the example body is as long as its Content-Length')
  const a = await seed()
  assert.deepEqual(decodeIn(a, [CHUNKED_BODY]), Buffer.alloc(66560, 'a'))
})

test('the multi-chunk example decodes the same split at every byte of its framing, and a byte at a time', async () => {
  const a = await seed()
  const want = Buffer.alloc(66560, 'a')
  const n = CHUNKED_BODY.length
  const points = [
    ...Array.from({ length: 100 }, (_, i) => i),
    ...Array.from({ length: 110 }, (_, i) => 65600 + i),
    ...Array.from({ length: 100 }, (_, i) => n - 100 + i),
  ]
  for (const at of points)
    assert.deepEqual(
      decodeIn(a, [CHUNKED_BODY.subarray(0, at), CHUNKED_BODY.subarray(at)]),
      want,
      `split at ${at}`,
    )
  const bytes = Array.from({ length: n }, (_, i) => CHUNKED_BODY.subarray(i, i + 1))
  assert.deepEqual(decodeIn(a, bytes), want)
})

test('a changed byte, a changed chunk signature, a reordered chain or a truncated body is refused', async () => {
  const a = await seed()
  const flipped = Buffer.from(CHUNKED_BODY)
  flipped[200] = 0x62
  assert.throws(
    () => decodeIn(a, [flipped]),
    (e: unknown) => isAwsError(e, 'SignatureDoesNotMatch'),
  )
  const badSig = Buffer.from(
    CHUNKED_BODY.toString('latin1').replace('ad80c730', 'ad80c731'),
    'latin1',
  )
  assert.throws(
    () => decodeIn(a, [badSig]),
    (e: unknown) => isAwsError(e, 'SignatureDoesNotMatch'),
  )
  const noSig = Buffer.from(
    CHUNKED_BODY.toString('latin1').replace(/;chunk-signature=ad80[0-9a-f]+/, ''),
    'latin1',
  )
  assert.throws(
    () => decodeIn(a, [noSig]),
    (e: unknown) => isAwsError(e, 'SignatureDoesNotMatch'),
  )
  assert.throws(
    () => decodeIn(a, [CHUNKED_BODY.subarray(0, 66700)]),
    (e: unknown) => isAwsError(e, 'IncompleteBody'),
  )
  assert.throws(
    () => decodeIn(a, [CHUNKED_BODY.subarray(0, CHUNKED_BODY.length - 2)]),
    (e: unknown) => isAwsError(e, 'IncompleteBody'),
  )
})

/** The trailing-headers example: the same 65 KiB, a CRC32C trailer, signed. */
const TRAILER_CHAIN = {
  seedSignature: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  signingKey: deriveSigningKey(SECRET, '20130524', 'us-east-1', 's3'),
}
const trailerBody = (afterZero: string, end: string): Buffer =>
  Buffer.concat([
    Buffer.from(
      '10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n',
    ),
    Buffer.alloc(65536, 'a'),
    Buffer.from(
      '\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n',
    ),
    Buffer.alloc(1024, 'a'),
    Buffer.from(
      `\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n${afterZero}` +
        'x-amz-checksum-crc32c:sOO8/Q==\r\n' +
        `x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435${end}`,
    ),
  ])

test('the signed-trailer example: chunks chain from its seed, the trailer signature verifies, in each SDK layout', () => {
  for (const [afterZero, end] of [
    ['', '\r\n\r\n'],
    ['\r\n', '\r\n\r\n'],
    ['\r\n', ''],
  ] as const) {
    const body = trailerBody(afterZero, end)
    for (const at of [
      0,
      65700,
      body.length - 120,
      body.length - 60,
      body.length - 1,
      body.length,
    ]) {
      const d = new AwsChunkedDecoder({ chain: TRAILER_CHAIN, trailer: true })
      const out = [...d.push(body.subarray(0, at)), ...d.push(body.subarray(at))]
      d.end()
      assert.deepEqual(Buffer.concat(out), Buffer.alloc(66560, 'a'))
      assert.equal(d.trailers.get('x-amz-checksum-crc32c'), 'sOO8/Q==')
    }
  }
  const forged = Buffer.from(
    trailerBody('', '\r\n\r\n').toString('latin1').replace('sOO8/Q==', 'AAAAAA=='),
    'latin1',
  )
  assert.throws(
    () => {
      const d = new AwsChunkedDecoder({ chain: TRAILER_CHAIN, trailer: true })
      d.push(forged)
      d.end()
    },
    (e: unknown) => isAwsError(e, 'SignatureDoesNotMatch'),
  )
})
