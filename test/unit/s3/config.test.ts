import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createS3ResourceLookup } from '../../../src/s3/index.js'
import { ACCOUNT, OTHER, body, caller, harness, makeBucket, rejectsWith, texts } from './harness.js'

const B = 'bucket-one'
const PUBLIC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` },
  ],
})
const PRIVATE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${B}/*`,
    },
  ],
})

const PAB_OFF =
  '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>'

test('bucket policy: NoSuchBucketPolicy, validated put (204), get, delete; public refused under BlockPublicPolicy', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await rejectsWith(h.call('GetBucketPolicy', { bucket: B }), 'NoSuchBucketPolicy')
  await rejectsWith(h.call('PutBucketPolicy', { bucket: B, body: 'not json' }), 'MalformedPolicy')
  await rejectsWith(h.call('PutBucketPolicy', { bucket: B, body: PUBLIC }), 'AccessDenied')
  assert.equal((await h.call('PutBucketPolicy', { bucket: B, body: PRIVATE })).status, 204)
  const got = await h.text('GetBucketPolicy', { bucket: B })
  assert.equal(got.text, PRIVATE)
  assert.equal((await h.call('PutPublicAccessBlock', { bucket: B, body: PAB_OFF })).status, 200)
  assert.equal((await h.call('PutBucketPolicy', { bucket: B, body: PUBLIC })).status, 204)
  assert.equal((await h.call('DeleteBucketPolicy', { bucket: B })).status, 204)
  await rejectsWith(h.call('GetBucketPolicy', { bucket: B }), 'NoSuchBucketPolicy')
  await rejectsWith(
    h.call('PutBucketPolicy', { bucket: B, body: 'x'.repeat(20 * 1024 + 1) }),
    'MaxMessageLengthExceeded',
  )
})

test('Block Public Access: put (absent settings false), get, delete, NoSuchPublicAccessBlockConfiguration', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutPublicAccessBlock', {
    bucket: B,
    body: '<PublicAccessBlockConfiguration><BlockPublicPolicy>true</BlockPublicPolicy></PublicAccessBlockConfiguration>',
  })
  const got = await h.text('GetPublicAccessBlock', { bucket: B })
  assert.match(
    got.text,
    /<PublicAccessBlockConfiguration xmlns="[^"]+"><BlockPublicAcls>false<\/BlockPublicAcls><IgnorePublicAcls>false<\/IgnorePublicAcls><BlockPublicPolicy>true<\/BlockPublicPolicy><RestrictPublicBuckets>false<\/RestrictPublicBuckets><\/PublicAccessBlockConfiguration>$/,
  )
  await rejectsWith(h.call('PutPublicAccessBlock', { bucket: B, body: '<Wrong/>' }), 'MalformedXML')
  await rejectsWith(
    h.call('PutPublicAccessBlock', {
      bucket: B,
      body: '<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>',
    }),
    'MalformedXML',
  )
  assert.equal((await h.call('DeletePublicAccessBlock', { bucket: B })).status, 204)
  await rejectsWith(
    h.call('GetPublicAccessBlock', { bucket: B }),
    'NoSuchPublicAccessBlockConfiguration',
  )
  const lookup = createS3ResourceLookup(h.ops.records)
  assert.equal(lookup.bucket(B)?.publicAccessBlock, undefined)
})

test('ownership controls: get, put, delete, OwnershipControlsNotFoundError, MalformedXML', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const put = (v: string) =>
    h.call('PutBucketOwnershipControls', {
      bucket: B,
      body: `<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>${v}</ObjectOwnership></Rule></OwnershipControls>`,
    })
  assert.equal((await put('BucketOwnerPreferred')).status, 200)
  const got = await h.text('GetBucketOwnershipControls', { bucket: B })
  assert.match(
    got.text,
    /<OwnershipControls xmlns="[^"]+"><Rule><ObjectOwnership>BucketOwnerPreferred<\/ObjectOwnership><\/Rule><\/OwnershipControls>$/,
  )
  await rejectsWith(put('Everyone'), 'MalformedXML')
  assert.equal((await h.call('DeleteBucketOwnershipControls', { bucket: B })).status, 204)
  await rejectsWith(
    h.call('GetBucketOwnershipControls', { bucket: B }),
    'OwnershipControlsNotFoundError',
  )
})

test('ACLs under BucketOwnerEnforced: only private or bucket-owner-full-control', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await rejectsWith(
    h.call('PutObject', {
      bucket: B,
      key: 'k',
      body: body('x'),
      headers: { 'x-amz-acl': 'public-read' },
    }),
    'AccessControlListNotSupported',
  )
  await h.call('PutObject', {
    bucket: B,
    key: 'k',
    body: body('x'),
    headers: { 'x-amz-acl': 'bucket-owner-full-control' },
  })
  await rejectsWith(
    h.call('PutObjectAcl', { bucket: B, key: 'k', headers: { 'x-amz-acl': 'public-read' } }),
    'AccessControlListNotSupported',
  )
  await rejectsWith(
    h.call('PutBucketAcl', { bucket: B, headers: { 'x-amz-acl': 'authenticated-read' } }),
    'AccessControlListNotSupported',
  )
  assert.equal(
    (await h.call('PutBucketAcl', { bucket: B, headers: { 'x-amz-acl': 'private' } })).status,
    200,
  )
  const acl = await h.text('GetObjectAcl', { bucket: B, key: 'k' })
  assert.match(
    acl.text,
    /^<\?xml[^>]+>\n<AccessControlPolicy xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Owner><ID>111122223333<\/ID>/,
  )
  assert.match(
    acl.text,
    /<Grantee xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xsi:type="CanonicalUser"><ID>111122223333<\/ID>/,
  )
  assert.deepEqual(texts(acl.text, 'Permission'), ['FULL_CONTROL'])
})

