/**
 * End to end: the built `irsa oidc serve` runs as a real process over HTTPS on
 * 127.0.0.1 with a CA it generates; verifiers that trust only that CA follow
 * discovery → jwks_uri → key by kid and accept a token signed with the private key.
 * The token comes from irsa's own signer (kube-apiserver's header and claims).
 * Verifiers: jose (in-process), Python's joserfc (independent), and irsa's verifyToken.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createPrivateKey, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  SignJWT,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose'
import { systemClock } from '../../src/core/index.js'
import {
  createTokenSigner,
  generateKeyPair,
  loadSigningKey,
  verifyToken,
} from '../../src/token/index.js'
import { cliBin, repoPath } from '../helpers/paths.js'
import { python3 } from '../helpers/tools.js'

interface Served {
  child: ChildProcess
  issuer: string
  ca: string
  stdout: () => string
  exit: Promise<number | null>
}

/** Starts the built CLI's `oidc serve`; resolves once it prints its URLs. */
async function startServe(cwd: string, args: string[]): Promise<Served> {
  assert.ok(
    existsSync(repoPath('dist', 'cli', 'index.js')),
    'run `npm run build` first: dist/ is missing',
  )
  const child = spawn(process.execPath, [cliBin, 'oidc', 'serve', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code)
    })
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`irsa oidc serve did not start within 20 s: ${out}${err}`))
    }, 20_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    void exit.then((code) => {
      clearTimeout(timer)
      reject(new Error(`irsa oidc serve exited with ${code}: ${err}`))
    })
  })
  const issuer = /^serving issuer (\S+)$/m.exec(out)?.[1]
  const caFile = /generated CA (\S+?),/.exec(out)?.[1]
  if (issuer === undefined || caFile === undefined) {
    child.kill('SIGKILL')
    throw new Error(`unexpected output: ${out}`)
  }
  return { child, issuer, ca: readFileSync(caFile, 'utf8'), stdout: () => out, exit }
}

