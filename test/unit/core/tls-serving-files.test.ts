import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureServingCertificate, manualClock } from '../../../src/core/index.js'

const T0 = Date.UTC(2026, 5, 1)
const DAY = 86_400_000

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-serving-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return join(dir, 'nested', 'tls')
}

test('writes ca.pem, tls.crt and tls.key with mode 0600 and no CA key', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const s = ensureServingCertificate({
    dir,
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    clock,
  })
  assert.equal(s.reused, false)
  assert.deepEqual(s.files, {
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
  })
  for (const f of Object.values(s.files)) assert.equal(statSync(f).mode & 0o777, 0o600, f)
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(readFileSync(s.files.ca, 'utf8'), s.caPem)
  assert.equal(readFileSync(s.files.cert, 'utf8'), s.certPem)
  assert.equal(readFileSync(s.files.key, 'utf8'), s.keyPem)
  assert.doesNotMatch(s.caPem, /PRIVATE KEY/)
  const ca = new X509Certificate(s.caPem)
  const cert = new X509Certificate(s.certPem)
  assert.equal(cert.verify(ca.publicKey), true)
  // tls.crt is the chain the server sends: its certificate, then the CA's.
  assert.equal(s.certPem.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2)
  assert.ok(s.certPem.endsWith(s.caPem))
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1')
  assert.equal(cert.checkHost('localhost'), 'localhost')
})

test('reuses valid files that cover the names; replaces them otherwise', (t) => {
  const dir = tempDir(t)
  const clock = manualClock(T0)
  const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }
  const first = ensureServingCertificate({ dir, ...names, clock })
  clock.advance(30 * DAY)
  const again = ensureServingCertificate({ dir, ...names, clock })
  assert.equal(again.reused, true)
  assert.equal(again.certPem, first.certPem)
  assert.equal(again.caPem, first.caPem)

  // A name the certificate does not cover: a new CA and certificate.
  const wider = ensureServingCertificate({ dir, dnsNames: ['localhost', 'issuer.local'], clock })
  assert.equal(wider.reused, false)
  assert.notEqual(wider.caPem, first.caPem)

  // Less than a day of life left: replaced.
  clock.advance(397 * DAY - DAY / 2)
  const late = ensureServingCertificate({ dir, dnsNames: ['localhost', 'issuer.local'], clock })
  assert.equal(late.reused, false)

  // A certificate that does not verify against ca.pem: replaced.
  writeFileSync(join(dir, 'ca.pem'), first.caPem)
  const mismatched = ensureServingCertificate({ dir, dnsNames: ['localhost'], clock })
  assert.equal(mismatched.reused, false)
})
