import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import {
  createCertificateAuthority,
  issueServerCertificate,
  manualClock,
  systemClock,
} from '../../../src/core/index.js'
import {
  createKubeClient,
  inClusterConnection,
  isKubeError,
  loadKubeconfig,
  type KubeConnection,
} from '../../../src/kube/index.js'
import { startFakeApiServer } from './fake-api-server.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

function tempDir(t: { after: (fn: () => unknown) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-kube-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

function kubeconfig(o: {
  server: string
  cluster?: Record<string, unknown>
  user?: Record<string, unknown>
  context?: string
}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': o.context ?? 'main',
    contexts: [
      { name: 'main', context: { cluster: 'c1', user: 'u1' } },
      { name: 'other', context: { cluster: 'c2', user: 'u1' } },
    ],
    clusters: [
      { name: 'c1', cluster: { server: o.server, ...o.cluster } },
      { name: 'c2', cluster: { server: 'https://127.0.0.1:1' } },
    ],
    users: [{ name: 'u1', user: o.user ?? {} }],
  })
}

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

async function creds(conn: KubeConnection): Promise<Record<string, unknown>> {
  return { ...(await conn.credentials.get()) }
}

test('token, CA data, insecure-skip-tls-verify, tls-server-name and the current context', async (t) => {
  const dir = tempDir(t)
  const file = write(
    dir,
    'config',
    kubeconfig({
      server: 'https://10.0.0.1:6443/',
      cluster: {
        'certificate-authority-data': b64('CA PEM'),
        'tls-server-name': 'kubernetes.default',
      },
      user: { token: 'abc', tokenFile: '/nonexistent' },
    }),
  )
  const conn = loadKubeconfig(file, { clock: systemClock })
  assert.equal(conn.server, 'https://10.0.0.1:6443')
  assert.equal(conn.ca, 'CA PEM')
  assert.equal(conn.tlsServerName, 'kubernetes.default')
  assert.equal(conn.insecureSkipTlsVerify, false)
  assert.deepEqual(await creds(conn), { token: 'abc' }, 'token wins over tokenFile')
  assert.match(conn.source, /context main$/)
  const other = loadKubeconfig(file, { clock: systemClock, context: 'other' })
  assert.equal(other.server, 'https://127.0.0.1:1')
  const insecure = loadKubeconfig(
    write(
      dir,
      'insecure',
      kubeconfig({ server: 'https://x:1', cluster: { 'insecure-skip-tls-verify': true } }),
    ),
    { clock: systemClock },
  )
  assert.equal(insecure.insecureSkipTlsVerify, true)
  assert.deepEqual(await creds(insecure), {})
})

test('tokenFile and certificate files are read relative to the kubeconfig, and the token file is re-read', async (t) => {
  const dir = tempDir(t)
  write(dir, 'ca.crt', 'CA FILE')
  write(dir, 'token', 'first\n')
  const clock = manualClock(0)
  const conn = loadKubeconfig(
    write(
      dir,
      'config',
      kubeconfig({
        server: 'https://x:1',
        cluster: { 'certificate-authority': 'ca.crt' },
        user: { tokenFile: 'token' },
      }),
    ),
    { clock },
  )
  assert.equal(conn.ca, 'CA FILE')
  assert.deepEqual(await creds(conn), { token: 'first' })
  write(dir, 'token', 'second\n')
  assert.deepEqual(await creds(conn), { token: 'first' }, 'not re-read within a minute')
  clock.advance(60_000)
  assert.deepEqual(await creds(conn), { token: 'second' })
})

