import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { body, harness, makeBucket, readAll, rejectsWith } from './harness.js'

const B = 'bucket-one'
const chunk = (c: string) => Buffer.alloc(64 * 1024, c)

test('a body that throws mid-way (bad checksum) leaves no row and no file, and the old object stands', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutObject', { bucket: B, key: 'k', body: body('original') })
  const before = readdirSync(h.ops.files.layout.dataDir)
  await rejectsWith(
    h.call('PutObject', {
      bucket: B,
      key: 'k',
      body: body([chunk('a'), chunk('b'), chunk('c')], { failAfterChunks: 2 }),
    }),
    'BadDigest',
  )
  await rejectsWith(
    h.call('PutObject', {
      bucket: B,
      key: 'new',
      body: body([chunk('a')], { failAfterChunks: 1 }),
    }),
    'BadDigest',
  )
  assert.deepEqual(readdirSync(h.ops.files.layout.dataDir), before)
  assert.deepEqual(readdirSync(h.ops.files.layout.tmpDir), [])
  assert.equal(h.store.s3Objects.get(B, 'new'), undefined)
  const got = await h.call('GetObject', { bucket: B, key: 'k' })
  assert.equal((await readAll(got.body)).toString(), 'original')
})

test('a part whose body throws leaves no part', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const up = await h.text('CreateMultipartUpload', { bucket: B, key: 'm' })
  const uploadId = /<UploadId>([^<]+)</.exec(up.text)?.[1] ?? ''
  await rejectsWith(
    h.call('UploadPart', {
      bucket: B,
      key: 'm',
      query: { uploadId, partNumber: '1' },
      body: body([chunk('a'), chunk('b')], { failAfterChunks: 1 }),
    }),
    'BadDigest',
  )
  assert.deepEqual(h.store.s3Objects.listParts(uploadId), [])
  assert.deepEqual(readdirSync(h.ops.files.layout.dataDir), [])
  assert.deepEqual(readdirSync(h.ops.files.layout.tmpDir), [])
})

test('startup removes temp files and data files no row names, and keeps the rest', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutObject', { bucket: B, key: 'kept', body: body('kept') })
  const { dataDir, tmpDir } = h.ops.files.layout
  writeFileSync(join(tmpDir, 'deadbeef.tmp'), 'half-written')
  writeFileSync(join(dataDir, 'f'.repeat(32)), 'renamed but never committed')
  const restarted = h.restart()
  assert.equal(restarted.swept, 2)
  assert.deepEqual(readdirSync(tmpDir), [])
  assert.deepEqual(readdirSync(dataDir), [h.store.s3Objects.get(B, 'kept')?.dataFile])
  const got = await h.call('GetObject', { bucket: B, key: 'kept' })
  assert.equal((await readAll(got.body)).toString(), 'kept')
})

test('a reader keeps its bytes when the object is replaced while it streams', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  await h.call('PutObject', { bucket: B, key: 'k', body: body([chunk('a'), chunk('a')]) })
  const got = await h.call('GetObject', { bucket: B, key: 'k' })
  await h.call('PutObject', { bucket: B, key: 'k', body: body('new') })
  const data = await readAll(got.body)
  assert.equal(data.length, 128 * 1024)
  assert.ok(data.every((b) => b === 'a'.charCodeAt(0)))
})

test('a bucket deleted during a PUT is NoSuchBucket and leaves no file', async (t) => {
  const h = harness(t)
  await makeBucket(h)
  const slow = body([chunk('a'), chunk('b')])
  const wrapped = {
    length: slow.length,
    checksum: () => slow.checksum(),
    md5Hex: () => slow.md5Hex(),
    async *[Symbol.asyncIterator]() {
      let first = true
      for await (const c of slow) {
        yield c
        if (first) await h.call('DeleteBucket', { bucket: B })
        first = false
      }
    },
  }
  await rejectsWith(h.call('PutObject', { bucket: B, key: 'k', body: wrapped }), 'NoSuchBucket')
  assert.deepEqual(readdirSync(h.ops.files.layout.dataDir), [])
})