test('ACLs under ObjectWriter: grants kept, a public one refused under BlockPublicAcls', async (t) => {
  const h = harness(t)
  await makeBucket(h, B, { 'x-amz-object-ownership': 'ObjectWriter' })
  await h.call('PutObject', { bucket: B, key: 'k', body: body('x') })
  await rejectsWith(
    h.call('PutObjectAcl', { bucket: B, key: 'k', headers: { 'x-amz-acl': 'public-read' } }),
    'AccessDenied',
  )
  await h.call('PutPublicAccessBlock', { bucket: B, body: PAB_OFF })
  await h.call('PutObjectAcl', { bucket: B, key: 'k', headers: { 'x-amz-acl': 'public-read' } })
  const acl = await h.text('GetObjectAcl', { bucket: B, key: 'k' })
  assert.deepEqual(texts(acl.text, 'URI'), ['http://acs.amazonaws.com/groups/global/AllUsers'])
  assert.deepEqual(texts(acl.text, 'Permission'), ['FULL_CONTROL', 'READ'])
  const lookup = createS3ResourceLookup(h.ops.records)
  assert.deepEqual(
    lookup.object(B, 'k')?.acl.grants.map((g) => g.grantee.kind),
    ['Account', 'AllUsers'],
  )
  assert.equal(lookup.object(B, 'missing'), undefined)
  // An AccessControlPolicy body.
  const doc = `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${ACCOUNT}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${OTHER}</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`
  assert.equal((await h.call('PutBucketAcl', { bucket: B, body: doc })).status, 200)
  const bucketAcl = await h.text('GetBucketAcl', { bucket: B })
  assert.deepEqual(texts(bucketAcl.text, 'ID'), [ACCOUNT, OTHER])
  assert.deepEqual(lookup.bucket(B)?.acl.grants, [
    { grantee: { kind: 'Account', accountId: OTHER }, permission: 'READ' },
  ])
  await rejectsWith(
    h.call('PutBucketAcl', {
      bucket: B,
      body: '<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
    }),
    'MalformedXML',
  )
})

test('BucketOwnerPreferred: bucket-owner-full-control makes the bucket owner own another account’s object', async (t) => {
  const h = harness(t)
  await makeBucket(h, B, { 'x-amz-object-ownership': 'BucketOwnerPreferred' })
  await h.call('PutObject', { bucket: B, key: 'theirs', body: body('x'), caller: caller(OTHER) })
  await h.call('PutObject', {
    bucket: B,
    key: 'ours',
    body: body('x'),
    caller: caller(OTHER),
    headers: { 'x-amz-acl': 'bucket-owner-full-control' },
  })
  assert.equal(h.store.s3Objects.get(B, 'theirs')?.ownerAccountId, OTHER)
  assert.equal(h.store.s3Objects.get(B, 'ours')?.ownerAccountId, ACCOUNT)
})

test('object tagging: put, get, delete (204), InvalidTag, NoSuchKey', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutObject', { bucket: B, key: 'k', body: body('x') })
  const tagging = (tags: [string, string][]) =>
    `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('')}</TagSet></Tagging>`
  assert.equal(
    (
      await h.call('PutObjectTagging', {
        bucket: B,
        key: 'k',
        body: tagging([
          ['env', 'prod'],
          ['team', ''],
        ]),
      })
    ).status,
    200,
  )
  const got = await h.text('GetObjectTagging', { bucket: B, key: 'k' })
  assert.match(
    got.text,
    /<Tagging xmlns="[^"]+"><TagSet><Tag><Key>env<\/Key><Value>prod<\/Value><\/Tag><Tag><Key>team<\/Key><Value\/><\/Tag><\/TagSet><\/Tagging>$/,
  )
  assert.deepEqual(createS3ResourceLookup(h.ops.records).object(B, 'k')?.tags, [
    { key: 'env', value: 'prod' },
    { key: 'team', value: '' },
  ])
  await rejectsWith(
    h.call('PutObjectTagging', {
      bucket: B,
      key: 'k',
      body: tagging([
        ['a', '1'],
        ['a', '2'],
      ]),
    }),
    'InvalidTag',
  )
  await rejectsWith(
    h.call('PutObjectTagging', { bucket: B, key: 'k', body: '<Tagging/>' }),
    'MalformedXML',
  )
  assert.equal((await h.call('DeleteObjectTagging', { bucket: B, key: 'k' })).status, 204)
  assert.match((await h.text('GetObjectTagging', { bucket: B, key: 'k' })).text, /<TagSet\/>/)
  await rejectsWith(h.call('GetObjectTagging', { bucket: B, key: 'nope' }), 'NoSuchKey')
})
