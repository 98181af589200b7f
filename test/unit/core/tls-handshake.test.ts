import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer, type Server } from 'node:tls'
import type { AddressInfo } from 'node:net'
import {
  createCertificateAuthority,
  createSelfSignedCertificate,
  issueIntermediateCertificate,
  issueServerCertificate,
  systemClock,
} from '../../../src/core/index.js'

const clock = systemClock

async function serve(cert: string, key: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert, key }, (s) => s.end('hello\n'))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, port: (server.address() as AddressInfo).port }
}

/**
 * Connects to 127.0.0.1 trusting only `ca`, verifying the certificate for `host` (an IP
 * or a DNS name sent as SNI); resolves with the greeting or rejects with the TLS error.
 */
function handshake(port: number, ca: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({
      port,
      host: '127.0.0.1',
      ca: [ca],
      servername: host === '127.0.0.1' ? '' : host,
    })
    let data = ''
    s.setEncoding('utf8')
    s.on('data', (d: string) => (data += d))
    s.on('end', () => {
      resolve(data)
    })
    s.on('error', reject)
    s.setTimeout(5000, () => s.destroy(new Error('timeout')))
  })
}

test('a TLS handshake over loopback succeeds trusting only the generated CA', async (t) => {
  const ca = createCertificateAuthority({ commonName: 'handshake CA', clock })
  const srv = issueServerCertificate(ca, {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    clock,
  })
  const { server, port } = await serve(srv.certPem, srv.keyPem)
  t.after(() => server.close())
  assert.equal(await handshake(port, ca.certPem, '127.0.0.1'), 'hello\n')
  assert.equal(await handshake(port, ca.certPem, 'localhost'), 'hello\n')
  // Another CA is not trusted; the wrong host name is refused by Node's own check.
  const other = createCertificateAuthority({ commonName: 'other CA', clock })
  await assert.rejects(handshake(port, other.certPem, '127.0.0.1'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  })
  await assert.rejects(handshake(port, ca.certPem, 'wrong.example'), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  })
})

test('a leaf under an intermediate verifies when the server sends the intermediate', async (t) => {
  const root = createCertificateAuthority({ commonName: 'root', clock })
  const inter = issueIntermediateCertificate(root, { commonName: 'intermediate', clock })
  const leaf = issueServerCertificate(inter, { ipAddresses: ['127.0.0.1'], clock, keyType: 'rsa' })
  const full = await serve(leaf.certPem + inter.certPem, leaf.keyPem)
  const bare = await serve(leaf.certPem, leaf.keyPem)
  t.after(() => {
    full.server.close()
    bare.server.close()
  })
  assert.equal(await handshake(full.port, root.certPem, '127.0.0.1'), 'hello\n')
  await assert.rejects(handshake(bare.port, root.certPem, '127.0.0.1'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  })
})

test('a self-signed certificate is its own trust root', async (t) => {
  const self = createSelfSignedCertificate({
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    clock,
  })
  const { server, port } = await serve(self.certPem, self.keyPem)
  t.after(() => server.close())
  assert.equal(await handshake(port, self.certPem, '127.0.0.1'), 'hello\n')
  const other = createSelfSignedCertificate({ ipAddresses: ['127.0.0.1'], clock })
  await assert.rejects(handshake(port, other.certPem, '127.0.0.1'), {
    code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
  })
})
