import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createECDH, createHash, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { createSelfSignedCertificate, manualClock } from '../../../src/core/index.js'
import {
  algorithmFor,
  generateKeyPair,
  keyId,
  loadPublicKeys,
  loadSigningKey,
} from '../../../src/token/index.js'
import type { Curve } from './helpers.js'

/** The kid computed the long way: SHA-256 over the DER SPKI, base64url without padding. */
function expectedKid(spkiDer: Buffer): string {
  return createHash('sha256')
    .update(spkiDer)
    .digest('base64')
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
}

/** `EC PARAMETERS` blocks as `openssl ecparam -genkey` writes them (the curve's OID). */
const EC_PARAMETERS: Readonly<Record<Curve, string>> = {
  'P-256': Buffer.from('06082a8648ce3d030107', 'hex').toString('base64'),
  'P-384': Buffer.from('06052b81040022', 'hex').toString('base64'),
  'P-521': Buffer.from('06052b81040023', 'hex').toString('base64'),
}

function pemBlock(label: string, base64: string): string {
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`
}

test('an RSA key gives one kid in every PEM form: PKCS#1, PKCS#8, SPKI, RSA PUBLIC KEY, X.509', () => {
  const cert = createSelfSignedCertificate({
    clock: manualClock(1_700_000_000_000),
    keyType: 'rsa',
    dnsNames: ['issuer.example'],
  })
  const priv = cert.keyPem
  const pub = createPublicKey(priv)
  const spkiDer = pub.export({ type: 'spki', format: 'der' })
  const kid = expectedKid(spkiDer)
  assert.equal(kid.length, 43)
  const forms: Record<string, string> = {
    pkcs1: createPublicKey(priv).export({ type: 'pkcs1', format: 'pem' }) as string,
    spki: pub.export({ type: 'spki', format: 'pem' }) as string,
    certificate: cert.certPem,
    privatePkcs8: loadSigningKey(priv).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string,
    privatePkcs1: loadSigningKey(priv).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    }) as string,
  }
  assert.match(forms['pkcs1'] ?? '', /^-----BEGIN RSA PUBLIC KEY-----/)
  assert.match(forms['privatePkcs1'] ?? '', /^-----BEGIN RSA PRIVATE KEY-----/)
  assert.match(forms['privatePkcs8'] ?? '', /^-----BEGIN PRIVATE KEY-----/)
  for (const [form, pem] of Object.entries(forms)) {
    const keys = loadPublicKeys(pem)
    assert.equal(keys.length, 1, form)
    assert.equal(keys[0]?.kid, kid, form)
    assert.equal(keys[0].alg, 'RS256', form)
    assert.equal(keys[0].kty, 'RSA', form)
  }
  for (const form of ['privatePkcs8', 'privatePkcs1'] as const) {
    const k = loadSigningKey(forms[form] ?? '')
    assert.equal(k.kid, kid)
    assert.equal(k.privateKey.type, 'private')
  }
  assert.equal(keyId(pub), kid)
})

for (const [curve, alg] of [
  ['P-256', 'ES256'],
  ['P-384', 'ES384'],
  ['P-521', 'ES512'],
] as const) {
  test(`${curve}: SEC1 (with an EC PARAMETERS block), PKCS#8 and SPKI give ${alg} and one kid`, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve })
    const kid = expectedKid(publicKey.export({ type: 'spki', format: 'der' }))
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem' }) as string
    const withParams = pemBlock('EC PARAMETERS', EC_PARAMETERS[curve]) + sec1
    const forms = [
      sec1,
      withParams,
      privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      publicKey.export({ type: 'spki', format: 'pem' }) as string,
    ]
    for (const pem of forms) {
      const [k, ...rest] = loadPublicKeys(pem)
      assert.equal(rest.length, 0)
      assert.equal(k?.kid, kid)
      assert.equal(k.alg, alg)
      assert.equal(k.kty, 'EC')
    }
    for (const pem of [sec1, withParams]) {
      const s = loadSigningKey(pem)
      assert.equal(s.kid, kid)
      assert.equal(s.alg, alg)
    }
  })
}

test('a compressed EC point gets the kid of the uncompressed key, as Go marshals it', () => {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  // SubjectPublicKeyInfo { {ecPublicKey, prime256v1}, BIT STRING 0x00 || point }
  const prefix = (len: number) =>
    Buffer.from(
      `30${(len + 24).toString(16)}301306072a8648ce3d020106082a8648ce3d030107` +
        `03${(len + 1).toString(16)}00`,
      'hex',
    )
  const point = (form: 'compressed' | 'uncompressed') => ecdh.getPublicKey(null, form)
  const der = (form: 'compressed' | 'uncompressed') =>
    Buffer.concat([prefix(point(form).length), point(form)])
  const pem = (form: 'compressed' | 'uncompressed') =>
    pemBlock('PUBLIC KEY', der(form).toString('base64'))
  const [compressed] = loadPublicKeys(pem('compressed'))
  const [uncompressed] = loadPublicKeys(pem('uncompressed'))
  assert.equal(der('uncompressed').length, 91)
  assert.equal(compressed?.kid, expectedKid(der('uncompressed')))
  assert.equal(uncompressed!.kid, compressed.kid)
  assert.equal(keyId(createPublicKey(pem('compressed'))), compressed.kid)
})

