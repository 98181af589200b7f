import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createS3Files } from '../../../src/s3/index.js'

/** A file store over a temp directory, with `n` bytes of `fill` written as `name`. */
function store(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-s3-small-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const files = createS3Files(dir)
  const put = (name: string, n: number, fill: string): void => {
    writeFileSync(join(files.layout.dataDir, name), Buffer.alloc(n, fill))
  }
  return { files, put, path: (name: string) => join(files.layout.dataDir, name) }
}

test('a small file is read from disk once, then from memory (data files never change once named)', async (t) => {
  const s = store(t)
  s.put('a', 4096, 'a')
  const first = await s.files.readSmall('a', 4096)
  // Rewriting the file behind the store's back shows which reads went to disk.
  s.put('a', 4096, 'z')
  const second = await s.files.readSmall('a', 4096)
  assert.equal(Buffer.from(first).toString('latin1', 0, 1), 'a')
  assert.equal(
    Buffer.from(second).toString('latin1', 0, 1),
    'a',
    'the second read is the cached copy',
  )
})

test('a removed file leaves the cache: a new file of that name is read from disk', async (t) => {
  const s = store(t)
  s.put('b', 100, 'b')
  await s.files.readSmall('b', 100)
  await s.files.remove(['b'])
  s.put('b', 100, 'c')
  const again = await s.files.readSmall('b', 100)
  assert.equal(Buffer.from(again).toString('latin1', 0, 1), 'c')
})

test('files over 64 KiB are not kept; the cache holds at most 32 MiB, least recently read out first', async (t) => {
  const s = store(t)
  s.put('big', 64 * 1024 + 1, 'x')
  await s.files.readSmall('big', 64 * 1024 + 1)
  s.put('big', 64 * 1024 + 1, 'y')
  assert.equal(Buffer.from(await s.files.readSmall('big', 64 * 1024 + 1))[0], 'y'.charCodeAt(0))

  // 513 files of 64 KiB are 32 MiB + 64 KiB: reading them all pushes out the first one,
  // unless it was read again meanwhile (then the second is the least recently read).
  const n = 513
  for (let i = 0; i < n; i++) s.put(`f${i}`, 64 * 1024, 'o')
  await s.files.readSmall('f0', 64 * 1024)
  await s.files.readSmall('f1', 64 * 1024)
  await s.files.readSmall('f0', 64 * 1024)
  for (let i = 2; i < n; i++) await s.files.readSmall(`f${i}`, 64 * 1024)
  s.put('f0', 64 * 1024, 'n')
  s.put('f1', 64 * 1024, 'n')
  assert.equal(
    Buffer.from(await s.files.readSmall('f0', 64 * 1024))[0],
    'o'.charCodeAt(0),
    'f0 was read again: still cached',
  )
  assert.equal(
    Buffer.from(await s.files.readSmall('f1', 64 * 1024))[0],
    'n'.charCodeAt(0),
    'f1 was the least recently read: out',
  )
})