test('client certificate and key (data or files) authenticate over HTTPS to the API server', async (t) => {
  const dir = tempDir(t)
  const ca = createCertificateAuthority({ commonName: 'kube CA', clock: systemClock })
  const serving = issueServerCertificate(ca, { ipAddresses: ['127.0.0.1'], clock: systemClock })
  const client = issueServerCertificate(ca, { dnsNames: ['kube-admin'], clock: systemClock })
  const fake = await startFakeApiServer({
    tls: { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem },
  })
  t.after(() => fake.close())
  fake.add('default', 'default')
  write(dir, 'client.crt', client.certPem)
  write(dir, 'client.key', client.keyPem)
  for (const [name, user] of [
    [
      'data',
      { 'client-certificate-data': b64(client.certPem), 'client-key-data': b64(client.keyPem) },
    ],
    ['files', { 'client-certificate': 'client.crt', 'client-key': 'client.key' }],
  ] as const) {
    const conn = loadKubeconfig(
      write(
        dir,
        `config-${name}`,
        kubeconfig({
          server: fake.origin,
          cluster: { 'certificate-authority-data': b64(ca.certPem) },
          user,
        }),
      ),
      { clock: systemClock },
    )
    const kube = createKubeClient(conn)
    const r = await kube.get('/api/v1/namespaces/default/serviceaccounts/default')
    kube.close()
    assert.equal(r.status, 200, name)
    assert.equal(fake.requests.at(-1)?.clientCert, 'kube-admin', name)
  }
  // The server's certificate is checked against the CA: another CA fails.
  const wrongCa = createCertificateAuthority({ commonName: 'other', clock: systemClock })
  const bad = createKubeClient(
    loadKubeconfig(
      write(
        dir,
        'config-bad',
        kubeconfig({
          server: fake.origin,
          cluster: { 'certificate-authority-data': b64(wrongCa.certPem) },
        }),
      ),
      { clock: systemClock },
    ),
  )
  await assert.rejects(
    bad.get('/api/v1/serviceaccounts'),
    (e) => isKubeError(e) && e.code === 'ERR_KUBE_API',
  )
  bad.close()
})

/** A tiny exec credential plugin: logs each run and its KUBERNETES_EXEC_INFO, prints a token. */
function plugin(dir: string, apiVersion: string, expiration: string | undefined): string {
  return write(
    dir,
    'plugin.mjs',
    `import { appendFileSync } from 'node:fs'
appendFileSync(${JSON.stringify(join(dir, 'runs.log'))}, process.env.KUBERNETES_EXEC_INFO + '\\n')
const n = process.env.PLUGIN_TOKEN_PREFIX + String(Math.random()).slice(2, 8)
process.stdout.write(JSON.stringify({
  apiVersion: ${JSON.stringify(apiVersion)},
  kind: 'ExecCredential',
  status: { token: n${expiration !== undefined ? `, expirationTimestamp: ${JSON.stringify(expiration)}` : ''} },
}))
`,
  )
}

for (const apiVersion of [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]) {
  test(`exec plugin ${apiVersion}: spawned with KUBERNETES_EXEC_INFO, cached until expirationTimestamp`, async (t) => {
    const dir = tempDir(t)
    const script = plugin(dir, apiVersion, '2030-01-01T00:00:00Z')
    const clock = manualClock(Date.parse('2029-12-31T23:00:00Z'))
    const fake = await startFakeApiServer()
    t.after(() => fake.close())
    const conn = loadKubeconfig(
      write(
        dir,
        'config',
        kubeconfig({
          server: fake.origin,
          user: {
            exec: {
              apiVersion,
              command: process.execPath,
              args: [script],
              env: [{ name: 'PLUGIN_TOKEN_PREFIX', value: 'tok-' }],
              provideClusterInfo: true,
              interactiveMode: 'Never',
            },
          },
        }),
      ),
      { clock },
    )
    const first = await creds(conn)
    assert.match(String(first['token']), /^tok-\d+$/)
    assert.deepEqual(await creds(conn), first, 'cached')
    const kube = createKubeClient(conn)
    await kube.get('/api/v1/serviceaccounts')
    kube.close()
    assert.equal(fake.requests.at(-1)?.authorization, `Bearer ${String(first['token'])}`)
    let runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n')
    assert.equal(runs.length, 1)
    const info = JSON.parse(runs[0]!)
    assert.equal(info.apiVersion, apiVersion)
    assert.equal(info.kind, 'ExecCredential')
    assert.equal(info.spec.interactive, false)
    assert.equal(info.spec.cluster.server, fake.origin)
    clock.set(Date.parse('2030-01-01T00:00:01Z'))
    const second = await creds(conn)
    assert.notEqual(second['token'], first['token'], 'expired: the plugin runs again')
    runs = readFileSync(join(dir, 'runs.log'), 'utf8').trim().split('\n')
    assert.equal(runs.length, 2)
  })
}

