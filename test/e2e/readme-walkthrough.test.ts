/**
 * E2E: the README's walkthrough runs as written. The test takes the `sh` block that
 * follows the `readme-walkthrough` marker in README.md, starts a fresh `irsa up` over
 * `.irsa` in a fresh directory (ports 0, so it runs beside other tests; the account left
 * to irsa, a random one), and runs the block there with bash -e, unchanged: `npx irsa`
 * resolves through that directory's `node_modules/.bin/irsa` (a link to this checkout's
 * bin, as `npm ci` makes it), the real AWS CLI does the rest, HOME is a temp folder. The
 * last line printed is the assumed-role ARN in the stack's account.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { awsCli, runProcess } from '../helpers/tools.js'
import { cliBin, repoPath } from '../helpers/paths.js'
import { startUp, stopUp, tempDir } from './up-process.js'

const MARKER = '<!-- readme-walkthrough:'

/** The first ```sh block after the marker. */
function walkthroughBlock(readme: string): string {
  const at = readme.indexOf(MARKER)
  assert.ok(at >= 0, `README.md has no ${MARKER} marker`)
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))
  assert.ok(m?.[1] !== undefined, 'no ```sh block after the readme-walkthrough marker')
  return m[1]
}

test('the README walkthrough block runs as written and prints the assumed-role ARN', async (t) => {
  const block = walkthroughBlock(readFileSync(repoPath('README.md'), 'utf8'))
  assert.match(block, /^source \.irsa\/env/m)
  const oracle = awsCli()
  if (oracle.skip !== false) {
    t.skip(oracle.skip)
    return
  }
  const work = tempDir(t, 'irsa-readme-')
  mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true })
  symlinkSync(cliBin, join(work, 'node_modules', '.bin', 'irsa'))
  mkdirSync(join(work, 'home'))
  writeFileSync(join(work, 'walkthrough.sh'), block)

  const up = await startUp(join(work, '.irsa'), [], { randomAccount: true })
  t.after(() => stopUp(up, 'SIGKILL'))
  const account = /account (\d{12}),/.exec(up.stdout())?.[1]
  assert.ok(account !== undefined, `no account in the banner:\n${up.stdout()}`)

  const r = await runProcess('bash', ['--noprofile', '--norc', '-e', 'walkthrough.sh'], {
    cwd: work,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
      HOME: join(work, 'home'),
      AWS_EC2_METADATA_DISABLED: 'true',
      // npx finds irsa locally; these keep npm itself off the network.
      npm_config_update_notifier: 'false',
      npm_config_offline: 'true',
    },
  })
  assert.equal(r.code, 0, `the walkthrough failed:\n${r.stdout}\n${r.stderr}`)
  const last = r.stdout.trimEnd().split('\n').at(-1)
  assert.equal(last, `arn:aws:sts::${account}:assumed-role/app/demo`)
})
