import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createPublicKey, verify } from 'node:crypto'
import { jwtVerify } from 'jose'
import { manualClock } from '../../../src/core/index.js'
import {
  createTokenSigner,
  EXTENDED_EXPIRATION_SECONDS,
  TokenRequestError,
  type TokenSignerOptions,
} from '../../../src/token/index.js'
import { partText, testKey, type Curve } from './helpers.js'

const ISSUER = 'https://oidc.example.com/id/0123456789ABCDEF'
const T0 = 1_700_000_000_000 // epoch ms
const JTI = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

function signer(over: Partial<TokenSignerOptions> = {}) {
  return createTokenSigner({
    key: testKey('rsa').key,
    issuer: ISSUER,
    clock: manualClock(T0 + 999), // iat is whole seconds, rounded down
    randomUUID: () => JTI,
    ...over,
  })
}

test('a pod-bound token: header and claims byte for byte as kube-apiserver writes them', () => {
  const { key } = testKey('rsa')
  const issued = signer().issue({
    namespace: 'team-a',
    serviceAccount: { name: 'app', uid: 'sa-uid-1' },
    audiences: ['sts.amazonaws.com'],
    expirationSeconds: 3600,
    boundPod: { name: 'app-7d9f-x2', uid: 'pod-uid-1' },
    boundNode: { name: 'node-1', uid: 'node-uid-1' },
  })
  const parts = issued.token.split('.')
  assert.equal(parts.length, 3)
  assert.equal(partText(issued.token, 0), `{"alg":"RS256","kid":"${key.kid}"}`)
  assert.equal(
    partText(issued.token, 1),
    '{"aud":["sts.amazonaws.com"],"exp":1700003600,"iat":1700000000,' +
      `"iss":"${ISSUER}","jti":"${JTI}",` +
      '"kubernetes.io":{"namespace":"team-a","node":{"name":"node-1","uid":"node-uid-1"},' +
      '"pod":{"name":"app-7d9f-x2","uid":"pod-uid-1"},' +
      '"serviceaccount":{"name":"app","uid":"sa-uid-1"}},' +
      '"nbf":1700000000,"sub":"system:serviceaccount:team-a:app"}',
  )
  assert.equal(issued.expiresAt, 1_700_003_600)
  assert.equal(issued.expirationSeconds, 3600)
  assert.deepEqual(issued.warnings, [])
  assert.deepEqual(issued.header, { alg: 'RS256', kid: key.kid })
  assert.deepEqual(JSON.parse(partText(issued.token, 1)), issued.claims)
})

test('an unbound token has no pod or node; several audiences keep their order', () => {
  const issued = signer().issue({
    namespace: 'default',
    serviceAccount: { name: 'builder', uid: 'u' },
    audiences: ['sts.amazonaws.com', 'vault'],
    expirationSeconds: 7200,
  })
  assert.equal(
    partText(issued.token, 1),
    '{"aud":["sts.amazonaws.com","vault"],"exp":1700007200,"iat":1700000000,' +
      `"iss":"${ISSUER}","jti":"${JTI}",` +
      '"kubernetes.io":{"namespace":"default","serviceaccount":{"name":"builder","uid":"u"}},' +
      '"nbf":1700000000,"sub":"system:serviceaccount:default:builder"}',
  )
})

test('an unknown node uid and an empty service-account uid are left out, as omitempty does', () => {
  const issued = signer().issue({
    namespace: 'default',
    serviceAccount: { name: 'app' },
    audiences: ['sts.amazonaws.com'],
    boundPod: { name: 'p', uid: 'pu' },
    boundNode: { name: 'n' },
  })
  assert.deepEqual(issued.claims['kubernetes.io'], {
    namespace: 'default',
    node: { name: 'n' },
    pod: { name: 'p', uid: 'pu' },
    serviceaccount: { name: 'app' },
  })
  assert.match(partText(issued.token, 1), /"node":\{"name":"n"\},"pod"/)
})

test('node-bound and secret-bound tokens; a secret cannot be combined with a pod or node', () => {
  const s = signer()
  const base = { namespace: 'ns', serviceAccount: { name: 'sa', uid: 'u' }, audiences: ['a'] }
  assert.deepEqual(
    s.issue({ ...base, boundNode: { name: 'n', uid: 'nu' } }).claims['kubernetes.io'],
    {
      namespace: 'ns',
      node: { name: 'n', uid: 'nu' },
      serviceaccount: { name: 'sa', uid: 'u' },
    },
  )
  assert.deepEqual(
    s.issue({ ...base, boundSecret: { name: 's', uid: 'su' } }).claims['kubernetes.io'],
    {
      namespace: 'ns',
      secret: { name: 's', uid: 'su' },
      serviceaccount: { name: 'sa', uid: 'u' },
    },
  )
  assert.throws(
    () =>
      s.issue({
        ...base,
        boundSecret: { name: 's', uid: 'su' },
        boundPod: { name: 'p', uid: 'pu' },
      }),
    { name: 'TokenRequestError', message: 'a token can only be bound to one object type' },
  )
})

