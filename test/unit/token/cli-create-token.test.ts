import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { manualClock } from '../../../src/core/index.js'
import {
  loadPublicKeyFile,
  loadSigningKeyFile,
  verifyToken,
  writeKeyPair,
} from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'
import { partText, tempDir } from './helpers.js'

const ISSUER = 'https://oidc.example.com/id/CLI0123'
const T0 = 1_750_000_000
const clock = manualClock(T0 * 1000)

function keyDir(t: { after: (fn: () => void) => void }): { dir: string; key: string; pub: string } {
  const dir = tempDir(t)
  const w = writeKeyPair({ dir })
  return { dir, key: w.keyFile, pub: w.pubFile }
}

async function token(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['create', 'token', ...args], { clock })
}

function claimsOf(out: string): Record<string, unknown> {
  return JSON.parse(partText(out.trim(), 1)) as Record<string, unknown>
}

function assertOneLineError(r: { code: number; stdout: string; stderr: string }, msg: RegExp) {
  assert.equal(r.code, 2, r.stderr)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^irsa: [^\n]+\n$/)
  assert.match(r.stderr, msg)
}

test('irsa create token --help documents the flags and the IRSA audience', async () => {
  const r = await runCli(['create', 'token', '--help'])
  assert.equal(r.code, 0)
  assert.match(
    r.stdout,
    /^Usage: irsa create token NAME -n NAMESPACE --issuer URL --signing-key KEY/,
  )
  for (const flag of [
    '-n, --namespace',
    '--issuer URL',
    '--signing-key KEY',
    '--audience A',
    '--duration D',
    '--bound-pod NAME',
    '--bound-pod-uid UID',
    '--bound-node NAME',
    '--bound-node-uid UID',
    '--sa-uid UID',
    '--max-duration D',
  ])
    assert.ok(r.stdout.includes(flag), flag)
  assert.match(r.stdout, /sts\.amazonaws\.com/)
  assert.match(r.stdout, /IRSA/)
  assert.match(r.stdout, /\(default: 1h\)/)
})

test('defaults: one line, audience sts.amazonaws.com, one hour, a random ServiceAccount uid', async (t) => {
  const { key, pub } = keyDir(t)
  const r = await token(['app', '-n', 'team-a', '--issuer', ISSUER, '--signing-key', key])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '')
  assert.match(r.stdout, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/)
  const kid = loadSigningKeyFile(key).kid
  assert.equal(partText(r.stdout.trim(), 0), `{"alg":"RS256","kid":"${kid}"}`)
  const c = claimsOf(r.stdout)
  assert.deepEqual(Object.keys(c), [
    'aud',
    'exp',
    'iat',
    'iss',
    'jti',
    'kubernetes.io',
    'nbf',
    'sub',
  ])
  assert.deepEqual(c['aud'], ['sts.amazonaws.com'])
  assert.equal(c['iat'], T0)
  assert.equal(c['nbf'], T0)
  assert.equal(c['exp'], T0 + 3600)
  assert.equal(c['iss'], ISSUER)
  assert.equal(c['sub'], 'system:serviceaccount:team-a:app')
  const kube = c['kubernetes.io'] as {
    namespace: string
    serviceaccount: { name: string; uid: string }
  }
  assert.deepEqual(Object.keys(kube), ['namespace', 'serviceaccount'])
  assert.equal(kube.serviceaccount.name, 'app')
  assert.match(
    kube.serviceaccount.uid,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  )
  // It verifies against the public key, and against the private key's derived public half.
  for (const keys of [loadPublicKeyFile(pub), loadPublicKeyFile(key)])
    assert.equal(
      verifyToken(r.stdout.trim(), keys, {
        clock,
        expectedIssuer: ISSUER,
        audiences: ['sts.amazonaws.com'],
      }).claims.sub,
      'system:serviceaccount:team-a:app',
    )
})

test('audiences, durations, bindings and the ServiceAccount uid', async (t) => {
  const { key } = keyDir(t)
  const r = await token([
    'app',
    '-n',
    'ns',
    '--issuer',
    ISSUER,
    '--signing-key',
    key,
    '--audience',
    'sts.amazonaws.com',
    '--audience',
    'vault',
    '--duration',
    '1h30m',
    '--bound-pod',
    'app-0',
    '--bound-pod-uid',
    'pod-uid',
    '--bound-node',
    'node-1',
    '--bound-node-uid',
    'node-uid',
    '--sa-uid',
    'sa-uid',
  ])
  assert.equal(r.code, 0, r.stderr)
  const c = claimsOf(r.stdout)
  assert.deepEqual(c['aud'], ['sts.amazonaws.com', 'vault'])
  assert.equal(c['exp'], T0 + 5400)
  assert.deepEqual(c['kubernetes.io'], {
    namespace: 'ns',
    node: { name: 'node-1', uid: 'node-uid' },
    pod: { name: 'app-0', uid: 'pod-uid' },
    serviceaccount: { name: 'app', uid: 'sa-uid' },
  })
  for (const [d, seconds] of [
    ['600', 600],
    ['10m', 600],
    ['90m', 5400],
    ['24h', 86400],
  ] as const) {
    const x = await token([
      'a',
      '-n',
      'ns',
      '--issuer',
      ISSUER,
      '--signing-key',
      key,
      '--duration',
      d,
    ])
    assert.equal(x.code, 0, x.stderr)
    assert.equal(claimsOf(x.stdout)['exp'], T0 + seconds, d)
  }
  // A node without uid: only its name.
  const n = await token([
    'a',
    '-n',
    'ns',
    '--issuer',
    ISSUER,
    '--signing-key',
    key,
    '--bound-pod',
    'p',
    '--bound-pod-uid',
    'u',
    '--bound-node',
    'n',
  ])
  assert.deepEqual((claimsOf(n.stdout)['kubernetes.io'] as { node: unknown }).node, { name: 'n' })
})

