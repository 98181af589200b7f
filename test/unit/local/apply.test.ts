import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'
import { ENDPOINT, REGION, ROLE, localFixture, podYaml, saYaml } from './helpers.js'

test('apply creates, leaves unchanged and configures ServiceAccounts, as kubectl prints it', async (t) => {
  const { dir, store, cluster, clock } = localFixture(t)
  const args = ['apply', '--data-dir', dir, '-f', '-']
  const first = await runCli(args, { stdin: saYaml('app', 'default', ROLE), clock })
  assert.deepEqual(first, { code: 0, stdout: 'serviceaccount/app created\n', stderr: '' })
  const again = await runCli(args, { stdin: saYaml('app', 'default', ROLE), clock })
  assert.deepEqual(again, { code: 0, stdout: 'serviceaccount/app unchanged\n', stderr: '' })
  const changed = await runCli(args, { stdin: saYaml('app', 'default', `${ROLE}-2`), clock })
  assert.deepEqual(changed, { code: 0, stdout: 'serviceaccount/app configured\n', stderr: '' })
  const stored = store.kubeObjects.get(cluster.arn, {
    kind: 'ServiceAccount',
    namespace: 'default',
    name: 'app',
  })
  assert.ok(stored)
  assert.deepEqual(stored.object['metadata'], {
    name: 'app',
    namespace: 'default',
    annotations: { 'eks.amazonaws.com/role-arn': `${ROLE}-2` },
  })
  assert.equal(stored.resourceVersion, 2)
})

test('apply reads a file from the working directory and applies documents in order', async (t) => {
  const { dir, clock } = localFixture(t)
  const file = join(dir, 'all.yaml')
  writeFileSync(
    file,
    [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
      saYaml('app', 'shop', ROLE),
      podYaml('web', 'app', 'shop'),
    ].join('---\n'),
  )
  const r = await runCli(['apply', '--data-dir', dir, '-f', 'all.yaml'], { cwd: dir, clock })
  assert.equal(r.stderr, '')
  assert.equal(r.stdout, 'namespace/shop created\nserviceaccount/app created\npod/web created\n')
  assert.equal(r.code, 0)
})

test("a missing namespace is kubectl's NotFound; the other objects still apply; exit 2", async (t) => {
  const { dir, clock } = localFixture(t)
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: [saYaml('a', 'nowhere'), saYaml('b', 'kube-system')].join('---\n'),
    clock,
  })
  assert.equal(r.code, 2)
  assert.equal(r.stdout, 'serviceaccount/b created\n')
  assert.equal(
    r.stderr,
    'Error from server: error when applying "-": namespaces "nowhere" not found\n',
  )
})

test('a bad kind is refused before anything is applied, in one line', async (t) => {
  const { dir, store, cluster, clock } = localFixture(t)
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: saYaml('a') + '---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n',
    clock,
  })
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.match(
    r.stderr,
    /^irsa: -: document 2: kind Deployment \(apiVersion apps\/v1\) is not supported/,
  )
  assert.equal(r.stderr.split('\n').length, 2)
  assert.deepEqual(store.kubeObjects.list(cluster.arn, 'ServiceAccount'), [])
})

test('a pod is admitted through the webhook and stored mutated: env, volume and mount', async (t) => {
  const { dir, store, cluster, clock } = localFixture(t)
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: saYaml('app', 'default', ROLE) + '---\n' + podYaml('web', 'app'),
    clock,
  })
  assert.deepEqual(r, {
    code: 0,
    stdout: 'serviceaccount/app created\npod/web created\n',
    stderr: '',
  })
  const pod = store.kubeObjects.get(cluster.arn, { kind: 'Pod', namespace: 'default', name: 'web' })
  const spec = pod?.object['spec'] as {
    containers: { env: { name: string; value: string }[]; volumeMounts: unknown[] }[]
    volumes: unknown[]
  }
  const container = spec.containers[0]
  assert.ok(container)
  assert.deepEqual(container.env, [
    { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
    { name: 'AWS_DEFAULT_REGION', value: REGION },
    { name: 'AWS_REGION', value: REGION },
    { name: 'AWS_ROLE_ARN', value: ROLE },
    {
      name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
      value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
    },
  ])
  assert.deepEqual(container.volumeMounts, [
    {
      name: 'aws-iam-token',
      readOnly: true,
      mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount',
    },
  ])
  assert.deepEqual(spec.volumes, [
    {
      name: 'aws-iam-token',
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: 'sts.amazonaws.com',
              expirationSeconds: 86400,
              path: 'token',
            },
          },
        ],
      },
    },
  ])
  // Applying the same manifest again: admission gives the same pod.
  const again = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: podYaml('web', 'app'),
    clock,
  })
  assert.deepEqual(again, { code: 0, stdout: 'pod/web unchanged\n', stderr: '' })
  assert.ok(ENDPOINT)
})

