import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { renderS3ErrorXml } from '../../../src/s3/index.js'
import { body, harness, makeBucket, readAll, rejectsWith, texts, type Harness } from './harness.js'

const B = 'bucket-one'
const MiB = 1024 * 1024

async function start(h: Harness, key = 'big', headers: Record<string, string> = {}) {
  const r = await h.text('CreateMultipartUpload', { bucket: B, key, headers })
  assert.match(
    r.text,
    /<InitiateMultipartUploadResult xmlns="[^"]+"><Bucket>bucket-one<\/Bucket><Key>[^<]+<\/Key><UploadId>[^<]+<\/UploadId>/,
  )
  return texts(r.text, 'UploadId')[0] ?? ''
}

async function part(h: Harness, uploadId: string, n: number, data: Buffer, key = 'big') {
  const r = await h.call('UploadPart', {
    bucket: B,
    key,
    query: { uploadId, partNumber: String(n) },
    body: body([data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)]),
  })
  return r.headers.etag ?? ''
}

function completion(parts: [number, string][]): string {
  return `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts
    .map(([n, e]) => `<Part><ETag>${e}</ETag><PartNumber>${String(n)}</PartNumber></Part>`)
    .join('')}</CompleteMultipartUpload>`
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest()

test('a multipart upload completes into one object with the md5-of-md5s-N ETag', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h, 'big', { 'content-type': 'video/mp4', 'x-amz-meta-m': 'v' })
  const p1 = Buffer.alloc(5 * MiB, 1)
  const p2 = Buffer.alloc(5 * MiB, 2)
  const p3 = Buffer.from('tail')
  const e1 = await part(h, id, 1, p1)
  const e2 = await part(h, id, 2, p2)
  const e3 = await part(h, id, 3, p3)
  assert.equal(e1, `"${md5(p1).toString('hex')}"`)
  const listed = await h.text('ListParts', { bucket: B, key: 'big', query: { uploadId: id } })
  assert.deepEqual(texts(listed.text, 'PartNumber'), ['1', '2', '3'])
  assert.deepEqual(texts(listed.text, 'Size'), [String(5 * MiB), String(5 * MiB), '4'])
  const done = await h.text('CompleteMultipartUpload', {
    bucket: B,
    key: 'big',
    query: { uploadId: id },
    headers: { host: 'localhost:4566' },
    body: completion([
      [1, e1],
      [2, e2],
      [3, e3.replace(/"/g, '')],
    ]),
  })
  const expected = `"${createHash('md5')
    .update(Buffer.concat([md5(p1), md5(p2), md5(p3)]))
    .digest('hex')}-3"`
  assert.deepEqual(texts(done.text, 'ETag'), [expected.replace(/"/g, '&quot;')])
  assert.deepEqual(texts(done.text, 'Location'), ['http://localhost:4566/bucket-one/big'])
  const got = await h.call('GetObject', { bucket: B, key: 'big' })
  const data = await readAll(got.body)
  assert.ok(data.equals(Buffer.concat([p1, p2, p3])))
  assert.equal(got.headers.etag, expected)
  assert.equal(got.headers['content-type'], 'video/mp4')
  assert.equal(got.headers['x-amz-meta-m'], 'v')
  assert.equal(got.headers['x-amz-mp-parts-count'], '3')
  const ranged = await h.call('GetObject', {
    bucket: B,
    key: 'big',
    headers: { range: `bytes=${String(5 * MiB - 1)}-${String(5 * MiB)}` },
  })
  assert.deepEqual([...(await readAll(ranged.body))], [1, 2])
  await rejectsWith(
    h.call('ListParts', { bucket: B, key: 'big', query: { uploadId: id } }),
    'NoSuchUpload',
  )
  assert.deepEqual(
    readdirSync(h.ops.files.layout.dataDir),
    [h.store.s3Objects.get(B, 'big')?.dataFile],
    'part files are gone',
  )
})

test('CompleteMultipartUpload refuses small parts, bad order, unknown parts', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h)
  const e1 = await part(h, id, 1, Buffer.from('small'))
  const e2 = await part(h, id, 2, Buffer.from('last'))
  const complete = (parts: [number, string][]) =>
    h.call('CompleteMultipartUpload', {
      bucket: B,
      key: 'big',
      query: { uploadId: id },
      body: completion(parts),
    })
  const small = await rejectsWith(
    complete([
      [1, e1],
      [2, e2],
    ]),
    'EntityTooSmall',
  )
  // S3's document names the part: its size, the minimum, its number and its ETag.
  const xml = renderS3ErrorXml({
    error: small,
    requestId: 'r',
    target: undefined,
    query: new Map(),
  })
  assert.match(
    xml,
    new RegExp(
      `<Message>Your proposed upload is smaller than the minimum allowed size</Message><ProposedSize>5</ProposedSize><MinSizeAllowed>5242880</MinSizeAllowed><PartNumber>1</PartNumber><ETag>${e1.replace(/"/g, '')}</ETag><RequestId>`,
    ),
  )
  await rejectsWith(
    complete([
      [2, e2],
      [1, e1],
    ]),
    'InvalidPartOrder',
  )
  await rejectsWith(
    complete([
      [1, e1],
      [1, e1],
    ]),
    'InvalidPartOrder',
  )
  await rejectsWith(complete([[3, e1]]), 'InvalidPart')
  await rejectsWith(complete([[1, '"0000"']]), 'InvalidPart')
  await rejectsWith(complete([]), 'MalformedXML')
  // A single small part is fine: it is the last.
  await complete([[2, e2]])
  const got = await h.call('GetObject', { bucket: B, key: 'big' })
  assert.equal((await readAll(got.body)).toString(), 'last')
})

test('UploadPart checks the part number and the upload; a part can be replaced', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h)
  for (const n of ['0', '10001', 'x'])
    await rejectsWith(
      h.call('UploadPart', {
        bucket: B,
        key: 'big',
        query: { uploadId: id, partNumber: n },
        body: body('x'),
      }),
      'InvalidArgument',
    )
  await rejectsWith(
    h.call('UploadPart', {
      bucket: B,
      key: 'big',
      query: { uploadId: 'nope', partNumber: '1' },
      body: body('x'),
    }),
    'NoSuchUpload',
  )
  await rejectsWith(
    h.call('UploadPart', {
      bucket: B,
      key: 'other',
      query: { uploadId: id, partNumber: '1' },
      body: body('x'),
    }),
    'NoSuchUpload',
  )
  await part(h, id, 1, Buffer.from('first'))
  const before = h.store.s3Objects.listParts(id)[0]?.dataFile ?? ''
  await part(h, id, 1, Buffer.from('second'))
  assert.equal(existsSync(join(h.ops.files.layout.dataDir, before)), false)
  assert.equal(h.store.s3Objects.listParts(id).length, 1)
})

