/** Which requests the AWS endpoint hands to its S3 hook, from the head alone. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isS3Host, isS3Request } from '../../../src/aws/index.js'
import { unservedService } from '../../../src/aws/routing.js'

const h = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, [v]]))
const scoped = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`

test('S3 by credential scope, header or presigned; never a request scoped to another service', () => {
  const probe = (headers: Record<string, string>, path = '/', rawQuery = '', method = 'GET') =>
    isS3Request({ method, path, rawQuery, headers: h(headers) })
  assert.equal(probe({ host: '127.0.0.1', authorization: scoped('s3') }), true)
  assert.equal(
    probe(
      { host: '127.0.0.1' },
      '/b/k',
      'X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request',
    ),
    true,
  )
  assert.equal(probe({ host: 's3.localhost', authorization: scoped('sts') }, '/b/k'), false)
  assert.equal(probe({ host: '127.0.0.1', authorization: scoped('iam') }, '/b'), false)
})

test('S3 by host; unsigned bucket paths; not Query, JSON-target, form, EKS or root requests', () => {
  const probe = (headers: Record<string, string>, path = '/', rawQuery = '', method = 'GET') =>
    isS3Request({ method, path, rawQuery, headers: h(headers) })
  assert.equal(probe({ host: 's3.localhost:4566' }), true)
  assert.equal(probe({ host: 'bkt.s3.us-west-2.amazonaws.com' }), true)
  assert.equal(probe({ host: 'objects.test' }, '/', '', 'GET'), false)
  assert.equal(
    isS3Request({
      method: 'GET',
      path: '/',
      rawQuery: '',
      headers: h({ host: 'b.objects.test' }),
      hostSuffixes: ['objects.test'],
    }),
    true,
  )
  assert.equal(probe({ host: '127.0.0.1' }, '/bucket/key'), true)
  assert.equal(probe({ host: '127.0.0.1' }, '/'), false)
  assert.equal(probe({ host: '127.0.0.1' }, '/x', 'Action=GetCallerIdentity'), false)
  assert.equal(
    probe({ host: '127.0.0.1', 'x-amz-target': 'DynamoDB_20120810.ListTables' }, '/x'),
    false,
  )
  assert.equal(
    probe(
      { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' },
      '/x',
      '',
      'POST',
    ),
    false,
  )
  assert.equal(probe({ host: '127.0.0.1' }, '/clusters/demo'), false)
  assert.equal(probe({ host: '127.0.0.1' }, '/_irsa/health'), false)
  assert.equal(isS3Host('iam.amazonaws.com'), false)
  assert.equal(isS3Host('s3-us-west-2.amazonaws.com'), true)
})

test('s3 is unserved without the hook and served with it', () => {
  const headers = h({ authorization: scoped('s3') })
  assert.equal(unservedService(headers, ''), 's3')
  assert.equal(unservedService(headers, '', ['s3']), undefined)
  assert.equal(unservedService(h({ host: 'bkt.s3.amazonaws.com' }), '', ['s3']), undefined)
  assert.equal(unservedService(h({ authorization: scoped('dynamodb') }), '', ['s3']), 'dynamodb')
})
