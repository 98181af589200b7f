import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_POLICY_CACHE_BYTES, PolicyCache } from '../../../src/iam/index.js'

/** A valid identity policy of about `chars` characters (one padded Sid). */
function sized(chars: number, tag: string): string {
  const head = `{"Version":"2012-10-17","Statement":[{"Sid":"S${tag}`
  const tail = `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
  return head + 'a'.repeat(Math.max(0, chars - head.length - tail.length)) + tail
}

test('PolicyCache: near-quota documents are bounded by total bytes, not only by entry count', () => {
  const cache = new PolicyCache()
  // 300 documents at the simulator's 131,072-character PolicyInputList maximum: within the
  // 2,048-entry bound, 39 MiB of text, over the byte bound.
  for (let i = 0; i < 300; i++) cache.get(sized(131_000, `x${i}`), 'identity', 'p', 'none')
  const s = cache.stats()
  assert.ok(s.bytes <= DEFAULT_POLICY_CACHE_BYTES, `${s.bytes} bytes kept`)
  assert.ok(s.size < 300 && s.size >= 100, `${s.size} entries kept`)
  assert.equal(s.misses, 300)
})

test('PolicyCache: the byte bound evicts least recently used first; an oversized document is not kept', () => {
  const a = sized(4000, 'a')
  const b = sized(4000, 'b')
  const c = sized(4000, 'c')
  const cache = new PolicyCache({ maxBytes: 10_000 })
  const first = cache.get(a, 'identity', 'p', 'role')
  cache.get(b, 'identity', 'p', 'role')
  assert.equal(cache.get(a, 'identity', 'p', 'role'), first, 'a is now the most recent')
  cache.get(c, 'identity', 'p', 'role')
  assert.equal(cache.stats().size, 2, 'b left: two 4 kB documents fit in 10 kB, three do not')
  assert.equal(cache.get(a, 'identity', 'p', 'role'), first, 'a stayed')
  const misses = cache.stats().misses
  cache.get(b, 'identity', 'p', 'role')
  assert.equal(cache.stats().misses, misses + 1, 'b was compiled again')

  const huge = sized(20_000, 'h')
  const before = cache.stats()
  const compiled = cache.get(huge, 'identity', 'p', 'role')
  assert.equal(compiled.statements.length, 1, 'still compiled and answered')
  assert.equal(cache.stats().size, before.size, 'but not kept, and nothing evicted for it')
  assert.equal(cache.stats().bytes, before.bytes)
})

test('PolicyCache: a number is still the entry bound', () => {
  const cache = new PolicyCache(2)
  for (const t of ['a', 'b', 'c']) cache.get(sized(200, t), 'identity', 'p', 'role')
  assert.equal(cache.stats().size, 2)
})
