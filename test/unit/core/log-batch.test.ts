import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { setImmediate as turn } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { batchedWriter, LOG_BATCH_MAX_CHARS } from '../../../src/core/index.js'

test('lines of one turn go out in one write, in order; flush writes at once', async () => {
  const writes: string[] = []
  const w = batchedWriter((text) => writes.push(text))
  w.write('a\n')
  w.write('b\n')
  w.write('c\n')
  assert.deepEqual(writes, [], 'nothing before the turn ends')
  await turn()
  assert.deepEqual(writes, ['a\nb\nc\n'])
  w.write('d\n')
  w.flush()
  assert.deepEqual(writes, ['a\nb\nc\n', 'd\n'])
  await turn()
  assert.equal(writes.length, 2, 'nothing is written twice')
})

test(`past ${String(LOG_BATCH_MAX_CHARS)} characters the batch is written without waiting`, () => {
  const writes: string[] = []
  const w = batchedWriter((text) => writes.push(text))
  const line = `${'x'.repeat(1023)}\n`
  for (let i = 0; i < LOG_BATCH_MAX_CHARS / 1024; i++) w.write(line)
  assert.equal(writes.length, 1)
  assert.equal(writes[0]?.length, LOG_BATCH_MAX_CHARS)
})

test('what is waiting is written when the process exits, also on an uncaught exception', () => {
  const core = pathToFileURL(new URL('../../../src/core/index.js', import.meta.url).pathname).href
  for (const [how, end] of [
    ['exit', 'process.exit(3)'],
    ['throw', "throw new Error('boom')"],
  ] as const) {
    const script = `import { batchedWriter } from '${core}'
const w = batchedWriter((t) => process.stdout.write(t))
w.write('one\\n'); w.write('two\\n'); ${end}`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    })
    assert.equal(r.stdout, 'one\ntwo\n', how)
    assert.notEqual(r.status, 0, how)
  }
})
