import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createCertificateAuthority,
  createSelfSignedCertificate,
  issueIntermediateCertificate,
  issueServerCertificate,
  manualClock,
  systemClock,
  InputError,
} from '../../../src/core/index.js'
import { openssl } from '../../helpers/tools.js'

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0)

test('a CA is a self-signed CA certificate with the clock-derived validity', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({ commonName: 'test CA', clock, validDays: 10 })
  const x = new X509Certificate(ca.certPem)
  assert.equal(x.ca, true)
  assert.equal(x.subject, 'O=irsa\nCN=test CA')
  assert.equal(x.issuer, x.subject)
  assert.equal(x.verify(x.publicKey), true)
  assert.equal(Date.parse(x.validFrom), T0 - 5 * 60_000)
  assert.equal(Date.parse(x.validTo), T0 + 10 * 86_400_000)
  assert.equal(x.checkPrivateKey(createPrivateKey(ca.keyPem)), true)
  assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----\n/)
})

test('a server certificate covers its DNS names and IPs and verifies with the CA key', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({ commonName: 'test CA', clock })
  const srv = issueServerCertificate(ca, {
    dnsNames: ['localhost', 'issuer.example'],
    ipAddresses: ['127.0.0.1', '::1'],
    clock,
  })
  const x = new X509Certificate(srv.certPem)
  const caX = new X509Certificate(ca.certPem)
  assert.equal(x.ca, false)
  assert.equal(x.verify(caX.publicKey), true)
  assert.equal(x.checkIssued(caX), true)
  assert.equal(x.checkHost('localhost'), 'localhost')
  assert.equal(x.checkHost('issuer.example'), 'issuer.example')
  assert.equal(x.checkHost('other.example'), undefined)
  assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1')
  assert.equal(x.checkIP('::1'), '::1')
  assert.equal(x.checkIP('127.0.0.2'), undefined)
  assert.equal(x.subject, 'CN=localhost')
  assert.equal(x.issuer, caX.subject)
  assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']) // extKeyUsage
  assert.equal(Date.parse(x.validTo), T0 + 397 * 86_400_000)
  const other = createCertificateAuthority({ commonName: 'other CA', clock })
  assert.equal(x.verify(new X509Certificate(other.certPem).publicKey), false)
})

