import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualClock } from '../../../src/core/index.js'
import {
  canonicalHeaders,
  canonicalRequest,
  sha256Hex,
  stringToSign,
  verifySigV4,
  isAwsError,
  type CredentialLookup,
  type SigV4Request,
} from '../../../src/aws/index.js'

/**
 * Cases of AWS's published SigV4 test suite (aws-sig-v4-test-suite), reproduced by value:
 * credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service
 * `service`, 20150830T123600Z, host example.amazonaws.com. Each request is given as it
 * goes on the wire; the expected signature is the suite's.
 */
interface Vector {
  readonly name: string
  readonly method: string
  readonly path: string
  readonly query?: string
  /** Extra headers; a repeated header is several lines. */
  readonly headers?: readonly (readonly [string, string])[]
  readonly body?: string
  readonly signedHeaders: string
  readonly signature: string
}

const VECTORS: readonly Vector[] = [
  {
    name: 'get-vanilla',
    method: 'GET',
    path: '/',
    signedHeaders: 'host;x-amz-date',
    signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    path: '/',
    signedHeaders: 'host;x-amz-date',
    signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    path: '/',
    query: 'Param2=value2&Param1=value1',
    signedHeaders: 'host;x-amz-date',
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-order-value',
    method: 'GET',
    path: '/',
    query: 'Param1=value2&Param1=value1',
    signedHeaders: 'host;x-amz-date',
    signature: '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694',
  },
  {
    name: 'get-vanilla-utf8-query',
    method: 'GET',
    path: '/',
    query: '%E1%88%B4=bar',
    signedHeaders: 'host;x-amz-date',
    signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-unreserved',
    method: 'GET',
    path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    signedHeaders: 'host;x-amz-date',
    signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    name: 'get-slashes',
    method: 'GET',
    path: '//example//',
    signedHeaders: 'host;x-amz-date',
    signature: '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84',
  },
  {
    name: 'get-header-value-trim',
    method: 'GET',
    path: '/',
    headers: [
      ['my-header1', ' value1'],
      ['my-header2', '"a   b   c"'],
    ],
    signedHeaders: 'host;my-header1;my-header2;x-amz-date',
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'get-header-key-duplicate',
    method: 'GET',
    path: '/',
    headers: [
      ['my-header1', 'value2'],
      ['my-header1', 'value2'],
      ['my-header1', 'value1'],
    ],
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  },
  {
    name: 'get-header-value-order',
    method: 'GET',
    path: '/',
    headers: [
      ['my-header1', 'value4'],
      ['my-header1', 'value1'],
      ['my-header1', 'value3'],
      ['my-header1', 'value2'],
    ],
    signedHeaders: 'host;my-header1;x-amz-date',
    signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    path: '/',
    headers: [['content-type', 'application/x-www-form-urlencoded']],
    body: 'Param1=value1',
    signedHeaders: 'content-type;host;x-amz-date',
    signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'get-vanilla-with-session-token',
    method: 'GET',
    path: '/',
    headers: [
      ['x-amz-security-token', '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267'],
    ],
    signedHeaders: 'host;x-amz-date;x-amz-security-token',
    signature: '07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8',
  },
]

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const clock = manualClock(Date.UTC(2015, 7, 30, 12, 36, 0))
const seen: { accessKeyId: string; sessionToken: string | undefined }[] = []
const lookup: CredentialLookup<string> = (k) => {
  seen.push({ ...k })
  return k.accessKeyId === 'AKIDEXAMPLE'
    ? { status: 'found', secretAccessKey: SECRET, principal: 'example' }
    : { status: 'unknown' }
}

function request(v: Vector, signature = v.signature): SigV4Request {
  const headers: Record<string, string[]> = {
    host: ['example.amazonaws.com'],
    'x-amz-date': ['20150830T123600Z'],
  }
  for (const [k, val] of v.headers ?? []) (headers[k] ??= []).push(val)
  headers['authorization'] = [
    `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${v.signedHeaders}, Signature=${signature}`,
  ]
  return {
    method: v.method,
    path: v.path,
    query: v.query ?? '',
    headers,
    body: Buffer.from(v.body ?? '', 'utf8'),
  }
}

for (const v of VECTORS) {
  test(`SigV4 suite ${v.name}: the published signature verifies; one changed digit does not`, async () => {
    const id = await verifySigV4(request(v), lookup, clock)
    assert.equal(id.accessKeyId, 'AKIDEXAMPLE')
    assert.equal(id.region, 'us-east-1')
    assert.equal(id.service, 'service')
    assert.equal(id.principal, 'example')
    const flipped = v.signature.slice(0, -1) + (v.signature.endsWith('0') ? '1' : '0')
    await assert.rejects(verifySigV4(request(v, flipped), lookup, clock), (e) =>
      isAwsError(e, 'SignatureDoesNotMatch'),
    )
  })
}

test('the session token of a signed request is passed to the credential lookup', async () => {
  seen.length = 0
  const v = VECTORS.find((x) => x.name === 'get-vanilla-with-session-token')!
  const id = await verifySigV4(request(v), lookup, clock)
  assert.equal(id.withSessionToken, true)
  assert.deepEqual(seen, [
    {
      accessKeyId: 'AKIDEXAMPLE',
      sessionToken: '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267',
    },
  ])
})

test('get-vanilla: canonical request and string to sign, byte for byte', () => {
  const r = request(VECTORS[0]!)
  const h = canonicalHeaders(r.headers, ['host', 'x-amz-date'])
  assert.ok('block' in h)
  const canonical = canonicalRequest({
    method: 'GET',
    rawPath: '/',
    rawQuery: '',
    headersBlock: h.block,
    signedHeaders: ['host', 'x-amz-date'],
    payloadHash: sha256Hex(''),
  })
  assert.equal(
    canonical,
    'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  )
  assert.equal(
    stringToSign('20150830T123600Z', '20150830/us-east-1/service/aws4_request', canonical),
    'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63',
  )
})

test('post-x-www-form-urlencoded: the canonical request hashes to the published value', () => {
  const v = VECTORS.find((x) => x.name === 'post-x-www-form-urlencoded')!
  const r = request(v)
  const signed = ['content-type', 'host', 'x-amz-date']
  const h = canonicalHeaders(r.headers, signed)
  assert.ok('block' in h)
  const canonical = canonicalRequest({
    method: 'POST',
    rawPath: '/',
    rawQuery: '',
    headersBlock: h.block,
    signedHeaders: signed,
    payloadHash: sha256Hex('Param1=value1'),
  })
  assert.equal(
    sha256Hex('Param1=value1'),
    '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
  )
  assert.equal(
    sha256Hex(canonical),
    '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
  )
})
