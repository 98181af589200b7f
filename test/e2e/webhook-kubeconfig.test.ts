import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { main, type Io } from '../../src/cli/index.js'
import { systemClock } from '../../src/core/index.js'
import { applyJsonPatch, type JsonPatchOperation, type Pod } from '../../src/webhook/index.js'
import { runCli } from '../helpers/cli.js'
import { startFakeApiServer } from '../unit/kube/fake-api-server.js'
import { deferred, pod, review, send, tlsFixture } from '../unit/webhook-server/helpers.js'

const ROLE = 'arn:aws:iam::111122223333:role/e2e'

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

test('irsa webhook --kubeconfig (fake API server) answers reviews from its informer and from a lookup', async (t) => {
  const fake = await startFakeApiServer()
  fake.requireToken('e2e-token')
  fake.add('shop', 'app', { 'eks.amazonaws.com/role-arn': ROLE })
  fake.addHidden('shop', 'late', { 'eks.amazonaws.com/role-arn': ROLE })
  const tls = tlsFixture()
  const dir = mkdtempSync(join(tmpdir(), 'irsa-webhook-e2e-'))
  t.after(async () => {
    await fake.close()
    tls.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })
  fake.add('shop', 'pi')
  writeFileSync(
    join(dir, 'associations.json'),
    JSON.stringify({ identities: [{ namespace: 'shop', serviceAccount: 'pi' }] }),
  )
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'fake',
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      clusters: [{ name: 'fake', cluster: { server: fake.origin } }],
      users: [{ name: 'fake', user: { token: 'e2e-token' } }],
    }),
  )

  let stdout = ''
  let stderr = ''
  const started = deferred<undefined>()
  const stop = deferred<string>()
  const io: Io = {
    stdout: (text) => {
      stdout += text
      if (stdout.includes('Stop with')) started.resolve(undefined)
    },
    stderr: (text) => (stderr += text),
    env: {},
    cwd: dir,
    clock: systemClock,
    readStdin: () => Promise.resolve(''),
    untilSignal: () => stop.promise,
  }
  const exited = main(
    [
      'webhook',
      '--kubeconfig',
      'kubeconfig',
      '--tls-cert',
      tls.certFile,
      '--tls-key',
      tls.keyFile,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--metrics-port',
      '0',
      '--aws-default-region',
      'eu-west-1',
      '--service-account-lookup-grace-period',
      '5s',
      '--watch-container-credentials-config',
      'associations.json',
      '--log-level',
      'warn',
    ],
    io,
  )
  await Promise.race([
    started.promise,
    exited.then((code) => {
      throw new Error(`irsa webhook exited early with ${code}: ${stderr}`)
    }),
  ])
  const origin = /serving (https:\/\/\S+)\/mutate/.exec(stdout)?.[1] ?? ''
  const metricsUrl = /metrics\s+(http:\/\/\S+)\/metrics/.exec(stdout)?.[1] ?? ''
  assert.match(origin, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.match(stdout, new RegExp(`cluster\\s+${fake.origin.replace(/[.]/g, '\\.')}`))

  // Ready once the informer has listed.
  const listed = deferred<undefined>()
  const check = (): void => {
    if (fake.requests.some((r) => r.path.startsWith('/api/v1/serviceaccounts?limit=')))
      listed.resolve(undefined)
  }
  fake.onActivity(check)
  check()
  await listed.promise
  let ready = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/readyz' })
  for (let i = 0; i < 500 && ready.status !== 200; i++) {
    await new Promise<void>((r) => setImmediate(r))
    ready = await send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/readyz' })
  }
  assert.equal(ready.status, 200)

  for (const saName of ['app', 'late']) {
    const p = pod('web')
    p.metadata!.namespace = 'shop'
    p.spec!.serviceAccountName = saName
    const r = await send(origin, {
      ca: tls.ca.certPem,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(review(p, { namespace: 'shop' })),
    })
    assert.equal(r.status, 200, r.body)
    const body = JSON.parse(r.body)
    const ops = JSON.parse(
      Buffer.from(body.response.patch, 'base64').toString('utf8'),
    ) as JsonPatchOperation[]
    const mutated = applyJsonPatch(p, ops) as Pod
    const env = Object.fromEntries(
      (mutated.spec!.containers![0]!.env ?? []).map((e) => [e.name, e.value]),
    )
    assert.equal(env['AWS_ROLE_ARN'], ROLE, saName)
    assert.equal(env['AWS_REGION'], 'eu-west-1', saName)
  }
  // A Pod Identity association from the watched file wins over IRSA.
  const pi = pod('agent')
  pi.metadata!.namespace = 'shop'
  pi.spec!.serviceAccountName = 'pi'
  const r = await send(origin, {
    ca: tls.ca.certPem,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(review(pi, { namespace: 'shop' })),
  })
  const ops = JSON.parse(
    Buffer.from(JSON.parse(r.body).response.patch, 'base64').toString('utf8'),
  ) as JsonPatchOperation[]
  const piPod = applyJsonPatch(pi, ops) as Pod
  const piEnv = Object.fromEntries(
    (piPod.spec!.containers![0]!.env ?? []).map((e) => [e.name, e.value]),
  )
  assert.equal(piEnv['AWS_CONTAINER_CREDENTIALS_FULL_URI'], 'http://169.254.170.23/v1/credentials')
  assert.equal(piEnv['AWS_ROLE_ARN'], undefined)

  assert.equal(
    fake.requests.filter((r) => r.path === '/api/v1/namespaces/shop/serviceaccounts/late').length,
    1,
    'the hidden ServiceAccount came from a lookup',
  )
  assert.ok(fake.requests.every((r) => r.authorization === 'Bearer e2e-token'))

  const m = await httpGet(`${metricsUrl}/metrics`)
  assert.equal(m.status, 200)
  assert.match(m.body, /^pod_identity_webhook_pod_count\{method="sts_web_identity"\} 2$/m)
  assert.match(m.body, /^pod_identity_webhook_pod_count\{method="container_credentials"\} 1$/m)

  stop.resolve('SIGTERM')
  assert.equal(await exited, 0)
  assert.match(stdout, /stopping \(SIGTERM\)/)
  await assert.rejects(send(origin, { ca: tls.ca.certPem, method: 'GET', path: '/healthz' }))
})

test('irsa webhook --help lists the reference flags; bad flags are one-line errors (exit 2)', async () => {
  const help = await runCli(['webhook', '--help'])
  assert.equal(help.code, 0)
  for (const flag of [
    '--annotation-prefix',
    '--token-audience',
    '--token-mount-path',
    '--token-expiration',
    '--aws-default-region',
    '--sts-regional-endpoint',
    '--service-account-lookup-grace-period',
    '--tls-cert',
    '--tls-key',
    '--port',
    '--metrics-port',
    '--kubeconfig',
    '--in-cluster',
  ])
    assert.ok(help.stdout.includes(flag), flag)
  const cases: [string[], RegExp][] = [
    [['--service-account-lookup-grace-period', 'soon'], /must be a duration/],
    [['--port', '70000'], /--port must be a port number from 0 to 65535/],
    [['--env-from-unresolved', 'maybe'], /override or keep/],
    [['--compose-role-arn'], /--aws-account-id/],
    [['--kubeconfig', '/nonexistent/kubeconfig'], /cannot be read \(ENOENT\)/],
    [[], /no cluster to watch/],
  ]
  for (const [args, why] of cases) {
    const r = await runCli(['webhook', ...args])
    assert.equal(r.code, 2, args.join(' '))
    assert.match(r.stderr, why)
    assert.equal(r.stderr.trim().split('\n').length, 1)
  }
})
