import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isStoreError, type S3ObjectRecord } from '../../../src/store/index.js'
import { ACCOUNT, T0, fixture } from './helpers.js'

const bucket = (name: string) => ({
  name,
  accountId: ACCOUNT,
  region: 'eu-west-1',
  createdAt: T0,
  policy: undefined,
  publicAccessBlock: undefined,
  ownership: 'BucketOwnerEnforced' as const,
  acl: '{}',
})

const object = (key: string, dataFile: string): S3ObjectRecord => ({
  bucket: 'b-one',
  key,
  size: 1,
  etag: '"e"',
  contentType: 'text/plain',
  headers: '[]',
  metadata: '[]',
  lastModified: T0,
  checksum: undefined,
  partsCount: undefined,
  dataFile,
  ownerAccountId: ACCOUNT,
  acl: '{}',
  tags: '[]',
})

test('S3 buckets: create, conflict, unknown account, update, delete in use', (t) => {
  const { store } = fixture(t)
  store.s3Buckets.create(bucket('b-one'))
  assert.throws(
    () => store.s3Buckets.create(bucket('b-one')),
    (e) => isStoreError(e, 'ERR_STORE_CONFLICT'),
  )
  assert.throws(
    () => store.s3Buckets.create({ ...bucket('b-two'), accountId: '999999999999' }),
    (e) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
  const updated = store.s3Buckets.update('b-one', { policy: '{"p":1}', ownership: null })
  assert.equal(updated.policy, '{"p":1}')
  assert.equal(updated.ownership, undefined)
  assert.equal(store.s3Buckets.update('b-one', { policy: null }).policy, undefined)
  store.s3Objects.put(object('k', 'f1'))
  assert.throws(
    () => {
      store.s3Buckets.delete('b-one')
    },
    (e) => isStoreError(e, 'ERR_STORE_IN_USE'),
  )
  assert.equal(store.s3Objects.delete('b-one', 'k'), 'f1')
  store.s3Buckets.delete('b-one')
  assert.deepEqual(store.s3Buckets.list(ACCOUNT), [])
})

test('S3 objects list in byte order under a prefix, and report the files they free', (t) => {
  const { store } = fixture(t)
  store.s3Buckets.create(bucket('b-one'))
  for (const [k, f] of [
    ['b', 'f2'],
    ['a/2', 'f1'],
    ['a/1', 'f0'],
    ['Z', 'f3'],
  ] as const)
    store.s3Objects.put(object(k, f))
  assert.deepEqual(
    store.s3Objects.list('b-one', { prefix: '', after: '', limit: 10 }).map((o) => o.key),
    ['Z', 'a/1', 'a/2', 'b'],
  )
  assert.deepEqual(
    store.s3Objects.list('b-one', { prefix: 'a/', after: 'a/1', limit: 10 }).map((o) => o.key),
    ['a/2'],
  )
  assert.deepEqual(store.s3Objects.put(object('b', 'f9')), { replacedFile: 'f2' })
  assert.deepEqual([...store.s3Objects.dataFiles()].sort(), ['f0', 'f1', 'f3', 'f9'])
  store.s3Objects.createUpload({
    uploadId: 'u1',
    bucket: 'b-one',
    key: 'm',
    initiatedAt: T0,
    initiatorArn: 'arn',
    ownerAccountId: ACCOUNT,
    contentType: 'x',
    headers: '[]',
    metadata: '[]',
    checksumAlgorithm: undefined,
    acl: '{}',
    tags: '[]',
  })
  const part = {
    uploadId: 'u1',
    partNumber: 1,
    size: 1,
    etag: '"p"',
    lastModified: T0,
    checksum: undefined,
    dataFile: 'p1',
  }
  assert.deepEqual(store.s3Objects.putPart(part), { replacedFile: undefined })
  assert.deepEqual(store.s3Objects.putPart({ ...part, dataFile: 'p2' }), { replacedFile: 'p1' })
  assert.throws(
    () => store.s3Objects.putPart({ ...part, uploadId: 'nope' }),
    (e) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
  assert.equal(store.s3Objects.countInBucket('b-one'), 5)
  assert.deepEqual(store.s3Objects.completeUpload('u1', object('b', 'f10')), ['p2', 'f9'])
  assert.equal(store.s3Objects.getUpload('u1'), undefined)
  assert.equal(store.s3Objects.get('b-one', 'b')?.dataFile, 'f10')
})
