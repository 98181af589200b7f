import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isValidBucketName } from '../../../src/s3/index.js'
import {
  ACCOUNT,
  OTHER,
  REGION,
  body,
  caller,
  harness,
  makeBucket,
  rejectsWith,
  texts,
} from './harness.js'

test('bucket names follow S3’s rules', () => {
  for (const ok of ['abc', 'my.bucket-1', 'a'.repeat(63), '1bucket'])
    assert.equal(isValidBucketName(ok), true, ok)
  for (const bad of [
    'ab',
    'a'.repeat(64),
    'Upper',
    'under_score',
    '-start',
    'end-',
    'two..dots',
    '192.168.1.1',
    'xn--punycode',
    'sthree-x',
    'name-s3alias',
    'name--ol-s3',
  ])
    assert.equal(isValidBucketName(bad), false, bad)
})

test('CreateBucket makes a bucket with AWS’s defaults: BPA on, BucketOwnerEnforced', async (t) => {
  const h = harness(t)
  const r = await h.call('CreateBucket', {
    bucket: 'bucket-one',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
  })
  assert.equal(r.status, 200)
  assert.equal(r.headers.location, '/bucket-one')
  const b = h.store.s3Buckets.get('bucket-one')
  assert.ok(b !== undefined)
  assert.equal(b.accountId, ACCOUNT)
  assert.equal(b.region, REGION)
  assert.equal(b.ownership, 'BucketOwnerEnforced')
  const pab = await h.text('GetPublicAccessBlock', { bucket: 'bucket-one' })
  assert.deepEqual(texts(pab.text, 'BlockPublicAcls'), ['true'])
  assert.deepEqual(texts(pab.text, 'IgnorePublicAcls'), ['true'])
  assert.deepEqual(texts(pab.text, 'BlockPublicPolicy'), ['true'])
  assert.deepEqual(texts(pab.text, 'RestrictPublicBuckets'), ['true'])
  const oc = await h.text('GetBucketOwnershipControls', { bucket: 'bucket-one' })
  assert.deepEqual(texts(oc.text, 'ObjectOwnership'), ['BucketOwnerEnforced'])
})

