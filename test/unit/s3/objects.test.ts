import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createS3ResourceLookup } from '../../../src/s3/index.js'
import {
  body,
  harness,
  makeBucket,
  readAll,
  rejectsWith,
  texts,
  T0,
  type Harness,
} from './harness.js'

const B = 'bucket-one'
const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex')

async function put(h: Harness, key: string, data: string, headers: Record<string, string> = {}) {
  return h.call('PutObject', { bucket: B, key, body: body(data), headers })
}

async function get(
  h: Harness,
  key: string,
  headers: Record<string, string> = {},
  query: Record<string, string> = {},
) {
  const result = await h.call('GetObject', { bucket: B, key, headers, query })
  return { result, data: (await readAll(result.body)).toString() }
}

test('PutObject stores bytes in a file and metadata in a row; GetObject streams them back', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const r = await put(h, 'dir/hello.txt', 'hello world', {
    'content-type': 'text/plain',
    'cache-control': 'no-cache',
    'x-amz-meta-colour': 'blue',
  })
  assert.equal(r.status, 200)
  assert.equal(r.headers.etag, `"${md5('hello world')}"`)
  const row = h.store.s3Objects.get(B, 'dir/hello.txt')
  assert.ok(row !== undefined)
  assert.ok(existsSync(join(h.ops.files.layout.dataDir, row.dataFile)))
  assert.ok(!row.dataFile.includes('hello'), 'file names never derive from keys')
  const { result, data } = await get(h, 'dir/hello.txt')
  assert.equal(result.status, 200)
  assert.equal(data, 'hello world')
  assert.equal(result.headers['content-type'], 'text/plain')
  assert.equal(result.headers['content-length'], '11')
  assert.equal(result.headers['cache-control'], 'no-cache')
  assert.equal(result.headers['x-amz-meta-colour'], 'blue')
  assert.equal(result.headers.etag, `"${md5('hello world')}"`)
  assert.equal(result.headers['last-modified'], new Date(T0).toUTCString())
  const head = await h.call('HeadObject', { bucket: B, key: 'dir/hello.txt' })
  assert.equal(head.status, 200)
  assert.equal(head.body, undefined)
  assert.equal(head.headers['content-length'], '11')
  const none = await get(h, 'empty')
    .then(() => 'found')
    .catch((e: unknown) => (e as { code: string }).code)
  assert.equal(none, 'NoSuchKey')
})

test('a PUT without Content-Type gets binary/octet-stream; an empty object reads back empty', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'empty', '')
  const { result, data } = await get(h, 'empty')
  assert.equal(data, '')
  assert.equal(result.headers['content-type'], 'binary/octet-stream')
  assert.equal(result.headers.etag, '"d41d8cd98f00b204e9800998ecf8427e"')
})

test('replacing an object removes the old file after the new row commits', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'k', 'one')
  const first = h.store.s3Objects.get(B, 'k')?.dataFile ?? ''
  await put(h, 'k', 'two')
  const second = h.store.s3Objects.get(B, 'k')?.dataFile ?? ''
  assert.notEqual(first, second)
  assert.equal(existsSync(join(h.ops.files.layout.dataDir, first)), false)
  assert.equal((await get(h, 'k')).data, 'two')
})

test('rows are read once per store generation: every write applies to the very next read', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const lookup = createS3ResourceLookup(h.ops.records)
  await put(h, 'k', 'one')
  assert.equal((await get(h, 'k')).data, 'one')
  assert.equal((await get(h, 'k')).data, 'one')
  assert.deepEqual(lookup.object(B, 'k')?.tags, [])
  await put(h, 'k', 'two')
  assert.equal((await get(h, 'k')).data, 'two')
  const tagging = '<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>'
  assert.equal(
    (await h.call('PutObjectTagging', { bucket: B, key: 'k', body: tagging })).status,
    200,
  )
  assert.deepEqual(lookup.object(B, 'k')?.tags, [{ key: 'env', value: 'prod' }])
  assert.equal((await h.call('DeleteObject', { bucket: B, key: 'k' })).status, 204)
  await rejectsWith(get(h, 'k'), 'NoSuchKey')
  assert.equal(lookup.object(B, 'k'), undefined)
  assert.ok(lookup.bucket(B))
  assert.equal((await h.call('DeleteBucket', { bucket: B })).status, 204)
  assert.equal(lookup.bucket(B), undefined)
  await rejectsWith(h.call('HeadBucket', { bucket: B }), 'NoSuchBucket')
})

