import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, loadSigningKey } from '../../../src/token/index.js'
import {
  StoreInUseError,
  isStoreError,
  readPrivateFile,
  writePrivateFile,
  type NewClusterKey,
} from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, fixture } from './helpers.js'

const REGION = 'us-west-2'
const ISSUER_ID = '0123456789ABCDEF0123456789ABCDEF'

function newKey(): NewClusterKey {
  const { privatePem, publicPem } = generateKeyPair('ec')
  const info = loadSigningKey(privatePem)
  return { kid: info.kid, alg: info.alg, publicPem, privatePem }
}

test('create builds the EKS ARN and the issuer URL from the issuer id', (t) => {
  const { store } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'local',
    issuerId: ISSUER_ID,
    issuerUrl: (id) => `https://127.0.0.1:8443/id/${id}`,
  })
  assert.deepEqual(c, {
    accountId: ACCOUNT,
    region: REGION,
    name: 'local',
    arn: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/local`,
    issuerId: ISSUER_ID,
    issuerUrl: `https://127.0.0.1:8443/id/${ISSUER_ID}`,
    createdAt: T0,
  })
  assert.deepEqual(store.clusters.get(ACCOUNT, REGION, 'local'), c)
  assert.deepEqual(store.clusters.getByArn(c.arn), c)
  assert.deepEqual(store.clusters.getByIssuerId(ISSUER_ID), c)
  const generated = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'second',
    issuerUrl: 'https://example.com/fixed',
  })
  assert.match(generated.issuerId, /^[0-9A-F]{32}$/)
  assert.notEqual(generated.issuerId, ISSUER_ID)
  assert.equal(generated.issuerUrl, 'https://example.com/fixed')
  assert.equal(
    store.clusters.setIssuerUrl(generated.arn, 'https://x/id/1').issuerUrl,
    'https://x/id/1',
  )
})

test('names are unique per account and region; issuer ids are unique and 32 upper hex', (t) => {
  const { store } = fixture(t, { accounts: [ACCOUNT, OTHER_ACCOUNT] })
  const base = { accountId: ACCOUNT, region: REGION, name: 'c', issuerUrl: 'https://i' }
  store.clusters.create({ ...base, issuerId: ISSUER_ID })
  assert.throws(
    () => store.clusters.create(base),
    (e: unknown) =>
      isStoreError(e, 'ERR_STORE_CONFLICT') && e.entity === 'cluster' && e.key === 'c',
  )
  assert.throws(
    () => store.clusters.create({ ...base, name: 'd', issuerId: ISSUER_ID }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT'),
  )
  store.clusters.create({ ...base, region: 'eu-west-1' })
  store.clusters.create({ ...base, accountId: OTHER_ACCOUNT })
  for (const bad of ['0123456789abcdef0123456789abcdef', 'XYZ', `${ISSUER_ID}0`])
    assert.throws(
      () => store.clusters.create({ ...base, name: 'e', issuerId: bad }),
      (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
      bad,
    )
  assert.deepEqual(
    store.clusters.list().map((c) => [c.accountId, c.region]),
    [
      [ACCOUNT, REGION],
      [ACCOUNT, 'eu-west-1'],
      [OTHER_ACCOUNT, REGION],
    ].sort((a, b) => (a.join() < b.join() ? -1 : 1)),
  )
  assert.equal(store.clusters.list({ accountId: ACCOUNT }).length, 2)
  assert.equal(store.clusters.list({ accountId: ACCOUNT, region: 'eu-west-1' }).length, 1)
  assert.equal(store.clusters.list({ region: REGION }).length, 2)
})

test('signing keys: the private PEM goes to a 0600 file, never into the database', (t) => {
  const { store, dir } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'local',
    issuerId: ISSUER_ID,
    issuerUrl: 'https://i',
  })
  const k = newKey()
  const added = store.clusters.addKey(c.arn, k, { signing: true })
  assert.deepEqual(added, {
    clusterArn: c.arn,
    kid: k.kid,
    alg: 'ES256',
    publicPem: k.publicPem,
    publishedAt: T0,
    signingStartedAt: T0,
    current: true,
  })
  const file = store.clusters.privateKeyPath(c, k.kid)
  assert.equal(file, join(dir, 'keys', 'clusters', ISSUER_ID, `${k.kid}.pem`))
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700)
  assert.equal(statSync(join(dir, 'keys', 'clusters', ISSUER_ID)).mode & 0o777, 0o700)
  assert.equal(store.clusters.readPrivateKey(c.arn, k.kid), k.privatePem)
  assert.deepEqual(
    readdirSync(join(dir, 'keys', 'clusters', ISSUER_ID)),
    [`${k.kid}.pem`],
    'no temp files left',
  )
  // The database file holds the public key but no private key material.
  store.checkpoint()
  const body = k.privatePem.split('\n')[1] ?? ''
  assert.ok(body.length > 20)
  const raw = readFileSync(store.path, 'latin1')
  assert.ok(!raw.includes(body), 'private key found in the database file')
  assert.ok(raw.includes(k.publicPem.split('\n')[1] ?? '-'), 'the public key is in the database')
})

