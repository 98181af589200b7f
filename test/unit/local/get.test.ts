import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'yaml'
import type { ManualClock } from '../../../src/core/index.js'
import { humanDuration } from '../../../src/local/index.js'
import { runCli } from '../../helpers/cli.js'
import { ROLE, localFixture, podYaml, saYaml } from './helpers.js'

async function seed(dir: string, clock: ManualClock) {
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n',
      saYaml('app', 'default', ROLE),
      saYaml('builder', 'team'),
      podYaml('web', 'app'),
    ].join('---\n'),
    clock,
  })
  assert.equal(r.code, 0, r.stderr)
}

test('get sa and get pods print kubectl tables with AGE from the clock', async (t) => {
  const { dir, clock } = localFixture(t)
  await seed(dir, clock)
  clock.advance(200_000)
  const sa = await runCli(['get', 'sa', '--data-dir', dir], { clock })
  assert.deepEqual(sa, {
    code: 0,
    stdout: 'NAME   SECRETS   AGE\napp    0         3m20s\n',
    stderr: '',
  })
  const pods = await runCli(['get', 'pods', '--data-dir', dir], { clock })
  assert.equal(
    pods.stdout,
    'NAME   READY   STATUS    RESTARTS   AGE\nweb    0/1     Pending   0          3m20s\n',
  )
  const all = await runCli(['get', 'serviceaccounts', '-A', '--data-dir', dir], { clock })
  assert.equal(
    all.stdout,
    'NAMESPACE   NAME      SECRETS   AGE\ndefault     app       0         3m20s\nteam        builder   0         3m20s\n',
  )
  const team = await runCli(['get', 'serviceaccount', '-n', 'team', '--data-dir', dir], { clock })
  assert.equal(team.stdout, 'NAME      SECRETS   AGE\nbuilder   0         3m20s\n')
})

test('get NAME -o yaml|json shows the object with uid, resourceVersion and creationTimestamp', async (t) => {
  const { dir, clock } = localFixture(t)
  await seed(dir, clock)
  const y = await runCli(['get', 'sa', 'app', '-o', 'yaml', '--data-dir', dir], { clock })
  assert.equal(y.code, 0)
  const obj = parse(y.stdout) as { metadata: Record<string, unknown>; kind: string }
  assert.equal(obj.kind, 'ServiceAccount')
  assert.equal(obj.metadata['name'], 'app')
  assert.equal(obj.metadata['creationTimestamp'], '2026-01-01T00:00:00Z')
  assert.equal(obj.metadata['resourceVersion'], '2')
  assert.match(String(obj.metadata['uid']), /^[0-9a-f-]{36}$/)
  assert.deepEqual(obj.metadata['annotations'], { 'eks.amazonaws.com/role-arn': ROLE })
  const j = await runCli(['get', 'po', 'web', '--output', 'json', '--data-dir', dir], { clock })
  const pod = JSON.parse(j.stdout) as {
    spec: { containers: { env: { name: string }[] }[] }
    status: unknown
  }
  assert.ok(pod.spec.containers[0]?.env.some((e) => e.name === 'AWS_ROLE_ARN'))
  assert.deepEqual(pod.status, { phase: 'Pending' })
  const list = await runCli(['get', 'sa', '-A', '-o', 'json', '--data-dir', dir], { clock })
  const l = JSON.parse(list.stdout) as { kind: string; apiVersion: string; items: unknown[] }
  assert.equal(l.kind, 'List')
  assert.equal(l.apiVersion, 'v1')
  assert.equal(l.items.length, 2)
})

test("a missing NAME is kubectl's NotFound, exit 1; an empty namespace says so on stderr", async (t) => {
  const { dir, clock } = localFixture(t)
  const r = await runCli(['get', 'sa', 'ghost', '--data-dir', dir], { clock })
  assert.deepEqual(r, {
    code: 1,
    stdout: '',
    stderr: 'Error from server (NotFound): serviceaccounts "ghost" not found\n',
  })
  const p = await runCli(['get', 'pods', 'ghost', '--data-dir', dir], { clock })
  assert.equal(p.stderr, 'Error from server (NotFound): pods "ghost" not found\n')
  const empty = await runCli(['get', 'pods', '-n', 'kube-system', '--data-dir', dir], { clock })
  assert.deepEqual(empty, {
    code: 0,
    stdout: '',
    stderr: 'No resources found in kube-system namespace.\n',
  })
})

test('get refuses other resource types and output formats in one line', async (t) => {
  const { dir, clock } = localFixture(t)
  const kind = await runCli(['get', 'deployments', '--data-dir', dir], { clock })
  assert.equal(kind.code, 2)
  assert.equal(
    kind.stderr,
    'irsa: the server doesn\'t have a resource type "deployments" (irsa get takes serviceaccounts (sa) and pods (po))\n',
  )
  const out = await runCli(['get', 'sa', '-o', 'wide', '--data-dir', dir], { clock })
  assert.equal(out.stderr, "irsa: --output must be yaml or json, got 'wide'\n")
  const help = await runCli(['get', '--help'])
  assert.match(help.stdout, /-A, --all-namespaces/)
  assert.match(help.stdout, /-o, --output FORMAT/)
})

test("AGE is kubectl's HumanDuration", () => {
  const s = 1000
  const cases: [number, string][] = [
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [200 * s, '3m20s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s, '3h'],
    [(5 * 3600 + 3 * 60) * s, '5h3m'],
    [20 * 3600 * s, '20h'],
    [(3 * 24 + 4) * 3600 * s, '3d4h'],
    [30 * 24 * 3600 * s, '30d'],
    [(2 * 365 + 15) * 24 * 3600 * s, '2y15d'],
    [9 * 365 * 24 * 3600 * s, '9y'],
  ]
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms))
})