test('the stored checksum comes back only with x-amz-checksum-mode: ENABLED', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const value = createHash('sha256').update('abc').digest('base64')
  const r = await h.call('PutObject', {
    bucket: B,
    key: 'c',
    body: body('abc', { checksum: { algorithm: 'SHA256', value } }),
  })
  assert.equal(r.headers['x-amz-checksum-sha256'], value)
  assert.equal((await get(h, 'c')).result.headers['x-amz-checksum-sha256'], undefined)
  const on = await get(h, 'c', { 'x-amz-checksum-mode': 'ENABLED' })
  assert.equal(on.result.headers['x-amz-checksum-sha256'], value)
  const head = await h.call('HeadObject', {
    bucket: B,
    key: 'c',
    headers: { 'x-amz-checksum-mode': 'ENABLED' },
  })
  assert.equal(head.headers['x-amz-checksum-sha256'], value)
})

test('Range: a-b, a-, -n as 206 with Content-Range; past the end InvalidRange; others ignored', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'r', '0123456789')
  const cases: [string, string, string][] = [
    ['bytes=0-3', '0123', 'bytes 0-3/10'],
    ['bytes=7-', '789', 'bytes 7-9/10'],
    ['bytes=-2', '89', 'bytes 8-9/10'],
    ['bytes=5-100', '56789', 'bytes 5-9/10'],
    ['bytes=-50', '0123456789', 'bytes 0-9/10'],
  ]
  for (const [range, data, contentRange] of cases) {
    const r = await get(h, 'r', { range })
    assert.equal(r.result.status, 206, range)
    assert.equal(r.data, data, range)
    assert.equal(r.result.headers['content-range'], contentRange, range)
    assert.equal(r.result.headers['content-length'], String(data.length), range)
  }
  await rejectsWith(get(h, 'r', { range: 'bytes=10-' }), 'InvalidRange')
  await rejectsWith(get(h, 'r', { range: 'bytes=-0' }), 'InvalidRange')
  for (const ignored of ['bytes=0-1,3-4', 'items=0-1', 'bytes=5-2', 'bytes=x-'])
    assert.equal((await get(h, 'r', { range: ignored })).result.status, 200, ignored)
  const head = await h.call('HeadObject', { bucket: B, key: 'r', headers: { range: 'bytes=1-2' } })
  assert.equal(head.status, 206)
  assert.equal(head.headers['content-length'], '2')
})

test('conditional GET and HEAD: 304 and 412 in S3’s order', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'c', 'data')
  const etag = `"${md5('data')}"`
  const before = new Date(T0 - 60_000).toUTCString()
  const after = new Date(T0 + 60_000).toUTCString()
  const status = async (headers: Record<string, string>) => {
    try {
      return (await h.call('GetObject', { bucket: B, key: 'c', headers })).status
    } catch (e) {
      return (e as { status: number }).status
    }
  }
  assert.equal(await status({ 'if-match': etag }), 200)
  assert.equal(await status({ 'if-match': md5('data') }), 200, 'unquoted ETags match')
  assert.equal(await status({ 'if-match': '"other"' }), 412)
  assert.equal(await status({ 'if-match': '*' }), 200)
  assert.equal(await status({ 'if-none-match': etag }), 304)
  assert.equal(await status({ 'if-none-match': '"other"' }), 200)
  assert.equal(await status({ 'if-modified-since': after }), 304)
  assert.equal(await status({ 'if-modified-since': before }), 200)
  assert.equal(await status({ 'if-unmodified-since': before }), 412)
  assert.equal(await status({ 'if-unmodified-since': after }), 200)
  // If-Match true wins over If-Unmodified-Since false; If-None-Match false over If-Modified-Since.
  assert.equal(await status({ 'if-match': etag, 'if-unmodified-since': before }), 200)
  assert.equal(await status({ 'if-none-match': etag, 'if-modified-since': before }), 304)
  const nm = await h.call('HeadObject', { bucket: B, key: 'c', headers: { 'if-none-match': etag } })
  assert.equal(nm.status, 304)
  assert.equal(nm.headers.etag, etag)
  await rejectsWith(
    h.call('HeadObject', { bucket: B, key: 'c', headers: { 'if-match': '"x"' } }),
    'PreconditionFailed',
  )
})

