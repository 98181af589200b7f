import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createCertificateAuthority,
  createSelfSignedCertificate,
  issueIntermediateCertificate,
  issueServerCertificate,
  silentLogger,
  systemClock,
  InputError,
  type CertificateKeyPair,
} from '../../../src/core/index.js'
import {
  computeThumbprints,
  createIssuerApp,
  fetchJson,
  startIssuerServer,
  IssuerFetchError,
  type IssuerServer,
} from '../../../src/oidc/index.js'
import { describePublicKey } from '../../../src/token/index.js'
import { openssl } from '../../helpers/tools.js'

const clock = systemClock
const key = describePublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey)

/** SHA-1 as Node's X509Certificate reports it (AB:CD:...), in the IAM form (abcd...). */
const sha1 = (pem: string): string =>
  new X509Certificate(pem).fingerprint.replace(/:/g, '').toLowerCase()

const root = createCertificateAuthority({ commonName: 'thumbprint root', clock })
const inter = issueIntermediateCertificate(root, { commonName: 'thumbprint intermediate', clock })
const leaf = issueServerCertificate(inter, { ipAddresses: ['127.0.0.1'], clock })

/** An issuer server sending `chain` (PEM certificates concatenated), serving `/id/T`. */
async function issuerWith(
  t: { after: (fn: () => Promise<void>) => void },
  tls: CertificateKeyPair,
  jwksUri?: (origin: string) => string,
): Promise<{ server: IssuerServer; issuer: string }> {
  const app = createIssuerApp({ logger: silentLogger() })
  const server = await startIssuerServer({ app, tls, port: 0 })
  t.after(() => server.close())
  const issuer = `${server.origin}/id/T`
  app.setIssuer({
    issuer,
    keys: [key],
    ...(jwksUri !== undefined ? { jwksUri: jwksUri(server.origin) } : {}),
  })
  return { server, issuer }
}

test('leaf + intermediate sent, root trusted locally: the thumbprint is the intermediate', async (t) => {
  const { server, issuer } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem,
    keyPem: leaf.keyPem,
  })
  const r = await computeThumbprints(issuer, { ca: [root.certPem] })
  assert.equal(r.issuerHost.thumbprint, sha1(inter.certPem))
  assert.notEqual(
    r.issuerHost.thumbprint,
    sha1(root.certPem),
    'the root came from the trust store, not the server',
  )
  assert.deepEqual(
    r.issuerHost.chain.map((c) => c.sha1),
    [sha1(leaf.certPem), sha1(inter.certPem)],
  )
  assert.equal(r.issuerHost.host, `127.0.0.1:${server.port}`)
  assert.equal(r.issuerHost.trusted, true)
  assert.equal(r.discoveryTrustedBy, 'ca')
  assert.equal(r.jwksUri, `${issuer}/openid/v1/jwks`)
  assert.equal(r.jwksHost?.thumbprint, sha1(inter.certPem))
  assert.equal(r.differ, false)
  assert.match(r.issuerHost.thumbprint, /^[0-9a-f]{40}$/)
})

test('without the root trusted, the same thumbprint; discovery is trusted by thumbprint', async (t) => {
  const { issuer } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem,
    keyPem: leaf.keyPem,
  })
  const r = await computeThumbprints(issuer)
  assert.equal(r.issuerHost.thumbprint, sha1(inter.certPem))
  assert.equal(r.issuerHost.trusted, false)
  assert.equal(r.issuerHost.trustError, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')
  assert.equal(r.discoveryTrustedBy, 'thumbprint')
  assert.equal(r.jwksHost?.thumbprint, sha1(inter.certPem))
})

test('a server that sends only a self-signed leaf: the thumbprint is that leaf', async (t) => {
  const self = createSelfSignedCertificate({ ipAddresses: ['127.0.0.1'], clock })
  const { issuer } = await issuerWith(t, self)
  const r = await computeThumbprints(issuer, { ca: [self.certPem] })
  assert.equal(r.issuerHost.thumbprint, sha1(self.certPem))
  assert.equal(r.issuerHost.chain.length, 1)
  assert.equal(r.issuerHost.chain[0]?.selfIssued, true)
  assert.equal(r.issuerHost.trusted, true, r.issuerHost.trustError)
  const untrusted = await computeThumbprints(issuer)
  assert.equal(untrusted.issuerHost.trustError, 'DEPTH_ZERO_SELF_SIGNED_CERT')
  assert.equal(untrusted.issuerHost.thumbprint, sha1(self.certPem))
})

test('a server that sends its root too: the thumbprint is the root (the last sent)', async (t) => {
  const { issuer } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem + root.certPem,
    keyPem: leaf.keyPem,
  })
  const r = await computeThumbprints(issuer, { ca: [root.certPem] })
  assert.equal(r.issuerHost.thumbprint, sha1(root.certPem))
  assert.equal(r.issuerHost.chain.length, 3)
})

