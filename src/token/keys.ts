import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { InputError } from '../core/index.js'

/** The JWS algorithms kube-apiserver signs with: RS256 for every RSA key, ES* by curve. */
export type SigningAlg = 'RS256' | 'ES256' | 'ES384' | 'ES512'

/** A public key ready to publish: its `kid` and `alg` as kube-apiserver derives them. */
export interface PublicKeyInfo {
  readonly publicKey: KeyObject
  readonly kty: 'RSA' | 'EC'
  readonly alg: SigningAlg
  readonly kid: string
}

/** A private key that signs tokens, with the public half it publishes. */
export interface SigningKey extends PublicKeyInfo {
  readonly privateKey: KeyObject
}

const CURVE_ALG: Readonly<Record<string, SigningAlg>> = {
  prime256v1: 'ES256',
  'P-256': 'ES256',
  secp384r1: 'ES384',
  'P-384': 'ES384',
  secp521r1: 'ES512',
  'P-521': 'ES512',
}

const PRIVATE_BLOCKS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'])
const PUBLIC_BLOCKS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE'])
/** Blocks that may share a file with a key and carry none (openssl ecparam -genkey writes one). */
const IGNORED_BLOCKS = new Set(['EC PARAMETERS'])

interface PemBlock {
  readonly label: string
  readonly text: string
}

/** Splits PEM text into its blocks, in order (headers such as `Proc-Type` included). */
function pemBlocks(pem: string): PemBlock[] {
  const blocks: PemBlock[] = []
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g
  for (const m of pem.matchAll(re)) blocks.push({ label: m[1] ?? '', text: m[0] })
  return blocks
}

/** An encrypted private key (PKCS#8 `ENCRYPTED PRIVATE KEY` or a legacy `Proc-Type` block). */
function isEncrypted(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,ENCRYPTED/m.test(block.text)
}

function encryptedError(source: string): InputError {
  return new InputError(
    `${source}: the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)`,
  )
}

/**
 * An EC key with its point uncompressed, as Go's `x509.MarshalPKIXPublicKey` always writes
 * it (OpenSSL keeps a compressed point compressed, which would change the DER and the kid).
 */
function canonicalPublicKey(publicKey: KeyObject): KeyObject {
  if (publicKey.asymmetricKeyType !== 'ec') return publicKey
  try {
    return createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' })
  } catch {
    return publicKey // a curve JWK cannot name; algorithmFor rejects it anyway
  }
}

function spkiKeyId(canonical: KeyObject): string {
  const der = canonical.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64url')
}

/**
 * kube-apiserver's key id: unpadded base64url of SHA-256 over the DER
 * SubjectPublicKeyInfo (`keyIDFromPublicKey`), 43 characters.
 */
export function keyId(publicKey: KeyObject): string {
  return spkiKeyId(canonicalPublicKey(publicKey))
}

/** The algorithm kube-apiserver signs with for this key, or an error naming what is unsupported. */
export function algorithmFor(publicKey: KeyObject, source = 'key'): SigningAlg {
  const type = publicKey.asymmetricKeyType
  if (type === 'rsa') return 'RS256'
  if (type === 'ec') {
    const curve = publicKey.asymmetricKeyDetails?.namedCurve ?? 'unknown'
    const alg = CURVE_ALG[curve]
    if (alg === undefined)
      throw new InputError(`${source}: unsupported curve ${curve} (use P-256, P-384 or P-521)`)
    return alg
  }
  throw new InputError(`${source}: unsupported key type ${type ?? 'unknown'} (use RSA or EC)`)
}

/** Describes a public key: kty, alg and kid. */
export function describePublicKey(publicKey: KeyObject, source = 'key'): PublicKeyInfo {
  const alg = algorithmFor(publicKey, source)
  const canonical = canonicalPublicKey(publicKey)
  return {
    publicKey: canonical,
    alg,
    kty: alg === 'RS256' ? 'RSA' : 'EC',
    kid: spkiKeyId(canonical),
  }
}

/**
 * Every public key in PEM text, in order: SPKI (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`),
 * X.509 certificates, and private keys (PKCS#8, PKCS#1, SEC1), whose public half is
 * derived, as kube-apiserver's `--service-account-key-file` accepts them.
 */
export function loadPublicKeys(pem: string, source = 'key'): PublicKeyInfo[] {
  const blocks = pemBlocks(pem)
  if (blocks.length === 0) throw new InputError(`${source}: no PEM key found`)
  const keys: PublicKeyInfo[] = []
  for (const b of blocks) {
    if (IGNORED_BLOCKS.has(b.label)) continue
    if (isEncrypted(b)) throw encryptedError(source)
    if (!PUBLIC_BLOCKS.has(b.label) && !PRIVATE_BLOCKS.has(b.label))
      throw new InputError(`${source}: PEM block '${b.label}' is not a key`)
    let pub: KeyObject
    try {
      pub = createPublicKey(b.text)
    } catch {
      throw new InputError(`${source}: PEM block '${b.label}' could not be parsed as a key`)
    }
    keys.push(describePublicKey(pub, source))
  }
  if (keys.length === 0) throw new InputError(`${source}: no PEM key found`)
  return keys
}

/** The first private key in PEM text, with its public half. */
export function loadSigningKey(pem: string, source = 'key'): SigningKey {
  const blocks = pemBlocks(pem)
  if (blocks.length === 0) throw new InputError(`${source}: no PEM key found`)
  const block = blocks.find((b) => PRIVATE_BLOCKS.has(b.label) || isEncrypted(b))
  if (block !== undefined && isEncrypted(block)) throw encryptedError(source)
  if (block === undefined) {
    const label = blocks.find((b) => !IGNORED_BLOCKS.has(b.label))?.label
    if (label === undefined) throw new InputError(`${source}: no PEM key found`)
    throw new InputError(
      PUBLIC_BLOCKS.has(label)
        ? `${source}: holds a public key; a private signing key is needed`
        : `${source}: PEM block '${label}' is not a key`,
    )
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(block.text)
  } catch {
    throw new InputError(`${source}: PEM block '${block.label}' could not be parsed as a key`)
  }
  const info = describePublicKey(createPublicKey(privateKey), source)
  return { ...info, privateKey }
}

export type KeyType = 'rsa' | 'ec'

/** A new key pair as PEM: RSA-2048 (PKCS#1 private, as `openssl genrsa`) or EC P-256 (SEC1). */
export function generateKeyPair(type: KeyType = 'rsa'): {
  privatePem: string
  publicPem: string
} {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privatePem = pair.privateKey.export({
    type: type === 'rsa' ? 'pkcs1' : 'sec1',
    format: 'pem',
  }) as string
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string
  return { privatePem, publicPem }
}
