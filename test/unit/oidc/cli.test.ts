import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, X509Certificate } from 'node:crypto'
import { get } from 'node:https'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main, type Io } from '../../../src/cli/index.js'
import {
  createCertificateAuthority,
  issueServerCertificate,
  silentLogger,
  systemClock,
} from '../../../src/core/index.js'
import {
  buildDiscovery,
  buildJwks,
  createIssuerApp,
  renderJson,
  startIssuerServer,
} from '../../../src/oidc/index.js'
import { loadPublicKeys } from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'

const clock = systemClock

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-oidc-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** Writes an RSA private key, its public key and an EC private key into `dir`. */
function keyFiles(dir: string): { rsaKey: string; rsaPub: string; ecKey: string } {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const files = {
    rsaKey: join(dir, 'sa.key'),
    rsaPub: join(dir, 'sa.pub'),
    ecKey: join(dir, 'ec.key'),
  }
  writeFileSync(files.rsaKey, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }))
  writeFileSync(files.rsaPub, rsa.publicKey.export({ type: 'spki', format: 'pem' }))
  writeFileSync(files.ecKey, ec.privateKey.export({ type: 'sec1', format: 'pem' }))
  return files
}

const pub = (file: string) => loadPublicKeys(readFileSync(file, 'utf8'))

/** Expects exit 2 and exactly one line on stderr matching `msg`. */
function assertOneLineError(
  r: { code: number; stdout: string; stderr: string },
  msg: RegExp,
): void {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^irsa: [^\n]+\n$/)
  assert.match(r.stderr, msg)
}

test('every oidc command has --help', async () => {
  for (const cmd of ['keys', 'discovery', 'publish', 'serve', 'thumbprint']) {
    const r = await runCli(['oidc', cmd, '--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, new RegExp(`^Usage: irsa oidc ${cmd} `))
  }
  const group = await runCli(['oidc', '--help'])
  assert.equal(group.code, 0)
  for (const cmd of ['keys', 'discovery', 'publish', 'serve', 'thumbprint'])
    assert.match(group.stdout, new RegExp(`oidc ${cmd}`))
})

test('oidc keys: several keys, private keys give their public half, legacy empty kid', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const fromPub = await runCli(['oidc', 'keys', '--key', f.rsaPub])
  const fromKey = await runCli(['oidc', 'keys', '--key', f.rsaKey])
  assert.equal(fromPub.code, 0)
  assert.equal(fromKey.stdout, fromPub.stdout)
  const both = await runCli([
    'oidc',
    'keys',
    '--key',
    f.rsaKey,
    '--key',
    f.ecKey,
    '--legacy-empty-kid',
  ])
  assert.equal(both.code, 0)
  const keys = [...pub(f.rsaKey), ...pub(f.ecKey)]
  assert.equal(both.stdout, renderJson(buildJwks(keys, { legacyEmptyKid: true })))
  const parsed = JSON.parse(both.stdout) as { keys: { kid: string; kty: string }[] }
  assert.deepEqual(
    parsed.keys.map((k) => [k.kty, k.kid]),
    [
      ['RSA', keys[0]!.kid],
      ['EC', keys[1]!.kid],
      ['RSA', ''],
    ],
  )
  // Relative paths resolve against the working directory.
  const rel = await runCli(['oidc', 'keys', '--key', 'sa.pub'], { cwd: dir })
  assert.equal(rel.stdout, fromPub.stdout)
})

test('oidc keys: bad input is a one-line error and exit 2', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'text.txt'), 'hello\n')
  writeFileSync(
    join(dir, 'csr.pem'),
    '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
  )
  writeFileSync(
    join(dir, 'k1.pem'),
    generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }),
  )
  writeFileSync(
    join(dir, 'ed.pem'),
    generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
  )
  assertOneLineError(await runCli(['oidc', 'keys']), /--key is required/)
  assertOneLineError(
    await runCli(['oidc', 'keys', '--key', join(dir, 'nope.pem')]),
    /nope\.pem: no such file/,
  )
  assertOneLineError(await runCli(['oidc', 'keys', '--key', dir]), /is a directory/)
  assertOneLineError(
    await runCli(['oidc', 'keys', '--key', join(dir, 'text.txt')]),
    /no PEM key found/,
  )
  assertOneLineError(
    await runCli(['oidc', 'keys', '--key', join(dir, 'csr.pem')]),
    /PEM block 'CERTIFICATE REQUEST' is not a key/,
  )
  assertOneLineError(
    await runCli(['oidc', 'keys', '--key', join(dir, 'k1.pem')]),
    /unsupported curve secp256k1/,
  )
  assertOneLineError(
    await runCli(['oidc', 'keys', '--key', join(dir, 'ed.pem')]),
    /unsupported key type ed25519/,
  )
  assertOneLineError(await runCli(['oidc', 'keys', '--bogus']), /bogus/)
})

