/**
 * The S3 wire against the real clients over loopback: the AWS CLI (`aws s3api`, `aws s3
 * cp` of a 20 MB file, which goes multipart, `aws s3 presign`), boto3 with its default
 * checksum settings and @aws-sdk/client-s3. The endpoint is `createAwsApp` with the S3
 * hook over a TEST-ONLY in-memory operations fake and an allow-all authoriser.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import { startS3Endpoint, S3_KEY, S3_REGION, type S3Endpoint } from '../helpers/s3-endpoint.js'
import { awsCli, boto3, runProcess, type ProcessResult } from '../helpers/tools.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('the S3 wire with the real clients', () => {
  let e: S3Endpoint
  let dir: string
  before(async () => {
    e = await startS3Endpoint()
    dir = mkdtempSync(join(tmpdir(), 'irsa-s3-wire-'))
    e.state.buckets.set('wire', new Map())
  })
  after(async () => {
    await e.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const env = (
    keys: { accessKeyId: string; secretAccessKey: string } = S3_KEY,
  ): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_CONFIG_FILE: '/nonexistent/irsa-test-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/irsa-test-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: S3_REGION,
    AWS_DEFAULT_REGION: S3_REGION,
    AWS_MAX_ATTEMPTS: '1',
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  })
  const aws = (
    args: string[],
    keys?: { accessKeyId: string; secretAccessKey: string },
  ): Promise<ProcessResult> =>
    runProcess('aws', ['--endpoint-url', e.server.origin, ...args], { env: env(keys) })
  const seenSince = (n: number) => e.state.seen.slice(n)

  test(
    'aws s3api put-object, head-object, get-object round-trip a file',
    { skip: awsCli().skip },
    async () => {
      const body = randomBytes(3000)
      const src = join(dir, 'small.bin')
      writeFileSync(src, body)
      const mark = e.state.seen.length
      const put = await aws([
        's3api',
        'put-object',
        '--bucket',
        'wire',
        '--key',
        'dir/a b+c.bin',
        '--body',
        src,
      ])
      assert.equal(put.code, 0, put.stderr)
      assert.equal(
        (JSON.parse(put.stdout) as { ETag: string }).ETag,
        `"${createHash('md5').update(body).digest('hex')}"`,
      )
      const stored = e.state.buckets.get('wire')?.get('dir/a b+c.bin')
      assert.ok(stored !== undefined, 'the key is decoded exactly once')
      assert.equal(sha(stored.bytes), sha(body))
      const sent = seenSince(mark).find((s) => s.operation === 'PutObject')
      console.log(
        `aws s3api put-object sent x-amz-content-sha256=${String(sent?.headers['x-amz-content-sha256'])} content-encoding=${String(sent?.headers['content-encoding'])} x-amz-trailer=${String(sent?.headers['x-amz-trailer'])}`,
      )
      const head = await aws(['s3api', 'head-object', '--bucket', 'wire', '--key', 'dir/a b+c.bin'])
      assert.equal(head.code, 0, head.stderr)
      assert.equal((JSON.parse(head.stdout) as { ContentLength: number }).ContentLength, 3000)
      const out = join(dir, 'small.out')
      const get = await aws([
        's3api',
        'get-object',
        '--bucket',
        'wire',
        '--key',
        'dir/a b+c.bin',
        out,
      ])
      assert.equal(get.code, 0, get.stderr)
      assert.equal(sha(readFileSync(out)), sha(body))
    },
  )

  test(
    'aws s3 cp of a 20 MB file goes multipart and comes back identical',
    { skip: awsCli().skip },
    async () => {
      const body = randomBytes(20 * 1024 * 1024)
      const src = join(dir, 'big.bin')
      writeFileSync(src, body)
      const mark = e.state.seen.length
      const up = await aws(['s3', 'cp', src, 's3://wire/big.bin'])
      assert.equal(up.code, 0, up.stderr)
      const ops = seenSince(mark).map((s) => s.operation)
      assert.ok(
        ops.includes('CreateMultipartUpload') && ops.includes('CompleteMultipartUpload'),
        ops.join(','),
      )
      assert.ok(ops.filter((o) => o === 'UploadPart').length >= 2)
      const out = join(dir, 'big.out')
      const down = await aws(['s3', 'cp', 's3://wire/big.bin', out])
      assert.equal(down.code, 0, down.stderr)
      assert.equal(sha(readFileSync(out)), sha(body))
    },
  )

  test(
    'aws s3 presign: the URL works with fetch, then is refused once it has expired',
    { skip: awsCli().skip },
    async () => {
      e.state.buckets.get('wire')?.set('shared.txt', {
        bytes: Buffer.from('presigned hello'),
        etag: '"x"',
        contentType: 'text/plain',
        checksum: undefined,
      })
      const v2 = await aws(['s3', 'presign', 's3://wire/shared.txt', '--expires-in', '60'])
      assert.equal(v2.code, 0, v2.stderr)
      if (v2.stdout.includes('AWSAccessKeyId=')) {
        // AWS CLI v1 presigns with Signature Version 2 unless told s3v4: S3 refuses it.
        const refused = await fetch(v2.stdout.trim())
        assert.equal(refused.status, 400)
        assert.match(await refused.text(), /<Code>InvalidRequest<\/Code>.*AWS4-HMAC-SHA256/)
      }
      const config = join(dir, 'config-s3v4')
      writeFileSync(config, '[default]\ns3 =\n  signature_version = s3v4\n')
      const r = await runProcess(
        'aws',
        [
          '--endpoint-url',
          e.server.origin,
          's3',
          'presign',
          's3://wire/shared.txt',
          '--expires-in',
          '60',
        ],
        { env: { ...env(), AWS_CONFIG_FILE: config } },
      )
      assert.equal(r.code, 0, r.stderr)
      const url = r.stdout.trim()
      assert.match(url, /X-Amz-Signature=/)
      const ok = await fetch(url)
      assert.equal(ok.status, 200)
      assert.equal(await ok.text(), 'presigned hello')
      try {
        e.offset(61_000)
        const late = await fetch(url)
        assert.equal(late.status, 403)
        const text = await late.text()
        assert.match(text, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/)
        assert.match(late.headers.get('x-amz-request-id') ?? '', /./)
      } finally {
        e.offset(0)
      }
      const tampered = await fetch(url.replace('shared.txt', 'other.txt'))
      assert.equal(tampered.status, 403)
      assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/)
    },
  )

  test(
    'the AWS CLI reads S3 refusals: a bad secret and an unknown key',
    { skip: awsCli().skip },
    async () => {
      const bad = await aws(['s3api', 'head-bucket', '--bucket', 'wire'], {
        ...S3_KEY,
        secretAccessKey: 'wrong',
      })
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /403/)
      const list = await aws(
        ['s3api', 'get-object', '--bucket', 'wire', '--key', 'nope', join(dir, 'x')],
        {
          ...S3_KEY,
          secretAccessKey: 'wrong',
        },
      )
      assert.match(list.stderr, /SignatureDoesNotMatch/)
      const unknown = await aws(
        ['s3api', 'get-object', '--bucket', 'wire', '--key', 'nope', join(dir, 'x')],
        {
          accessKeyId: 'AKIAUNKNOWNKEY000000',
          secretAccessKey: 'whatever',
        },
      )
      assert.match(unknown.stderr, /InvalidAccessKeyId/)
      const missing = await aws([
        's3api',
        'get-object',
        '--bucket',
        'wire',
        '--key',
        'nope',
        join(dir, 'x'),
      ])
      assert.match(missing.stderr, /NoSuchKey/)
      const joined = e.log.join('\n')
      assert.ok(!joined.includes(S3_KEY.secretAccessKey), 'no secret in the log')
      assert.ok(!/Signature=[0-9a-f]{64}/.test(joined), 'no signature in the log')
    },
  )

  test(
    'boto3 put_object/get_object with its default checksum settings',
    { skip: boto3().skip },
    async () => {
      const script = [
        'import boto3, sys, hashlib, os',
        `s3 = boto3.client('s3', endpoint_url='${e.server.origin}')`,
        'data = os.urandom(200000)',
        "r = s3.put_object(Bucket='wire', Key='boto/obj', Body=data)",
        "g = s3.get_object(Bucket='wire', Key='boto/obj')",
        "got = g['Body'].read()",
        "assert got == data, 'round trip differs'",
        "print(hashlib.sha256(data).hexdigest(), r.get('ChecksumCRC32', ''))",
      ].join('\n')
      const mark = e.state.seen.length
      const r = await runProcess('python3', ['-c', script], { env: env() })
      assert.equal(r.code, 0, r.stderr)
      const [digest, crc] = r.stdout.trim().split(' ')
      assert.equal(
        sha(e.state.buckets.get('wire')?.get('boto/obj')?.bytes ?? Buffer.alloc(0)),
        digest,
      )
      const put = seenSince(mark).find((s) => s.operation === 'PutObject')
      console.log(
        `boto3 put_object sent x-amz-content-sha256=${String(put?.headers['x-amz-content-sha256'])} x-amz-trailer=${String(put?.headers['x-amz-trailer'])} sdk-checksum=${String(put?.headers['x-amz-sdk-checksum-algorithm'])}`,
      )
      assert.ok(
        crc !== undefined && crc !== '',
        'boto3 sent a CRC32 by default and the wire returned it',
      )
    },
  )

  test('@aws-sdk/client-s3 PutObject and GetObject', async () => {
    const client = new S3Client({
      region: S3_REGION,
      endpoint: e.server.origin,
      forcePathStyle: true,
      credentials: S3_KEY,
      maxAttempts: 1,
    })
    try {
      const data = randomBytes(150_000)
      const mark = e.state.seen.length
      const put = await client.send(
        new PutObjectCommand({ Bucket: 'wire', Key: 'js/obj', Body: data }),
      )
      assert.equal(put.ETag, `"${createHash('md5').update(data).digest('hex')}"`)
      const sent = seenSince(mark).find((s) => s.operation === 'PutObject')
      console.log(
        `client-s3 PutObject sent x-amz-content-sha256=${String(sent?.headers['x-amz-content-sha256'])} x-amz-trailer=${String(sent?.headers['x-amz-trailer'])} checksum=${String(sent?.headers['x-amz-checksum-crc32'])}`,
      )
      const streamed = randomBytes(300_000)
      const mark2 = e.state.seen.length
      await client.send(
        new PutObjectCommand({
          Bucket: 'wire',
          Key: 'js/stream',
          Body: Readable.from([streamed.subarray(0, 100_000), streamed.subarray(100_000)]),
          ContentLength: streamed.length,
        }),
      )
      const sentStream = seenSince(mark2).find((s) => s.operation === 'PutObject')
      console.log(
        `client-s3 PutObject of a stream sent x-amz-content-sha256=${String(sentStream?.headers['x-amz-content-sha256'])} content-encoding=${String(sentStream?.headers['content-encoding'])} x-amz-trailer=${String(sentStream?.headers['x-amz-trailer'])}`,
      )
      assert.equal(
        sha(e.state.buckets.get('wire')?.get('js/stream')?.bytes ?? Buffer.alloc(0)),
        sha(streamed),
      )
      const got = await client.send(new GetObjectCommand({ Bucket: 'wire', Key: 'js/obj' }))
      const bytes = await got.Body?.transformToByteArray()
      assert.equal(sha(bytes ?? new Uint8Array()), sha(data))
      await assert.rejects(
        client.send(new GetObjectCommand({ Bucket: 'wire', Key: 'js/none' })),
        (err: unknown) => err instanceof S3ServiceException && err.name === 'NoSuchKey',
      )
      await assert.rejects(
        client.send(new GetObjectCommand({ Bucket: 'absent', Key: 'k' })),
        (err: unknown) => err instanceof S3ServiceException && err.name === 'NoSuchBucket',
      )
    } finally {
      client.destroy()
    }
  })
})
