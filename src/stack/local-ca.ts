import { X509Certificate } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join } from 'node:path'
import {
  createCertificateAuthority,
  IrsaError,
  issueServerCertificate,
  type CertificateAuthority,
  type CertificateKeyPair,
  type Clock,
} from '../core/index.js'
import { writePrivateFile } from '../store/index.js'
import { STACK_FILES } from './defaults.js'

/** The stack's CA as found or made, and its files. */
interface LocalCa extends CertificateAuthority {
  readonly files: { readonly cert: string; readonly key: string }
  /** True when the files were already there. */
  readonly reused: boolean
}

/**
 * The local CA of a data directory: `DIR/ca.pem` (the certificate clients trust) and
 * `DIR/ca-key.pem` (mode 0600), made on first use and reused after, so a client that
 * trusts `ca.pem`, and an OIDC provider's thumbprint of it, stay valid across restarts.
 */
export function ensureLocalCa(dir: string, clock: Clock): LocalCa {
  const files = { cert: join(dir, STACK_FILES.ca), key: join(dir, STACK_FILES.caKey) }
  if (existsSync(files.cert) && existsSync(files.key)) {
    const certPem = readFileSync(files.cert, 'utf8')
    const keyPem = readFileSync(files.key, 'utf8')
    try {
      new X509Certificate(certPem)
    } catch {
      throw new IrsaError('ERR_STACK_CA', `${files.cert} is not a PEM certificate`)
    }
    return { certPem, keyPem, files, reused: true }
  }
  const ca = createCertificateAuthority({ commonName: 'irsa local CA', clock, pathLength: 0 })
  writePrivateFile(files.key, ca.keyPem)
  writePrivateFile(files.cert, ca.certPem)
  return { ...ca, files, reused: false }
}

/** The host names and addresses a serving certificate for `host` covers. */
export function certificateNames(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const bare = host.replace(/^\[(.*)\]$/, '$1')
  if (bare === '0.0.0.0' || bare === '::')
    return { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] }
  if (isIP(bare) !== 0) return { dnsNames: [], ipAddresses: [bare] }
  const names = { dnsNames: [bare.toLowerCase()], ipAddresses: [] as string[] }
  if (bare.toLowerCase() === 'localhost') names.ipAddresses.push('127.0.0.1', '::1')
  return names
}

/**
 * The names the AWS endpoint's HTTPS certificate covers: those of `host`, plus
 * `localhost`, `127.0.0.1` and `s3.localhost` with its wildcard `*.s3.localhost` (S3's
 * virtual-hosted bucket names: `BUCKET.s3.localhost`).
 */
export function awsCertificateNames(host: string): { dnsNames: string[]; ipAddresses: string[] } {
  const names = certificateNames(host)
  const add = (list: string[], values: readonly string[]): string[] => [
    ...list,
    ...values.filter((v) => !list.includes(v)),
  ]
  return {
    dnsNames: add(names.dnsNames, ['localhost', 's3.localhost', '*.s3.localhost']),
    ipAddresses: add(names.ipAddresses, ['127.0.0.1']),
  }
}

/**
 * A fresh server certificate for `host` from the local CA, sent with the CA after it: the
 * last certificate of the chain is what an IAM OIDC provider thumbprint pins, so the
 * thumbprint is the CA's and does not change when the server certificate does. `names`
 * default to {@link certificateNames} of `host`.
 */
export function servingCertificate(
  ca: CertificateAuthority,
  host: string,
  clock: Clock,
  names: { dnsNames: string[]; ipAddresses: string[] } = certificateNames(host),
): CertificateKeyPair {
  const leaf = issueServerCertificate(ca, { ...names, clock })
  return { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem }
}