test('oidc discovery: both forms, algorithms from the keys, RS256 by default', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const issuer = 'https://oidc.example/id/ABC'
  const plain = await runCli(['oidc', 'discovery', '--issuer', issuer])
  assert.equal(plain.code, 0)
  assert.equal(plain.stdout, renderJson(buildDiscovery({ issuer })))
  assert.deepEqual(JSON.parse(plain.stdout).id_token_signing_alg_values_supported, ['RS256'])
  const self = await runCli([
    'oidc',
    'discovery',
    '--issuer',
    issuer,
    '--self-hosted',
    '--key',
    f.ecKey,
    '--key',
    f.rsaPub,
  ])
  assert.deepEqual(JSON.parse(self.stdout), {
    issuer,
    jwks_uri: `${issuer}/keys.json`,
    authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256', 'RS256'],
    claims_supported: ['sub', 'iss'],
  })
  const custom = await runCli([
    'oidc',
    'discovery',
    '--issuer',
    issuer,
    '--jwks-uri',
    'https://keys.example/k',
  ])
  assert.equal(JSON.parse(custom.stdout).jwks_uri, 'https://keys.example/k')
  assertOneLineError(
    await runCli(['oidc', 'discovery', '--issuer', 'http://oidc.example']),
    /issuer must be an https URL/,
  )
  assertOneLineError(await runCli(['oidc', 'discovery']), /--issuer is required/)
  assertOneLineError(
    await runCli(['oidc', 'discovery', '--issuer', issuer, '--jwks-uri', 'http://k']),
    /jwks_uri must be an https URL/,
  )
})

test('oidc publish: writes the tree and says what it wrote', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const issuer = 'https://s3.eu-west-1.amazonaws.com/bucket'
  const r = await runCli(
    [
      'oidc',
      'publish',
      '--issuer',
      issuer,
      '--key',
      'sa.pub',
      '--out',
      'site',
      '--legacy-empty-kid',
    ],
    { cwd: dir },
  )
  assert.equal(r.code, 0, r.stderr)
  const disc = join(dir, 'site', '.well-known', 'openid-configuration')
  const keys = join(dir, 'site', 'keys.json')
  assert.match(r.stdout, new RegExp(`^wrote ${disc}\nwrote ${keys}\n`))
  assert.match(r.stdout, /keys\.json serve these files/)
  assert.deepEqual(
    JSON.parse(readFileSync(disc, 'utf8')),
    buildDiscovery({ issuer, form: 'self-hosted', keys: pub(f.rsaPub) }),
  )
  assert.deepEqual(
    JSON.parse(readFileSync(keys, 'utf8')),
    buildJwks(pub(f.rsaPub), { legacyEmptyKid: true }),
  )
  assertOneLineError(
    await runCli([
      'oidc',
      'publish',
      '--issuer',
      'https://x.example?a=1',
      '--key',
      f.rsaPub,
      '--out',
      dir,
    ]),
    /must not have a query/,
  )
  assertOneLineError(
    await runCli(['oidc', 'publish', '--issuer', issuer, '--key', f.rsaPub]),
    /--out is required/,
  )
})

/** An in-process `irsa` run whose stop signal the test controls. */
function controlledRun(argv: string[], cwd: string) {
  let stdout = ''
  let stderr = ''
  let stop: (sig: string) => void = () => undefined
  let onReady: () => void = () => undefined
  const signal = new Promise<string>((resolve) => (stop = resolve))
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  const io: Io = {
    stdout: (s) => {
      stdout += s
      if (stdout.includes('Stop with Ctrl-C')) onReady()
    },
    stderr: (s) => (stderr += s),
    env: {},
    cwd,
    clock,
    readStdin: () => Promise.resolve(''),
    untilSignal: () => signal,
  }
  const exit = main(argv, io)
  void exit.then(() => {
    onReady()
  })
  return { exit, ready, stop, out: () => stdout, err: () => stderr }
}

function fetchText(
  url: string,
  ca: string,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body })
      })
    }).on('error', reject)
  })
}