test('AbortMultipartUpload removes the upload and its part files', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h)
  await part(h, id, 1, Buffer.from('x'))
  assert.equal(readdirSync(h.ops.files.layout.dataDir).length, 1)
  assert.equal(
    (await h.call('AbortMultipartUpload', { bucket: B, key: 'big', query: { uploadId: id } }))
      .status,
    204,
  )
  assert.equal(readdirSync(h.ops.files.layout.dataDir).length, 0)
  await rejectsWith(
    h.call('AbortMultipartUpload', { bucket: B, key: 'big', query: { uploadId: id } }),
    'NoSuchUpload',
  )
})

test('ListParts pages with max-parts and part-number-marker', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h)
  for (const n of [1, 2, 3]) await part(h, id, n, Buffer.from(String(n)))
  const page = await h.text('ListParts', {
    bucket: B,
    key: 'big',
    query: { uploadId: id, 'max-parts': '2' },
  })
  assert.deepEqual(texts(page.text, 'PartNumber'), ['1', '2'])
  assert.deepEqual(texts(page.text, 'IsTruncated'), ['true'])
  assert.deepEqual(texts(page.text, 'NextPartNumberMarker'), ['2'])
  const rest = await h.text('ListParts', {
    bucket: B,
    key: 'big',
    query: { uploadId: id, 'part-number-marker': '2' },
  })
  assert.deepEqual(texts(rest.text, 'PartNumber'), ['3'])
})

