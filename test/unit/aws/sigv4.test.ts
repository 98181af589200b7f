import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { manualClock } from '../../../src/core/index.js'
import {
  SigningKeyCache,
  queryParam,
  canonicalQueryValue,
  deriveSigningKey,
  isAwsError,
  parseAmzDate,
  formatAmzDate,
  verifySigV4,
  type AwsHttpRequest,
  type SigV4Request,
} from '../../../src/aws/index.js'
import { ADMIN, EXPIRED_SESSION, SESSION, demoCredentials } from './demo.js'
import { sign, sigv4View } from './signing.js'

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0)
const date = new Date(T0)
const MIN = 60_000
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15'
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }

async function signed(extra: Partial<Parameters<typeof sign>[0]> = {}): Promise<AwsHttpRequest> {
  return sign({ keys: ADMIN, date, body: BODY, headers: FORM, ...extra })
}

function verify(r: AwsHttpRequest | SigV4Request, nowMs = T0, service = 'sts') {
  const view = 'url' in r ? sigv4View(r) : r
  return verifySigV4(view, demoCredentials, manualClock(nowMs), { service })
}

async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  message?: string | RegExp,
): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(isAwsError(e), String(e))
    assert.equal(e.code, code, e.message)
    if (typeof message === 'string') assert.equal(e.message, message)
    else if (message !== undefined) assert.match(e.message, message)
    return true
  })
}

test('the SDK signer’s requests verify: header form, with and without session token', async () => {
  const plain = await verify(await signed())
  assert.equal(plain.accessKeyId, ADMIN.accessKeyId)
  assert.equal(plain.region, 'us-west-2')
  assert.equal(plain.service, 'sts')
  assert.equal(plain.withSessionToken, false)
  assert.equal(plain.presigned, false)
  assert.equal(plain.signedAtMs, T0)
  assert.equal(plain.principal.arn, 'arn:aws:iam::111122223333:root')

  const session = await verify(await signed({ keys: SESSION }))
  assert.equal(session.accessKeyId, SESSION.accessKeyId)
  assert.equal(session.withSessionToken, true)
  assert.match(session.principal.arn, /assumed-role\/app\/demo-session$/)
})

test('the SDK signer’s presigned URLs verify, with and without session token', async () => {
  for (const keys of [ADMIN, SESSION]) {
    const r = await sign({
      keys,
      date,
      method: 'GET',
      target: '/?Action=GetCallerIdentity&Version=2011-06-15',
      presignSeconds: 900,
    })
    assert.match(r.url, /X-Amz-Signature=/)
    assert.equal(r.headers['authorization'], undefined)
    const id = await verify(r, T0 + 10 * MIN)
    assert.equal(id.presigned, true)
    assert.equal(id.accessKeyId, keys.accessKeyId)
    assert.equal(id.withSessionToken, keys === SESSION)
  }
})

test('a query-string (GET) request signed in the header form verifies; so does a path with labels', async () => {
  await verify(
    await sign({
      keys: ADMIN,
      date,
      method: 'GET',
      target: '/?Action=GetCallerIdentity&Version=2011-06-15&Note=a%20b%2Bc%2A',
    }),
  )
  await verify(
    await sign({
      keys: ADMIN,
      date,
      method: 'GET',
      target: '/clusters/my-cluster',
      service: 'eks',
    }),
    T0,
    'eks',
  )
})

