/**
 * The S3 operations' documents and headers against boto3 and the AWS CLI (`aws s3`) as
 * the oracles: a test-only HTTP shim (path-style, no SigV4, a fixed caller: the wire is
 * another component's) routes each request to its handler, and a Python script drives
 * boto3 through buckets, objects,
 * listings, ranges, conditionals, copies, multipart and configuration, printing what
 * boto3 parsed. If a document's shape were wrong, botocore would fail to parse it or
 * parse the wrong values.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { escapeXml, isAwsError } from '../../src/aws/index.js'
import type { S3Body, S3Operation } from '../../src/s3/index.js'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { awsCli, boto3, runProcess } from '../helpers/tools.js'
import { caller, harness, tempDir, type Harness } from '../unit/s3/harness.js'

function operationOf(
  method: string,
  path: string,
  q: URLSearchParams,
  h: IncomingMessage,
): S3Operation {
  const [bucket, ...rest] = path.slice(1).split('/')
  const key = rest.join('/')
  if (bucket === undefined || bucket === '') return 'ListBuckets'
  const has = (n: string) => q.has(n)
  if (key === '') {
    const bucketOps: [string, string, S3Operation][] = [
      ['GET', 'location', 'GetBucketLocation'],
      ['GET', 'uploads', 'ListMultipartUploads'],
      ['GET', 'policy', 'GetBucketPolicy'],
      ['PUT', 'policy', 'PutBucketPolicy'],
      ['DELETE', 'policy', 'DeleteBucketPolicy'],
      ['GET', 'publicAccessBlock', 'GetPublicAccessBlock'],
      ['PUT', 'publicAccessBlock', 'PutPublicAccessBlock'],
      ['DELETE', 'publicAccessBlock', 'DeletePublicAccessBlock'],
      ['DELETE', 'ownershipControls', 'DeleteBucketOwnershipControls'],
      ['GET', 'ownershipControls', 'GetBucketOwnershipControls'],
      ['PUT', 'ownershipControls', 'PutBucketOwnershipControls'],
      ['GET', 'acl', 'GetBucketAcl'],
      ['PUT', 'acl', 'PutBucketAcl'],
      ['POST', 'delete', 'DeleteObjects'],
    ]
    const hit = bucketOps.find(([m, p]) => m === method && has(p))
    if (hit !== undefined) return hit[2]
    if (method === 'GET') return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects'
    if (method === 'PUT') return 'CreateBucket'
    if (method === 'HEAD') return 'HeadBucket'
    return 'DeleteBucket'
  }
  if (has('tagging'))
    return method === 'GET'
      ? 'GetObjectTagging'
      : method === 'PUT'
        ? 'PutObjectTagging'
        : 'DeleteObjectTagging'
  if (has('acl')) return method === 'GET' ? 'GetObjectAcl' : 'PutObjectAcl'
  if (method === 'POST') return has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload'
  if (method === 'PUT')
    return has('partNumber')
      ? 'UploadPart'
      : h.headers['x-amz-copy-source'] !== undefined
        ? 'CopyObject'
        : 'PutObject'
  if (method === 'GET') return has('uploadId') ? 'ListParts' : 'GetObject'
  if (method === 'HEAD') return 'HeadObject'
  return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject'
}

async function bodyOf(req: IncomingMessage): Promise<S3Body> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const data = Buffer.concat(chunks)
  return {
    length: data.length,
    checksum: () => undefined,
    md5Hex: () => createHash('md5').update(data).digest('hex'),
    async *[Symbol.asyncIterator]() {
      await Promise.resolve()
      yield data
    },
  }
}

async function serve(h: Harness, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const parts = url.pathname.slice(1).split('/')
  const bucket = parts[0] === '' ? undefined : decodeURIComponent(parts[0] ?? '')
  const key = parts.length > 1 ? decodeURIComponent(parts.slice(1).join('/')) : undefined
  const op = operationOf(req.method ?? 'GET', url.pathname, url.searchParams, req)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
  try {
    const r = await h.call(op, {
      ...(bucket === undefined ? {} : { bucket }),
      ...(key === undefined || key === '' ? {} : { key }),
      headers,
      query: Object.fromEntries(url.searchParams),
      body: await bodyOf(req),
      region: 'eu-west-1',
      caller: caller(),
    })
    res.writeHead(
      r.status,
      Object.fromEntries(Object.entries(r.headers).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
    )
    const b = r.body
    if (b === undefined || req.method === 'HEAD') res.end()
    else if (typeof b === 'string' || b instanceof Uint8Array) res.end(b)
    else {
      for await (const c of b) res.write(c)
      res.end()
    }
  } catch (e) {
    if (!isAwsError(e)) throw e
    res.writeHead(e.status, { 'content-type': 'application/xml' })
    res.end(
      req.method === 'HEAD'
        ? undefined
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message><RequestId>req</RequestId></Error>`,
    )
  }
}

const SCRIPT = String.raw`
import json, sys, hashlib, boto3, botocore
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='eu-west-1',
    aws_access_key_id='AKIAIOSFODNN7EXAMPLE', aws_secret_access_key='x'*40,
    config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
out = {}
def err(fn):
    try:
        fn(); return None
    except botocore.exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']]
B = 'oracle-bucket'
s3.create_bucket(Bucket=B, CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})
out['createAgain'] = err(lambda: s3.create_bucket(Bucket=B, CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'}))
out['buckets'] = [(b['Name'], b['CreationDate'].isoformat()) for b in s3.list_buckets()['Buckets']]
out['location'] = s3.get_bucket_location(Bucket=B)['LocationConstraint']
out['headBucketRegion'] = s3.head_bucket(Bucket=B)['ResponseMetadata']['HTTPHeaders']['x-amz-bucket-region']
for k in ['a/1', 'a/2', 'b', 'c d+e']:
    s3.put_object(Bucket=B, Key=k, Body=k.encode(), ContentType='text/plain', Metadata={'m': 'v'}, Tagging='t=1')
p = s3.put_object(Bucket=B, Key='obj', Body=b'0123456789')
out['putEtag'] = p['ETag']
g = s3.get_object(Bucket=B, Key='a/1')
out['get'] = [g['Body'].read().decode(), g['ContentType'], g['Metadata'], g['ContentLength'], g['TagCount']]
r = s3.get_object(Bucket=B, Key='obj', Range='bytes=2-4')
out['range'] = [r['Body'].read().decode(), r['ContentRange'], r['ResponseMetadata']['HTTPStatusCode']]
out['badRange'] = err(lambda: s3.get_object(Bucket=B, Key='obj', Range='bytes=50-'))
out['notModified'] = err(lambda: s3.get_object(Bucket=B, Key='obj', IfNoneMatch=p['ETag']))
out['preconditionFailed'] = err(lambda: s3.get_object(Bucket=B, Key='obj', IfMatch='"nope"'))
out['noKey'] = err(lambda: s3.get_object(Bucket=B, Key='missing'))
out['headMissing'] = err(lambda: s3.head_object(Bucket=B, Key='missing'))
v2 = s3.list_objects_v2(Bucket=B, Delimiter='/')
out['v2'] = [[c['Key'] for c in v2.get('Contents', [])], [c['Prefix'] for c in v2.get('CommonPrefixes', [])], v2['KeyCount'], v2['IsTruncated']]
pages = [[o['Key'] for o in pg.get('Contents', [])] for pg in s3.get_paginator('list_objects_v2').paginate(Bucket=B, PaginationConfig={'PageSize': 2})]
out['v2pages'] = pages
v1 = s3.list_objects(Bucket=B, Prefix='a/', MaxKeys=1)
out['v1'] = [[c['Key'] for c in v1['Contents']], v1['IsTruncated'], v1['Contents'][0]['Owner']['ID']]
enc = s3.list_objects_v2(Bucket=B, Prefix='c ')
out['encoded'] = [c['Key'] for c in enc['Contents']]
c = s3.copy_object(Bucket=B, Key='copy', CopySource={'Bucket': B, 'Key': 'c d+e'})
out['copy'] = [c['CopyObjectResult']['ETag'], s3.get_object(Bucket=B, Key='copy')['Body'].read().decode()]
out['copySelf'] = err(lambda: s3.copy_object(Bucket=B, Key='obj', CopySource={'Bucket': B, 'Key': 'obj'}))
d = s3.delete_objects(Bucket=B, Delete={'Objects': [{'Key': 'copy'}, {'Key': 'nothing'}]})
out['deleted'] = sorted(x['Key'] for x in d['Deleted'])
out['deleteMissing'] = s3.delete_object(Bucket=B, Key='nothing')['ResponseMetadata']['HTTPStatusCode']
up = s3.create_multipart_upload(Bucket=B, Key='mp', ContentType='video/mp4')
p1 = b'a' * (5 * 1024 * 1024)
e1 = s3.upload_part(Bucket=B, Key='mp', UploadId=up['UploadId'], PartNumber=1, Body=p1)['ETag']
e2 = s3.upload_part(Bucket=B, Key='mp', UploadId=up['UploadId'], PartNumber=2, Body=b'tail')['ETag']
lp = s3.list_parts(Bucket=B, Key='mp', UploadId=up['UploadId'])
out['parts'] = [[x['PartNumber'], x['Size']] for x in lp['Parts']]
out['uploads'] = [u['Key'] for u in s3.list_multipart_uploads(Bucket=B)['Uploads']]
done = s3.complete_multipart_upload(Bucket=B, Key='mp', UploadId=up['UploadId'],
    MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 2, 'ETag': e2}]})
out['mpEtag'] = done['ETag']
out['mpExpected'] = '"' + hashlib.md5(bytes.fromhex(e1.strip('"')) + bytes.fromhex(e2.strip('"'))).hexdigest() + '-2"'
h = s3.head_object(Bucket=B, Key='mp')
out['mpHead'] = [h['ContentLength'], h['ContentType']]
out['noUpload'] = err(lambda: s3.abort_multipart_upload(Bucket=B, Key='mp', UploadId=up['UploadId']))
out['pab'] = s3.get_public_access_block(Bucket=B)['PublicAccessBlockConfiguration']
out['ownership'] = s3.get_bucket_ownership_controls(Bucket=B)['OwnershipControls']['Rules'][0]['ObjectOwnership']
out['noPolicy'] = err(lambda: s3.get_bucket_policy(Bucket=B))
pol = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::444455556666:root'}, 'Action': 's3:GetObject', 'Resource': 'arn:aws:s3:::' + B + '/*'}]})
s3.put_bucket_policy(Bucket=B, Policy=pol)
out['policy'] = s3.get_bucket_policy(Bucket=B)['Policy'] == pol
acl = s3.get_object_acl(Bucket=B, Key='obj')
out['acl'] = [acl['Owner']['ID'], [(g['Grantee']['Type'], g['Permission']) for g in acl['Grants']]]
out['aclRefused'] = err(lambda: s3.put_object_acl(Bucket=B, Key='obj', ACL='public-read'))
s3.put_object_tagging(Bucket=B, Key='obj', Tagging={'TagSet': [{'Key': 'env', 'Value': 'prod'}]})
out['tags'] = s3.get_object_tagging(Bucket=B, Key='obj')['TagSet']
s3.put_bucket_ownership_controls(Bucket=B, OwnershipControls={'Rules': [{'ObjectOwnership': 'ObjectWriter'}]})
s3.delete_public_access_block(Bucket=B)
out['noPab'] = err(lambda: s3.get_public_access_block(Bucket=B))
out['notEmpty'] = err(lambda: s3.delete_bucket(Bucket=B))
print(json.dumps(out))
`

test('boto3 parses every operation’s answer as S3’s', async (t) => {
  const skip = boto3().skip
  if (skip !== false) {
    t.skip(skip)
    return
  }
  const h = harness(t)
  const server = createServer((req, res) => {
    void serve(h, req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const { port } = server.address() as AddressInfo
  const r = await runProcess('python3', ['-c', SCRIPT, `http://127.0.0.1:${String(port)}`], {
    env: {
      ...process.env,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  })
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout) as Record<string, unknown>
  assert.deepEqual(out.createAgain, ['BucketAlreadyOwnedByYou', 409])
  assert.deepEqual(out.buckets, [['oracle-bucket', '2026-01-01T00:00:00+00:00']])
  assert.equal(out.location, 'eu-west-1')
  assert.equal(out.headBucketRegion, 'eu-west-1')
  assert.equal(out.putEtag, `"${createHash('md5').update('0123456789').digest('hex')}"`)
  assert.deepEqual(out.get, ['a/1', 'text/plain', { m: 'v' }, 3, 1])
  assert.deepEqual(out.range, ['234', 'bytes 2-4/10', 206])
  assert.deepEqual(out.badRange, ['InvalidRange', 416])
  assert.deepEqual(out.notModified, ['304', 304])
  assert.deepEqual(out.preconditionFailed, ['PreconditionFailed', 412])
  assert.deepEqual(out.noKey, ['NoSuchKey', 404])
  assert.deepEqual(out.headMissing, ['404', 404])
  assert.deepEqual(out.v2, [['b', 'c d+e', 'obj'], ['a/'], 4, false])
  assert.deepEqual(out.v2pages, [['a/1', 'a/2'], ['b', 'c d+e'], ['obj']])
  assert.deepEqual(out.v1, [['a/1'], true, '111122223333'])
  assert.deepEqual(out.encoded, ['c d+e'], 'boto3 asks encoding-type=url and decodes')
  assert.deepEqual(out.copy, [`"${createHash('md5').update('c d+e').digest('hex')}"`, 'c d+e'])
  assert.deepEqual(out.copySelf, ['InvalidRequest', 400])
  assert.deepEqual(out.deleted, ['copy', 'nothing'])
  assert.equal(out.deleteMissing, 204)
  assert.deepEqual(out.parts, [
    [1, 5 * 1024 * 1024],
    [2, 4],
  ])
  assert.deepEqual(out.uploads, ['mp'])
  assert.equal(out.mpEtag, out.mpExpected)
  assert.deepEqual(out.mpHead, [5 * 1024 * 1024 + 4, 'video/mp4'])
  assert.deepEqual(out.noUpload, ['NoSuchUpload', 404])
  assert.deepEqual(out.pab, {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  })
  assert.equal(out.ownership, 'BucketOwnerEnforced')
  assert.deepEqual(out.noPolicy, ['NoSuchBucketPolicy', 404])
  assert.equal(out.policy, true)
  assert.deepEqual(out.acl, ['111122223333', [['CanonicalUser', 'FULL_CONTROL']]])
  assert.deepEqual(out.aclRefused, ['AccessControlListNotSupported', 400])
  assert.deepEqual(out.tags, [{ Key: 'env', Value: 'prod' }])
  assert.deepEqual(out.noPab, ['NoSuchPublicAccessBlockConfiguration', 404])
  assert.deepEqual(out.notEmpty, ['BucketNotEmpty', 409])
})

test('aws s3 (CLI v1): mb, cp up (multipart above 8 MiB) and down, ls, rm, rb', async (t) => {
  const skip = awsCli().skip
  if (skip !== false) {
    t.skip(skip)
    return
  }
  const h = harness(t)
  const server = createServer((req, res) => {
    void serve(h, req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const { port } = server.address() as AddressInfo
  const dir = tempDir(t)
  const big = Buffer.alloc(9 * 1024 * 1024, 7)
  big.write('head')
  writeFileSync(join(dir, 'big.bin'), big)
  writeFileSync(join(dir, 'small.txt'), 'small')
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
  }
  const aws = async (...args: string[]) => {
    const r = await runProcess(
      'aws',
      ['--endpoint-url', `http://127.0.0.1:${String(port)}`, ...args],
      { env },
    )
    assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  await aws('s3', 'mb', 's3://cli-bucket')
  await aws('s3', 'cp', join(dir, 'big.bin'), 's3://cli-bucket/data/big.bin')
  await aws('s3', 'cp', join(dir, 'small.txt'), 's3://cli-bucket/small.txt')
  assert.match(
    h.store.s3Objects.get('cli-bucket', 'data/big.bin')?.etag ?? '',
    /-2"$/,
    'uploaded in parts',
  )
  const ls = await aws('s3', 'ls', 's3://cli-bucket/')
  assert.match(ls, /PRE data\//)
  assert.match(ls, /\s5 small\.txt/)
  const lsr = await aws('s3', 'ls', '--recursive', 's3://cli-bucket/')
  assert.match(lsr, new RegExp(`\\s${String(big.length)} data/big\\.bin`))
  await aws('s3', 'cp', 's3://cli-bucket/data/big.bin', join(dir, 'back.bin'))
  assert.ok(readFileSync(join(dir, 'back.bin')).equals(big))
  await aws('s3', 'rm', '--recursive', 's3://cli-bucket/')
  await aws('s3', 'rb', 's3://cli-bucket')
  assert.equal(h.store.s3Buckets.get('cli-bucket'), undefined)
})
