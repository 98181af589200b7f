/**
 * The CLI's light command table (src/cli/commands/table.ts), which the dispatcher and the
 * help listing read without loading any command's module, agrees with the modules: the
 * same commands, in the same order, with the same summaries; each entry loads its command;
 * and the top-level help lists them all.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { commands } from '../../../src/cli/commands/index.js'
import { COMMAND_TABLE, loadCommand } from '../../../src/cli/commands/table.js'
import { runCli } from '../../helpers/cli.js'

const line = (c: { path: readonly string[]; summary: string }): string =>
  `${c.path.join(' ')}: ${c.summary}`

test('the command table lists every command of the modules, in order, with its summary', () => {
  assert.deepEqual(COMMAND_TABLE.map(line), commands.map(line))
})

test('each table entry loads the command its module exports', async () => {
  for (const entry of COMMAND_TABLE) {
    const cmd = await loadCommand(entry)
    assert.ok(commands.includes(cmd), entry.path.join(' '))
    assert.deepEqual(cmd.path, entry.path)
  }
})

test('irsa --help lists every command from the table', async () => {
  const r = await runCli(['--help'])
  assert.equal(r.code, 0)
  for (const entry of COMMAND_TABLE)
    assert.ok(
      r.stdout.includes(`  ${entry.path.join(' ')} `) && r.stdout.includes(entry.summary),
      entry.path.join(' '),
    )
})