test('--max-duration shortens with a warning on stderr; the token stays on stdout', async (t) => {
  const { key } = keyDir(t)
  const r = await token([
    'a',
    '-n',
    'ns',
    '--issuer',
    ISSUER,
    '--signing-key',
    key,
    '--duration',
    '2h',
    '--max-duration',
    '1h',
  ])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(
    r.stderr,
    'Warning: requested expiration of 7200 seconds shortened to 3600 seconds\n',
  )
  assert.equal(claimsOf(r.stdout)['exp'], T0 + 3600)
  assertOneLineError(
    await token([
      'a',
      '-n',
      'ns',
      '--issuer',
      ISSUER,
      '--signing-key',
      key,
      '--max-duration',
      '30m',
    ]),
    /--max-duration must be between 1 hour and 2\^32 seconds, got 1800/,
  )
})

test('an EC P-384 key signs ES384', async (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'ec.key')
  writeFileSync(
    file,
    generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    }),
  )
  const r = await token(['a', '-n', 'ns', '--issuer', ISSUER, '--signing-key', file])
  assert.equal(r.code, 0, r.stderr)
  assert.match(partText(r.stdout.trim(), 0), /^\{"alg":"ES384","kid":"[A-Za-z0-9_-]{43}"\}$/)
})

test('bad input: one line naming the problem, exit 2', async (t) => {
  const { dir, key, pub } = keyDir(t)
  const base = ['app', '-n', 'ns', '--issuer', ISSUER]
  const missing = join(dir, 'nope.key')
  assertOneLineError(
    await token([...base, '--signing-key', missing]),
    new RegExp(`${missing}: no such file`),
  )
  const text = join(dir, 'text.pem')
  writeFileSync(text, 'hello, not a key\n')
  assertOneLineError(await token([...base, '--signing-key', text]), /text\.pem: no PEM key found/)
  const csr = join(dir, 'req.pem')
  writeFileSync(
    csr,
    '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
  )
  assertOneLineError(
    await token([...base, '--signing-key', csr]),
    /PEM block 'CERTIFICATE REQUEST' is not a key/,
  )
  const k1 = join(dir, 'k1.key')
  writeFileSync(
    k1,
    generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    }),
  )
  assertOneLineError(await token([...base, '--signing-key', k1]), /unsupported curve secp256k1/)
  assertOneLineError(
    await token([...base, '--signing-key', pub]),
    /sa\.pub: holds a public key; a private signing key is needed/,
  )
  const withKey = (issuer: string) =>
    token(['app', '-n', 'ns', '--issuer', issuer, '--signing-key', key])
  assertOneLineError(
    await withKey('http://oidc.example.com'),
    /--issuer must be an https URL, got 'http:\/\/oidc\.example\.com'/,
  )
  assertOneLineError(await withKey('https://oidc.example.com/?x=1'), /must not have a query/)
  assertOneLineError(await withKey('https://oidc.example.com/#f'), /must not have a fragment/)
  const ok = [...base, '--signing-key', key]
  assertOneLineError(
    await token([...ok, '--duration', '599']),
    /spec\.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes/,
  )
  assertOneLineError(await token([...ok, '--duration', '5m']), /less than 10 minutes/)
  assertOneLineError(
    await token([...ok, '--duration', '1500ms']),
    /--duration must be a whole number of seconds/,
  )
  assertOneLineError(
    await token([...ok, '--duration', 'soon']),
    /--duration: invalid duration 'soon'/,
  )
  assertOneLineError(await token([...ok, '--bound-pod', 'p']), /--bound-pod needs --bound-pod-uid/)
  assertOneLineError(
    await token([...ok, '--bound-pod-uid', 'u']),
    /--bound-pod-uid needs --bound-pod/,
  )
  assertOneLineError(
    await token([...ok, '--bound-node-uid', 'u']),
    /--bound-node-uid needs --bound-node/,
  )
  assertOneLineError(
    await token(['app', '--issuer', ISSUER, '--signing-key', key]),
    /--namespace \(-n\) is required/,
  )
  assertOneLineError(await token(['app', '-n', 'ns', '--signing-key', key]), /--issuer is required/)
  assertOneLineError(
    await token(['app', '-n', 'ns', '--issuer', ISSUER]),
    /--signing-key is required/,
  )
  assertOneLineError(
    await token(['-n', 'ns', '--issuer', ISSUER, '--signing-key', key]),
    /missing argument/,
  )
  assertOneLineError(
    await token(['Bad_Name', '-n', 'ns', '--issuer', ISSUER, '--signing-key', key]),
    /service account name 'Bad_Name'/,
  )
})
