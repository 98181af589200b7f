import { X509Certificate } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../clock.js'
import {
  createCertificateAuthority,
  issueServerCertificate,
  type CertificateKeyPair,
} from './certificates.js'

/**
 * Where {@link ensureServingCertificate} keeps its files, and what it found or made.
 * `certPem` is the chain the server sends: its certificate, then the CA's. The last
 * certificate a server sends is what an IAM OIDC provider thumbprint pins, so sending
 * the CA keeps the thumbprint stable when the server certificate is renewed.
 */
interface ServingCertificate extends CertificateKeyPair {
  /** The CA certificate PEM: the one file a client needs to trust the server. */
  readonly caPem: string
  readonly files: { readonly ca: string; readonly cert: string; readonly key: string }
  /** True when valid files already in the directory were reused. */
  readonly reused: boolean
}

/** A day of remaining lifetime is the least a reused certificate must have. */
const MIN_REMAINING_MS = 86_400_000

function reusable(
  files: ServingCertificate['files'],
  names: { dnsNames: readonly string[]; ipAddresses: readonly string[] },
  clock: Clock,
): (CertificateKeyPair & { caPem: string }) | undefined {
  if (![files.ca, files.cert, files.key].every((f) => existsSync(f))) return undefined
  try {
    const caPem = readFileSync(files.ca, 'utf8')
    const certPem = readFileSync(files.cert, 'utf8')
    const keyPem = readFileSync(files.key, 'utf8')
    const ca = new X509Certificate(caPem)
    const cert = new X509Certificate(certPem)
    const now = clock.now()
    if (!cert.verify(ca.publicKey)) return undefined
    if (Date.parse(cert.validFrom) > now) return undefined
    if (Date.parse(cert.validTo) - now < MIN_REMAINING_MS) return undefined
    if (Date.parse(ca.validTo) - now < MIN_REMAINING_MS) return undefined
    if (names.dnsNames.some((d) => cert.checkHost(d, { wildcards: false }) === undefined))
      return undefined
    if (names.ipAddresses.some((ip) => cert.checkIP(ip) === undefined)) return undefined
    return { caPem, certPem, keyPem }
  } catch {
    return undefined
  }
}

function writePrivate(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600)
}

/**
 * A CA and a server certificate for the given names, kept in `dir` as `ca.pem`,
 * `tls.crt` (the server certificate followed by the CA's) and `tls.key` (each mode 0600, the directory 0700). Valid files already
 * there that cover the names are reused, so a client that trusts `ca.pem` keeps
 * trusting the server across restarts; otherwise a new CA and certificate are made.
 * The CA's private key is never written: it is used once and dropped.
 */
export function ensureServingCertificate(o: {
  readonly dir: string
  readonly dnsNames?: readonly string[]
  readonly ipAddresses?: readonly string[]
  readonly clock: Clock
  readonly caCommonName?: string
}): ServingCertificate {
  const files = {
    ca: join(o.dir, 'ca.pem'),
    cert: join(o.dir, 'tls.crt'),
    key: join(o.dir, 'tls.key'),
  }
  const names = { dnsNames: o.dnsNames ?? [], ipAddresses: o.ipAddresses ?? [] }
  const existing = reusable(files, names, o.clock)
  if (existing !== undefined) return { ...existing, files, reused: true }
  const ca = createCertificateAuthority({
    commonName: o.caCommonName ?? 'irsa local CA',
    clock: o.clock,
    pathLength: 0,
  })
  const server = issueServerCertificate(ca, { ...names, clock: o.clock })
  const chainPem = server.certPem + ca.certPem
  mkdirSync(o.dir, { recursive: true, mode: 0o700 })
  writePrivate(files.ca, ca.certPem)
  writePrivate(files.cert, chainPem)
  writePrivate(files.key, server.keyPem)
  return { caPem: ca.certPem, certPem: chainPem, keyPem: server.keyPem, files, reused: false }
}
