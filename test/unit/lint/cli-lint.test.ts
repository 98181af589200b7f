/** `irsa lint`: output formats, --fail-on and the exit codes, --help. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from '../../helpers/cli.js'
import { casesDir } from './cases.js'

const TRUST = 'trust-no-sub.json'
const PERM = 'wildcard-action-all-resources.json'

test('text output names file:line:column, severity, rule, message and fix; exit 1 on an error', async () => {
  const dir = casesDir([TRUST], 'triggers')
  const r = await runCli(['lint', TRUST], { cwd: dir })
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stdout, /^trust-no-sub\.json:\d+:\d+ statement 0: error \[trust-no-sub\] /m)
  assert.match(r.stdout, /any ServiceAccount of the cluster/)
  assert.match(r.stdout, /^ {2}fix: Add "StringEquals"/m)
  assert.match(r.stdout, /1 finding \(1 error, 0 warning, 0 note\)/)
})

test('--fail-on: a warning fails only at warning or note', async () => {
  const dir = casesDir([PERM], 'triggers')
  const def = await runCli(['lint', PERM], { cwd: dir })
  assert.equal(def.code, 0, def.stdout)
  assert.match(def.stdout, /warning \[wildcard-action-all-resources\]/)
  assert.equal((await runCli(['lint', '--fail-on', 'warning', PERM], { cwd: dir })).code, 1)
  assert.equal((await runCli(['lint', '--fail-on', 'note', PERM], { cwd: dir })).code, 1)
})

test('json output: every finding with ruleId, severity, message, fix and location', async () => {
  const dir = casesDir([TRUST, PERM], 'triggers')
  const r = await runCli(['lint', '--format', 'json', TRUST, PERM], { cwd: dir })
  assert.equal(r.code, 1)
  const out = JSON.parse(r.stdout) as {
    findings: { ruleId: string; severity: string; location: { uri: string; line: number } }[]
  }
  assert.deepEqual(
    out.findings.map((f) => [f.ruleId, f.severity, f.location.uri]),
    [
      ['trust-no-sub', 'error', TRUST],
      ['wildcard-action-all-resources', 'warning', PERM],
    ],
  )
})

test('clean policies: no findings, exit 0; stdin with -', async () => {
  const dir = casesDir([TRUST], 'passes')
  const r = await runCli(['lint', TRUST], { cwd: dir })
  assert.deepEqual([r.code, r.stdout], [0, 'no findings\n'])
  const s = await runCli(['lint', '-'], { stdin: '{"Version":"2012-10-17","Statement":[]}' })
  assert.equal(s.code, 1)
  assert.match(s.stdout, /^stdin:\d+:\d+: error \[invalid-policy\]/m)
})

test('errors of its own exit 2', async () => {
  assert.equal((await runCli(['lint'])).code, 2)
  assert.equal((await runCli(['lint', '/nonexistent/p.json'])).code, 2)
  assert.equal((await runCli(['lint', '--format', 'xml', 'x.json'])).code, 2)
  assert.equal((await runCli(['lint', '--fail-on', 'fatal', 'x.json'])).code, 2)
})

test('irsa lint --help shows the usage and the exit codes', async () => {
  const r = await runCli(['lint', '--help'])
  assert.equal(r.code, 0)
  assert.match(r.stdout, /irsa lint \[FILE \.\.\.\] \[--role-arn ARN \.\.\.\] \[--all-roles\]/)
  assert.match(r.stdout, /--fail-on/)
  assert.match(r.stdout, /Exit status: 0 no finding/)
})
