import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  parseGoDuration,
  parsePodIdentityAssociations,
  watchPodIdentityAssociations,
} from '../../../src/webhook/index.js'

test('Go durations as the reference flags take them', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['100ms', 100],
    ['2s', 2000],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['500us', 0.5],
    ['250µs', 0.25],
    ['', undefined],
    ['2', undefined],
    ['-1s', undefined],
    ['1x', undefined],
    ['s', undefined],
    ['1s ', undefined],
  ]
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, JSON.stringify(text))
})

test('the Pod Identity associations file: identities by namespace/serviceAccount; empty is none', () => {
  const keys = parsePodIdentityAssociations(
    JSON.stringify({
      identities: [
        { namespace: 'shop', serviceAccount: 'app' },
        { namespace: 'ci', serviceAccount: 'runner' },
      ],
    }),
  )
  assert.deepEqual([...keys].sort(), ['ci/runner', 'shop/app'])
  assert.equal(parsePodIdentityAssociations('').size, 0)
  assert.equal(parsePodIdentityAssociations('{}').size, 0)
  assert.throws(() => parsePodIdentityAssociations('{'), /not valid JSON/)
  assert.throws(() => parsePodIdentityAssociations('{"identities":{}}'), /must be a list/)
  assert.throws(
    () => parsePodIdentityAssociations('{"identities":[{"namespace":"x"}]}'),
    /namespace and a serviceAccount/,
  )
})

test('the associations file is reloaded; an invalid version keeps the last good set; a missing file clears it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-assoc-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'associations.json')
  const write = (text: string): void => {
    writeFileSync(file + '.tmp', text)
    renameSync(file + '.tmp', file)
  }
  write(JSON.stringify({ identities: [{ namespace: 'shop', serviceAccount: 'app' }] }))
  const errors: string[] = []
  const a = watchPodIdentityAssociations({
    file,
    onError: (m) => errors.push(m),
    pollIntervalMs: 3_600_000,
  })
  t.after(() => {
    a.close()
  })
  assert.equal(a.has('shop', 'app'), true)
  assert.equal(a.has('shop', 'other'), false)
  write(JSON.stringify({ identities: [{ namespace: 'shop', serviceAccount: 'other' }] }))
  a.reload()
  assert.equal(a.has('shop', 'app'), false)
  assert.equal(a.has('shop', 'other'), true)
  write('{ broken')
  a.reload()
  assert.equal(a.has('shop', 'other'), true, 'the last good set stays')
  assert.equal(errors.length, 1)
  assert.match(errors[0] ?? '', /not valid JSON/)
  rmSync(file)
  a.reload()
  assert.equal(a.size(), 0)
})
