import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { RULE_LIST } from '../../../src/lint/index.js'
import { repoPath } from '../../helpers/paths.js'

test('docs/lint.md documents every rule, with its severity, and no other', () => {
  const doc = readFileSync(repoPath('docs', 'lint.md'), 'utf8')
  const sections = [...doc.matchAll(/^### `([a-z-]+)`\n\n(\w+)/gm)].map((m) => [
    m[1],
    m[2]?.toLowerCase(),
  ])
  assert.deepEqual(
    sections,
    RULE_LIST.map((r) => [r.id, r.severity]),
  )
})