test('CreateBucket refuses bad names and location constraints as S3 does', async (t) => {
  const h = harness(t)
  await rejectsWith(h.call('CreateBucket', { bucket: 'Bad_Name' }), 'InvalidBucketName')
  const e = await rejectsWith(
    h.call('CreateBucket', { bucket: 'no-constraint' }),
    'IllegalLocationConstraintException',
  )
  assert.match(e.message, /unspecified location constraint/)
  const other = await rejectsWith(
    h.call('CreateBucket', {
      bucket: 'other-region',
      body: '<CreateBucketConfiguration><LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>',
    }),
    'IllegalLocationConstraintException',
  )
  assert.match(other.message, /^The us-west-2 location constraint is incompatible/)
  await rejectsWith(
    h.call('CreateBucket', {
      bucket: 'east-named',
      region: 'us-east-1',
      body: '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
    }),
    'InvalidLocationConstraint',
  )
  await rejectsWith(
    h.call('CreateBucket', { bucket: 'bad-xml', body: '<CreateBucketConfiguration><Loc' }),
    'MalformedXML',
  )
  await rejectsWith(
    h.call('CreateBucket', {
      bucket: 'bad-ownership',
      headers: { 'x-amz-object-ownership': 'Nobody' },
      body: `<CreateBucketConfiguration><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
    }),
    'InvalidRequest',
  )
  assert.equal(h.store.s3Buckets.list(ACCOUNT).length, 0)
})

test('CreateBucket again: us-east-1 answers 200, elsewhere BucketAlreadyOwnedByYou; another account BucketAlreadyExists', async (t) => {
  const h = harness(t)
  const east = { bucket: 'east-bucket', region: 'us-east-1' }
  assert.equal((await h.call('CreateBucket', east)).status, 200)
  assert.equal((await h.call('CreateBucket', east)).status, 200)
  await makeBucket(h)
  await rejectsWith(makeBucket(h), 'BucketAlreadyOwnedByYou')
  await rejectsWith(
    h.call('CreateBucket', { ...east, caller: caller(OTHER, 'us-east-1') }),
    'BucketAlreadyExists',
  )
})

test('CreateBucket with x-amz-object-ownership and ACLs', async (t) => {
  const h = harness(t)
  await rejectsWith(
    makeBucket(h, 'enforced-acl', { 'x-amz-acl': 'public-read' }),
    'InvalidBucketAclWithObjectOwnership',
  )
  await makeBucket(h, 'private-ok', { 'x-amz-acl': 'private' })
  await makeBucket(h, 'writer', { 'x-amz-object-ownership': 'ObjectWriter' })
  assert.equal(h.store.s3Buckets.get('writer')?.ownership, 'ObjectWriter')
  await rejectsWith(
    makeBucket(h, 'writer-public', {
      'x-amz-object-ownership': 'ObjectWriter',
      'x-amz-acl': 'public-read',
    }),
    'AccessDenied',
  )
  await rejectsWith(makeBucket(h, 'bad-canned', { 'x-amz-acl': 'everyone' }), 'InvalidArgument')
})

test('ListBuckets lists the caller’s account’s buckets by name', async (t) => {
  const h = harness(t)
  await makeBucket(h, 'zeta-bucket')
  await makeBucket(h, 'alpha-bucket')
  await h.call('CreateBucket', {
    bucket: 'theirs',
    region: 'us-east-1',
    caller: caller(OTHER, 'us-east-1'),
  })
  const { result, text } = await h.text('ListBuckets')
  assert.equal(result.status, 200)
  assert.equal(result.headers['content-type'], 'application/xml')
  assert.match(
    text,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListAllMyBucketsResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/,
  )
  assert.deepEqual(texts(text, 'Name'), ['alpha-bucket', 'zeta-bucket'])
  assert.deepEqual(texts(text, 'CreationDate'), [
    '2026-01-01T00:00:00.000Z',
    '2026-01-01T00:00:00.000Z',
  ])
  assert.deepEqual(texts(text, 'ID'), [ACCOUNT])
})

test('HeadBucket, GetBucketLocation (null for us-east-1), NoSuchBucket', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const head = await h.call('HeadBucket', { bucket: 'bucket-one' })
  assert.equal(head.status, 200)
  assert.equal(head.headers['x-amz-bucket-region'], REGION)
  const loc = await h.text('GetBucketLocation', { bucket: 'bucket-one' })
  assert.match(loc.text, /<LocationConstraint xmlns="[^"]+">eu-west-1<\/LocationConstraint>$/)
  await h.call('CreateBucket', { bucket: 'east-bucket', region: 'us-east-1' })
  const east = await h.text('GetBucketLocation', { bucket: 'east-bucket' })
  assert.match(east.text, /<LocationConstraint xmlns="[^"]+"\/>$/)
  await rejectsWith(h.call('HeadBucket', { bucket: 'missing-bucket' }), 'NoSuchBucket')
  await rejectsWith(h.call('GetBucketLocation', { bucket: 'missing-bucket' }), 'NoSuchBucket')
})

test('DeleteBucket: 204, BucketNotEmpty with objects or uploads, NoSuchBucket after', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutObject', { bucket: 'bucket-one', key: 'k', body: body('x') })
  await rejectsWith(h.call('DeleteBucket', { bucket: 'bucket-one' }), 'BucketNotEmpty')
  await h.call('DeleteObject', { bucket: 'bucket-one', key: 'k' })
  const up = await h.text('CreateMultipartUpload', { bucket: 'bucket-one', key: 'm' })
  await rejectsWith(h.call('DeleteBucket', { bucket: 'bucket-one' }), 'BucketNotEmpty')
  await h.call('AbortMultipartUpload', {
    bucket: 'bucket-one',
    key: 'm',
    query: { uploadId: texts(up.text, 'UploadId')[0] ?? '' },
  })
  assert.equal((await h.call('DeleteBucket', { bucket: 'bucket-one' })).status, 204)
  await rejectsWith(h.call('DeleteBucket', { bucket: 'bucket-one' }), 'NoSuchBucket')
})
