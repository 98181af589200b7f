/** The operation table and addressing: method, bucket/key, subresources, path and virtual hosts. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAwsError } from '../../../src/aws/index.js'
import { resolveOperation, resolveTarget, virtualHostBucket } from '../../../src/s3/index.js'

function op(method: string, target: string, copySource = false): string {
  const [path = '/', rawQuery = ''] = target.split('?')
  const t = resolveTarget(path, '127.0.0.1:4566', [])
  const query = new Map(new URLSearchParams(rawQuery))
  try {
    return resolveOperation({ method, bucket: t.bucket, key: t.key, query, copySource })
  } catch (e) {
    assert.ok(isAwsError(e))
    return `${e.code}: ${e.message}`
  }
}

test('every served operation from method, addressing and subresource', () => {
  const table: [string, string, string, boolean?][] = [
    ['GET', '/', 'ListBuckets'],
    ['PUT', '/b', 'CreateBucket'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['HEAD', '/b', 'HeadBucket'],
    ['GET', '/b?location', 'GetBucketLocation'],
    ['GET', '/b?list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', '/b?prefix=a', 'ListObjects'],
    ['PUT', '/b/k', 'PutObject'],
    ['GET', '/b/k', 'GetObject'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['POST', '/b?delete', 'DeleteObjects'],
    ['PUT', '/b/k', 'CopyObject', true],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
    ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
    ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
    ['GET', '/b/k?uploadId=u', 'ListParts'],
    ['GET', '/b?uploads', 'ListMultipartUploads'],
    ['GET', '/b?policy', 'GetBucketPolicy'],
    ['PUT', '/b?policy', 'PutBucketPolicy'],
    ['DELETE', '/b?policy', 'DeleteBucketPolicy'],
    ['GET', '/b?publicAccessBlock', 'GetPublicAccessBlock'],
    ['PUT', '/b?publicAccessBlock', 'PutPublicAccessBlock'],
    ['DELETE', '/b?publicAccessBlock', 'DeletePublicAccessBlock'],
    ['GET', '/b?ownershipControls', 'GetBucketOwnershipControls'],
    ['PUT', '/b?ownershipControls', 'PutBucketOwnershipControls'],
    ['DELETE', '/b?ownershipControls', 'DeleteBucketOwnershipControls'],
    ['GET', '/b/k?acl', 'GetObjectAcl'],
    ['PUT', '/b/k?acl', 'PutObjectAcl'],
    ['GET', '/b?acl', 'GetBucketAcl'],
    ['PUT', '/b?acl', 'PutBucketAcl'],
    ['GET', '/b/k?tagging', 'GetObjectTagging'],
    ['PUT', '/b/k?tagging', 'PutObjectTagging'],
    ['DELETE', '/b/k?tagging', 'DeleteObjectTagging'],
    ['PUT', '/b/k?x-id=PutObject', 'PutObject'],
    ['GET', '/b/k?response-content-type=text/plain&versionId=v', 'GetObject'],
  ]
  for (const [method, target, want, copy] of table)
    assert.equal(op(method, target, copy), want, `${method} ${target}`)
})

test('unserved subresources are NotImplemented naming the operation; a method with no operation is MethodNotAllowed', () => {
  assert.equal(
    op('GET', '/b?versioning'),
    'NotImplemented: The GetBucketVersioning operation is not implemented by irsa',
  )
  assert.equal(
    op('PUT', '/b?object-lock'),
    'NotImplemented: The PutBucketObjectLock operation is not implemented by irsa',
  )
  assert.equal(
    op('GET', '/b?tagging'),
    'NotImplemented: The GetBucketTagging operation is not implemented by irsa',
  )
  assert.equal(
    op('PUT', '/b/k?partNumber=1&uploadId=u', true),
    'NotImplemented: The UploadPartCopy operation is not implemented by irsa',
  )
  assert.match(op('POST', '/b/k'), /^MethodNotAllowed/)
  assert.match(op('PUT', '/'), /^MethodNotAllowed/)
})

test('path-style and virtual-hosted addressing; keys decoded exactly once', () => {
  assert.deepEqual(resolveTarget('/b/dir/a%20b%2Bc%2520', 'localhost:4566', []), {
    bucket: 'b',
    key: 'dir/a b+c%20',
    addressing: 'path',
  })
  assert.deepEqual(resolveTarget('/dir/k', 'my.bucket.s3.localhost:4566', ['s3.localhost']), {
    bucket: 'my.bucket',
    key: 'dir/k',
    addressing: 'virtual',
  })
  assert.deepEqual(resolveTarget('/', 'bkt.s3.us-west-2.amazonaws.com', []), {
    bucket: 'bkt',
    key: undefined,
    addressing: 'virtual',
  })
  assert.equal(virtualHostBucket('bkt.s3-us-west-2.amazonaws.com', []), 'bkt')
  assert.equal(virtualHostBucket('s3.us-west-2.amazonaws.com', []), undefined)
  assert.equal(virtualHostBucket('s3.localhost:4566', ['s3.localhost']), undefined)
  assert.equal(virtualHostBucket('b1.objects.test', ['objects.test']), 'b1')
  assert.equal(virtualHostBucket('127.0.0.1:4566', ['s3.localhost']), undefined)
  assert.deepEqual(resolveTarget('/', '127.0.0.1', []), {
    bucket: undefined,
    key: undefined,
    addressing: 'path',
  })
  assert.throws(
    () => resolveTarget('/b/%E0%A4%A', 'localhost', []),
    (e: unknown) => isAwsError(e, 'InvalidURI'),
  )
})
