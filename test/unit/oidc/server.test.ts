import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { get } from 'node:https'
import { TLSSocket } from 'node:tls'
import {
  createCertificateAuthority,
  issueServerCertificate,
  silentLogger,
  systemClock,
  isIrsaError,
} from '../../../src/core/index.js'
import { buildJwks, createIssuerApp, startIssuerServer } from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'

const clock = systemClock
const key = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)

interface Fetched {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  certSha1: string
}

function fetch(url: string, ca: string): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca, agent: false }, (res) => {
      const cert = res.socket instanceof TLSSocket ? res.socket.getPeerX509Certificate() : undefined
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          certSha1: cert?.fingerprint ?? '',
        })
      })
    })
    req.on('error', reject)
  })
}

test('serves over HTTPS on an ephemeral port and swaps its certificate without restarting', async (t) => {
  const caA = createCertificateAuthority({ commonName: 'CA A', clock })
  const caB = createCertificateAuthority({ commonName: 'CA B', clock })
  const certA = issueServerCertificate(caA, { ipAddresses: ['127.0.0.1'], clock })
  const certB = issueServerCertificate(caB, { ipAddresses: ['127.0.0.1'], clock })
  const app = createIssuerApp({ logger: silentLogger() })
  const server = await startIssuerServer({ app, tls: certA, port: 0 })
  t.after(() => server.close())
  assert.ok(server.port > 0)
  assert.equal(server.origin, `https://127.0.0.1:${server.port}`)
  const issuer = `${server.origin}/id/E2E`
  app.setIssuer({ issuer, keys: [key] })

  const r = await fetch(`${issuer}/openid/v1/jwks`, caA.certPem)
  assert.equal(r.status, 200)
  assert.equal(r.headers['content-type'], 'application/jwk-set+json')
  assert.equal(r.headers['cache-control'], 'public, max-age=3600')
  assert.deepEqual(JSON.parse(r.body), buildJwks([key]))
  assert.equal(r.certSha1, new X509Certificate(certA.certPem).fingerprint)

  server.setTlsCertificate(certB)
  await assert.rejects(fetch(`${issuer}/openid/v1/jwks`, caA.certPem), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  })
  const after = await fetch(`${issuer}/openid/v1/jwks`, caB.certPem)
  assert.equal(after.status, 200)
  assert.equal(after.certSha1, new X509Certificate(certB.certPem).fingerprint)
})

test('close() stops listening; a port in use is a one-line IrsaError', async () => {
  const ca = createCertificateAuthority({ commonName: 'CA', clock })
  const tls = issueServerCertificate(ca, { ipAddresses: ['127.0.0.1'], clock })
  const app = createIssuerApp({ logger: silentLogger() })
  const server = await startIssuerServer({ app, tls, port: 0 })
  await assert.rejects(startIssuerServer({ app, tls, port: server.port }), (e: unknown) => {
    assert.ok(isIrsaError(e))
    assert.equal(e.code, 'ERR_LISTEN')
    assert.equal(e.message, `cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`)
    return true
  })
  await server.close()
  await server.close() // idempotent
  await assert.rejects(fetch(`${server.origin}/x`, ca.certPem), { code: 'ECONNREFUSED' })
})
