/**
 * createS3App behind createAwsApp on loopback: which requests the hook takes, S3's error
 * documents and headers, authorisation before the body, streaming, aborts and the log.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3'
import { awsError, S3_ERRORS } from '../../../src/aws/index.js'
import { startS3Endpoint, S3_KEY, S3_REGION, type S3Endpoint } from '../../helpers/s3-endpoint.js'

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(
  origin: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${origin}${o.path}`,
      { method: o.method ?? 'GET', headers: o.headers ?? {} },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
        })
      },
    )
    req.on('error', reject)
    req.end(o.body)
  })
}

const logLines = (e: S3Endpoint) => e.log.map((l) => JSON.parse(l) as Record<string, unknown>)

describe('the S3 hook in the AWS endpoint', () => {
  let e: S3Endpoint
  let denyBucket = ''
  before(async () => {
    e = await startS3Endpoint({
      authorize: (q) => {
        if (q.target.bucket === denyBucket && denyBucket !== '')
          throw awsError(S3_ERRORS.AccessDenied, { reason: 'test denial' })
      },
    })
    e.state.buckets.set('open', new Map())
    e.state.buckets.get('open')?.set('hello.txt', {
      bytes: Buffer.from('hi there'),
      etag: '"e"',
      contentType: 'text/plain',
      checksum: undefined,
    })
  })
  after(() => e.close())

  test('an anonymous GET /bucket/key is S3; GET / with no Action and the health path stay the AWS endpoint', async () => {
    const r = await send(e.server.origin, { path: '/open/hello.txt' })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'hi there')
    assert.match(String(r.headers['x-amz-request-id']), /^[0-9a-f-]{36}$/)
    assert.match(String(r.headers['x-amz-id-2']), /^[A-Za-z0-9+/=]{20,}$/)
    assert.equal(e.questions.at(-1)?.caller, undefined)
    assert.equal(e.questions.at(-1)?.operation, 'GetObject')
    const root = await send(e.server.origin, { path: '/' })
    assert.match(root.body, /MissingAction/)
    const health = await send(e.server.origin, { path: '/_irsa/health' })
    assert.equal(health.status, 200)
    const eks = await send(e.server.origin, { path: '/clusters' })
    assert.doesNotMatch(eks.body, /<Error><Code>/, 'EKS paths are not S3')
  })

  test('virtual-hosted addressing: BUCKET.s3.localhost names the bucket, the path is the key', async () => {
    const r = await send(e.server.origin, {
      path: '/hello.txt',
      headers: { host: 'open.s3.localhost:4566' },
    })
    assert.equal(r.status, 200)
    assert.equal(r.body, 'hi there')
    assert.deepEqual(e.questions.at(-1)?.target, {
      bucket: 'open',
      key: 'hello.txt',
      addressing: 'virtual',
    })
  })

  test('S3 errors: the XML document with the element the code names; HEAD gets the status and no body', async () => {
    const r = await send(e.server.origin, { path: '/open/missing.txt' })
    assert.equal(r.status, 404)
    assert.equal(r.headers['content-type'], 'application/xml')
    assert.match(
      r.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>missing.txt<\/Key><RequestId>[0-9a-f-]+<\/RequestId><HostId>[A-Za-z0-9+/=]+<\/HostId><\/Error>$/,
    )
    const h = await send(e.server.origin, { method: 'HEAD', path: '/nobucket' })
    assert.equal(h.status, 404)
    assert.equal(h.body, '')
    assert.match(String(h.headers['x-amz-request-id']), /./)
    const ni = await send(e.server.origin, { path: '/open?versioning' })
    assert.equal(ni.status, 501)
    assert.match(
      ni.body,
      /<Code>NotImplemented<\/Code><Message>The GetBucketVersioning operation is not implemented by irsa/,
    )
  })

  test('authorize is asked before the body is read: a denial leaves the handler uncalled', async () => {
    denyBucket = 'open'
    try {
      const seen = e.state.seen.length
      const r = await send(e.server.origin, {
        method: 'PUT',
        path: '/open/new.txt',
        headers: { 'content-type': 'text/plain' },
        body: 'x'.repeat(100_000),
      })
      assert.equal(r.status, 403)
      assert.match(r.body, /<Code>AccessDenied<\/Code>/)
      assert.equal(e.state.seen.length, seen, 'no handler ran')
      assert.equal(e.state.buckets.get('open')?.has('new.txt'), false)
      assert.equal(e.refusals.at(-1)?.action, 'PutObject')
      assert.equal(e.refusals.at(-1)?.errorCode, 'AccessDenied')
    } finally {
      denyBucket = ''
    }
  })

  test('a signed request from the SDK with a wrong Content-MD5 is BadDigest and nothing is stored', async () => {
    const client = new S3Client({
      region: S3_REGION,
      endpoint: e.server.origin,
      forcePathStyle: true,
      credentials: S3_KEY,
      maxAttempts: 1,
    })
    try {
      await assert.rejects(
        client.send(
          new PutObjectCommand({
            Bucket: 'open',
            Key: 'md5.txt',
            Body: 'payload',
            ContentMD5: Buffer.alloc(16).toString('base64'),
          }),
        ),
        (err: unknown) => err instanceof S3ServiceException && err.name === 'BadDigest',
      )
      assert.equal(e.state.buckets.get('open')?.has('md5.txt'), false)
      const bad = new S3Client({
        region: S3_REGION,
        endpoint: e.server.origin,
        forcePathStyle: true,
        credentials: { ...S3_KEY, secretAccessKey: 'not-the-secret' },
        maxAttempts: 1,
      })
      await assert.rejects(
        bad.send(new PutObjectCommand({ Bucket: 'open', Key: 'sig.txt', Body: 'payload' })),
        (err: unknown) => err instanceof S3ServiceException && err.name === 'SignatureDoesNotMatch',
      )
      bad.destroy()
    } finally {
      client.destroy()
    }
    const joined = e.log.join('\n')
    assert.ok(!joined.includes(S3_KEY.secretAccessKey))
    // The operator reason names the canonical request's hash (not a secret) to debug a
    // mismatch; no other 64-hex value (a signature, a payload hash) is logged.
    const rest = joined.replace(/canonical request sha256 [0-9a-f]{64}/g, '')
    assert.ok(!/[0-9a-f]{64}/.test(rest), 'no signature or payload hash in the log')
  })

  test('bodies stream: the handler reads the first bytes before the client has sent the rest', async () => {
    let firstSeen!: () => void
    const first = new Promise<void>((r) => (firstSeen = r))
    const e2 = await startS3Endpoint({
      handlers: {
        PutObject: async (ctx) => {
          let n = 0
          for await (const p of ctx.body) {
            if (n === 0) firstSeen()
            n += p.length
          }
          return { status: 200, headers: { 'x-test-bytes': String(n) } }
        },
      },
    })
    try {
      const done = new Promise<Reply>((resolve, reject) => {
        const req = request(
          `${e2.server.origin}/b/k`,
          { method: 'PUT', headers: { 'content-length': String(2 * 1024 * 1024) } },
          (res) => {
            res.resume()
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
            })
          },
        )
        req.on('error', reject)
        req.write(Buffer.alloc(1024 * 1024, 1))
        void first.then(() => req.end(Buffer.alloc(1024 * 1024, 2)))
      })
      const r = await done
      assert.equal(r.status, 200)
      assert.equal(r.headers['x-test-bytes'], String(2 * 1024 * 1024))
    } finally {
      await e2.close()
    }
  })

  test('a client that hangs up mid-body is logged as an abort, below error', async () => {
    const mark = e.log.length
    await new Promise<void>((resolve) => {
      const req = request(`${e.server.origin}/open/partial.bin`, {
        method: 'PUT',
        headers: { 'content-length': '1000000' },
      })
      req.on('error', () => {
        resolve()
      })
      req.write(Buffer.alloc(1000))
      setTimeout(() => {
        req.destroy()
        setTimeout(resolve, 200)
      }, 100)
    })
    await new Promise((r) => setTimeout(r, 100))
    const lines = logLines(e).slice(mark)
    const aborted = lines.find((l) => l['msg'] === 's3 request aborted')
    assert.ok(aborted !== undefined, JSON.stringify(lines))
    assert.equal(aborted['level'], 30)
    assert.ok(
      lines.every((l) => (l['level'] as number) < 50),
      'nothing at error',
    )
    assert.equal(e.state.buckets.get('open')?.has('partial.bin'), false)
  })

  test('one log line per request: operation, bucket, status, code; no query string or header value', async () => {
    const mark = e.log.length
    await send(e.server.origin, {
      path: '/open/missing.txt?secretish=QUERYVALUE',
      headers: { 'x-custom': 'HEADERVALUE' },
    })
    const lines = logLines(e).slice(mark)
    assert.equal(lines.length, 1)
    const [line] = lines
    assert.equal(line?.['action'], 'GetObject')
    assert.equal(line['bucket'], 'open')
    assert.equal(line['status'], 404)
    assert.equal(line['code'], 'NoSuchKey')
    assert.ok(!e.log.slice(mark).join('').includes('QUERYVALUE'))
    assert.ok(!e.log.slice(mark).join('').includes('HEADERVALUE'))
  })
})