test('GetObject response-* overrides', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'o', 'x', { 'content-type': 'text/plain' })
  const r = await get(
    h,
    'o',
    {},
    { 'response-content-type': 'application/json', 'response-content-disposition': 'attachment' },
  )
  assert.equal(r.result.headers['content-type'], 'application/json')
  assert.equal(r.result.headers['content-disposition'], 'attachment')
})

test('DeleteObject answers 204 whether or not the key exists, and removes the file', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'd', 'x')
  const file = h.store.s3Objects.get(B, 'd')?.dataFile ?? ''
  assert.equal((await h.call('DeleteObject', { bucket: B, key: 'd' })).status, 204)
  assert.equal(existsSync(join(h.ops.files.layout.dataDir, file)), false)
  assert.equal((await h.call('DeleteObject', { bucket: B, key: 'd' })).status, 204)
  await rejectsWith(h.call('DeleteObject', { bucket: 'no-such-bucket', key: 'd' }), 'NoSuchBucket')
})

test('DeleteObjects: per-key results, Quiet, per-key authorisation, bounds', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 'a', '1')
  await put(h, 'b&c', '2')
  h.denyKeys.add('locked')
  const doc = (quiet: boolean, keys: string[]) =>
    `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${keys.map((k) => `<Object><Key>${k}</Key></Object>`).join('')}${quiet ? '<Quiet>true</Quiet>' : ''}</Delete>`
  const loud = await h.text('DeleteObjects', {
    bucket: B,
    body: doc(false, ['a', 'b&amp;c', 'missing', 'locked']),
  })
  assert.equal(loud.result.status, 200)
  assert.match(loud.text, /<DeleteResult xmlns=/)
  assert.deepEqual(texts(loud.text, 'Key'), ['a', 'b&amp;c', 'missing', 'locked'])
  assert.deepEqual(texts(loud.text, 'Code'), ['AccessDenied'])
  assert.equal(h.store.s3Objects.get(B, 'a'), undefined)
  assert.equal(h.store.s3Objects.get(B, 'b&c'), undefined)
  assert.deepEqual(
    h.asked.map((q) => [q.operation, q.target.key]),
    [
      ['DeleteObject', 'a'],
      ['DeleteObject', 'b&c'],
      ['DeleteObject', 'missing'],
      ['DeleteObject', 'locked'],
    ],
  )
  await put(h, 'q', '1')
  const quiet = await h.text('DeleteObjects', { bucket: B, body: doc(true, ['q', 'locked']) })
  assert.deepEqual(texts(quiet.text, 'Key'), ['locked'])
  await rejectsWith(
    h.call('DeleteObjects', { bucket: B, body: '<Delete></Delete>' }),
    'MalformedXML',
  )
  const many = Array.from({ length: 1001 }, (_, i) => `k${String(i)}`)
  await rejectsWith(h.call('DeleteObjects', { bucket: B, body: doc(false, many) }), 'MalformedXML')
  await rejectsWith(
    h.call('DeleteObjects', { bucket: B, body: '<Delete><Object><Key>a</Key></Object>' }),
    'MalformedXML',
  )
  await rejectsWith(
    h.call('DeleteObjects', {
      bucket: B,
      body: '<!DOCTYPE x [<!ENTITY e "boom">]><Delete><Object><Key>&e;</Key></Object></Delete>',
    }),
    'MalformedXML',
  )
})