/** GET JSON over https trusting only `ca` (the system CAs when undefined). */
function getJson(url: string, ca: string | undefined): Promise<{ type: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { ...(ca !== undefined ? { ca } : {}), agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`))
        else resolve({ type: String(res.headers['content-type']), body: JSON.parse(text) })
      })
    }).on('error', reject)
  })
}

/**
 * A verifier as STS works: discovery at the token's issuer, then jwks_uri, then the
 * key whose kid is the token's (the empty-kid key when the token has none).
 */
async function verifyViaDiscovery(
  token: string,
  ca: string,
  audience: string,
): Promise<JWTPayload> {
  const unverified = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    iss: string
  }
  const discovery = await getJson(`${unverified.iss}/.well-known/openid-configuration`, ca)
  assert.equal(discovery.type, 'application/json')
  const doc = discovery.body as {
    issuer: string
    jwks_uri: string
    id_token_signing_alg_values_supported: string[]
  }
  assert.equal(doc.issuer, unverified.iss)
  const jwks = await getJson(doc.jwks_uri, ca)
  assert.equal(jwks.type, 'application/jwk-set+json')
  const kid = decodeProtectedHeader(token).kid ?? ''
  const jwk = (jwks.body as { keys: JWK[] }).keys.find((k) => k.kid === kid)
  if (jwk === undefined) throw new Error(`no key with kid '${kid}' in the JWKS`)
  const { payload } = await jwtVerify(token, await importJWK(jwk, jwk.alg), {
    issuer: doc.issuer,
    audience,
    algorithms: doc.id_token_signing_alg_values_supported,
  })
  return payload
}

/**
 * A hand-made token with kube-apiserver's claims, for what the signer will not make:
 * a token without kid (Kubernetes < 1.16) and forgeries.
 */
async function handMadeToken(
  privatePem: string,
  issuer: string,
  kid: string | undefined,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const header = kid === undefined ? { alg: 'RS256' } : { alg: 'RS256', kid }
  return new SignJWT({
    'kubernetes.io': {
      namespace: 'default',
      serviceaccount: { name: 'app', uid: randomUUID() },
      pod: { name: 'app-0', uid: randomUUID() },
      node: { name: 'node-1', uid: randomUUID() },
    },
  })
    .setProtectedHeader(header)
    .setAudience(['sts.amazonaws.com'])
    .setIssuer(issuer)
    .setSubject('system:serviceaccount:default:app')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(createPrivateKey(privatePem))
}

const PYTHON_VERIFIER = `
import json, os, ssl, sys, urllib.request
from joserfc import jwt
from joserfc.jws import extract_compact
from joserfc.jwk import import_key
ctx = ssl.create_default_context(cafile=os.environ['CA_FILE'])  # trusts only this CA
token = os.environ['TOKEN']
def fetch(url):
    with urllib.request.urlopen(url, context=ctx, timeout=5) as r:
        return r.headers.get('Content-Type'), json.loads(r.read())
iss = json.loads(extract_compact(token.encode()).payload)['iss']
_, doc = fetch(iss.rstrip('/') + '/.well-known/openid-configuration')
assert doc['issuer'] == iss, doc
ctype, jwks = fetch(doc['jwks_uri'])
assert ctype == 'application/jwk-set+json', ctype
kid = extract_compact(token.encode()).protected.get('kid', '')
jwk = next(k for k in jwks['keys'] if k['kid'] == kid)
tok = jwt.decode(token, import_key(jwk), algorithms=doc['id_token_signing_alg_values_supported'])
jwt.JWTClaimsRegistry(iss={'essential': True, 'value': iss}, aud={'essential': True, 'value': 'sts.amazonaws.com'}).validate(tok.claims)
print(json.dumps({'header': tok.header, 'claims': tok.claims}))
`

test('irsa oidc serve over HTTPS: discovery → jwks_uri → kid verifies an irsa-signed token (jose, joserfc, irsa)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-e2e-oidc-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const signer = generateKeyPair('rsa')
  const other = generateKeyPair('rsa')
  const next = generateKeyPair('ec')
  writeFileSync(join(dir, 'sa.key'), signer.privatePem, { mode: 0o600 })
  writeFileSync(join(dir, 'next.pub'), next.publicPem)
  const kid = loadSigningKey(signer.privatePem).kid

  const served = await startServe(dir, [
    '--issuer',
    'https://127.0.0.1:0/id/E2E0123456789ABCDEF',
    '--key',
    'sa.key',
    '--key',
    'next.pub',
    '--port',
    '0',
    '--legacy-empty-kid',
  ])
  t.after(() => served.child.kill('SIGKILL'))
  const { issuer, ca } = served
  assert.match(issuer, /^https:\/\/127\.0\.0\.1:\d+\/id\/E2E0123456789ABCDEF$/)

  const issued = createTokenSigner({
    key: loadSigningKey(signer.privatePem),
    issuer,
    clock: systemClock,
  }).issue({
    namespace: 'default',
    serviceAccount: { name: 'app', uid: randomUUID() },
    audiences: ['sts.amazonaws.com'],
    expirationSeconds: 3600,
    boundPod: { name: 'app-0', uid: randomUUID() },
    boundNode: { name: 'node-1', uid: randomUUID() },
  })
  const token = issued.token
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid })
  const claims = await verifyViaDiscovery(token, ca, 'sts.amazonaws.com')
  assert.equal(claims.sub, 'system:serviceaccount:default:app')
  assert.deepEqual(claims.aud, ['sts.amazonaws.com'])
  assert.deepEqual(claims, issued.claims)
  // irsa's own verifier accepts it against the served JWKS too.
  const jwks = await getJson(`${issuer}/openid/v1/jwks`, ca)
  const verified = verifyToken(
    token,
    { jwks: jwks.body as { keys: unknown[] } },
    {
      clock: systemClock,
      expectedIssuer: issuer,
      audiences: ['sts.amazonaws.com'],
    },
  )
  assert.equal(verified.header.kid, kid)

  // A token without kid (Kubernetes < 1.16) verifies against the legacy empty-kid key.
  const legacy = await handMadeToken(signer.privatePem, issuer, undefined)
  assert.equal((await verifyViaDiscovery(legacy, ca, 'sts.amazonaws.com')).iss, issuer)

  // Forgeries: another key claiming the kid, an unknown kid, a wrong audience.
  const forged = await handMadeToken(other.privatePem, issuer, kid)
  await assert.rejects(verifyViaDiscovery(forged, ca, 'sts.amazonaws.com'), {
    code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  })
  const unknown = await handMadeToken(
    other.privatePem,
    issuer,
    loadSigningKey(other.privatePem).kid,
  )
  await assert.rejects(verifyViaDiscovery(unknown, ca, 'sts.amazonaws.com'), /no key with kid/)
  await assert.rejects(verifyViaDiscovery(token, ca, 'other-audience'), {
    code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
  })
  // A client that trusts only the system CAs refuses the issuer.
  await assert.rejects(getJson(`${issuer}/.well-known/openid-configuration`, undefined), {
    code: 'SELF_SIGNED_CERT_IN_CHAIN',
  })

  const py = python3()
  if (py.skip === false) {
    const caFile = join(dir, '.irsa', 'oidc-tls', 'ca.pem')
    const run = (tok: string) =>
      spawnSync('python3', ['-c', PYTHON_VERIFIER], {
        env: { ...process.env, CA_FILE: caFile, TOKEN: tok },
        encoding: 'utf8',
        timeout: 30_000,
      })
    const r = run(token)
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout) as {
      header: Record<string, unknown>
      claims: Record<string, unknown>
    }
    assert.deepEqual(out.header, { alg: 'RS256', kid })
    assert.equal(out.claims['sub'], 'system:serviceaccount:default:app')
    assert.equal(run(legacy).status, 0, 'joserfc accepts the kid-less token via the empty-kid key')
    assert.notEqual(run(forged).status, 0, 'joserfc rejects the forged token')
  } else {
    t.diagnostic(py.skip)
  }

  served.child.kill('SIGTERM')
  assert.equal(await served.exit, 0)
  assert.match(served.stdout(), /stopped \(SIGTERM\)\n$/)
})