test('a pod binding needs both name and uid; names are checked as Kubernetes checks them', () => {
  const s = signer()
  const base = { serviceAccount: { name: 'sa', uid: 'u' }, audiences: ['a'] }
  assert.throws(() => s.issue({ ...base, namespace: 'ns', boundPod: { name: 'p', uid: '' } }), {
    message: "bound pod 'p' needs a uid",
  })
  assert.throws(() => s.issue({ ...base, namespace: 'ns', boundPod: { name: '', uid: 'x' } }), {
    message: 'bound pod name: Required value',
  })
  assert.throws(
    () => s.issue({ ...base, namespace: 'Team_A' }),
    (e: unknown) => {
      assert.ok(e instanceof TokenRequestError)
      assert.match(e.message, /^namespace 'Team_A': a lowercase RFC 1123 label/)
      return true
    },
  )
  assert.throws(() => s.issue({ ...base, namespace: 'x'.repeat(64) }), /no more than 63/)
  assert.throws(
    () => s.issue({ namespace: 'ns', serviceAccount: { name: 'My.SA' }, audiences: ['a'] }),
    /^TokenRequestError: service account name 'My.SA': a lowercase RFC 1123 subdomain/,
  )
  // Dots are fine in object names (RFC 1123 subdomains).
  assert.equal(
    s.issue({ namespace: 'ns', serviceAccount: { name: 'my.sa' }, audiences: ['a'] }).claims.sub,
    'system:serviceaccount:ns:my.sa',
  )
})

test('TokenRequest lifetime rules: 600 s minimum, 2^32 s maximum, Kubernetes wording', () => {
  const s = signer()
  const req = (expirationSeconds: number) => ({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'u' },
    audiences: ['a'],
    expirationSeconds,
  })
  assert.throws(() => s.issue(req(599)), {
    name: 'TokenRequestError',
    code: 'ERR_TOKEN_REQUEST_INVALID',
    message:
      'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
  })
  assert.equal(s.issue(req(600)).claims.exp, 1_700_000_600)
  assert.equal(s.issue(req(2 ** 32)).claims.exp, 1_700_000_000 + 2 ** 32)
  assert.throws(() => s.issue(req(2 ** 32 + 1)), {
    message: `spec.expirationSeconds: Invalid value: ${2 ** 32 + 1}: may not specify a duration larger than 2^32 seconds`,
  })
  assert.throws(() => s.issue(req(3600.5)), /must be a whole number of seconds/)
  // The default is one hour.
  const d = s.issue({ namespace: 'ns', serviceAccount: { name: 'sa' }, audiences: ['a'] })
  assert.equal(d.claims.exp - d.claims.iat, 3600)
})

test("a maximum shortens a longer request with kube-apiserver's warning", () => {
  const s = signer({ maxExpirationSeconds: 86400 })
  const issued = s.issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'u' },
    audiences: ['a'],
    expirationSeconds: 172800,
  })
  assert.equal(issued.claims.exp - issued.claims.iat, 86400)
  assert.equal(issued.expirationSeconds, 86400)
  assert.deepEqual(issued.warnings, [
    'requested expiration of 172800 seconds shortened to 86400 seconds',
  ])
  // Under the maximum: no warning. Under 600 s: still an error, never clamped up.
  const ok = s.issue({ namespace: 'ns', serviceAccount: { name: 'sa' }, audiences: ['a'] })
  assert.deepEqual(ok.warnings, [])
  assert.throws(
    () =>
      s.issue({
        namespace: 'ns',
        serviceAccount: { name: 'sa' },
        audiences: ['a'],
        expirationSeconds: 60,
      }),
    /less than 10 minutes/,
  )
  // The maximum itself must be between 1 hour and 2^32 seconds, as the flag is.
  assert.throws(() => signer({ maxExpirationSeconds: 1800 }), /between 1 hour and 2\^32 seconds/)
  assert.throws(() => signer({ maxExpirationSeconds: 2 ** 32 + 1 }), /between 1 hour/)
})

test('extended kube-api-access tokens: 3607 s, pod-bound, API audiences only', () => {
  const s = signer({ extendExpiration: true, apiAudiences: ['https://kubernetes.default.svc'] })
  const base = {
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'u' },
    expirationSeconds: 3607,
    boundPod: { name: 'p', uid: 'pu' },
  }
  const extended = s.issue({ ...base, audiences: [] })
  assert.deepEqual(extended.claims.aud, ['https://kubernetes.default.svc'])
  assert.equal(extended.claims.exp, 1_700_000_000 + EXTENDED_EXPIRATION_SECONDS)
  assert.equal(extended.claims['kubernetes.io'].warnafter, 1_700_000_000 + 3607)
  assert.match(partText(extended.token, 1), /"serviceaccount":\{[^}]*\},"warnafter":1700003607\}/)
  // An STS audience is never extended, nor is an unbound token or another lifetime.
  assert.equal(s.issue({ ...base, audiences: ['sts.amazonaws.com'] }).claims.exp, 1_700_003_607)
  const unbound = { namespace: 'ns', serviceAccount: { name: 'sa' }, expirationSeconds: 3607 }
  assert.equal(s.issue({ ...unbound, audiences: [] }).claims.exp, 1_700_003_607)
  assert.equal(
    s.issue({ ...base, expirationSeconds: 3600, audiences: [] }).claims.exp,
    1_700_003_600,
  )
  // Off unless asked for.
  assert.equal(signer().issue({ ...base, audiences: [ISSUER] }).claims.exp, 1_700_003_607)
})