test('oidc serve: generated CA, port 0, discovery and JWKS over HTTPS, clean stop', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const run = controlledRun(
    ['oidc', 'serve', '--issuer', 'https://127.0.0.1:0/id/CLI', '--key', f.rsaKey, '--port', '0'],
    dir,
  )
  await run.ready
  const out = run.out()
  const issuer = /^serving issuer (\S+)$/m.exec(out)?.[1]
  assert.ok(issuer !== undefined, out)
  const port = Number(/https:\/\/127\.0\.0\.1:(\d+)\/id\/CLI/.exec(issuer)?.[1])
  assert.ok(port > 0)
  assert.match(out, new RegExp(`listening  https://127\\.0\\.0\\.1:${port} \\(port ${port}\\)`))
  const tlsDir = join(dir, '.irsa', 'oidc-tls')
  assert.match(out, new RegExp(`generated CA ${tlsDir}/ca\\.pem`))
  assert.match(out, /curl --cacert /)
  for (const name of ['ca.pem', 'tls.crt', 'tls.key'])
    assert.equal(statSync(join(tlsDir, name)).mode & 0o777, 0o600, name)
  const ca = readFileSync(join(tlsDir, 'ca.pem'), 'utf8')

  const d = await fetchText(`${issuer}/.well-known/openid-configuration`, ca)
  assert.equal(d.status, 200)
  assert.equal(d.type, 'application/json')
  assert.deepEqual(JSON.parse(d.body), buildDiscovery({ issuer, keys: pub(f.rsaKey) }))
  const k = await fetchText(`${issuer}/openid/v1/jwks`, ca)
  assert.equal(k.type, 'application/jwk-set+json')
  assert.deepEqual(JSON.parse(k.body), buildJwks(pub(f.rsaKey)))

  run.stop('SIGTERM')
  assert.equal(await run.exit, 0)
  assert.match(run.out(), /stopped \(SIGTERM\)\n$/)
  await assert.rejects(fetchText(`${issuer}/openid/v1/jwks`, ca), { code: 'ECONNREFUSED' })

  // A second start reuses the CA, so clients that trust it keep working.
  const again = controlledRun(
    ['oidc', 'serve', '--issuer', 'https://127.0.0.1:0/id/CLI', '--key', f.rsaKey, '--port', '0'],
    dir,
  )
  await again.ready
  assert.match(again.out(), /reused CA /)
  again.stop('SIGINT')
  assert.equal(await again.exit, 0)
})

test('oidc serve: a given certificate and key; bad TLS input is a one-line error', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const root = createCertificateAuthority({ commonName: 'given CA', clock })
  const cert = issueServerCertificate(root, { ipAddresses: ['127.0.0.1'], clock })
  const other = issueServerCertificate(root, { ipAddresses: ['127.0.0.1'], clock })
  writeFileSync(join(dir, 'tls.crt'), cert.certPem)
  writeFileSync(join(dir, 'tls.key'), cert.keyPem)
  writeFileSync(join(dir, 'other.key'), other.keyPem)
  const base = [
    'oidc',
    'serve',
    '--issuer',
    'https://127.0.0.1:0/x',
    '--key',
    f.ecKey,
    '--port',
    '0',
  ]
  const run = controlledRun(
    [...base, '--tls-cert', 'tls.crt', '--tls-key', 'tls.key', '--self-hosted'],
    dir,
  )
  await run.ready
  assert.match(run.out(), /tls {8}certificate tls\.crt/)
  const issuer = /^serving issuer (\S+)$/m.exec(run.out())![1]!
  const k = await fetchText(`${issuer}/keys.json`, root.certPem)
  assert.deepEqual(JSON.parse(k.body), buildJwks(pub(f.ecKey)))
  run.stop('SIGINT')
  assert.equal(await run.exit, 0)

  const io = { cwd: dir }
  assertOneLineError(
    await runCli([...base, '--tls-cert', 'tls.crt'], io),
    /--tls-cert and --tls-key go together/,
  )
  assertOneLineError(
    await runCli([...base, '--tls-cert', 'tls.crt', '--tls-key', 'other.key'], io),
    /--tls-key does not match/,
  )
  assertOneLineError(
    await runCli([...base, '--tls-cert', 'tls.key', '--tls-key', 'tls.key'], io),
    /--tls-cert: no PEM certificate found/,
  )
  assertOneLineError(
    await runCli([...base, '--tls-cert', 'nope', '--tls-key', 'tls.key'], io),
    /nope: no such file/,
  )
  assertOneLineError(
    await runCli([...base, '--port', '70000'], io),
    /--port must be a port number from 0 to 65535/,
  )
  assertOneLineError(
    await runCli(['oidc', 'serve', '--issuer', 'http://127.0.0.1/x', '--key', f.ecKey], io),
    /issuer must be an https URL/,
  )
})

