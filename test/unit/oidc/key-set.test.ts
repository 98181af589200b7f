import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import {
  buildDiscovery,
  buildJwks,
  createKeySet,
  publishKey,
  publishedKeys,
  retireKey,
  signingKeyOf,
  startSigningWith,
  JWKS_CACHE_SECONDS,
  DEFAULT_KEEP_SECONDS,
  KeyRotationError,
} from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'

const newRsa = () =>
  describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
const newEc = () => describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
const T0 = 1_800_000_000_000
const S = 1000

test('a key set signs with its first key unless told; needs a key; drops duplicates', () => {
  const a = newRsa()
  const b = newEc()
  const set = createKeySet([a, b, a])
  assert.equal(set.signingKid, a.kid)
  assert.deepEqual(
    publishedKeys(set).map((k) => k.kid),
    [a.kid, b.kid],
  )
  assert.equal(signingKeyOf(createKeySet([a, b], { signingKid: b.kid })).kid, b.kid)
  assert.throws(() => createKeySet([]), KeyRotationError)
  assert.throws(() => createKeySet([a], { signingKid: b.kid }), /not among the published keys/)
})

test('rotation: publish, wait out the JWKS cache, sign, keep, retire', () => {
  const old = newRsa()
  const next = newEc()
  let set = createKeySet([old], { now: T0 })

  // 1. Publish the new key: both are in the JWKS; the old one still signs.
  set = publishKey(set, next, T0)
  assert.deepEqual(
    buildJwks(set).keys.map((k) => k.kid),
    [old.kid, next.kid],
  )
  assert.equal(set.signingKid, old.kid)
  assert.deepEqual(
    buildDiscovery({ issuer: 'https://i.example', keys: set })
      .id_token_signing_alg_values_supported,
    ['ES256', 'RS256'],
  )
  assert.equal(publishKey(set, next, T0 + S), set, 'publishing twice changes nothing')

  // 2. Signing with it before cached key sets expire is refused.
  assert.throws(
    () => startSigningWith(set, next.kid, { now: T0 + (JWKS_CACHE_SECONDS - 1) * S }),
    (e: unknown) => e instanceof KeyRotationError && /may sign after 3600 s/.test(e.message),
  )
  assert.throws(() => startSigningWith(set, newRsa().kid, { now: T0 }), /publish it first/)
  set = startSigningWith(set, next.kid, { now: T0 + JWKS_CACHE_SECONDS * S })
  assert.equal(set.signingKid, next.kid)
  assert.equal(
    set.keys.find((k) => k.key.kid === old.kid)?.signingEndedAt,
    T0 + JWKS_CACHE_SECONDS * S,
  )

  // 3. The old key stays published while tokens it signed may still be valid.
  const ended = T0 + JWKS_CACHE_SECONDS * S
  assert.throws(
    () => retireKey(set, next.kid, { now: ended + 10 * DEFAULT_KEEP_SECONDS * S }),
    /is the signing key/,
  )
  assert.throws(
    () => retireKey(set, old.kid, { now: ended + (DEFAULT_KEEP_SECONDS - 1) * S }),
    /keep it published for 86400 s/,
  )
  const shorter = retireKey(set, old.kid, { now: ended + 3600 * S, keepSeconds: 3600 })
  assert.deepEqual(
    publishedKeys(shorter).map((k) => k.kid),
    [next.kid],
  )
  set = retireKey(set, old.kid, { now: ended + DEFAULT_KEEP_SECONDS * S })
  assert.deepEqual(
    buildJwks(set).keys.map((k) => k.kid),
    [next.kid],
  )
  assert.equal(
    retireKey(set, old.kid, { now: ended }),
    set,
    'retiring an absent key changes nothing',
  )
})

test('a published key that never signed may be withdrawn at once', () => {
  const a = newRsa()
  const b = newRsa()
  const set = publishKey(createKeySet([a], { now: T0 }), b, T0)
  assert.deepEqual(
    publishedKeys(retireKey(set, b.kid, { now: T0 })).map((k) => k.kid),
    [a.kid],
  )
})

test('minPublishedSeconds 0 lets a fresh issuer sign at once', () => {
  const a = newRsa()
  const b = newRsa()
  const set = startSigningWith(publishKey(createKeySet([a], { now: T0 }), b, T0), b.kid, {
    now: T0,
    minPublishedSeconds: 0,
  })
  assert.equal(signingKeyOf(set).kid, b.kid)
  assert.equal(startSigningWith(set, b.kid, { now: T0 }), set)
})
