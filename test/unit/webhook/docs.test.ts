import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { repoPath } from '../../helpers/paths.js'
import { ANNOTATIONS, ENV, WEBHOOK_ERROR_CODES } from '../../../src/webhook/index.js'

const doc = readFileSync(repoPath('docs', 'webhook.md'), 'utf8')

test('docs/webhook.md documents every error code, annotation and injected variable', () => {
  for (const code of WEBHOOK_ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), code)
  for (const name of Object.values(ANNOTATIONS)) {
    assert.ok(doc.includes(`\`<prefix>/${name}\``), name)
  }
  for (const name of Object.values(ENV)) assert.ok(doc.includes(name), name)
})

test('docs/webhook.md documents no error code that does not exist', () => {
  const documented = new Set(doc.match(/ERR_(WEBHOOK|JSON_PATCH)_[A-Z_]+/g) ?? [])
  assert.deepEqual([...documented].sort(), [...WEBHOOK_ERROR_CODES].sort())
})