test('a pod whose ServiceAccount has no role is stored as is, with the webhook warning', async (t) => {
  const { dir, store, cluster, clock } = localFixture(t)
  // The role annotation is misspelt (eks.amazon.com): the webhook warns.
  const sa = saYaml('typo', 'default').replace(
    'namespace: default\n',
    `namespace: default\n  annotations:\n    eks.amazon.com/role-arn: ${ROLE}\n`,
  )
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: sa + '---\n' + podYaml('web', 'typo'),
    clock,
  })
  assert.equal(r.code, 0)
  assert.equal(r.stdout, 'serviceaccount/typo created\npod/web created\n')
  assert.equal(
    r.stderr,
    'Warning: ServiceAccount default/typo has no eks.amazonaws.com/role-arn annotation but has eks.amazon.com/role-arn; the pod gets no AWS identity\n',
  )
  const pod = store.kubeObjects.get(cluster.arn, { kind: 'Pod', namespace: 'default', name: 'web' })
  assert.deepEqual(pod?.object['spec'], {
    serviceAccountName: 'typo',
    containers: [{ name: 'app', image: 'public.ecr.aws/aws-cli/aws-cli' }],
  })
  // A plain ServiceAccount (no intent at all) gets no warning, as from the webhook.
  const plain = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: saYaml('plain') + '---\n' + podYaml('other', 'plain'),
    clock,
  })
  assert.deepEqual(plain, {
    code: 0,
    stdout: 'serviceaccount/plain created\npod/other created\n',
    stderr: '',
  })
})

test("a pod whose ServiceAccount does not exist is refused, as the API server's admission does", async (t) => {
  const { dir, store, cluster, clock } = localFixture(t)
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], {
    stdin: podYaml('web', 'ghost'),
    clock,
  })
  assert.equal(r.code, 2)
  assert.equal(
    r.stderr,
    'Error from server: error when applying "-": pods "web" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found\n',
  )
  assert.deepEqual(store.kubeObjects.list(cluster.arn, 'Pod'), [])
})

test('a pod of the default ServiceAccount is admitted without applying one', async (t) => {
  const { dir, clock } = localFixture(t)
  const pod = podYaml('web', 'default')
  const r = await runCli(['apply', '--data-dir', dir, '-f', '-'], { stdin: pod, clock })
  assert.equal(r.code, 0)
  assert.equal(r.stdout, 'pod/web created\n')
})

test('apply without -f, or with a missing file, or without a stack, is a one-line error', async (t) => {
  const { dir, clock } = localFixture(t)
  const none = await runCli(['apply', '--data-dir', dir], { clock })
  assert.deepEqual(none, {
    code: 2,
    stdout: '',
    stderr: 'irsa: must specify -f FILE (or -f - for standard input)\n',
  })
  const missing = await runCli(['apply', '--data-dir', dir, '-f', 'nope.yaml'], { cwd: dir, clock })
  assert.equal(missing.stderr, 'irsa: the path "nope.yaml" does not exist\n')
  const noStack = await runCli(['apply', '--data-dir', join(dir, 'empty'), '-f', '-'], {
    stdin: saYaml('a'),
    clock,
  })
  assert.equal(noStack.code, 2)
  assert.match(noStack.stderr, /^irsa: no local stack in .*: run 'irsa up --data-dir .*' first\n$/)
  const noCluster = await runCli(['apply', '--data-dir', dir, '--cluster', 'other', '-f', '-'], {
    stdin: saYaml('a'),
    clock,
  })
  assert.match(
    noCluster.stderr,
    /^irsa: no cluster named other in 111122223333 us-west-2 \(clusters: local\)\n$/,
  )
})

test('apply --help documents its flags', async () => {
  const r = await runCli(['apply', '--help'])
  assert.equal(r.code, 0)
  for (const flag of [
    '-f, --filename FILE',
    '-n, --namespace NS',
    '--cluster NAME',
    '--data-dir DIR',
  ])
    assert.ok(r.stdout.includes(flag), flag)
})
