import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto'
import { isIP } from 'node:net'
import type { Clock } from '../clock.js'
import { InputError } from '../errors.js'
import { buildCertificate, encodeName, issuerParts, keyIdentifier, toPem } from './x509.js'

/** A certificate and its private key, both PEM (the key is PKCS#8). */
export interface CertificateKeyPair {
  readonly certPem: string
  readonly keyPem: string
}

/** A CA that can issue certificates: its certificate and private key. */
export type CertificateAuthority = CertificateKeyPair

/** The key algorithm of a new certificate: ECDSA P-256 (default) or RSA-2048. */
type CertificateKeyType = 'ec' | 'rsa'

/** What every new certificate needs: the time source, a lifetime and a key type. */
interface CertificateOptions {
  readonly clock: Clock
  /** Lifetime in days from now (notBefore is backdated five minutes for clock skew). */
  readonly validDays?: number
  readonly keyType?: CertificateKeyType
  /** Serial number bytes; 16 random bytes when absent. */
  readonly serial?: Buffer
}

/** Names a server certificate covers: DNS names and IP addresses (IPv4 or IPv6). */
interface ServerNames {
  readonly commonName?: string
  readonly dnsNames?: readonly string[]
  readonly ipAddresses?: readonly string[]
}

const DAY_MS = 86_400_000
const BACKDATE_MS = 5 * 60_000
const DNS_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

function newKey(type: CertificateKeyType): KeyObject {
  return type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
}

function newSerial(given: Buffer | undefined): Buffer {
  const serial = Buffer.from(given ?? randomBytes(16))
  if (given === undefined) serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01
  return serial
}

function validity(
  o: CertificateOptions,
  defaultDays: number,
): { notBefore: number; notAfter: number } {
  const days = o.validDays ?? defaultDays
  if (!(days > 0)) throw new InputError(`certificate lifetime must be positive, got ${days} days`)
  const now = o.clock.now()
  return { notBefore: now - BACKDATE_MS, notAfter: now + days * DAY_MS }
}

function checkNames(names: ServerNames): { dns: string[]; ips: string[]; cn: string } {
  const dns = [...(names.dnsNames ?? [])]
  const ips = [...(names.ipAddresses ?? [])]
  for (const d of dns)
    if (!DNS_NAME.test(d)) throw new InputError(`not a valid DNS name for a certificate: '${d}'`)
  for (const ip of ips) if (isIP(ip) === 0) throw new InputError(`not an IP address: '${ip}'`)
  const cn = names.commonName ?? dns[0] ?? ips[0]
  if (cn === undefined)
    throw new InputError('a server certificate needs a DNS name or an IP address')
  return { dns, ips, cn }
}

function pemKey(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string
}

function loadIssuer(ca: CertificateAuthority): {
  subject: Buffer
  keyId: Buffer
  privateKey: KeyObject
} {
  let cert: X509Certificate
  let privateKey: KeyObject
  try {
    cert = new X509Certificate(ca.certPem)
    privateKey = createPrivateKey(ca.keyPem)
  } catch {
    throw new InputError('CA certificate or key could not be parsed')
  }
  if (!cert.ca) throw new InputError(`certificate '${cert.subject}' is not a CA`)
  if (!cert.checkPrivateKey(privateKey))
    throw new InputError('CA key does not match its certificate')
  const parts = issuerParts(cert.raw)
  return { subject: parts.subject, keyId: parts.keyId ?? keyIdentifier(cert.publicKey), privateKey }
}

/**
 * A new self-signed root CA (`basicConstraints CA:TRUE`, `keyCertSign`), valid ten years
 * by default. `pathLength` (default 1) is how many intermediate CAs may sit below it.
 */
export function createCertificateAuthority(
  o: CertificateOptions & { readonly commonName: string; readonly pathLength?: number },
): CertificateAuthority {
  const key = newKey(o.keyType ?? 'ec')
  const name = encodeName(o.commonName, 'irsa')
  const der = buildCertificate({
    serial: newSerial(o.serial),
    ...validity(o, 3650),
    subject: name,
    issuer: name,
    publicKey: createPublicKey(key),
    issuerPrivateKey: key,
    authorityKeyId: keyIdentifier(createPublicKey(key)),
    ca: { pathLength: o.pathLength ?? 1 },
    dnsNames: [],
    ipAddresses: [],
  })
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: pemKey(key) }
}