test('ListMultipartUploads lists by key, with prefix, delimiter and markers', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const a1 = await start(h, 'a/1')
  h.now += 1000
  const a1b = await start(h, 'a/1')
  await start(h, 'b')
  await start(h, 'c/x')
  const all = await h.text('ListMultipartUploads', { bucket: B })
  assert.deepEqual(texts(all.text, 'Key'), ['a/1', 'a/1', 'b', 'c/x'])
  assert.deepEqual(texts(all.text, 'UploadId').slice(0, 2), [a1, a1b], 'same key: oldest first')
  const grouped = await h.text('ListMultipartUploads', { bucket: B, query: { delimiter: '/' } })
  assert.deepEqual(texts(grouped.text, 'Key'), ['b'])
  assert.deepEqual(
    texts(grouped.text, 'Prefix').filter((p) => p !== ''),
    ['a/', 'c/'],
  )
  const page = await h.text('ListMultipartUploads', { bucket: B, query: { 'max-uploads': '1' } })
  assert.deepEqual(texts(page.text, 'NextKeyMarker'), ['a/1'])
  assert.deepEqual(texts(page.text, 'NextUploadIdMarker'), [a1])
  const next = await h.text('ListMultipartUploads', {
    bucket: B,
    query: { 'key-marker': 'a/1', 'upload-id-marker': a1 },
  })
  assert.deepEqual(texts(next.text, 'UploadId')[0], a1b)
  const afterKey = await h.text('ListMultipartUploads', {
    bucket: B,
    query: { 'key-marker': 'a/1' },
  })
  assert.deepEqual(texts(afterKey.text, 'Key'), ['b', 'c/x'])
})

test('a composite checksum for uploads that ask for one', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h, 'sum', { 'x-amz-checksum-algorithm': 'SHA256' })
  const data = Buffer.from('abc')
  const value = createHash('sha256').update(data).digest('base64')
  const r = await h.call('UploadPart', {
    bucket: B,
    key: 'sum',
    query: { uploadId: id, partNumber: '1' },
    body: body(data, { checksum: { algorithm: 'SHA256', value } }),
  })
  assert.equal(r.headers['x-amz-checksum-sha256'], value)
  const done = await h.text('CompleteMultipartUpload', {
    bucket: B,
    key: 'sum',
    query: { uploadId: id },
    body: completion([[1, r.headers.etag ?? '']]),
  })
  const composite = `${createHash('sha256').update(Buffer.from(value, 'base64')).digest('base64')}-1`
  assert.deepEqual(texts(done.text, 'ChecksumSHA256'), [composite])
})

test('two completions of one upload: one object, the other NoSuchUpload, no stray files', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const id = await start(h)
  const e1 = await part(h, id, 1, Buffer.from('only part'))
  const complete = () =>
    h.call('CompleteMultipartUpload', {
      bucket: B,
      key: 'big',
      query: { uploadId: id },
      body: completion([[1, e1]]),
    })
  const results = await Promise.allSettled([complete(), complete()])
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
  const failed = results.find((r) => r.status === 'rejected')
  assert.equal((failed?.reason as { code: string } | undefined)?.code, 'NoSuchUpload')
  assert.deepEqual(readdirSync(h.ops.files.layout.dataDir), [
    h.store.s3Objects.get(B, 'big')?.dataFile,
  ])
})