test('several keys in one file come out in order', () => {
  const a = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pem =
    (a.publicKey.export({ type: 'spki', format: 'pem' }) as string) +
    (b.privateKey.export({ type: 'sec1', format: 'pem' }) as string)
  assert.deepEqual(
    loadPublicKeys(pem).map((k) => k.alg),
    ['RS256', 'ES256'],
  )
})

test('unsupported keys are refused with one line naming the problem', () => {
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const ed = generateKeyPairSync('ed25519')
  const pem = (
    k: { export: (o: { type: 'pkcs8' | 'spki'; format: 'pem' }) => string | Buffer },
    type: 'pkcs8' | 'spki',
  ) => k.export({ type, format: 'pem' }) as string
  assert.throws(() => loadPublicKeys(pem(k1.publicKey, 'spki'), 'sa.pub'), {
    name: 'InputError',
    message: 'sa.pub: unsupported curve secp256k1 (use P-256, P-384 or P-521)',
  })
  assert.throws(
    () => loadSigningKey(pem(k1.privateKey, 'pkcs8'), 'sa.key'),
    /unsupported curve secp256k1/,
  )
  assert.throws(() => loadPublicKeys(pem(ed.publicKey, 'spki'), 'ed.pub'), {
    message: 'ed.pub: unsupported key type ed25519 (use RSA or EC)',
  })
  assert.throws(
    () => loadSigningKey(pem(ed.privateKey, 'pkcs8'), 'ed.key'),
    /unsupported key type ed25519/,
  )
  assert.throws(
    () => algorithmFor(generateKeyPairSync('x25519').publicKey),
    /unsupported key type x25519/,
  )
})

test('garbage and non-key PEM are refused', () => {
  assert.throws(() => loadPublicKeys('hello world', 'f'), { message: 'f: no PEM key found' })
  assert.throws(() => loadSigningKey('', 'f'), { message: 'f: no PEM key found' })
  assert.throws(() => loadPublicKeys(pemBlock('CERTIFICATE REQUEST', 'AAAA'), 'f'), {
    message: "f: PEM block 'CERTIFICATE REQUEST' is not a key",
  })
  assert.throws(() => loadPublicKeys(pemBlock('PUBLIC KEY', 'bm90IGEga2V5'), 'f'), {
    message: "f: PEM block 'PUBLIC KEY' could not be parsed as a key",
  })
  assert.throws(() => loadSigningKey(pemBlock('RSA PRIVATE KEY', 'bm90IGEga2V5'), 'f'), {
    message: "f: PEM block 'RSA PRIVATE KEY' could not be parsed as a key",
  })
  assert.throws(() => loadPublicKeys(pemBlock('EC PARAMETERS', EC_PARAMETERS['P-256']), 'f'), {
    message: 'f: no PEM key found',
  })
})

test('a public key where a private one is needed is an error; the reverse is accepted', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pub = publicKey.export({ type: 'spki', format: 'pem' }) as string
  assert.throws(() => loadSigningKey(pub, '--signing-key sa.pub'), {
    name: 'InputError',
    message: '--signing-key sa.pub: holds a public key; a private signing key is needed',
  })
  const fromPrivate = loadPublicKeys(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string)
  assert.equal(fromPrivate[0]?.publicKey.type, 'public')
  assert.equal(fromPrivate[0].kid, loadPublicKeys(pub)[0]?.kid)
})

test('encrypted private keys get a clear error (PKCS#8 and legacy Proc-Type)', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const pkcs8 = privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-128-cbc',
    passphrase: 'x',
  }) as string
  const legacy = privateKey.export({
    type: 'pkcs1',
    format: 'pem',
    cipher: 'aes-128-cbc',
    passphrase: 'x',
  }) as string
  assert.match(legacy, /Proc-Type: 4,ENCRYPTED/)
  for (const pem of [pkcs8, legacy]) {
    assert.throws(
      () => loadSigningKey(pem, 'k'),
      /^InputError: k: the private key is encrypted; decrypt it first/,
    )
    assert.throws(() => loadPublicKeys(pem, 'k'), /the private key is encrypted/)
  }
})

test('generated keys: RSA-2048 PKCS#1 or EC P-256 SEC1, with an SPKI public key', () => {
  const rsa = generateKeyPair('rsa')
  assert.match(rsa.privatePem, /^-----BEGIN RSA PRIVATE KEY-----\n/)
  assert.match(rsa.publicPem, /^-----BEGIN PUBLIC KEY-----\n/)
  const r = loadSigningKey(rsa.privatePem)
  assert.equal(r.publicKey.asymmetricKeyDetails?.modulusLength, 2048)
  assert.equal(r.kid, loadPublicKeys(rsa.publicPem)[0]?.kid)
  const ec = generateKeyPair('ec')
  assert.match(ec.privatePem, /^-----BEGIN EC PRIVATE KEY-----\n/)
  assert.equal(loadSigningKey(ec.privatePem).alg, 'ES256')
  assert.equal(generateKeyPair().privatePem.startsWith('-----BEGIN RSA PRIVATE KEY-----'), true)
})