test('oidc thumbprint: text and JSON; bad input and missing discovery', async (t) => {
  const dir = tempDir(t)
  const f = keyFiles(dir)
  const root = createCertificateAuthority({ commonName: 'thumb CA', clock })
  const cert = issueServerCertificate(root, { ipAddresses: ['127.0.0.1'], clock })
  writeFileSync(join(dir, 'ca.pem'), root.certPem)
  const app = createIssuerApp({ logger: silentLogger() })
  const server = await startIssuerServer({
    app,
    tls: { certPem: cert.certPem + root.certPem, keyPem: cert.keyPem },
  })
  t.after(() => server.close())
  const issuer = `${server.origin}/id/TP`
  app.setIssuer({ issuer, keys: pub(f.rsaPub) })
  const expected = new X509Certificate(root.certPem).fingerprint.replace(/:/g, '').toLowerCase()

  const json = await runCli(['oidc', 'thumbprint', issuer, '--ca', 'ca.pem', '--output', 'json'], {
    cwd: dir,
  })
  assert.equal(json.code, 0, json.stderr)
  const report = JSON.parse(json.stdout)
  assert.equal(report.issuerHost.thumbprint, expected)
  assert.equal(report.jwksHost.thumbprint, expected)
  assert.equal(report.issuerHost.trusted, true)
  assert.equal(report.differ, false)

  const text = await runCli(['oidc', 'thumbprint', issuer])
  assert.equal(text.code, 0, text.stderr)
  assert.match(
    text.stdout,
    new RegExp(`^issuer host 127\\.0\\.0\\.1:${server.port}  ${expected}  \\(eksctl's rule`, 'm'),
  )
  assert.match(
    text.stdout,
    new RegExp(`^jwks host   127\\.0\\.0\\.1:${server.port}  ${expected}  \\(AWS's rule`, 'm'),
  )
  assert.match(text.stdout, /not trusted by the system CAs or --ca: SELF_SIGNED_CERT_IN_CHAIN/)
  assert.match(text.stdout, new RegExp(`^both rules give ${expected}$`, 'm'))

  const only = await runCli(['oidc', 'thumbprint', issuer, '--output', 'thumbprint'])
  assert.equal(only.code, 0, only.stderr)
  assert.equal(only.stdout, `${expected}\n`)
  const onlyMissing = await runCli([
    'oidc',
    'thumbprint',
    `${server.origin}/nothing`,
    '--output',
    'thumbprint',
  ])
  assert.equal(onlyMissing.code, 1)
  assert.equal(onlyMissing.stdout, '')
  assert.match(onlyMissing.stderr, /^irsa: the JWKS host could not be measured: discovery: .*404/)

  const missing = await runCli([
    'oidc',
    'thumbprint',
    `${server.origin}/nothing`,
    '--ca',
    join(dir, 'ca.pem'),
  ])
  assert.equal(missing.code, 1)
  assert.match(missing.stdout, /jwks host {3}unknown: discovery: .* HTTP 404/)

  assertOneLineError(
    await runCli(['oidc', 'thumbprint', 'http://127.0.0.1:1/']),
    /must be an https URL/,
  )
  assertOneLineError(
    await runCli(['oidc', 'thumbprint', issuer, '--output', 'yaml']),
    /--output must be json or text/,
  )
  assertOneLineError(
    await runCli(['oidc', 'thumbprint', issuer, '--ca', join(dir, 'x.pem')]),
    /x\.pem: no such file/,
  )
  assertOneLineError(
    await runCli(['oidc', 'thumbprint', issuer, '--ca', f.rsaPub]),
    /no PEM certificate found/,
  )
  assertOneLineError(
    await runCli(['oidc', 'thumbprint', issuer, '--timeout', '0']),
    /--timeout must be a positive/,
  )
  assertOneLineError(await runCli(['oidc', 'thumbprint']), /missing argument/)
  // An unreachable host: one line, exit 2.
  await server.close()
  assertOneLineError(
    await runCli(['oidc', 'thumbprint', issuer]),
    /cannot reach 127\.0\.0\.1:\d+: connection refused/,
  )
})
