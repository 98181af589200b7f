/**
 * `irsa doctor` flags: --help, one starting point exactly, exit 2 with one line for doctor's
 * own errors, and the --request-id start against a data directory with no stack.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'

test('irsa doctor --help shows the usage and every starting point', async () => {
  const r = await runCli(['doctor', '--help'])
  assert.equal(r.code, 0)
  for (const flag of [
    '--service-account',
    '--pod',
    '--token',
    '--request-id',
    '--live',
    '--output',
  ])
    assert.ok(r.stdout.includes(flag), flag)
  assert.match(r.stdout, /^Usage: irsa doctor /m)
})

test('irsa doctor: bad starting points are one line and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const cases: [string[], RegExp][] = [
    [['doctor'], /^irsa: give one starting point: /],
    [['doctor', '--token', 't', '--request-id', 'r'], /^irsa: give one starting point: /],
    [['doctor', '--service-account', 'app'], /^irsa: --namespace is required/],
    [
      ['doctor', '-n', 'default', '--service-account', 'a', '--pod', 'p'],
      /^irsa: give one of --service-account SA or --pod NAME/,
    ],
    [['doctor', '--token', 't'], /^irsa: --role-arn is required$/],
    [['doctor', '-n', 'default', '--pod', ''], /^irsa: --pod must not be empty$/],
    [['doctor', '-n', '', '--service-account', 'app'], /^irsa: --namespace must not be empty$/],
    [['doctor', '--token', 'missing', '--role-arn', 'arn:aws:iam::111122223333:role/a'], /^irsa: /],
    [
      ['doctor', '--request-id', 'r', '--dir', join(dir, 'none')],
      /^irsa: no local stack data directory at /,
    ],
    [
      ['doctor', '-n', 'd', '--pod', 'p', '--output', 'yaml'],
      /^irsa: --output must be text or json, got 'yaml'$/,
    ],
    [
      ['doctor', '-n', 'd', '--pod', 'p', '--kubeconfig', join(dir, 'nope')],
      /^irsa: cannot use the kubeconfig /,
    ],
  ]
  for (const [argv, want] of cases) {
    const r = await runCli(argv, { cwd: dir, env: { HOME: dir } })
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stdout}${r.stderr}`)
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr.trim(), want)
    assert.equal(r.stdout, '')
  }
})

test('doctorDataDir finds the data directory as the stack does', async () => {
  const { doctorDataDir } = await import('../../../src/cli/commands/doctor.js')
  const { resolveDataDir } = await import('../../../src/stack/index.js')
  const cases: [string | undefined, Record<string, string | undefined>][] = [
    [undefined, {}],
    [undefined, { IRSA_DATA_DIR: '' }],
    [undefined, { IRSA_DATA_DIR: 'rel/dir' }],
    [undefined, { IRSA_DATA_DIR: '/abs/dir' }],
    ['flag', { IRSA_DATA_DIR: '/abs/dir' }],
    ['/abs/flag', {}],
  ]
  for (const [flag, env] of cases)
    assert.equal(doctorDataDir(flag, env, '/work/x'), resolveDataDir(flag, env, '/work/x'))
})
