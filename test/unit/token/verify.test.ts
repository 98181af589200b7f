import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { exportJWK } from 'jose'
import { manualClock } from '../../../src/core/index.js'
import {
  createTokenKeySet,
  createTokenSigner,
  describePublicKey,
  TokenError,
  TokenKeySet,
  verifyToken,
  type JwksInput,
  type TokenErrorCode,
  type VerifyOptions,
} from '../../../src/token/index.js'
import { b64, joseToken, rs256Token, testKey } from './helpers.js'

const ISSUER = 'https://oidc.example.com/id/VERIFY'
const NOW = 1_700_000_000
const clock = manualClock(NOW * 1000)
const options: VerifyOptions = { clock, expectedIssuer: ISSUER, audiences: ['sts.amazonaws.com'] }

const rsa = testKey('rsa').key
const rsaOther = testKey('rsa', 1).key
const ec256 = testKey('P-256').key
const ec384 = testKey('P-384').key

/** A public JWK as an issuer publishes it. */
async function jwk(key: typeof rsa, over: Record<string, unknown> = {}) {
  return { ...(await exportJWK(key.publicKey)), use: 'sig', kid: key.kid, alg: key.alg, ...over }
}

const jwks: JwksInput = { keys: [await jwk(rsa), await jwk(ec256)] }

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: ['sts.amazonaws.com'],
    exp: NOW + 3600,
    iat: NOW,
    iss: ISSUER,
    nbf: NOW,
    sub: 'system:serviceaccount:ns:app',
    ...over,
  }
}

/** Every rejection seen, to prove afterwards that no message leaks token material. */
const seen: { token: string; error: TokenError }[] = []