test('CopyObject: COPY keeps metadata, REPLACE takes the request’s, copy-to-self needs a change', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await makeBucket(h, 'bucket-two')
  await put(h, 'src key', 'payload', {
    'content-type': 'text/plain',
    'x-amz-meta-a': '1',
    'x-amz-tagging': 't=v',
  })
  const copy = await h.text('CopyObject', {
    bucket: 'bucket-two',
    key: 'dst',
    headers: { 'x-amz-copy-source': `/${B}/src%20key` },
  })
  assert.equal(copy.result.status, 200)
  assert.match(
    copy.text,
    /<CopyObjectResult xmlns="[^"]+"><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><LastModified>2026-01-01T00:00:00.000Z<\/LastModified><\/CopyObjectResult>/,
  )
  assert.deepEqual(h.asked.at(-1), {
    operation: 'CopyObject',
    target: { bucket: 'bucket-two', key: 'dst', addressing: 'path' },
    copySource: { bucket: B, key: 'src key' },
  })
  const got = await h.call('GetObject', { bucket: 'bucket-two', key: 'dst' })
  assert.equal((await readAll(got.body)).toString(), 'payload')
  assert.equal(got.headers['content-type'], 'text/plain')
  assert.equal(got.headers['x-amz-meta-a'], '1')
  assert.equal(got.headers['x-amz-tagging-count'], '1')
  await h.call('CopyObject', {
    bucket: 'bucket-two',
    key: 'dst2',
    headers: {
      'x-amz-copy-source': `${B}/src%20key`,
      'x-amz-metadata-directive': 'REPLACE',
      'x-amz-meta-b': '2',
    },
  })
  const replaced = await h.call('HeadObject', { bucket: 'bucket-two', key: 'dst2' })
  assert.equal(replaced.headers['x-amz-meta-a'], undefined)
  assert.equal(replaced.headers['x-amz-meta-b'], '2')
  assert.equal(replaced.headers['content-type'], 'binary/octet-stream')
  const self = { bucket: B, key: 'src key', headers: { 'x-amz-copy-source': `/${B}/src%20key` } }
  await rejectsWith(h.call('CopyObject', self), 'InvalidRequest')
  await h.call('CopyObject', {
    ...self,
    headers: { ...self.headers, 'x-amz-metadata-directive': 'REPLACE' },
  })
  await rejectsWith(
    h.call('CopyObject', { bucket: B, key: 'x', headers: { 'x-amz-copy-source': `/${B}/nope` } }),
    'NoSuchKey',
  )
  await rejectsWith(
    h.call('CopyObject', { bucket: B, key: 'x', headers: { 'x-amz-copy-source': '/no-bucket/k' } }),
    'NoSuchBucket',
  )
  await rejectsWith(
    h.call('CopyObject', { bucket: B, key: 'x', headers: { 'x-amz-copy-source': 'nokey' } }),
    'InvalidArgument',
  )
  await rejectsWith(
    h.call('CopyObject', {
      bucket: B,
      key: 'x',
      headers: { 'x-amz-copy-source': `/${B}/src%20key`, 'x-amz-copy-source-if-match': '"nope"' },
    }),
    'PreconditionFailed',
  )
  await rejectsWith(
    h.call('CopyObject', {
      bucket: B,
      key: 'x',
      headers: { 'x-amz-copy-source': `/${B}/src%20key`, 'x-amz-metadata-directive': 'MERGE' },
    }),
    'InvalidArgument',
  )
})

test('x-amz-tagging on PutObject is checked as S3 checks tags', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await put(h, 't', 'x', { 'x-amz-tagging': 'a=1&b=two%20words' })
  const tags = await h.text('GetObjectTagging', { bucket: B, key: 't' })
  assert.deepEqual(texts(tags.text, 'Key'), ['a', 'b'])
  assert.deepEqual(texts(tags.text, 'Value'), ['1', 'two words'])
  const eleven = Array.from({ length: 11 }, (_, i) => `k${String(i)}=v`).join('&')
  await rejectsWith(put(h, 't2', 'x', { 'x-amz-tagging': eleven }), 'InvalidTag')
  await rejectsWith(put(h, 't2', 'x', { 'x-amz-tagging': `${'k'.repeat(129)}=v` }), 'InvalidTag')
  await rejectsWith(put(h, 't2', 'x', { 'x-amz-tagging': 'a=1&a=2' }), 'InvalidTag')
  await rejectsWith(put(h, 't2', 'x', { 'x-amz-meta-big': 'v'.repeat(2100) }), 'MetadataTooLarge')
  assert.equal(h.store.s3Objects.get(B, 't2'), undefined)
})

test('a declared length over 5 GiB is EntityTooLarge before any byte is read', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await rejectsWith(
    h.call('PutObject', { bucket: B, key: 'big', body: body('x', { length: 5 * 1024 ** 3 + 1 }) }),
    'EntityTooLarge',
  )
})