test('rotation: publish, start signing, the old key keeps publishing, retire deletes its file', (t) => {
  const { store, clock } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'c',
    issuerUrl: 'https://i',
  })
  const k1 = newKey()
  const k2 = newKey()
  store.clusters.addKey(c.arn, k1, { signing: true })
  clock.advance(1000)
  const published = store.clusters.addKey(c.arn, k2)
  assert.equal(published.current, false)
  assert.equal(published.signingStartedAt, undefined)
  assert.equal(store.clusters.signingKey(c.arn)?.kid, k1.kid)
  clock.advance(3_600_000)
  const now = store.clusters.startSigning(c.arn, k2.kid)
  assert.equal(now.current, true)
  assert.equal(now.signingStartedAt, T0 + 3_601_000)
  assert.equal(
    store.clusters.startSigning(c.arn, k2.kid).signingStartedAt,
    now.signingStartedAt,
    'idempotent',
  )
  const [old, cur] = store.clusters.listKeys(c.arn)
  assert.deepEqual(
    [old?.kid, old?.current, old?.signingEndedAt, cur?.kid, cur?.current],
    [k1.kid, false, T0 + 3_601_000, k2.kid, true],
  )
  assert.throws(
    () => {
      store.clusters.retireKey(c.arn, k2.kid)
    },
    (e: unknown) => e instanceof StoreInUseError && e.reason === 'signing-key' && e.key === k2.kid,
  )
  const oldFile = store.clusters.privateKeyPath(c, k1.kid)
  clock.advance(86_400_000)
  store.clusters.retireKey(c.arn, k1.kid)
  store.clusters.retireKey(c.arn, k1.kid)
  assert.equal(existsSync(oldFile), false, 'a retired key`s private file is deleted')
  assert.deepEqual(
    store.clusters.listKeys(c.arn).map((k) => k.kid),
    [k2.kid],
  )
  const all = store.clusters.listKeys(c.arn, { includeRetired: true })
  assert.deepEqual(
    all.map((k) => [k.kid, k.retiredAt]),
    [
      [k1.kid, T0 + 3_601_000 + 86_400_000],
      [k2.kid, undefined],
    ],
  )
  assert.throws(
    () => store.clusters.readPrivateKey(c.arn, k1.kid),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
  assert.throws(
    () => store.clusters.startSigning(c.arn, k1.kid),
    (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
  )
})

test('keys: a duplicate kid is a conflict and does not touch the file; bad kids never reach the disk', (t) => {
  const { store, dir } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'c',
    issuerUrl: 'https://i',
  })
  const k = newKey()
  store.clusters.addKey(c.arn, k)
  assert.throws(
    () => store.clusters.addKey(c.arn, { ...k, privatePem: 'something else' }),
    (e: unknown) =>
      isStoreError(e, 'ERR_STORE_CONFLICT') && e.entity === 'signingKey' && e.key === k.kid,
  )
  assert.equal(store.clusters.readPrivateKey(c.arn, k.kid), k.privatePem)
  for (const kid of ['../../escape', 'a/b', '', 'x'.repeat(129), 'sp ace'])
    assert.throws(
      () => store.clusters.addKey(c.arn, { ...k, kid }),
      (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
      kid,
    )
  assert.deepEqual(readdirSync(join(dir, 'keys', 'clusters', c.issuerId)), [`${k.kid}.pem`])
  assert.equal(
    store.clusters.signingKey(c.arn),
    undefined,
    'a key added without signing does not sign',
  )
  assert.throws(
    () => store.clusters.addKey('arn:aws:eks:us-west-2:111122223333:cluster/none', newKey()),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'cluster',
  )
})

test('a missing private key file is an I/O error naming the file, not a crash', (t) => {
  const { store } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'c',
    issuerUrl: 'https://i',
  })
  const k = newKey()
  store.clusters.addKey(c.arn, k, { signing: true })
  const file = store.clusters.privateKeyPath(c, k.kid)
  rmSync(file)
  assert.throws(
    () => store.clusters.readPrivateKey(c.arn, k.kid),
    (e: unknown) => isStoreError(e, 'ERR_STORE_IO') && e.message.includes(file),
  )
})

test('delete removes the cluster, its keys and its key directory; keys survive reopening', (t) => {
  const { store, dir, reopen } = fixture(t)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'c',
    issuerUrl: 'https://i',
  })
  const k = newKey()
  store.clusters.addKey(c.arn, k, { signing: true })
  store.close()
  const again = reopen()
  assert.equal(again.clusters.signingKey(c.arn)?.kid, k.kid)
  assert.equal(again.clusters.readPrivateKey(c.arn, k.kid), k.privatePem)
  again.clusters.delete(c.arn)
  assert.equal(again.clusters.getByArn(c.arn), undefined)
  assert.equal(existsSync(join(dir, 'keys', 'clusters', c.issuerId)), false)
  assert.throws(
    () => {
      again.clusters.delete(c.arn)
    },
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
  assert.deepEqual(again.check(), [])
})

test('writePrivateFile writes atomically with mode 0600 and replaces; readPrivateFile reads or says missing', (t) => {
  const { dir } = fixture(t)
  const file = join(dir, 'secrets', 'nested', 'ca-key.pem')
  assert.equal(readPrivateFile(file), undefined)
  writePrivateFile(file, 'one')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  assert.equal(statSync(join(dir, 'secrets', 'nested')).mode & 0o777, 0o700)
  writePrivateFile(file, 'two')
  assert.equal(readPrivateFile(file), 'two')
  assert.deepEqual(readdirSync(join(dir, 'secrets', 'nested')), ['ca-key.pem'])
})