test('UNSIGNED-PAYLOAD and an explicit x-amz-content-sha256 are honoured', async () => {
  const unsigned = await signed({
    headers: { ...FORM, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  })
  await verify(unsigned)
  // The body is not covered then: changing it still verifies, as on AWS.
  await verify({ ...unsigned, body: Buffer.from('Action=Other', 'utf8') })

  const declared = await signed() // the SDK signs x-amz-content-sha256 = sha256(body)
  assert.ok(declared.headers['x-amz-content-sha256'])
  await rejectsWith(
    verify({ ...declared, body: Buffer.from(`${BODY}&Extra=1`, 'utf8') }),
    'SignatureDoesNotMatch',
  )
})

test('tampering fails: body, signed header, query, method, path; an unsigned header may change', async () => {
  const r = await signed({ target: '/?x=1', headers: { ...FORM, 'x-custom': 'a' } })
  await verify(r)
  await rejectsWith(
    verify({ ...r, body: Buffer.from(BODY.replace('Get', 'Bet'), 'utf8') }),
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  )
  await rejectsWith(
    verify({ ...r, headers: { ...r.headers, 'x-custom': ['b'] } }),
    'SignatureDoesNotMatch',
  )
  await rejectsWith(verify({ ...r, url: '/?x=2' }), 'SignatureDoesNotMatch')
  await rejectsWith(verify({ ...r, method: 'PUT' }), 'SignatureDoesNotMatch')
  await rejectsWith(verify({ ...r, url: '/other?x=1' }), 'SignatureDoesNotMatch')
  // Headers outside SignedHeaders are not covered.
  await verify({ ...r, headers: { ...r.headers, 'user-agent': ['changed'], 'x-extra': ['1'] } })
  // Header values are compared after trimming and whitespace folding.
  await verify({ ...r, headers: { ...r.headers, 'x-custom': ['  a  '] } })
})

test('wrong secret: SignatureDoesNotMatch; the reason names the key, never the secret', async () => {
  const r = await signed({ keys: { ...ADMIN, secretAccessKey: 'x'.repeat(40) } })
  await assert.rejects(verify(r), (e) => {
    assert.ok(isAwsError(e, 'SignatureDoesNotMatch'))
    assert.equal(e.status, 403)
    assert.match(e.reason ?? '', new RegExp(ADMIN.accessKeyId))
    assert.ok(!`${e.message} ${e.reason}`.includes(ADMIN.secretAccessKey))
    return true
  })
})

test('unknown key is InvalidClientTokenId; an ended session ExpiredToken; a foreign token InvalidClientTokenId', async () => {
  await rejectsWith(
    verify(
      await signed({
        keys: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 's'.repeat(40) },
      }),
    ),
    'InvalidClientTokenId',
    'The security token included in the request is invalid.',
  )
  await rejectsWith(
    verify(await signed({ keys: EXPIRED_SESSION })),
    'ExpiredToken',
    'The security token included in the request is expired',
  )
  await rejectsWith(
    verify(await signed({ keys: { ...SESSION, sessionToken: 'another-token' } })),
    'InvalidClientTokenId',
  )
})

test('15 minutes of skew either way is accepted; 16 is refused with AWS’s messages', async () => {
  const r = await signed()
  await verify(r, T0 + 15 * MIN)
  await verify(r, T0 - 15 * MIN)
  await rejectsWith(
    verify(r, T0 + 16 * MIN),
    'SignatureDoesNotMatch',
    'Signature expired: 20260301T100000Z is now earlier than 20260301T100100Z (20260301T101600Z - 15 min.)',
  )
  await rejectsWith(
    verify(r, T0 - 16 * MIN),
    'SignatureDoesNotMatch',
    'Signature not yet current: 20260301T100000Z is still later than 20260301T095900Z (20260301T094400Z + 15 min.)',
  )
})