test('exec plugin failures are ERR_KUBE_EXEC and never quote the output', async (t) => {
  const dir = tempDir(t)
  const cases: [string, string, RegExp][] = [
    ['exit', 'process.exit(3)', /exited with status 3/],
    ['notjson', 'process.stdout.write("secret-token-value")', /did not print JSON/],
    [
      'version',
      `process.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1alpha1',kind:'ExecCredential',status:{token:'secret-token-value'}}))`,
      /apiVersion/,
    ],
    [
      'empty',
      `process.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1',kind:'ExecCredential',status:{}}))`,
      /neither a token nor a client certificate/,
    ],
  ]
  for (const [name, body, why] of cases) {
    const script = write(dir, `${name}.mjs`, body)
    const conn = loadKubeconfig(
      write(
        dir,
        `config-${name}`,
        kubeconfig({
          server: 'https://127.0.0.1:1',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: process.execPath,
              args: [script],
            },
          },
        }),
      ),
      { clock: systemClock },
    )
    await assert.rejects(
      Promise.resolve(conn.credentials.get()),
      (e) =>
        isKubeError(e) &&
        e.code === 'ERR_KUBE_EXEC' &&
        why.test(e.message) &&
        !e.message.includes('secret-token-value'),
      name,
    )
  }
})

test('a kubeconfig that names something absent or unsupported is ERR_KUBE_CONFIG, one line', (t) => {
  const dir = tempDir(t)
  const cases: [string, string, RegExp][] = [
    [
      'nocontext',
      kubeconfig({ server: 'https://x:1', context: 'nope' }),
      /no context named "nope"/,
    ],
    [
      'authprovider',
      kubeconfig({ server: 'https://x:1', user: { 'auth-provider': { name: 'gcp' } } }),
      /auth-provider is not supported/,
    ],
    [
      'basic',
      kubeconfig({ server: 'https://x:1', user: { username: 'a', password: 'b' } }),
      /basic auth/,
    ],
    [
      'halfcert',
      kubeconfig({ server: 'https://x:1', user: { 'client-certificate-data': b64('x') } }),
      /go together/,
    ],
    [
      'cafile',
      kubeconfig({ server: 'https://x:1', cluster: { 'certificate-authority': 'missing.crt' } }),
      /missing\.crt: cannot be read \(ENOENT\)/,
    ],
    ['notyaml', '{: : :', /not valid YAML|not a kubeconfig/],
  ]
  for (const [name, text, why] of cases) {
    assert.throws(
      () => loadKubeconfig(write(dir, name, text), { clock: systemClock }),
      (e) =>
        isKubeError(e) &&
        e.code === 'ERR_KUBE_CONFIG' &&
        why.test(e.message) &&
        !e.message.includes('\n'),
      name,
    )
  }
  assert.throws(
    () => loadKubeconfig(join(dir, 'absent'), { clock: systemClock }),
    (e) => isKubeError(e) && /cannot be read \(ENOENT\)/.test(e.message),
  )
})

test('in-cluster: service host and port from the environment, CA and token from the folder', async (t) => {
  const dir = tempDir(t)
  write(dir, 'ca.crt', 'CLUSTER CA')
  write(dir, 'token', 'projected-1')
  const clock = manualClock(0)
  const conn = inClusterConnection({
    clock,
    dir,
    env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
  })
  assert.equal(conn.server, 'https://[fd00::1]:443')
  assert.equal(conn.ca, 'CLUSTER CA')
  assert.deepEqual(await creds(conn), { token: 'projected-1' })
  write(dir, 'token', 'projected-2')
  clock.advance(60_000)
  assert.deepEqual(await creds(conn), { token: 'projected-2' }, 'the rotated token is picked up')
  assert.throws(
    () => inClusterConnection({ clock, dir, env: {} }),
    (e) => isKubeError(e) && e.code === 'ERR_KUBE_IN_CLUSTER' && /--kubeconfig/.test(e.message),
  )
})
