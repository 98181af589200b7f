/**
 * A local cluster with a given issuer and signing key (`irsa cluster create NAME --issuer
 * URL --signing-key FILE`): the key in the store's form under its kid, the issuer the stack
 * does not serve (nor rewrite on restart), the documents to upload; and the AWS endpoint's
 * HTTPS port (same app, certificate from the local CA, port saved), in process.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer as createHttpServer, get as httpGet, type IncomingMessage } from 'node:http'
import { createServer as createHttpsServer, get as httpsGet } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks'
import { isSecureTransport } from '../../../src/aws/index.js'
import { issueServerCertificate, silentLogger, systemClock } from '../../../src/core/index.js'
import {
  checkExternalIssuer,
  clusterDiscovery,
  clusterJwks,
  createLocalCluster,
  importSigningKey,
  servesIssuer,
  stackPlace,
  startStack,
} from '../../../src/stack/index.js'
import { openStore } from '../../../src/store/index.js'

const ISSUER = 'https://127.0.0.1:4443/irsa-oidc-bucket'

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-ext-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

function status(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const cb = (res: IncomingMessage): void => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }
    const req = url.startsWith('https:')
      ? httpsGet(url, { ca: ca ?? '', agent: false }, cb)
      : httpGet(url, { agent: false }, cb)
    req.on('error', reject)
  })
}

function thumbprintKid(publicPem: string): string {
  const der = createPublicKey(publicPem).export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(der).digest('base64url')
}

test('importSigningKey: RSA PKCS#1 and PKCS#8, EC P-256; the kid is the public key’s SHA-256; a public key is refused', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const rsaPub = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  for (const type of ['pkcs1', 'pkcs8'] as const) {
    const k = importSigningKey(rsa.privateKey.export({ type, format: 'pem' }) as string, type)
    assert.equal(k.alg, 'RS256')
    assert.equal(k.kid, thumbprintKid(rsaPub))
    assert.equal(k.publicPem, rsaPub)
    assert.match(k.privatePem, /^-----BEGIN PRIVATE KEY-----/)
  }
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const e = importSigningKey(ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string, 'ec')
  assert.equal(e.alg, 'ES256')
  assert.equal(e.kid, thumbprintKid(ec.publicKey.export({ type: 'spki', format: 'pem' }) as string))
  assert.throws(() => importSigningKey(rsaPub, '--signing-key k.pub'), /public key; a private/)
})

test('checkExternalIssuer: https only, no query, not the form of an issuer the stack serves', () => {
  assert.equal(checkExternalIssuer(ISSUER), ISSUER)
  assert.throws(() => checkExternalIssuer('http://127.0.0.1/b'), /must be an https URL/)
  assert.throws(() => checkExternalIssuer(`${ISSUER}?x=1`), /query/)
  assert.throws(
    () => checkExternalIssuer('https://127.0.0.1:1/id/0123456789ABCDEF0123456789ABCDEF'),
    /irsa up serves itself/,
  )
})

test('a cluster with a given issuer and key: not served, DescribeCluster and restarts keep its issuer, documents to upload', async (t) => {
  const dir = tempDir(t)
  let stack = await startStack({ dataDir: dir, clock: systemClock, logger: silentLogger() })
  t.after(() => stack.close())
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const key = importSigningKey(
    rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    'k',
  )
  // Another store connection, as `irsa cluster create` makes while the stack runs.
  const cli = openStore({ dir, clock: systemClock })
  const ext = createLocalCluster(cli, stackPlace(cli), 'ext', { issuerUrl: ISSUER, key })
  cli.close()
  assert.equal(ext.issuerUrl, ISSUER)
  assert.equal(servesIssuer(ext), false)
  const local = stack.clusters().find((c) => c.name === 'local')
  assert.ok(local)
  assert.equal(servesIssuer(local), true)
  assert.equal(stack.store.clusters.signingKey(ext.arn)?.kid, key.kid)

  const ca = readFileSync(stack.caFile, 'utf8')
  assert.equal(await status(`${local.issuerUrl}/.well-known/openid-configuration`, ca), 200)
  assert.equal(
    await status(`${stack.oidcOrigin}/id/${ext.issuerId}/.well-known/openid-configuration`, ca),
    404,
    'the stack does not serve an issuer hosted elsewhere',
  )
  const eks = new EKSClient({
    endpoint: stack.awsEndpoint,
    region: stack.region,
    credentials: stack.adminKey,
  })
  const described = await eks.send(new DescribeClusterCommand({ name: 'ext' }))
  assert.equal(described.cluster?.identity?.oidc?.issuer, ISSUER)
  eks.destroy()

  assert.deepEqual(
    clusterJwks(stack.store, ext).keys.map((k) => k.kid),
    [key.kid],
  )
  const self = clusterDiscovery(stack.store, ext)
  assert.equal(self.issuer, ISSUER)
  assert.equal(self.jwks_uri, `${ISSUER}/keys.json`)
  assert.equal(
    clusterDiscovery(stack.store, ext, { form: 'kube' }).jwks_uri,
    `${ISSUER}/openid/v1/jwks`,
  )

  await stack.close()
  stack = await startStack({
    dataDir: dir,
    clock: systemClock,
    logger: silentLogger(),
    oidcPort: 0,
  })
  assert.equal(
    stack.store.clusters.getByArn(ext.arn)?.issuerUrl,
    ISSUER,
    'a moved issuer port leaves it',
  )
})

test('the AWS endpoint over HTTPS: the same app, a port of its own saved and reused, the local CA', async (t) => {
  const dir = tempDir(t)
  const first = await startStack({ dataDir: dir, clock: systemClock, logger: silentLogger() })
  const ca = readFileSync(first.caFile, 'utf8')
  assert.match(first.awsHttpsEndpoint, /^https:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(first.awsHttpsPort, first.awsPort)
  assert.equal(await status(`${first.awsHttpsEndpoint}/_irsa/health`, ca), 200)
  await assert.rejects(status(`${first.awsHttpsEndpoint}/_irsa/health`), /certificate/)
  assert.equal(first.store.settings.get('stack.awsHttpsPort'), String(first.awsHttpsPort))
  const env = readFileSync(first.files.env, 'utf8')
  assert.match(env, new RegExp(`^export IRSA_AWS_HTTPS_URL='${first.awsHttpsEndpoint}'$`, 'm'))
  assert.match(env, new RegExp(`^export IRSA_CA_BUNDLE='${first.caFile}'$`, 'm'))
  const port = first.awsHttpsPort
  await first.close()
  const again = await startStack({ dataDir: dir, clock: systemClock, logger: silentLogger() })
  t.after(() => again.close())
  assert.equal(again.awsHttpsPort, port)
})

test('isSecureTransport: true over TLS, false over plain HTTP', async (t) => {
  const dir = tempDir(t)
  const stack = await startStack({ dataDir: dir, clock: systemClock, logger: silentLogger() })
  await stack.close()
  const ca = readFileSync(stack.caFile, 'utf8')
  // Two bare servers with one handler that records what it saw of each request.
  const seen: boolean[] = []
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    seen.push(isSecureTransport(req))
    res.end()
  }
  const plain = createHttpServer(handler)
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
  t.after(() => plain.close())
  const leaf = issueServerCertificate(
    { certPem: ca, keyPem: readFileSync(join(dir, 'ca-key.pem'), 'utf8') },
    { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], clock: systemClock },
  )
  const tls = createHttpsServer({ cert: leaf.certPem, key: leaf.keyPem }, handler)
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
  t.after(() => tls.close())
  await status(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/`)
  await status(`https://127.0.0.1:${(tls.address() as AddressInfo).port}/`, ca)
  assert.deepEqual(seen, [false, true])
})