test('a presigned URL works until X-Amz-Date + X-Amz-Expires, then is RequestExpired', async () => {
  const r = await sign({
    keys: ADMIN,
    date,
    method: 'GET',
    target: '/?Action=GetCallerIdentity&Version=2011-06-15',
    presignSeconds: 60,
  })
  await verify(r, T0 + 60_000)
  await rejectsWith(verify(r, T0 + 61_000), 'RequestExpired', 'Request has expired.')
  await rejectsWith(verify(r, T0 - 16 * MIN), 'SignatureDoesNotMatch', /^Signature not yet current/)
  const tampered = { ...r, url: r.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') }
  await rejectsWith(verify(tampered, T0 + 120_000), 'SignatureDoesNotMatch')
})

function withAuth(r: AwsHttpRequest, authorization: string | undefined): AwsHttpRequest {
  const headers = { ...r.headers }
  if (authorization === undefined) delete headers['authorization']
  else headers['authorization'] = [authorization]
  return { ...r, headers }
}

test('malformed Authorization headers are IncompleteSignature with AWS’s wording', async () => {
  const r = await signed()
  const auth = r.headers['authorization']![0]!
  const sig = /Signature=([0-9a-f]+)/.exec(auth)![1]!
  const cred = /Credential=([^,]+)/.exec(auth)![1]!
  const cases: [string, string | RegExp][] = [
    [
      `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;x-amz-date`,
      "Authorization header requires 'Signature' parameter.",
    ],
    [
      'AWS4-HMAC-SHA256 Foo=bar',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.",
    ],
    [
      `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/20260301/us-west-2/sts, SignedHeaders=host, Signature=${sig}`,
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${ADMIN.accessKeyId}/20260301/us-west-2/sts'`,
    ],
    [
      `AWS4-HMAC-SHA256 Credential=${cred} SignedHeaders=host, Signature=${sig}`,
      "Authorization header requires 'SignedHeaders' parameter.",
    ],
    [
      `AWS4-HMAC-SHA256 ${sig}, Credential=${cred}`,
      'A component of the Authorization header is not a valid key=value pair (missing equal-sign).',
    ],
    ['AWS4-HMAC-SHA512 Credential=x', "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"],
    ['Bearer eyJhbGciOi.secret.stuff', "Unsupported AWS 'algorithm': 'Bearer'"],
    [`${sig}${sig}.xyz`, "Unsupported AWS 'algorithm': 'unknown'"],
    [
      `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=x-amz-date, Signature=${sig}`,
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    ],
    [
      `AWS4-HMAC-SHA256 Credential=${cred}, SignedHeaders=host;x-amz-date;x-missing, Signature=${sig}`,
      "'x-missing' is named as a SignedHeader, but it does not exist in the HTTP request.",
    ],
  ]
  for (const [header, message] of cases)
    await rejectsWith(verify(withAuth(r, header)), 'IncompleteSignature', message)

  const noDate = { ...r, headers: { ...r.headers } }
  delete noDate.headers['x-amz-date']
  await rejectsWith(
    verify(noDate),
    'IncompleteSignature',
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  )
  await rejectsWith(
    verify({ ...r, headers: { ...r.headers, 'x-amz-date': ['2026-03-01T10:00:00Z'] } }),
    'IncompleteSignature',
    "Date must be in ISO-8601 'basic format'. Got '2026-03-01T10:00:00Z'.",
  )
})

test('the credential scope must name this service, a region, the request day and aws4_request', async () => {
  await rejectsWith(
    verify(await signed({ service: 'iam' }), T0, 'sts'),
    'SignatureDoesNotMatch',
    "Credential should be scoped to correct service: 'sts'. ",
  )
  const r = await signed()
  const auth = r.headers['authorization']![0]!
  await rejectsWith(
    verify(withAuth(r, auth.replace('/20260301/', '/20260302/'))),
    'SignatureDoesNotMatch',
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260302' != '20260301', from '20260301T100000Z'.",
  )
  await rejectsWith(
    verify(withAuth(r, auth.replace('/aws4_request', '/aws5_request'))),
    'SignatureDoesNotMatch',
    "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
  )
  await rejectsWith(
    verify(withAuth(r, auth.replace('/us-west-2/', '/US_WEST/'))),
    'SignatureDoesNotMatch',
    "Credential should be scoped to a valid region, not 'US_WEST'. ",
  )
})

test('unsigned is MissingAuthenticationToken; both mechanisms at once is IncompleteSignature', async () => {
  const r = await signed()
  await rejectsWith(
    verify(withAuth(r, undefined)),
    'MissingAuthenticationToken',
    'Request is missing Authentication Token',
  )
  await rejectsWith(
    verify({ ...r, url: '/?X-Amz-Credential=x' }),
    'IncompleteSignature',
    /^Only one auth mechanism allowed/,
  )
})

test('malformed presigned queries are IncompleteSignature', async () => {
  const r = await sign({
    keys: ADMIN,
    date,
    method: 'GET',
    target: '/?Action=GetCallerIdentity',
    presignSeconds: 900,
  })
  const drop = (name: string): AwsHttpRequest => ({
    ...r,
    url: r.url.replace(new RegExp(`&?${name}=[^&]*`), ''),
  })
  for (const name of ['X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'])
    await rejectsWith(
      verify(drop(name)),
      'IncompleteSignature',
      `AWS query-string parameters must include '${name}'. Re-examine the query-string parameters.`,
    )
  for (const bad of ['0', '604801', 'abc', '-5'])
    await rejectsWith(
      verify({ ...r, url: r.url.replace('X-Amz-Expires=900', `X-Amz-Expires=${bad}`) }),
      'IncompleteSignature',
      `X-Amz-Expires must be an integer from 1 to 604800 (seconds), got ${bad}`,
    )
})

test('a signature of the wrong length or case never throws, it just does not match', async () => {
  const r = await signed()
  const auth = r.headers['authorization']![0]!
  for (const replace of ['abc', 'Z'.repeat(64), 'A'.repeat(64), ''])
    await rejectsWith(
      verify(withAuth(r, auth.replace(/Signature=[0-9a-f]+/, `Signature=${replace}`))),
      'SignatureDoesNotMatch',
    )
})

test('signing keys: derived per (secret, day, region, service), cached and bounded', () => {
  const cache = new SigningKeyCache(2)
  const a = cache.get('secret', '20260301', 'us-west-2', 'sts')
  assert.deepEqual(a, deriveSigningKey('secret', '20260301', 'us-west-2', 'sts'))
  assert.equal(cache.get('secret', '20260301', 'us-west-2', 'sts'), a, 'cached instance')
  const b = cache.get('secret', '20260301', 'us-west-2', 'iam')
  assert.notDeepEqual(a, b)
  cache.get('secret', '20260301', 'us-west-2', 'sts') // a is now most recent
  cache.get('other', '20260301', 'us-west-2', 'sts') // evicts b
  assert.equal(cache.size, 2)
  assert.equal(cache.get('secret', '20260301', 'us-west-2', 'sts'), a)
  assert.notEqual(cache.get('secret', '20260301', 'us-west-2', 'iam'), b, 'b was evicted')
  assert.throws(() => new SigningKeyCache(0), RangeError)
})

test('AWS basic-format dates parse strictly', () => {
  assert.equal(parseAmzDate('20150830T123600Z'), Date.UTC(2015, 7, 30, 12, 36, 0))
  assert.equal(formatAmzDate(Date.UTC(2015, 7, 30, 12, 36, 0, 999)), '20150830T123600Z')
  for (const bad of [
    '20150230T000000Z',
    '20151301T000000Z',
    '20150830T126000Z',
    '20150830 123600Z',
    '',
  ])
    assert.equal(parseAmzDate(bad), undefined, bad)
})

test('without X-Amz-Date, the Date header is the request time', async () => {
  // Signed by hand: the request time in the string to sign is the Date header in basic format.
  const hmac = (k: string | Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest()
  const hash = (d: string): string => createHash('sha256').update(d).digest('hex')
  const canonical = [
    'GET',
    '/',
    'Action=GetCallerIdentity&Version=2011-06-15',
    'date:Sun, 01 Mar 2026 10:00:00 GMT',
    'host:127.0.0.1:4566',
    '',
    'date;host',
    hash(''),
  ].join('\n')
  const scope = '20260301/us-west-2/sts/aws4_request'
  const toSign = `AWS4-HMAC-SHA256\n20260301T100000Z\n${scope}\n${hash(canonical)}`
  let key = hmac(`AWS4${ADMIN.secretAccessKey}`, '20260301')
  for (const part of ['us-west-2', 'sts', 'aws4_request']) key = hmac(key, part)
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  const r: SigV4Request = {
    method: 'GET',
    path: '/',
    query: 'Action=GetCallerIdentity&Version=2011-06-15',
    headers: {
      host: ['127.0.0.1:4566'],
      date: ['Sun, 01 Mar 2026 10:00:00 GMT'],
      authorization: [
        `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/${scope}, SignedHeaders=date;host, Signature=${signature}`,
      ],
    },
    body: new Uint8Array(0),
  }
  const id = await verify(r)
  assert.equal(id.signedAtMs, T0)
  await rejectsWith(verify(r, T0 + 16 * MIN), 'SignatureDoesNotMatch', /^Signature expired/)
})

test('queryParam: decoded names, the first of a repeated name, strict decoding, any query in turn', () => {
  const a = 'X-Amz-%43redential=AKID%2F20260101&x=1&x=2&bad%ZZ=3&plus=a+b&raw=%E0%A4%A&empty&'
  const b = 'x=other'
  assert.equal(queryParam(a, 'X-Amz-Credential'), 'AKID/20260101')
  assert.equal(queryParam(a, 'x'), '1')
  assert.equal(queryParam(b, 'x'), 'other', 'another query string is read afresh')
  assert.equal(queryParam(a, 'x'), '1')
  assert.equal(queryParam(a, 'bad%ZZ'), undefined)
  assert.equal(queryParam(a, 'plus'), 'a+b')
  assert.equal(queryParam(a, 'raw'), '%E0%A4%A', 'a value that does not decode is kept as sent')
  assert.equal(queryParam(a, 'empty'), '')
  assert.equal(queryParam(a, 'missing'), undefined)
  assert.equal(queryParam('', 'x'), undefined)
})

test('canonicalQueryValue: a value already in canonical form is kept; any other is decoded and encoded', () => {
  // The oracle: decode strictly (keep what does not decode), then RFC 3986 encode.
  const reference = (raw: string): string => {
    let decoded = raw
    if (raw.includes('%'))
      try {
        decoded = decodeURIComponent(raw)
      } catch {
        decoded = raw
      }
    return encodeURIComponent(decoded).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    )
  }
  const pieces = ['a', 'Z', '9', '-', '.', '_', '~', '+', '/', '=', ' ', '!', '*', "'", '(', 'é']
  for (let b = 0; b < 256; b++) {
    const hex = b.toString(16).padStart(2, '0')
    pieces.push(`%${hex.toUpperCase()}`, `%${hex}`)
  }
  pieces.push('%', '%G1', '%E2%82%AC', '%e2%82%ac', '%C3')
  let seed = 7
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
  for (let i = 0; i < 20000; i++) {
    let raw = ''
    for (let n = next() % 6; n >= 0; n--) raw += pieces[next() % pieces.length] ?? ''
    assert.equal(canonicalQueryValue(raw), reference(raw), JSON.stringify(raw))
  }
  const token = 'IQoJb3JpZ2luX2VjEN%2B%2F%3D'.repeat(40)
  assert.equal(canonicalQueryValue(token), token)
})