/** An intermediate CA signed by `ca` (`pathLength` 0 by default: it issues only leaves). */
export function issueIntermediateCertificate(
  ca: CertificateAuthority,
  o: CertificateOptions & { readonly commonName: string; readonly pathLength?: number },
): CertificateAuthority {
  const issuer = loadIssuer(ca)
  const key = newKey(o.keyType ?? 'ec')
  const der = buildCertificate({
    serial: newSerial(o.serial),
    ...validity(o, 1825),
    subject: encodeName(o.commonName, 'irsa'),
    issuer: issuer.subject,
    publicKey: createPublicKey(key),
    issuerPrivateKey: issuer.privateKey,
    authorityKeyId: issuer.keyId,
    ca: { pathLength: o.pathLength ?? 0 },
    dnsNames: [],
    ipAddresses: [],
  })
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: pemKey(key) }
}

/**
 * A TLS server certificate signed by `ca`, for the given DNS names and IP addresses
 * (subjectAltName), `extKeyUsage serverAuth, clientAuth`, valid 397 days by default.
 */
export function issueServerCertificate(
  ca: CertificateAuthority,
  o: CertificateOptions & ServerNames,
): CertificateKeyPair {
  const names = checkNames(o)
  const issuer = loadIssuer(ca)
  const key = newKey(o.keyType ?? 'ec')
  const der = buildCertificate({
    serial: newSerial(o.serial),
    ...validity(o, 397),
    subject: encodeName(names.cn),
    issuer: issuer.subject,
    publicKey: createPublicKey(key),
    issuerPrivateKey: issuer.privateKey,
    authorityKeyId: issuer.keyId,
    ca: false,
    dnsNames: names.dns,
    ipAddresses: names.ips,
  })
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: pemKey(key) }
}

/**
 * A self-signed server certificate (no CA: the certificate is its own trust root), for
 * the given DNS names and IP addresses.
 */
export function createSelfSignedCertificate(
  o: CertificateOptions & ServerNames,
): CertificateKeyPair {
  const names = checkNames(o)
  const key = newKey(o.keyType ?? 'ec')
  const name = encodeName(names.cn)
  const der = buildCertificate({
    serial: newSerial(o.serial),
    ...validity(o, 397),
    subject: name,
    issuer: name,
    publicKey: createPublicKey(key),
    issuerPrivateKey: key,
    authorityKeyId: keyIdentifier(createPublicKey(key)),
    ca: false,
    dnsNames: names.dns,
    ipAddresses: names.ips,
  })
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: pemKey(key) }
}

/** Who a client certificate names: Kubernetes reads CN as the user, each O as a group. */
export interface ClientIdentity {
  readonly commonName: string
  readonly organization?: string
  /** An OU (Kubernetes ignores it; irsa's API reads the cluster a certificate is for). */
  readonly organizationalUnit?: string
}

/**
 * A TLS client certificate signed by `ca` (`extKeyUsage clientAuth`, no subjectAltName),
 * valid 365 days by default: the credential kubeadm's `admin.conf` carries
 * (`CN=kubernetes-admin, O=system:masters`).
 */
export function issueClientCertificate(
  ca: CertificateAuthority,
  o: CertificateOptions & ClientIdentity,
): CertificateKeyPair {
  const issuer = loadIssuer(ca)
  const key = newKey(o.keyType ?? 'ec')
  const der = buildCertificate({
    serial: newSerial(o.serial),
    ...validity(o, 365),
    subject: encodeName(o.commonName, o.organization, o.organizationalUnit),
    issuer: issuer.subject,
    publicKey: createPublicKey(key),
    issuerPrivateKey: issuer.privateKey,
    authorityKeyId: issuer.keyId,
    ca: false,
    dnsNames: [],
    ipAddresses: [],
  })
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: pemKey(key) }
}
