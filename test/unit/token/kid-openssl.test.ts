import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadPublicKeys, loadSigningKey } from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'
import { openssl } from '../../helpers/tools.js'
import { tempDir } from './helpers.js'

/**
 * The oracle: kube-apiserver's kid computed by openssl alone,
 * `openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64url`.
 */
function opensslKid(publicPemFile: string): string {
  const der = execFileSync('openssl', ['pkey', '-pubin', '-in', publicPemFile, '-outform', 'DER'])
  const digest = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der })
  const b64 = execFileSync('openssl', ['base64', '-A'], { input: digest }).toString().trim()
  return b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
}

function run(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

const skip = openssl().skip

test('openssl genrsa: our kid is the one openssl computes', { skip }, (t) => {
  const dir = tempDir(t)
  const key = join(dir, 'sa.key')
  const pub = join(dir, 'sa.pub')
  run(['genrsa', '-out', key, '2048'])
  run(['pkey', '-in', key, '-pubout', '-out', pub])
  const expected = opensslKid(pub)
  assert.match(expected, /^[A-Za-z0-9_-]{43}$/)
  assert.equal(loadSigningKey(readFileSync(key, 'utf8')).kid, expected)
  assert.equal(loadPublicKeys(readFileSync(pub, 'utf8'))[0]?.kid, expected)
  // The private key file itself, and an RSA PUBLIC KEY (PKCS#1) rendering of it.
  assert.equal(loadPublicKeys(readFileSync(key, 'utf8'))[0]?.kid, expected)
  const pkcs1 = join(dir, 'sa.rsapub')
  run(['rsa', '-in', key, '-RSAPublicKey_out', '-out', pkcs1])
  assert.match(readFileSync(pkcs1, 'utf8'), /^-----BEGIN RSA PUBLIC KEY-----/)
  assert.equal(loadPublicKeys(readFileSync(pkcs1, 'utf8'))[0]?.kid, expected)
  // A self-signed certificate for the key carries the same public key.
  const cert = join(dir, 'sa.crt')
  run(['req', '-new', '-x509', '-key', key, '-subj', '/CN=issuer', '-days', '1', '-out', cert])
  assert.equal(loadPublicKeys(readFileSync(cert, 'utf8'))[0]?.kid, expected)
})

for (const [curve, alg] of [
  ['prime256v1', 'ES256'],
  ['secp384r1', 'ES384'],
  ['secp521r1', 'ES512'],
] as const) {
  test(`openssl ecparam -genkey -name ${curve}: ${alg} and openssl's kid`, { skip }, (t) => {
    const dir = tempDir(t)
    const key = join(dir, 'ec.key')
    const pub = join(dir, 'ec.pub')
    run(['ecparam', '-genkey', '-name', curve, '-out', key])
    assert.match(readFileSync(key, 'utf8'), /^-----BEGIN EC PARAMETERS-----/)
    run(['ec', '-in', key, '-pubout', '-out', pub])
    const expected = opensslKid(pub)
    const signing = loadSigningKey(readFileSync(key, 'utf8'))
    assert.equal(signing.kid, expected)
    assert.equal(signing.alg, alg)
    assert.equal(loadPublicKeys(readFileSync(pub, 'utf8'))[0]?.kid, expected)
    // A compressed public key names the same key: same kid (Go always marshals uncompressed).
    const compressed = join(dir, 'ec-compressed.pub')
    run(['ec', '-in', key, '-pubout', '-conv_form', 'compressed', '-out', compressed])
    assert.equal(loadPublicKeys(readFileSync(compressed, 'utf8'))[0]?.kid, expected)
  })
}

test('openssl secp256k1 keys are refused', { skip }, (t) => {
  const dir = tempDir(t)
  const key = join(dir, 'k1.key')
  run(['ecparam', '-genkey', '-name', 'secp256k1', '-out', key])
  assert.throws(
    () => loadSigningKey(readFileSync(key, 'utf8'), key),
    new RegExp(`^InputError: ${key}: unsupported curve secp256k1`),
  )
})

test('irsa keys generate: openssl reads both files and agrees on the kid', { skip }, async (t) => {
  for (const type of ['rsa', 'ec'] as const) {
    const dir = join(tempDir(t), 'keys')
    const r = await runCli(['keys', 'generate', '--out', dir, '--type', type])
    assert.equal(r.code, 0, r.stderr)
    const expected = opensslKid(join(dir, 'sa.pub'))
    assert.match(r.stdout, new RegExp(`^kid ${expected} \\((RS256|ES256)\\)$`, 'm'))
    run([type === 'rsa' ? 'rsa' : 'ec', '-in', join(dir, 'sa.key'), '-check', '-noout'])
    // The private key's public half is the published key.
    const fromPrivate = execFileSync('openssl', ['pkey', '-in', join(dir, 'sa.key'), '-pubout'])
    assert.equal(fromPrivate.toString(), readFileSync(join(dir, 'sa.pub'), 'utf8'))
  }
})