function rejects(
  token: string,
  code: TokenErrorCode,
  keys: Parameters<typeof verifyToken>[1] = jwks,
  opts: VerifyOptions = options,
): TokenError {
  let caught: unknown
  try {
    verifyToken(token, keys, opts)
  } catch (e) {
    caught = e
  }
  assert.ok(caught instanceof TokenError, `expected ${code}, got ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  assert.equal(caught.message.includes('\n'), false)
  seen.push({ token, error: caught })
  return caught
}

test('a token from the signer verifies: header, claims, audiences and the key are returned', () => {
  const issued = createTokenSigner({ key: rsa, issuer: ISSUER, clock }).issue({
    namespace: 'ns',
    serviceAccount: { name: 'app', uid: 'u' },
    audiences: ['sts.amazonaws.com'],
    boundPod: { name: 'p', uid: 'pu' },
  })
  const v = verifyToken(issued.token, jwks, options)
  assert.deepEqual(v.header, { alg: 'RS256', kid: rsa.kid })
  assert.deepEqual(v.claims, issued.claims)
  assert.deepEqual(v.audiences, ['sts.amazonaws.com'])
  assert.equal(v.alg, 'RS256')
  assert.equal(v.key.kid, rsa.kid)
  assert.equal(v.key.source, 'jwks')
  // The same token against PEM keys, both sources, and a prepared key set.
  assert.equal(
    verifyToken(issued.token, [describePublicKey(rsa.publicKey)], options).key.source,
    'pem',
  )
  assert.equal(verifyToken(issued.token, { publicKeys: [rsa], jwks: [] }, options).key.kid, rsa.kid)
  const prepared = createTokenKeySet(jwks)
  assert.ok(prepared instanceof TokenKeySet)
  assert.equal(verifyToken(issued.token, prepared, options).alg, 'RS256')
})

test('EC tokens verify by curve; a bare-string aud is accepted', async () => {
  const t = await joseToken(
    { alg: 'ES256', kid: ec256.kid },
    claims({ aud: 'sts.amazonaws.com' }),
    ec256.privateKey,
  )
  const v = verifyToken(t, jwks, options)
  assert.deepEqual(v.audiences, ['sts.amazonaws.com'])
  assert.equal(v.claims.aud, 'sts.amazonaws.com')
  const t384 = await joseToken({ alg: 'ES384', kid: ec384.kid }, claims(), ec384.privateKey)
  assert.equal(verifyToken(t384, [ec384], options).alg, 'ES384')
})

test('size: over 20000 characters is too large, before anything is parsed', () => {
  const e = rejects('a'.repeat(20001), 'ERR_TOKEN_TOO_LARGE')
  assert.equal(e.message, 'token is longer than 20000 characters')
  rejects('a'.repeat(20000), 'ERR_TOKEN_MALFORMED')
})

test('malformed tokens: parts, base64url, JSON, header fields', async () => {
  const good = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(), rsa.privateKey)
  const [h, p, s] = good.split('.') as [string, string, string]
  const bad = [
    `${h}.${p}`,
    `${h}.${p}.${s}.${s}`,
    '',
    `${h}.${p}.${s}=`,
    `${h}=.${p}.${s}`,
    `${h}.${p.replace(/[A-Za-z]/, '+')}.${s}`,
    `${b64('not json')}.${p}.${s}`,
    `${b64('[1,2]')}.${p}.${s}`,
    `${b64('null')}.${p}.${s}`,
    `${b64('{"kid":"x"}')}.${p}.${s}`,
    `${b64('{"alg":256}')}.${p}.${s}`,
    `${b64(`{"alg":"RS256","kid":7}`)}.${p}.${s}`,
    `${b64(`{"alg":"RS256","typ":["JWT"]}`)}.${p}.${s}`,
    `${h}.${b64('"a string"')}.${s}`,
    `${h}.${b64(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]))}.${s}`,
    `${h}..${s}`,
  ]
  for (const t of bad) rejects(t, 'ERR_TOKEN_MALFORMED')
  // Non-canonical base64url: a 256-byte RSA signature is 342 characters, so the last one
  // carries 2 bits and 4 zero bits; setting a zero bit decodes to the same bytes.
  const last = s.at(-1) ?? ''
  assert.ok('AQgw'.includes(last), last)
  const sibling = String.fromCharCode(last.charCodeAt(0) + 1)
  assert.deepEqual(Buffer.from(s.slice(0, -1) + sibling, 'base64url'), Buffer.from(s, 'base64url'))
  rejects(`${h}.${p}.${s.slice(0, -1)}${sibling}`, 'ERR_TOKEN_MALFORMED')
})

test('only RS256/384/512 and ES256/384/512: none, HS256, PS256 and others are refused', async () => {
  const payload = b64(JSON.stringify(claims()))
  // alg none, with and without a signature part.
  rejects(`${b64('{"alg":"none"}')}.${payload}.`, 'ERR_TOKEN_UNSUPPORTED_ALG')
  rejects(`${b64(`{"alg":"none","kid":"${rsa.kid}"}`)}.${payload}.`, 'ERR_TOKEN_UNSUPPORTED_ALG')
  // The confusion attack: HS256 "signed" with the RSA public key's PEM as the HMAC secret.
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const header = b64(JSON.stringify({ alg: 'HS256', kid: rsa.kid }))
  const mac = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url')
  const confused = `${header}.${payload}.${mac}`
  const e = rejects(confused, 'ERR_TOKEN_UNSUPPORTED_ALG')
  assert.equal(e.details.alg, 'HS256')
  rejects(confused, 'ERR_TOKEN_UNSUPPORTED_ALG', [rsa])
  // PS256 with the very RSA key the JWKS publishes.
  const ps = await joseToken({ alg: 'PS256', kid: rsa.kid }, claims(), rsa.privateKey)
  rejects(ps, 'ERR_TOKEN_UNSUPPORTED_ALG')
  rejects(ps, 'ERR_TOKEN_UNSUPPORTED_ALG', [rsa])
  for (const alg of ['EdDSA', 'rs256', 'RS1', 'HS512', 'toString', '__proto__', 'constructor', ''])
    rejects(
      `${b64(JSON.stringify({ alg, kid: rsa.kid }))}.${payload}.${b64('sig')}`,
      'ERR_TOKEN_UNSUPPORTED_ALG',
    )
})

test('critical header extensions are refused, even when correctly signed', () => {
  const critical = { alg: 'RS256', kid: rsa.kid, crit: ['x-ext'], 'x-ext': 1 }
  rejects(rs256Token(critical, claims(), rsa.privateKey), 'ERR_TOKEN_MALFORMED')
  // The same token without crit verifies.
  const plain = rs256Token({ alg: 'RS256', kid: rsa.kid }, claims(), rsa.privateKey)
  assert.equal(verifyToken(plain, jwks, options).alg, 'RS256')
})

test('jku, x5u, jwk and x5c headers are never followed: the key comes from the key set', async () => {
  // An attacker's token pointing at the attacker's keys, with an unknown kid.
  const attacker = rsaOther
  const attackerJwk = await exportJWK(attacker.publicKey)
  const headers = [
    { jku: 'https://attacker.example/jwks.json' },
    { x5u: 'https://attacker.example/cert.pem' },
    { jwk: attackerJwk },
    { x5c: ['MIIB'] },
  ]
  for (const extra of headers) {
    const own = await joseToken(
      { alg: 'RS256', kid: attacker.kid, ...extra },
      claims(),
      attacker.privateKey,
    )
    rejects(own, 'ERR_TOKEN_NO_KEY')
    // With the victim's kid the attacker's signature fails against the victim's key.
    const forged = await joseToken(
      { alg: 'RS256', kid: rsa.kid, ...extra },
      claims(),
      attacker.privateKey,
    )
    rejects(forged, 'ERR_TOKEN_BAD_SIGNATURE')
    // A genuine token that happens to carry such a header still verifies (no fetch happens).
    const genuine = await joseToken(
      { alg: 'RS256', kid: rsa.kid, ...extra },
      claims(),
      rsa.privateKey,
    )
    assert.equal(verifyToken(genuine, jwks, options).key.kid, rsa.kid)
  }
})

test('key selection: by kid; the empty-kid legacy key only for a token without kid', async () => {
  const legacySet: JwksInput = { keys: [await jwk(rsa), await jwk(rsa, { kid: '' })] }
  const noKid = await joseToken({ alg: 'RS256' }, claims(), rsa.privateKey)
  // No kid, and no key published with an empty kid: refused.
  const e = rejects(noKid, 'ERR_TOKEN_NO_KEY')
  assert.equal(e.details.kid, undefined)
  // No kid, with the legacy duplicate: verified with that key.
  assert.equal(verifyToken(noKid, legacySet, options).key.kid, '')
  // A JWK with no kid at all counts as the empty-kid key.
  const withoutKid = await jwk(rsa, { kid: undefined })
  assert.equal(verifyToken(noKid, { keys: [withoutKid] }, options).key.kid, '')
  // A token with a kid never falls back to the empty-kid key.
  const unknownKid = await joseToken(
    { alg: 'RS256', kid: 'not-published' },
    claims(),
    rsa.privateKey,
  )
  const u = rejects(unknownKid, 'ERR_TOKEN_NO_KEY', legacySet)
  assert.equal(u.details.kid, 'not-published')
  rejects(unknownKid, 'ERR_TOKEN_NO_KEY', { keys: [await jwk(rsa, { kid: '' })] })
})

test('the key must fit the algorithm: kty, curve and the JWK alg', async () => {
  // ES256 claimed for the RSA key's kid.
  const esForRsa = await joseToken({ alg: 'ES256', kid: rsa.kid }, claims(), ec256.privateKey)
  rejects(esForRsa, 'ERR_TOKEN_NO_KEY')
  // ES384 claimed for a P-256 key's kid.
  const wrongCurve = await joseToken({ alg: 'ES384', kid: ec256.kid }, claims(), ec384.privateKey)
  rejects(wrongCurve, 'ERR_TOKEN_NO_KEY')
  rejects(wrongCurve, 'ERR_TOKEN_NO_KEY', [ec256])
  // RS384 with a key published as RS256 is refused; a PEM key names no alg, so RSA allows RS*.
  const rs384 = await joseToken({ alg: 'RS384', kid: rsa.kid }, claims(), rsa.privateKey)
  rejects(rs384, 'ERR_TOKEN_NO_KEY')
  assert.equal(verifyToken(rs384, [rsa], options).alg, 'RS384')
  const rs512 = await joseToken({ alg: 'RS512', kid: rsa.kid }, claims(), rsa.privateKey)
  assert.equal(
    verifyToken(rs512, { keys: [await jwk(rsa, { alg: undefined })] }, options).alg,
    'RS512',
  )
})

test('JWKS members that cannot verify are skipped, never trusted', async () => {
  const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const set = createTokenKeySet({
    keys: [
      { kty: 'oct', kid: rsa.kid, k: b64(pem) },
      await jwk(rsa, { use: 'enc' }),
      await jwk(rsa, { alg: 'HS256' }),
      await jwk(rsa, { alg: 'PS256' }),
      await jwk(rsa, { alg: 'ES256' }),
      await jwk(rsa, { key_ops: ['encrypt'] }),
      await jwk(ec256, { crv: 'P-384' }),
      { ...(await jwk(rsa)), n: 'AA' },
      { kty: 'OKP', crv: 'Ed25519', kid: 'ed', x: b64('x'.repeat(32)) },
      { kty: 'RSA', kid: 7 },
      'not an object',
    ],
  })
  assert.equal(set.keys.length, 0)
  assert.equal(set.skipped.length, 11)
  assert.deepEqual(
    set.skipped.map((s) => s.index),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  )
  assert.match(set.skipped[0]?.reason ?? '', /kty "oct"/)
  const hs = `${b64(JSON.stringify({ alg: 'HS256', kid: rsa.kid }))}.${b64(JSON.stringify(claims()))}.${b64('x')}`
  rejects(hs, 'ERR_TOKEN_UNSUPPORTED_ALG', set)
  const genuine = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(), rsa.privateKey)
  rejects(genuine, 'ERR_TOKEN_NO_KEY', set)
  // A weak RSA key is skipped whether it comes from a JWKS or from PEM.
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const weakInfo = describePublicKey(weak.publicKey)
  const weakSet = createTokenKeySet({
    jwks: { keys: [{ ...(await exportJWK(weak.publicKey)), kid: weakInfo.kid }] },
    publicKeys: [weakInfo],
  })
  assert.equal(weakSet.keys.length, 0)
  assert.deepEqual(
    weakSet.skipped.map((x) => [x.source, x.reason]),
    [
      ['jwks', 'RSA key of 1024 bits is shorter than 2048'],
      ['pem', 'RSA key of 1024 bits is shorter than 2048'],
    ],
  )
  const weakToken = rs256Token({ alg: 'RS256', kid: weakInfo.kid }, claims(), weak.privateKey)
  rejects(weakToken, 'ERR_TOKEN_NO_KEY', weakSet)
  // Not a JWKS at all.
  assert.equal(createTokenKeySet({ keys: 'nope' } as unknown as JwksInput).skipped.length, 1)
})

test('two keys with one kid (rotation): the one whose signature verifies is used', async () => {
  const twins: JwksInput = { keys: [await jwk(rsaOther, { kid: rsa.kid }), await jwk(rsa)] }
  const t = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(), rsa.privateKey)
  assert.equal(verifyToken(t, twins, options).key.kid, rsa.kid)
})

test('bad signatures: forged, swapped key, tampered payload, DER-encoded ECDSA', async () => {
  const t = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(), rsa.privateKey)
  const [h, p, s] = t.split('.') as [string, string, string]
  const sig = Buffer.from(s, 'base64url')
  sig[10] = (sig[10] ?? 0) ^ 0x01
  rejects(`${h}.${p}.${sig.toString('base64url')}`, 'ERR_TOKEN_BAD_SIGNATURE')
  // Signed with another key under this kid.
  const swapped = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(), rsaOther.privateKey)
  const e = rejects(swapped, 'ERR_TOKEN_BAD_SIGNATURE')
  assert.equal(e.details.kid, rsa.kid)
  // A payload changed after signing (another subject).
  const tampered = b64(JSON.stringify(claims({ sub: 'system:serviceaccount:kube-system:admin' })))
  rejects(`${h}.${tampered}.${s}`, 'ERR_TOKEN_BAD_SIGNATURE')
  // ECDSA must be r||s: the same signature in DER form is refused.
  const eh = b64(JSON.stringify({ alg: 'ES256', kid: ec256.kid }))
  const ep = b64(JSON.stringify(claims()))
  const der = sign('sha256', Buffer.from(`${eh}.${ep}`), {
    key: ec256.privateKey,
    dsaEncoding: 'der',
  })
  rejects(`${eh}.${ep}.${der.toString('base64url')}`, 'ERR_TOKEN_BAD_SIGNATURE')
  const raw = sign('sha256', Buffer.from(`${eh}.${ep}`), {
    key: ec256.privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  assert.equal(verifyToken(`${eh}.${ep}.${raw.toString('base64url')}`, jwks, options).alg, 'ES256')
  // An empty signature with a real alg.
  rejects(`${h}.${p}.`, 'ERR_TOKEN_BAD_SIGNATURE')
})

test('exp: refused once now reaches exp + skew; the error carries exp and now', async () => {
  const at = (exp: number) =>
    joseToken({ alg: 'RS256', kid: rsa.kid }, claims({ exp }), rsa.privateKey)
  assert.ok(verifyToken(await at(NOW - 299), jwks, options))
  const e = rejects(await at(NOW - 300), 'ERR_TOKEN_EXPIRED')
  assert.deepEqual(e.details, { claim: 'exp', exp: NOW - 300, now: NOW })
  const noSkew = { ...options, clockSkewSeconds: 0 }
  assert.ok(verifyToken(await at(NOW + 1), jwks, noSkew))
  rejects(await at(NOW), 'ERR_TOKEN_EXPIRED', jwks, noSkew)
  // The clock decides, not the wall: a later ManualClock expires a valid token.
  const later = manualClock((NOW + 3600 + 300) * 1000)
  rejects(await at(NOW + 3600), 'ERR_TOKEN_EXPIRED', jwks, { ...options, clock: later })
})

test('nbf: a future nbf beyond the skew is refused', async () => {
  const at = (nbf: number) =>
    joseToken({ alg: 'RS256', kid: rsa.kid }, claims({ nbf }), rsa.privateKey)
  assert.ok(verifyToken(await at(NOW + 300), jwks, options))
  const e = rejects(await at(NOW + 301), 'ERR_TOKEN_NOT_YET_VALID')
  assert.deepEqual(e.details, { claim: 'nbf', nbf: NOW + 301, now: NOW })
  // nbf is optional.
  assert.ok(
    verifyToken(
      await joseToken({ alg: 'RS256', kid: rsa.kid }, claims({ nbf: undefined }), rsa.privateKey),
      jwks,
      options,
    ),
  )
})

test('required claims iss, sub, aud, exp; integer NumericDates; non-empty values', async () => {
  for (const claim of ['iss', 'sub', 'aud', 'exp']) {
    const t = await joseToken(
      { alg: 'RS256', kid: rsa.kid },
      claims({ [claim]: undefined }),
      rsa.privateKey,
    )
    const e = rejects(t, 'ERR_TOKEN_MISSING_CLAIM')
    assert.equal(e.details.claim, claim)
    assert.equal(e.message, `token has no "${claim}" claim`)
  }
  const invalid: Record<string, unknown>[] = [
    { exp: String(NOW + 3600) },
    { exp: NOW + 3600.5 },
    { nbf: 'now' },
    { iat: 1.5 },
    { aud: [] },
    { aud: 42 },
    { aud: ['sts.amazonaws.com', 7] },
    { iss: '' },
    { sub: { name: 'x' } },
  ]
  for (const over of invalid) {
    const t = await joseToken({ alg: 'RS256', kid: rsa.kid }, claims(over), rsa.privateKey)
    const e = rejects(t, 'ERR_TOKEN_INVALID_CLAIM')
    assert.equal(e.details.claim, Object.keys(over)[0])
  }
})

test('issuer and audience are checked when asked for', async () => {
  const t = await joseToken(
    { alg: 'RS256', kid: rsa.kid },
    claims({ iss: `${ISSUER}/` }),
    rsa.privateKey,
  )
  const e = rejects(t, 'ERR_TOKEN_ISSUER_MISMATCH')
  assert.equal(e.message, `token issuer is not ${ISSUER}`)
  assert.ok(verifyToken(t, jwks, { clock }))
  const aud = await joseToken(
    { alg: 'RS256', kid: rsa.kid },
    claims({ aud: ['vault', 'other'] }),
    rsa.privateKey,
  )
  rejects(aud, 'ERR_TOKEN_AUDIENCE_MISMATCH')
  assert.deepEqual(verifyToken(aud, jwks, { ...options, audiences: ['other'] }).audiences, [
    'vault',
    'other',
  ])
})

test('no rejection message contains the token or any part of it', () => {
  assert.ok(seen.length > 50, `only ${seen.length} rejections recorded`)
  for (const { token, error } of seen) {
    const msg = `${error.message} ${error.stack ?? ''}`
    for (const part of token.split('.').filter((x) => x.length >= 8))
      assert.equal(msg.includes(part), false, `${error.code} leaks a token part`)
    assert.equal(msg.includes('system:serviceaccount'), false, `${error.code} leaks the subject`)
    if (error.details.kid !== undefined && error.details.kid.length > 0)
      assert.equal(error.message.includes(error.details.kid), false, `${error.code} leaks the kid`)
  }
})
