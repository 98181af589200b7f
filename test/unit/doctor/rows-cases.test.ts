/**
 * The doctor-row cases (test/e2e/doctor-rows/FOLDER/*.yaml) without a stack: each parses
 * into a case the e2e runner can run, every folder is run by one e2e file, and the loader
 * refuses an empty folder.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadRows } from '../../helpers/doctor-rows.js'
import { repoPath } from '../../helpers/paths.js'

const root = repoPath('test', 'e2e', 'doctor-rows')
const folders = readdirSync(root).sort()

test('every case folder loads, and its cases name a check of the contract', () => {
  const checks = readFileSync(repoPath('docs', 'doctor.md'), 'utf8')
  for (const f of folders)
    for (const c of loadRows(join(root, f))) {
      assert.ok(checks.includes(c.first), `${f}/${c.id}: ${c.first} is not in docs/doctor.md`)
      assert.ok(c.prove.says.length > 0, `${f}/${c.id}: the proof says nothing`)
    }
})

test('every case folder is run by exactly one e2e file', () => {
  const named = readdirSync(repoPath('test', 'e2e'))
    .filter((n) => /^doctor-rows.*\.test\.ts$/.test(n))
    .flatMap((n) =>
      [
        ...readFileSync(repoPath('test', 'e2e', n), 'utf8').matchAll(
          /runRowsFile\(t, \[([^\]]*)\]/g,
        ),
      ]
        .flatMap((m) => (m[1] ?? '').split(','))
        .map((s) => s.trim().replace(/^'|'$/g, '')),
    )
    .sort()
  assert.deepEqual(named, folders)
})

test('an empty case folder is an error, not a pass', () => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-rows-'))
  try {
    assert.throws(() => loadRows(dir), /no doctor-row case/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
