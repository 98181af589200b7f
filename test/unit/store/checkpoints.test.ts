import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CHECKPOINT_INTERVAL_MS } from '../../../src/store/index.js'
import { fixture } from './helpers.js'

const row = (i: number) => ({
  requestId: `req-${String(i)}`,
  action: 's3:GetObject',
  decision: 'allowed' as const,
  reasons: { rule: 'x'.repeat(400) },
})

test('background checkpoints: the serving connection never checkpoints; a worker copies the WAL', async (t) => {
  const { reopen, dir } = fixture(t)
  const problems: string[] = []
  const store = reopen({
    checkpoints: 'background',
    onCheckpointProblem: (m) => problems.push(m),
  })
  const dbFile = join(dir, 'irsa.db')
  const before = statSync(dbFile).size
  // Well past SQLite's automatic threshold (1,000 pages): here no commit checkpoints.
  for (let i = 0; i < 40; i++)
    store.decisions.appendMany(Array.from({ length: 250 }, (_, j) => row(i * 250 + j)))
  assert.equal(statSync(dbFile).size, before, 'no commit copied the WAL into the database')
  const deadline = Date.now() + 20 * CHECKPOINT_INTERVAL_MS
  const copied = () => statSync(dbFile).size > before + 2 * 1024 * 1024
  while (!copied() && Date.now() < deadline) await sleep(50)
  assert.ok(copied(), 'the worker checkpointed')
  assert.equal(store.decisions.count(), 10_000)
  assert.deepEqual(problems, [])
  store.close()
})

test('automatic checkpoints by default: a commit past 1,000 WAL pages copies it', (t) => {
  const { store, dir } = fixture(t)
  const dbFile = join(dir, 'irsa.db')
  const before = statSync(dbFile).size
  for (let i = 0; i < 40; i++)
    store.decisions.appendMany(Array.from({ length: 250 }, (_, j) => row(i * 250 + j)))
  assert.ok(statSync(dbFile).size > before)
})
