/**
 * E2E: `irsa cluster create NAME --issuer URL --signing-key FILE` against the built
 * `irsa up`, as the EKS Anywhere guide sets a cluster up: a key made by `openssl genrsa`,
 * an issuer in an S3 bucket. The cluster's tokens (`irsa create token`, and `kubectl
 * create token` through the stack's Kubernetes API) carry that `iss` and verify with the
 * key's public half (openssl); the JWKS and discovery document to upload carry the key
 * under its kid; the stack does not serve the issuer and a restart leaves it alone.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { oracle, openssl, runProcess } from '../helpers/tools.js'
import { irsa, startUp, stopUp, tempDir, ok } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

interface Jwt {
  readonly header: Record<string, unknown>
  readonly payload: Record<string, unknown>
  readonly signed: string
  readonly signature: Buffer
}

function decode(token: string): Jwt {
  const [h, p, s] = token.trim().split('.')
  assert.ok(h !== undefined && p !== undefined && s !== undefined, 'a compact JWS')
  const part = (x: string): Record<string, unknown> =>
    JSON.parse(Buffer.from(x, 'base64url').toString('utf8')) as Record<string, unknown>
  return {
    header: part(h),
    payload: part(p),
    signed: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  }
}

/** kube-apiserver's kid: SHA-256 of the public key's DER (SPKI), base64url. */
function kidOf(publicPem: string): string {
  const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64url')
}

/** Verifies an RS256 token with openssl and the public key file. */
async function opensslVerifies(work: string, jwt: Jwt, pubFile: string): Promise<boolean> {
  writeFileSync(join(work, 'signed.txt'), jwt.signed)
  writeFileSync(join(work, 'sig.bin'), jwt.signature)
  const r = await runProcess('openssl', [
    'dgst',
    '-sha256',
    '-verify',
    pubFile,
    '-signature',
    join(work, 'sig.bin'),
    join(work, 'signed.txt'),
  ])
  return r.code === 0 && r.stdout.includes('Verified OK')
}

test(
  'irsa cluster create --issuer --signing-key: tokens carry that iss and verify with the given key',
  { skip: openssl().skip || kubectl().skip, timeout: 300_000 },
  async (t) => {
    const work = tempDir(t, 'irsa-eksa-')
    const dir = join(work, 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    const keyFile = join(work, 'sa.key')
    const pubFile = join(work, 'sa.pub')
    ok(await runProcess('openssl', ['genrsa', '-out', keyFile, '2048']))
    ok(await runProcess('openssl', ['rsa', '-in', keyFile, '-pubout', '-out', pubFile]))
    const pub = readFileSync(pubFile, 'utf8')
    const issuer = 'https://127.0.0.1:4443/irsa-eksa-oidc'

    const created = ok(
      await irsa(up, ['cluster', 'create', 'eksa', '--issuer', issuer, '--signing-key', keyFile]),
    )
    assert.match(created, new RegExp(`issuer ${issuer}\n`))
    assert.match(created, /hosted elsewhere/)
    const got = JSON.parse(ok(await irsa(up, ['cluster', 'get', 'eksa', '--output', 'json']))) as {
      issuer: string
      issuerServed: boolean
      signingKid: string
    }
    assert.equal(got.issuer, issuer)
    assert.equal(got.issuerServed, false)
    assert.equal(got.signingKid, kidOf(pub), 'the given key signs, under its kid')
    assert.match(ok(await irsa(up, ['cluster', 'get', 'eksa'])), /hosted elsewhere/)

    const jwks = JSON.parse(ok(await irsa(up, ['cluster', 'jwks', 'eksa']))) as {
      keys: { kid: string; kty: string; alg: string; n: string }[]
    }
    const jwk = createPublicKey(pub).export({ format: 'jwk' })
    assert.deepEqual(
      jwks.keys.map((k) => [k.kid, k.kty, k.alg, k.n]),
      [[kidOf(pub), 'RSA', 'RS256', jwk.n]],
    )
    const disco = JSON.parse(ok(await irsa(up, ['cluster', 'discovery', 'eksa']))) as Record<
      string,
      unknown
    >
    assert.equal(disco['issuer'], issuer)
    assert.equal(disco['jwks_uri'], `${issuer}/keys.json`, "AWS's self-hosted (S3) form")

    const token = ok(
      await irsa(up, ['create', 'token', 'app', '-n', 'default', '--cluster', 'eksa']),
    )
    const jwt = decode(token)
    assert.equal(jwt.payload['iss'], issuer)
    assert.equal(jwt.header['kid'], kidOf(pub))
    assert.equal(jwt.header['alg'], 'RS256')
    assert.equal(await opensslVerifies(work, jwt, pubFile), true)
    const tampered = { ...jwt, signed: `${jwt.signed}x` }
    assert.equal(await opensslVerifies(work, tampered, pubFile), false, 'openssl can say no')

    const kube = await runProcess('kubectl', [
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--context',
      'eksa',
      '-n',
      'default',
      'create',
      'token',
      'default',
    ])
    assert.equal(kube.code, 0, kube.stderr)
    const fromKube = decode(kube.stdout)
    assert.equal(fromKube.payload['iss'], issuer)
    assert.equal(fromKube.payload['sub'], 'system:serviceaccount:default:default')
    assert.equal(await opensslVerifies(work, fromKube, pubFile), true)

    // The stack serves only its own issuers, and a restart leaves this one as given.
    const served = await runProcess('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--cacert',
      join(dir, 'ca.pem'),
      `${up.oidcOrigin}/id/x/.well-known/openid-configuration`,
    ])
    assert.equal(served.stdout, '404')
    await stopUp(up)
    const again = await startUp(dir, [], { freePorts: false })
    t.after(() => stopUp(again, 'SIGKILL'))
    const after = JSON.parse(
      ok(await irsa(again, ['cluster', 'get', 'eksa', '--output', 'json'])),
    ) as {
      issuer: string
    }
    assert.equal(after.issuer, issuer)
    await stopUp(again)
  },
)

test(
  'irsa cluster create --signing-key with an EC P-256 key: ES256 tokens under its kid',
  { skip: openssl().skip },
  async (t) => {
    const work = tempDir(t, 'irsa-eksa-ec-')
    const dir = join(work, 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    const keyFile = join(work, 'ec.key')
    ok(
      await runProcess('openssl', [
        'ecparam',
        '-name',
        'prime256v1',
        '-genkey',
        '-noout',
        '-out',
        keyFile,
      ]),
    )
    const pub = createPublicKey(readFileSync(keyFile, 'utf8')).export({
      type: 'spki',
      format: 'pem',
    }) as string
    const issuer = 'https://s3.localhost:4443/ec-bucket'
    ok(await irsa(up, ['cluster', 'create', 'ec', '--issuer', issuer, '--signing-key', keyFile]))
    const jwt = decode(
      ok(await irsa(up, ['create', 'token', 'app', '-n', 'default', '--cluster', 'ec'])),
    )
    assert.equal(jwt.header['alg'], 'ES256')
    assert.equal(jwt.header['kid'], kidOf(pub))
    assert.equal(jwt.payload['iss'], issuer)
    assert.equal(
      verify(
        'sha256',
        Buffer.from(jwt.signed),
        { key: pub, dsaEncoding: 'ieee-p1363' },
        jwt.signature,
      ),
      true,
    )
    const bad = await irsa(up, ['cluster', 'create', 'bad', '--issuer', 'http://insecure/x'])
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /--issuer must be an https URL/)
    await stopUp(up)
  },
)
