import { test } from 'node:test'
import assert from 'node:assert/strict'
import { body, harness, makeBucket, rejectsWith, texts, type Harness } from './harness.js'

const B = 'bucket-one'
/** In byte order: 'é' is 0xC3 0xA9 in UTF-8, after 'z'. */
const KEYS = ['a/1', 'a/2', 'a/b/3', 'b', 'c/1', 'c/2', 'd', 'z/', 'é']

async function seeded(t: Parameters<typeof harness>[0]): Promise<Harness> {
  const h = harness(t)
  await makeBucket(h)
  for (const k of [...KEYS].reverse())
    await h.call('PutObject', { bucket: B, key: k, body: body(k) })
  return h
}

async function v2(h: Harness, query: Record<string, string>) {
  return (await h.text('ListObjectsV2', { bucket: B, query: { 'list-type': '2', ...query } })).text
}

test('ListObjectsV2 lists every key in byte order, with KeyCount and sizes', async (t) => {
  const h = await seeded(t)
  const xml = await v2(h, {})
  assert.match(
    xml,
    /^<\?xml[^>]+>\n<ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Name>bucket-one<\/Name>/,
  )
  assert.deepEqual(texts(xml, 'Key'), KEYS)
  assert.deepEqual(texts(xml, 'KeyCount'), [String(KEYS.length)])
  assert.deepEqual(texts(xml, 'IsTruncated'), ['false'])
  assert.deepEqual(texts(xml, 'MaxKeys'), ['1000'])
  assert.deepEqual(texts(xml, 'StorageClass').length, KEYS.length)
  assert.equal(texts(xml, 'Owner').length, 0, 'no Owner without fetch-owner')
  assert.ok(texts(xml, 'ID').length === 0)
  assert.equal(texts(await v2(h, { 'fetch-owner': 'true' }), 'ID').length, KEYS.length)
})

test('prefix and delimiter roll keys up into CommonPrefixes', async (t) => {
  const h = await seeded(t)
  const top = await v2(h, { delimiter: '/' })
  assert.deepEqual(texts(top, 'Key'), ['b', 'd', 'é'])
  assert.deepEqual(texts(top, 'Prefix'), ['a/', 'c/', 'z/'], 'the empty Prefix is <Prefix/>')
  assert.deepEqual(texts(top, 'KeyCount'), ['6'])
  const inA = await v2(h, { prefix: 'a/', delimiter: '/' })
  assert.deepEqual(texts(inA, 'Key'), ['a/1', 'a/2'])
  assert.deepEqual(texts(inA, 'Prefix'), ['a/', 'a/b/'])
})

test('max-keys and continuation tokens page through keys and prefixes without repeats', async (t) => {
  const h = await seeded(t)
  const seen: string[] = []
  let token: string | undefined
  let pages = 0
  do {
    const xml = await v2(h, {
      delimiter: '/',
      'max-keys': '2',
      ...(token === undefined ? {} : { 'continuation-token': token }),
    })
    seen.push(...texts(xml, 'Key'), ...texts(xml, 'Prefix').filter((p) => p !== ''))
    token = texts(xml, 'NextContinuationToken')[0]
    assert.equal(texts(xml, 'IsTruncated')[0], token === undefined ? 'false' : 'true')
    pages++
  } while (token !== undefined && pages < 10)
  assert.deepEqual([...seen].sort(), ['a/', 'b', 'c/', 'd', 'z/', 'é'].sort())
  assert.equal(pages, 3)
  await rejectsWith(v2(h, { 'continuation-token': 'garbage' }), 'InvalidArgument')
})

test('start-after, max-keys=0, bad max-keys, encoding-type=url', async (t) => {
  const h = await seeded(t)
  assert.deepEqual(texts(await v2(h, { 'start-after': 'c/1' }), 'Key'), ['c/2', 'd', 'z/', 'é'])
  const zero = await v2(h, { 'max-keys': '0' })
  assert.deepEqual(texts(zero, 'Key'), [])
  assert.deepEqual(texts(zero, 'KeyCount'), ['0'])
  await rejectsWith(v2(h, { 'max-keys': '-1' }), 'InvalidArgument')
  await rejectsWith(v2(h, { 'max-keys': 'ten' }), 'InvalidArgument')
  await rejectsWith(v2(h, { 'encoding-type': 'base64' }), 'InvalidArgument')
  const url = await v2(h, { 'encoding-type': 'url', prefix: 'é' })
  assert.deepEqual(texts(url, 'Key'), ['%C3%A9'])
  assert.deepEqual(texts(url, 'EncodingType'), ['url'])
  await rejectsWith(h.call('ListObjectsV2', { bucket: 'no-such-bucket' }), 'NoSuchBucket')
})

test('ListObjects (v1): marker, Owner always, NextMarker only with a delimiter', async (t) => {
  const h = await seeded(t)
  const list = async (query: Record<string, string>) =>
    (await h.text('ListObjects', { bucket: B, query })).text
  const first = await list({ 'max-keys': '3' })
  assert.deepEqual(texts(first, 'Key'), ['a/1', 'a/2', 'a/b/3'])
  assert.deepEqual(texts(first, 'IsTruncated'), ['true'])
  assert.deepEqual(texts(first, 'NextMarker'), [])
  assert.equal(texts(first, 'ID').length, 3)
  assert.deepEqual(texts(await list({ marker: 'a/b/3', 'max-keys': '2' }), 'Key'), ['b', 'c/1'])
  const grouped = await list({ delimiter: '/', 'max-keys': '2' })
  assert.deepEqual(texts(grouped, 'NextMarker'), ['b'])
  const next = await list({ delimiter: '/', 'max-keys': '2', marker: 'c/' })
  assert.deepEqual(texts(next, 'Key'), ['d'])
  assert.deepEqual(texts(next, 'Prefix'), ['z/'])
  assert.deepEqual(texts(next, 'NextMarker'), ['z/'])
})
