import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualClock } from '../../../src/core/index.js'
import { timeOrderedRequestIds } from '../../../src/aws/index.js'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('request ids are UUID version 7 carrying the clock’s milliseconds, unique, sorted by time', () => {
  const t0 = Date.UTC(2026, 10, 23, 10, 0, 0)
  const clock = manualClock(t0)
  const next = timeOrderedRequestIds(clock)
  const ids: string[] = []
  for (let i = 0; i < 50; i++) {
    ids.push(next(), next())
    clock.advance(1)
  }
  for (const id of ids) assert.match(id, UUID_V7)
  assert.equal(new Set(ids).size, ids.length)
  const first = ids[0] ?? ''
  assert.equal(parseInt(first.slice(0, 8) + first.slice(9, 13), 16), t0)
  // Ids of later milliseconds sort after earlier ones.
  for (let i = 2; i < ids.length; i += 2) assert.ok((ids[i] ?? '') > (ids[i - 1] ?? ''), `${i}`)
})