test('no audience means the API audiences, which default to the issuer', () => {
  const issued = signer().issue({ namespace: 'ns', serviceAccount: { name: 'sa' } })
  assert.deepEqual(issued.claims.aud, [ISSUER])
})

test('the issuer must be https with no query or fragment', () => {
  assert.throws(() => signer({ issuer: 'http://oidc.example.com' }), {
    name: 'InputError',
    message: "issuer must be an https URL, got 'http://oidc.example.com'",
  })
  assert.throws(() => signer({ issuer: 'https://oidc.example.com/?a=b' }), /must not have a query/)
  assert.throws(() => signer({ issuer: 'https://oidc.example.com/#x' }), /must not have a fragment/)
  assert.throws(() => signer({ issuer: 'not a url' }), /is not a URL/)
})

test('the jti is a fresh random UUID by default', () => {
  const s = createTokenSigner({ key: testKey('rsa').key, issuer: ISSUER, clock: manualClock(T0) })
  const a = s.issue({ namespace: 'ns', serviceAccount: { name: 'sa' }, audiences: ['x'] })
  const b = s.issue({ namespace: 'ns', serviceAccount: { name: 'sa' }, audiences: ['x'] })
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  assert.match(a.claims.jti, uuid)
  assert.match(b.claims.jti, uuid)
  assert.notEqual(a.claims.jti, b.claims.jti)
})

test('strings are escaped as Go escapes them (&, <, > as \\u00XX)', () => {
  const issued = signer({ issuer: 'https://oidc.example.com/a&b<c>' }).issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa' },
    audiences: ['x&y'],
  })
  const payload = partText(issued.token, 1)
  assert.ok(payload.includes('"aud":["x\\u0026y"]'), payload)
  assert.ok(payload.includes('"iss":"https://oidc.example.com/a\\u0026b\\u003cc\\u003e"'), payload)
  assert.equal(JSON.parse(payload).iss, 'https://oidc.example.com/a&b<c>')
})

for (const [curve, alg, size] of [
  ['P-256', 'ES256', 64],
  ['P-384', 'ES384', 96],
  ['P-521', 'ES512', 132],
] as const satisfies readonly (readonly [Curve, string, number])[]) {
  test(`${curve} keys sign ${alg} with a raw r||s signature that jose accepts`, async () => {
    const { key } = testKey(curve)
    const issued = signer({ key }).issue({
      namespace: 'ns',
      serviceAccount: { name: 'sa', uid: 'u' },
      audiences: ['sts.amazonaws.com'],
    })
    assert.equal(partText(issued.token, 0), `{"alg":"${alg}","kid":"${key.kid}"}`)
    const [h, p, sig] = issued.token.split('.') as [string, string, string]
    const raw = Buffer.from(sig, 'base64url')
    assert.equal(raw.length, size)
    // The bytes are r||s (IEEE P1363), not an ASN.1 DER signature.
    const input = Buffer.from(`${h}.${p}`)
    const hash = `sha${alg.slice(2)}`
    assert.ok(verify(hash, input, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, raw))
    assert.equal(verify(hash, input, { key: key.publicKey, dsaEncoding: 'der' }, raw), false)
    const { payload, protectedHeader } = await jwtVerify(issued.token, key.publicKey, {
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
      currentDate: new Date(T0),
      algorithms: [alg],
    })
    assert.deepEqual(protectedHeader, { alg, kid: key.kid })
    assert.deepEqual(payload, issued.claims)
  })
}

test('an RSA token verifies with jose against the public key alone', async () => {
  const { key, pem } = testKey('rsa')
  const issued = signer().issue({
    namespace: 'ns',
    serviceAccount: { name: 'sa', uid: 'u' },
    audiences: ['sts.amazonaws.com'],
  })
  const { payload } = await jwtVerify(issued.token, createPublicKey(pem), {
    issuer: ISSUER,
    audience: 'sts.amazonaws.com',
    subject: 'system:serviceaccount:ns:sa',
    currentDate: new Date(T0 + 3599_000),
    algorithms: ['RS256'],
  })
  assert.equal(payload.jti, JTI)
  assert.equal(signer().kid, key.kid)
  assert.equal(signer().alg, 'RS256')
})
