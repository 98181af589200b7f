import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK } from 'jose'
import { loadPublicKeys } from '../../src/token/index.js'
import { runCli } from '../helpers/cli.js'
import { python3 } from '../helpers/tools.js'

/**
 * The independent verifier: Python's `cryptography` computes the kid from the public key
 * (SHA-256 over the DER SubjectPublicKeyInfo), joserfc builds its own JWK from the PEM and
 * verifies the token with it (and with the JWKS `irsa oidc keys` prints), checks iss/aud/sub/exp/nbf,
 * and re-serialises header and claims with sorted keys to compare with the token's bytes.
 * A tampered copy of the token must fail, so the oracle is seen to refuse too.
 */
const PY = String.raw`
import base64, hashlib, json, sys, time
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, KeySet, RSAKey

inp = json.load(sys.stdin)
token, pem = inp["token"], inp["pem"].encode()
pub = serialization.load_pem_public_key(pem)
der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
alg = inp["alg"]
cls = RSAKey if alg.startswith("RS") else ECKey
own = KeySet([cls.import_key(pem, {"kid": kid, "use": "sig", "alg": alg})])
exported = KeySet.import_key_set(inp["jwks"])

def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

results = {}
for name, keys in (("python-jwk", own), ("irsa-oidc-keys", exported)):
    tok = jwt.decode(token, keys, algorithms=[alg])
    jwt.JWTClaimsRegistry(
        now=int(time.time()),
        iss={"essential": True, "value": inp["issuer"]},
        aud={"essential": True, "value": inp["audience"]},
        sub={"essential": True, "value": inp["sub"]},
        exp={"essential": True},
        nbf={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    ).validate(tok.claims)
    results[name] = {"header": tok.header, "claims": tok.claims}

h, p, s = token.split(".")
raw_header, raw_payload = b64d(h).decode(), b64d(p).decode()
canonical = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"))
tampered = h + "." + p + "." + ("A" if s[0] != "A" else "B") + s[1:]
try:
    jwt.decode(tampered, own, algorithms=[alg])
    tamper = "accepted"
except BadSignatureError:
    tamper = "rejected"
print(json.dumps({
    "kid": kid,
    "results": results,
    "headerSorted": raw_header == canonical(json.loads(raw_header)),
    "payloadSorted": raw_payload == canonical(json.loads(raw_payload)),
    "signatureBytes": len(b64d(s)),
    "tamper": tamper,
}))
`

interface PyResult {
  kid: string
  results: Record<string, { header: Record<string, unknown>; claims: Record<string, unknown> }>
  headerSorted: boolean
  payloadSorted: boolean
  signatureBytes: number
  tamper: string
}

function python(input: unknown): PyResult {
  const r = spawnSync('python3', ['-c', PY], { input: JSON.stringify(input), encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout) as PyResult
}

const skip = python3().skip
const ISSUER = 'https://oidc.example.com/id/PYTHON0123456789'

for (const [label, curve, alg, sigBytes] of [
  ['RSA (irsa keys generate)', undefined, 'RS256', 256],
  ['EC P-256 (irsa keys generate --type ec)', 'P-256', 'ES256', 64],
  ['EC P-384', 'P-384', 'ES384', 96],
  ['EC P-521', 'P-521', 'ES512', 132],
] as const) {
  test(`python joserfc verifies a token from irsa create token: ${label}`, { skip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'irsa-py-'))
    t.after(() => {
      rmSync(dir, { recursive: true, force: true })
    })
    let keyFile = join(dir, 'sa.key')
    let pubFile = join(dir, 'sa.pub')
    if (curve === undefined || curve === 'P-256') {
      const args = [
        'keys',
        'generate',
        '--out',
        dir,
        ...(curve === undefined ? [] : ['--type', 'ec']),
      ]
      const g = await runCli(args)
      assert.equal(g.code, 0, g.stderr)
    } else {
      const pair = generateKeyPairSync('ec', { namedCurve: curve })
      keyFile = join(dir, 'ec.key')
      pubFile = join(dir, 'ec.pub')
      writeFileSync(keyFile, pair.privateKey.export({ type: 'sec1', format: 'pem' }))
      writeFileSync(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }))
    }
    const created = await runCli([
      'create',
      'token',
      'app',
      '-n',
      'payments',
      '--issuer',
      ISSUER,
      '--signing-key',
      keyFile,
      '--bound-pod',
      'app-5d8c9-x7k2p',
      '--bound-pod-uid',
      '4f1c0d2e-8a9b-4c3d-9e8f-7a6b5c4d3e2f',
      '--bound-node',
      'ip-10-0-1-23.ec2.internal',
      '--sa-uid',
      '11111111-2222-4333-8444-555555555555',
    ])
    assert.equal(created.code, 0, created.stderr)
    const token = created.stdout.trim()
    const pem = readFileSync(pubFile, 'utf8')
    const [info] = loadPublicKeys(pem)
    assert.ok(info)
    // The JWKS a verifier would fetch: what `irsa oidc keys` prints for this public key.
    const keys = await runCli(['oidc', 'keys', '--key', pubFile])
    assert.equal(keys.code, 0, keys.stderr)
    const jwks = JSON.parse(keys.stdout) as { keys: Record<string, unknown>[] }
    assert.equal(jwks.keys.length, 1)
    // ...and it is the public key itself, as jose exports it independently of our code.
    const { kty, n, e, crv, x, y } = await exportJWK(info.publicKey)
    assert.deepEqual(
      Object.fromEntries(
        Object.entries({ kty, n, e, crv, x, y }).filter(([, v]) => v !== undefined),
      ),
      Object.fromEntries(
        Object.entries(jwks.keys[0] ?? {}).filter(([k]) =>
          ['kty', 'n', 'e', 'crv', 'x', 'y'].includes(k),
        ),
      ),
    )
    const py = python({
      token,
      pem,
      alg,
      jwks,
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
      sub: 'system:serviceaccount:payments:app',
    })
    assert.equal(py.kid, info.kid, "Python's kid of the public key is ours")
    assert.equal(py.tamper, 'rejected')
    assert.equal(py.headerSorted, true)
    assert.equal(py.payloadSorted, true)
    assert.equal(py.signatureBytes, sigBytes)
    for (const name of ['python-jwk', 'irsa-oidc-keys']) {
      const r = py.results[name]
      assert.ok(r, name)
      assert.deepEqual(r.header, { alg, kid: info.kid }, name)
      const c = r.claims
      assert.deepEqual(Object.keys(c).sort(), [
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
      assert.equal(c['iss'], ISSUER)
      assert.equal(c['sub'], 'system:serviceaccount:payments:app')
      assert.equal(c['nbf'], c['iat'])
      assert.equal(Number(c['exp']) - Number(c['iat']), 3600)
      assert.match(
        String(c['jti']),
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      )
      assert.deepEqual(c['kubernetes.io'], {
        namespace: 'payments',
        node: { name: 'ip-10-0-1-23.ec2.internal' },
        pod: { name: 'app-5d8c9-x7k2p', uid: '4f1c0d2e-8a9b-4c3d-9e8f-7a6b5c4d3e2f' },
        serviceaccount: { name: 'app', uid: '11111111-2222-4333-8444-555555555555' },
      })
    }
  })
}
