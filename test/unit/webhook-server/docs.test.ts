import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { webhookCommands } from '../../../src/cli/commands/webhook.js'
import { KUBE_ERROR_CODES } from '../../../src/kube/index.js'
import { createWebhookMetrics } from '../../../src/webhook/index.js'
import { repoPath } from '../../helpers/paths.js'

const server = readFileSync(repoPath('docs', 'webhook-server.md'), 'utf8')
const kube = readFileSync(repoPath('docs', 'kube.md'), 'utf8')

function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`)
  assert.ok(start !== -1, `no section ${heading}`)
  const end = doc.indexOf('\n## ', start + 1)
  return doc.slice(start, end === -1 ? undefined : end)
}

test('docs/webhook-server.md lists every flag of irsa webhook, and no other', () => {
  const cmd = webhookCommands[0]!
  const table = section(server, 'Flags')
  const documented = new Set(
    [...table.matchAll(/^\| (`--[a-z-]+`(?:, `--[a-z-]+`)*)/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`--([a-z-]+)`/g)].map((x) => x[1]!),
    ),
  )
  assert.deepEqual([...documented].sort(), Object.keys(cmd.options).sort())
})

test('docs/webhook-server.md lists every metric the app exports, and no other', async () => {
  const text = await createWebhookMetrics().render()
  const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!))
  const table = section(server, 'Metrics')
  const documented = new Set([...table.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]!))
  assert.deepEqual([...documented].sort(), [...exported].sort())
})

test('docs/kube.md lists every kube error code, and no other', () => {
  const documented = new Set([...kube.matchAll(/^\| `(ERR_KUBE_[A-Z_]+)`/gm)].map((m) => m[1]!))
  assert.deepEqual([...documented].sort(), [...KUBE_ERROR_CODES].sort())
})