test('long DNS names (multi-byte DER lengths) are encoded correctly', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({ commonName: 'CA', clock })
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.example`
  const srv = issueServerCertificate(ca, { dnsNames: ['short.example', long], clock })
  const x = new X509Certificate(srv.certPem)
  assert.equal(x.checkHost(long), long)
  assert.equal(x.checkHost('short.example'), 'short.example')
  assert.equal(x.subjectAltName, `DNS:short.example, DNS:${long}`)
})

test('serial numbers are positive and can be given', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({
    commonName: 'CA',
    clock,
    serial: Buffer.from('ff01', 'hex'),
  })
  assert.equal(new X509Certificate(ca.certPem).serialNumber, 'FF01')
  for (let i = 0; i < 20; i++) {
    const s = new X509Certificate(createCertificateAuthority({ commonName: 'CA', clock }).certPem)
    assert.match(s.serialNumber, /^[0-7][0-9A-F]{31}$/)
  }
})

test('RSA keys work for CAs and servers', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({ commonName: 'rsa CA', clock, keyType: 'rsa' })
  const srv = issueServerCertificate(ca, { dnsNames: ['localhost'], clock, keyType: 'rsa' })
  const x = new X509Certificate(srv.certPem)
  assert.equal(x.publicKey.asymmetricKeyType, 'rsa')
  assert.equal(x.verify(new X509Certificate(ca.certPem).publicKey), true)
})

test('bad names, non-CA issuers and mismatched keys are one-line InputErrors', () => {
  const clock = manualClock(T0)
  const ca = createCertificateAuthority({ commonName: 'CA', clock })
  assert.throws(() => issueServerCertificate(ca, { dnsNames: ['bad name'], clock }), InputError)
  assert.throws(() => issueServerCertificate(ca, { ipAddresses: ['300.1.1.1'], clock }), InputError)
  assert.throws(() => issueServerCertificate(ca, { clock }), /needs a DNS name or an IP/)
  assert.throws(
    () => issueServerCertificate(ca, { dnsNames: ['x'], clock, validDays: 0 }),
    InputError,
  )
  const leaf = issueServerCertificate(ca, { dnsNames: ['x'], clock })
  assert.throws(() => issueServerCertificate(leaf, { dnsNames: ['y'], clock }), /is not a CA/)
  const other = createCertificateAuthority({ commonName: 'other', clock })
  assert.throws(
    () =>
      issueServerCertificate(
        { certPem: ca.certPem, keyPem: other.keyPem },
        { dnsNames: ['y'], clock },
      ),
    /does not match/,
  )
})

test('openssl reads and verifies the certificates (root, intermediate, self-signed)', (t) => {
  const o = openssl()
  if (o.skip !== false) {
    t.skip(o.skip)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'irsa-tls-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const clock = systemClock
  const ca = createCertificateAuthority({ commonName: 'irsa test root', clock })
  const inter = issueIntermediateCertificate(ca, { commonName: 'irsa test intermediate', clock })
  const leaf = issueServerCertificate(inter, {
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    clock,
  })
  const direct = issueServerCertificate(ca, { dnsNames: ['localhost'], clock, keyType: 'rsa' })
  const self = createSelfSignedCertificate({ ipAddresses: ['127.0.0.1'], clock })
  const files: Record<string, string> = {
    ca: ca.certPem,
    inter: inter.certPem,
    leaf: leaf.certPem,
    direct: direct.certPem,
    self: self.certPem,
  }
  for (const [n, pem] of Object.entries(files)) writeFileSync(join(dir, `${n}.pem`), pem)
  const run = (...args: string[]): { status: number | null; out: string } => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
    return { status: r.status, out: r.stdout + r.stderr }
  }

  const text = run('x509', '-in', 'leaf.pem', '-noout', '-text')
  assert.equal(text.status, 0, text.out)
  assert.match(text.out, /Version: 3 \(0x2\)/)
  assert.match(text.out, /Signature Algorithm: ecdsa-with-SHA256/)
  assert.match(text.out, /Basic Constraints: critical\s+CA:FALSE/)
  assert.match(text.out, /Key Usage: critical\s+Digital Signature\n/)
  assert.match(text.out, /Extended Key Usage: \s*\n\s+TLS Web Server Authentication/)
  assert.match(text.out, /Subject Alternative Name: \s*\n\s+DNS:localhost, IP Address:127\.0\.0\.1/)
  assert.match(text.out, /Subject Key Identifier/)
  assert.match(text.out, /Authority Key Identifier/)
  const caText = run('x509', '-in', 'ca.pem', '-noout', '-text')
  assert.match(caText.out, /CA:TRUE, pathlen:1/)
  assert.match(caText.out, /Certificate Sign, CRL Sign/)
  const interText = run('x509', '-in', 'inter.pem', '-noout', '-text')
  assert.match(interText.out, /CA:TRUE, pathlen:0/)

  // The AKI of each certificate is the SKI of its issuer.
  const ski = (f: string): string =>
    /Subject Key Identifier: \s*\n\s+([0-9A-F:]+)/.exec(
      run('x509', '-in', f, '-noout', '-text').out,
    )?.[1] ?? 'none'
  const aki = (f: string): string =>
    /Authority Key Identifier: \s*\n\s+(?:keyid:)?([0-9A-F:]+)/.exec(
      run('x509', '-in', f, '-noout', '-text').out,
    )?.[1] ?? 'none'
  assert.equal(aki('inter.pem'), ski('ca.pem'))
  assert.equal(aki('leaf.pem'), ski('inter.pem'))

  for (const args of [
    ['-x509_strict', '-CAfile', 'ca.pem', 'direct.pem'],
    ['-x509_strict', '-CAfile', 'ca.pem', '-untrusted', 'inter.pem', 'leaf.pem'],
    ['-x509_strict', '-CAfile', 'ca.pem', 'inter.pem'],
    ['-CAfile', 'self.pem', 'self.pem'],
  ]) {
    const r = run('verify', ...args)
    assert.equal(r.status, 0, `openssl verify ${args.join(' ')}: ${r.out}`)
  }
  // Without the intermediate, or against the wrong root, openssl refuses.
  assert.notEqual(run('verify', '-CAfile', 'ca.pem', 'leaf.pem').status, 0)
  assert.notEqual(run('verify', '-CAfile', 'self.pem', 'direct.pem').status, 0)
  // An intermediate with pathlen 0 may not issue another CA.
  const sub = issueIntermediateCertificate(inter, { commonName: 'too deep', clock })
  const deep = issueServerCertificate(sub, { dnsNames: ['localhost'], clock })
  writeFileSync(join(dir, 'sub.pem'), sub.certPem)
  writeFileSync(join(dir, 'deep.pem'), deep.certPem)
  writeFileSync(join(dir, 'chain.pem'), inter.certPem + sub.certPem)
  assert.notEqual(
    run('verify', '-CAfile', 'ca.pem', '-untrusted', 'chain.pem', 'deep.pem').status,
    0,
  )
})