test('openssl agrees on the thumbprint of the last certificate sent', async (t) => {
  const o = openssl()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'irsa-thumb-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
    return Promise.resolve()
  })
  writeFileSync(join(dir, 'inter.pem'), inter.certPem)
  const out = execFileSync(
    'openssl',
    ['x509', '-in', 'inter.pem', '-noout', '-fingerprint', '-sha1'],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  )
  const expected = /=([0-9A-F:]+)/.exec(out)![1]!.replace(/:/g, '').toLowerCase()
  const { issuer } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem,
    keyPem: leaf.keyPem,
  })
  assert.equal((await computeThumbprints(issuer)).issuerHost.thumbprint, expected)
})

test('a jwks_uri on another host: both thumbprints, flagged as different', async (t) => {
  const other = createSelfSignedCertificate({ ipAddresses: ['127.0.0.1'], clock })
  const keysHost = await issuerWith(t, other)
  const { issuer } = await issuerWith(
    t,
    { certPem: leaf.certPem + inter.certPem, keyPem: leaf.keyPem },
    () => `${keysHost.server.origin}/id/T/openid/v1/jwks`,
  )
  const r = await computeThumbprints(issuer, { ca: [root.certPem] })
  assert.equal(r.issuerHost.thumbprint, sha1(inter.certPem))
  assert.ok(r.jwksHost !== undefined, r.jwksError)
  assert.equal(r.jwksHost.thumbprint, sha1(other.certPem))
  assert.equal(r.jwksHost.host, `127.0.0.1:${keysHost.server.port}`)
  assert.equal(r.jwksHost.trusted, false)
  assert.equal(r.differ, true)
})

test('a URL with no discovery document: the issuer thumbprint and why the JWKS host is unknown', async (t) => {
  const { server } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem,
    keyPem: leaf.keyPem,
  })
  const r = await computeThumbprints(`${server.origin}/nothing-here`, { ca: [root.certPem] })
  assert.equal(r.issuerHost.thumbprint, sha1(inter.certPem))
  assert.equal(r.jwksHost, undefined)
  assert.match(
    r.jwksError ?? '',
    /^discovery: https:\/\/127\.0\.0\.1:\d+\/nothing-here\/\.well-known\/openid-configuration: HTTP 404$/,
  )
})

test('unreachable hosts, timeouts and non-https URLs are one-line errors', async (t) => {
  // A port that was just free: connection refused.
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const freePort = (probe.address() as { port: number }).port
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve()
    }),
  )
  await assert.rejects(computeThumbprints(`https://127.0.0.1:${freePort}/x`), (e: unknown) => {
    assert.ok(e instanceof IssuerFetchError)
    assert.equal(e.message, `cannot reach 127.0.0.1:${freePort}: connection refused`)
    return true
  })

  // A server that accepts and never answers the handshake.
  const sockets: Socket[] = []
  const silent = createServer((s) => sockets.push(s))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) =>
      silent.close(() => {
        resolve()
      }),
    )
  })
  const port = (silent.address() as { port: number }).port
  await assert.rejects(computeThumbprints(`https://127.0.0.1:${port}/`, { timeoutMs: 150 }), {
    message: `cannot reach 127.0.0.1:${port}: timed out after 150 ms`,
  })

  await assert.rejects(computeThumbprints('http://127.0.0.1:1/'), InputError)
  await assert.rejects(computeThumbprints('not a url'), /is not a URL/)
})

test('a pinned fetch refuses a server whose last certificate has another thumbprint', async (t) => {
  const { issuer } = await issuerWith(t, {
    certPem: leaf.certPem + inter.certPem,
    keyPem: leaf.keyPem,
  })
  const url = new URL(`${issuer}/.well-known/openid-configuration`)
  const ok = (await fetchJson(
    url,
    { kind: 'thumbprint', thumbprint: sha1(inter.certPem) },
    5000,
  )) as {
    issuer: string
  }
  assert.equal(ok.issuer, issuer)
  await assert.rejects(
    fetchJson(url, { kind: 'thumbprint', thumbprint: sha1(root.certPem) }, 5000),
    {
      message: new RegExp(
        `certificate thumbprint ${sha1(inter.certPem)} does not match ${sha1(root.certPem)}`,
      ),
    },
  )
  await assert.rejects(fetchJson(url, { kind: 'ca', ca: [] }, 5000), {
    message: /UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
  })
})

test('a certificate for another name is measured but not trusted', async (t) => {
  const wrong = issueServerCertificate(root, { dnsNames: ['elsewhere.example'], clock })
  const { issuer } = await issuerWith(t, { certPem: wrong.certPem, keyPem: wrong.keyPem })
  const r = await computeThumbprints(issuer, { ca: [root.certPem] })
  assert.equal(r.issuerHost.trusted, false)
  assert.match(r.issuerHost.trustError ?? '', /IP: 127\.0\.0\.1 is not in the cert's list/)
  assert.equal(r.issuerHost.thumbprint, sha1(wrong.certPem))
})
