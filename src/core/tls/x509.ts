import { createHash, sign, type KeyObject } from 'node:crypto'
import {
  bitString,
  boolean,
  explicit,
  implicit,
  integer,
  namedBits,
  nullValue,
  octetString,
  oid,
  readChildren,
  readElement,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
  TAG,
} from './der.js'
import { ipBytes } from './ip.js'

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const

/** keyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const

/** Everything one certificate states; the issuer's parts come from its certificate. */
interface CertificateFields {
  readonly serial: Buffer
  readonly notBefore: number
  readonly notAfter: number
  /** DER of the subject Name. */
  readonly subject: Buffer
  /** DER of the issuer Name (the issuer certificate's subject, byte for byte). */
  readonly issuer: Buffer
  readonly publicKey: KeyObject
  readonly issuerPrivateKey: KeyObject
  /** The issuer's subjectKeyIdentifier, for authorityKeyIdentifier. */
  readonly authorityKeyId: Buffer
  /** A CA certificate (`pathLength` limits the CAs below it) or an end-entity one. */
  readonly ca: { readonly pathLength: number } | false
  readonly dnsNames: readonly string[]
  readonly ipAddresses: readonly string[]
}

/** A distinguished name with a CN, an optional O and an optional OU, as DER. */
export function encodeName(commonName: string, organization?: string, unit?: string): Buffer {
  const rdn = (type: string, value: string): Buffer => set(sequence(oid(type), utf8String(value)))
  const parts = [
    ...(organization !== undefined ? [rdn(OID.organization, organization)] : []),
    ...(unit !== undefined ? [rdn(OID.organizationalUnit, unit)] : []),
  ]
  return sequence(...parts, rdn(OID.commonName, commonName))
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const [, bits] = readChildren(readElement(spki).value)
  if (bits?.tag !== TAG.bitString) throw new RangeError('SPKI without a BIT STRING')
  return createHash('sha1').update(bits.value.subarray(1)).digest()
}

function signatureAlgorithm(key: KeyObject): { algId: Buffer; hash: string } {
  if (key.asymmetricKeyType === 'rsa')
    return { algId: sequence(oid(OID.sha256WithRsa), nullValue()), hash: 'sha256' }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve === 'secp384r1') return { algId: sequence(oid(OID.ecdsaWithSha384)), hash: 'sha384' }
    if (curve === 'secp521r1') return { algId: sequence(oid(OID.ecdsaWithSha512)), hash: 'sha512' }
    return { algId: sequence(oid(OID.ecdsaWithSha256)), hash: 'sha256' }
  }
  throw new RangeError(`cannot sign certificates with a ${key.asymmetricKeyType ?? '?'} key`)
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value))
}

function extensions(f: CertificateFields): Buffer {
  const ext: Buffer[] = []
  ext.push(
    extension(
      OID.basicConstraints,
      true,
      f.ca === false ? sequence() : sequence(boolean(true), integer(f.ca.pathLength)),
    ),
  )
  const usage: number[] =
    f.ca === false
      ? [KEY_USAGE.digitalSignature]
      : [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]
  if (f.ca === false && f.publicKey.asymmetricKeyType === 'rsa')
    usage.push(KEY_USAGE.keyEncipherment)
  ext.push(extension(OID.keyUsage, true, namedBits(usage)))
  if (f.ca === false)
    ext.push(extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))))
  const names = [
    ...f.dnsNames.map((d) => implicit(2, Buffer.from(d, 'ascii'))),
    ...f.ipAddresses.map((ip) => implicit(7, ipBytes(ip))),
  ]
  if (names.length > 0) ext.push(extension(OID.subjectAltName, false, sequence(...names)))
  ext.push(extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(f.publicKey))))
  ext.push(extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, f.authorityKeyId))))
  return explicit(3, sequence(...ext))
}

/** Builds and signs an X.509 v3 certificate; returns its DER. */
export function buildCertificate(f: CertificateFields): Buffer {
  const { algId, hash } = signatureAlgorithm(f.issuerPrivateKey)
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(f.serial),
    algId,
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.publicKey.export({ type: 'spki', format: 'der' }),
    extensions(f),
  )
  const signature = sign(hash, tbs, { key: f.issuerPrivateKey, dsaEncoding: 'der' })
  return sequence(tbs, algId, bitString(signature))
}

/** The parts of an existing certificate an issuer needs: its subject Name and key id. */
export function issuerParts(certDer: Buffer): { subject: Buffer; keyId: Buffer | undefined } {
  const [tbs] = readChildren(readElement(certDer).value)
  if (tbs === undefined) throw new RangeError('certificate without a TBSCertificate')
  const fields = readChildren(tbs.value)
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0
  const subjectEl = fields[offset + 4]
  if (subjectEl === undefined) throw new RangeError('certificate without a subject')
  const subject = Buffer.from(subjectEl.raw)
  let keyId: Buffer | undefined
  const extField = fields.find((f) => f.tag === 0xa3)
  if (extField !== undefined) {
    const [list] = readChildren(extField.value)
    for (const ext of readChildren(list?.value ?? Buffer.alloc(0))) {
      const parts = readChildren(ext.value)
      const id = parts[0]
      const value = parts[parts.length - 1]
      if (id === undefined || value === undefined) continue
      if (oid(OID.subjectKeyIdentifier).equals(id.raw)) keyId = readElement(value.value).value
    }
  }
  return { subject, keyId }
}

/** DER to PEM with the given label. */
export function toPem(der: Buffer, label: string): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}
