import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildJwks, createKeySet, renderJson, toPublicJwk } from '../../../src/oidc/index.js'
import { describePublicKey, loadPublicKeys } from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'
import { openssl } from '../../helpers/tools.js'

const sh = (cmd: string, cwd: string): string =>
  execFileSync('sh', ['-c', cmd], { cwd, encoding: 'utf8' })
const b64url = "openssl base64 -A | tr '+/' '-_' | tr -d '='"

function withTemp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-jwks-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

test('RSA JWK: use, kty, kid, alg, n, e in go-jose order', () => {
  const k = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
  const jwk = toPublicJwk(k)
  assert.deepEqual(Object.keys(jwk), ['use', 'kty', 'kid', 'alg', 'n', 'e'])
  assert.equal(jwk.use, 'sig')
  assert.equal(jwk.kty, 'RSA')
  assert.equal(jwk.kid, k.kid)
  assert.equal(jwk.alg, 'RS256')
})

test('EC JWK: use, kty, kid, crv, alg, x, y in go-jose order; coordinates padded to the curve', () => {
  const sizes = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const
  const algs = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as const
  for (const crv of ['P-256', 'P-384', 'P-521'] as const) {
    for (let i = 0; i < 8; i++) {
      const k = describePublicKey(generateKeyPairSync('ec', { namedCurve: crv }).publicKey)
      const jwk = toPublicJwk(k)
      assert.deepEqual(Object.keys(jwk), ['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y'])
      assert.equal(jwk.kty, 'EC')
      assert.equal(jwk.crv, crv)
      assert.equal(jwk.alg, algs[crv])
      assert.equal(Buffer.from(jwk.x, 'base64url').length, sizes[crv])
      assert.equal(Buffer.from(jwk.y, 'base64url').length, sizes[crv])
      assert.doesNotMatch(jwk.x + jwk.y, /[=+/]/)
    }
  }
})

test('several keys are published in the order given; duplicates once', () => {
  const a = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
  const b = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)
  const c = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)
  assert.deepEqual(
    buildJwks([b, a, c, a]).keys.map((k) => k.kid),
    [b.kid, a.kid, c.kid],
  )
})

test('the legacy empty-kid copy of the signing key comes after the keys', () => {
  const a = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
  const b = describePublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)
  const plain = buildJwks([a, b], { legacyEmptyKid: true })
  assert.deepEqual(
    plain.keys.map((k) => k.kid),
    [a.kid, b.kid, ''],
  )
  assert.deepEqual(plain.keys[2], { ...toPublicJwk(a), kid: '' })
  assert.deepEqual(Object.keys(plain.keys[2]), ['use', 'kty', 'kid', 'alg', 'n', 'e'])
  // With a key set, the copy is of the key that signs, wherever it is published.
  const set = createKeySet([a, b], { signingKid: b.kid })
  const rotated = buildJwks(set, { legacyEmptyKid: true })
  assert.deepEqual(rotated.keys[2], { ...toPublicJwk(b), kid: '' })
  assert.equal(buildJwks([a, b]).keys.length, 2)
})

test('for an openssl genrsa key, irsa oidc keys prints exactly what hack/self-hosted prints', async (t) => {
  const o = openssl()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const dir = withTemp(t)
  sh(
    'openssl genrsa -out sa.key 2048 2>/dev/null && openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null',
    dir,
  )
  // Everything expected is computed by openssl, not by irsa.
  const kid = sh(
    `openssl pkey -pubin -in sa.pub -outform DER | openssl dgst -sha256 -binary | ${b64url}`,
    dir,
  )
  const modulusHex = /Modulus=([0-9A-F]+)/.exec(
    sh('openssl rsa -pubin -in sa.pub -noout -modulus', dir),
  )![1]!
  const n = Buffer.from(modulusHex, 'hex').toString('base64url')
  const exponent = /Exponent: (\d+)/.exec(
    sh('openssl rsa -pubin -in sa.pub -noout -text', dir),
  )![1]!
  assert.equal(exponent, '65537')
  const e = 'AQAB' // 65537 = 0x010001, three bytes, base64url
  assert.equal(kid.length, 43)
  assert.equal(n.length, 342) // 256 bytes, unpadded base64url
  // The reference: json.MarshalIndent(KeyResponse, "", "    ") then fmt.Println.
  const reference =
    '{\n' +
    '    "keys": [\n' +
    '        {\n' +
    '            "use": "sig",\n' +
    '            "kty": "RSA",\n' +
    `            "kid": "${kid}",\n` +
    '            "alg": "RS256",\n' +
    `            "n": "${n}",\n` +
    `            "e": "${e}"\n` +
    '        }\n' +
    '    ]\n' +
    '}\n'
  for (const file of ['sa.pub', 'sa.key']) {
    const r = await runCli(['oidc', 'keys', '--key', join(dir, file)])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, reference, `--key ${file}`)
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(reference))
  }
  // The kid is the one the token component computes too.
  assert.equal(loadPublicKeys(readFileSync(join(dir, 'sa.pub'), 'utf8'))[0]!.kid, kid)
})

test('an EC key from openssl has the x, y and kid openssl gives', async (t) => {
  const o = openssl()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const dir = withTemp(t)
  sh(
    'openssl ecparam -name secp384r1 -genkey -noout -out ec.key && openssl ec -in ec.key -pubout -out ec.pub 2>/dev/null',
    dir,
  )
  const kid = sh(
    `openssl pkey -pubin -in ec.pub -outform DER | openssl dgst -sha256 -binary | ${b64url}`,
    dir,
  )
  // The last 97 bytes of the DER SPKI are the uncompressed point 04 || x || y.
  const point = sh(
    'openssl pkey -pubin -in ec.pub -outform DER | tail -c 97 | od -An -v -tx1 | tr -d " \\n"',
    dir,
  )
  assert.equal(point.slice(0, 2), '04')
  const x = Buffer.from(point.slice(2, 98), 'hex').toString('base64url')
  const y = Buffer.from(point.slice(98), 'hex').toString('base64url')
  const r = await runCli(['oidc', 'keys', '--key', join(dir, 'ec.key')])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(
    r.stdout,
    renderJson({ keys: [{ use: 'sig', kty: 'EC', kid, crv: 'P-384', alg: 'ES384', x, y }] }),
  )
})
