/**
 * The local clusters' authentication as EKS does it: `aws eks get-token` tokens (checked by
 * aws-iam-authenticator's rules, then by the SigV4 verifier), and the authorization of
 * ServiceAccounts (read only, Secrets only in their own namespace).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignatureV4 } from '@smithy/signature-v4'
import type { CredentialLookup } from '../../../src/aws/index.js'
import { manualClock, silentLogger, systemClock } from '../../../src/core/index.js'
import { rootPrincipal, type Principal } from '../../../src/iam/index.js'
import { startStack } from '../../../src/stack/index.js'
import { createTokenSigner, loadSigningKey } from '../../../src/token/index.js'
import {
  authorizeKubeRequest,
  createEksTokenAuthenticator,
  createServiceAccountTokenAuthenticator,
  EksTokenError,
  parseEksToken,
  PRESIGNED_URL_LIFETIME_MS,
} from '../../../src/stack/kube-auth.js'
import { forbidden, type RequestAttributes } from '../../../src/kubeapi/index.js'
import { Sha256 } from '../aws/signing.js'

const ACCOUNT = '111122223333'
const KEY = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'secret/of+the/admin' }
const OTHER = { accessKeyId: 'AKIAEXAMPLEKEY000002', secretAccessKey: 'secret/of+another' }
const T0 = Date.UTC(2026, 11, 3, 7, 30, 0)

const lookup: CredentialLookup<Principal> = ({ accessKeyId }) =>
  accessKeyId === KEY.accessKeyId
    ? { status: 'found', secretAccessKey: KEY.secretAccessKey, principal: rootPrincipal(ACCOUNT) }
    : accessKeyId === OTHER.accessKeyId
      ? {
          status: 'found',
          secretAccessKey: OTHER.secretAccessKey,
          principal: rootPrincipal('444455556666'),
        }
      : { status: 'unknown' }

interface TokenInput {
  readonly cluster?: string
  readonly host?: string
  readonly protocol?: string
  readonly action?: string
  readonly keys?: typeof KEY
  readonly signedAtMs?: number
  readonly extraQuery?: Record<string, string>
}

/** What `aws eks get-token` makes: a presigned GetCallerIdentity with x-k8s-aws-id signed. */
async function eksToken(o: TokenInput = {}): Promise<string> {
  const host = o.host ?? 'sts.us-east-1.amazonaws.com'
  const signer = new SignatureV4({
    credentials: o.keys ?? KEY,
    region: 'us-east-1',
    service: 'sts',
    sha256: Sha256,
  })
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: o.protocol ?? 'https:',
      hostname: host,
      path: '/',
      query: {
        Action: o.action ?? 'GetCallerIdentity',
        Version: '2011-06-15',
        ...o.extraQuery,
      },
      headers: { host, 'x-k8s-aws-id': o.cluster ?? 'local' },
    },
    { signingDate: new Date(o.signedAtMs ?? T0), expiresIn: 60 },
  )
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  const url = `${o.protocol ?? 'https:'}//${host}/?${query}`
  return 'k8s-aws-v1.' + Buffer.from(url).toString('base64url')
}

function authenticator(nowMs = T0 + 60_000) {
  return createEksTokenAuthenticator({
    clusterName: 'local',
    accountId: ACCOUNT,
    credentials: lookup,
    clock: manualClock(nowMs),
    localOrigins: ['http://127.0.0.1:4566'],
  })
}

test('an aws eks get-token token of the account root is kubernetes-admin in system:masters', async () => {
  const user = await authenticator()(await eksToken())
  assert.equal(user.username, 'kubernetes-admin')
  assert.ok(user.groups.includes('system:masters'))
  // Past X-Amz-Expires (60 s) but within X-Amz-Date + 15 min, as STS and EKS accept it.
  await authenticator(T0 + PRESIGNED_URL_LIFETIME_MS - 1000)(await eksToken())
  // Presigned against the local AWS endpoint (AWS_ENDPOINT_URL), over http.
  const local = await eksToken({ host: '127.0.0.1:4566', protocol: 'http:' })
  assert.equal((await authenticator()(local)).username, 'kubernetes-admin')
})

test('refused tokens: wrong cluster id, expired, wrong host, wrong action, foreign principal', async () => {
  const auth = authenticator()
  const refused = async (token: string | Promise<string>, pattern: RegExp, a = auth) =>
    assert.rejects(
      a(await token),
      (e: unknown) => e instanceof EksTokenError && pattern.test(e.message),
    )
  await refused(eksToken({ cluster: 'other' }), /does not verify: .*signature/i)
  await refused(
    eksToken(),
    /expired \(15 minute expiration\)/,
    authenticator(T0 + PRESIGNED_URL_LIFETIME_MS + 1000),
  )
  await refused(eksToken({ host: 'sts.example.com' }), /unexpected hostname "sts.example.com"/)
  await refused(eksToken({ host: '127.0.0.1:9999', protocol: 'http:' }), /unexpected scheme "http"/)
  await refused(eksToken({ action: 'AssumeRole' }), /unexpected action parameter/)
  await refused(eksToken({ extraQuery: { RoleArn: 'x' } }), /non-whitelisted query parameter/)
  await refused(eksToken({ keys: OTHER }), /arn:aws:iam::444455556666:root is not granted/)
  await refused(eksToken({ keys: { ...KEY, secretAccessKey: 'wrong' } }), /does not verify/)
  await refused(Promise.resolve('k8s-aws-v2.abc'), /missing expected "k8s-aws-v1\." prefix/)
  await refused(Promise.resolve('k8s-aws-v1.' + 'A'.repeat(5000)), /too large/)
})

test('parseEksToken: the signed headers must include x-k8s-aws-id; X-Amz-Expires at most 900', () => {
  const url = (q: string) =>
    'k8s-aws-v1.' +
    Buffer.from(`https://sts.amazonaws.com/?Action=GetCallerIdentity&${q}`).toString('base64url')
  const base = 'X-Amz-Date=20261203T073000Z&X-Amz-Expires=60'
  const checks = { nowMs: T0, localOrigins: [] }
  assert.throws(
    () => parseEksToken(url(`${base}&X-Amz-SignedHeaders=host`), checks),
    /did not sign the x-k8s-aws-id header/,
  )
  assert.throws(
    () =>
      parseEksToken(
        url('X-Amz-Date=20261203T073000Z&X-Amz-Expires=901&X-Amz-SignedHeaders=host;x-k8s-aws-id'),
        checks,
      ),
    /invalid X-Amz-Expires/,
  )
  const ok = parseEksToken(url(`${base}&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id`), checks)
  assert.equal(ok.host, 'sts.amazonaws.com')
  assert.equal(ok.signedAtMs, T0)
})

const attrs = (a: Partial<RequestAttributes>): RequestAttributes => ({
  verb: 'list',
  group: '',
  resource: 'pods',
  subresource: undefined,
  namespace: 'default',
  name: undefined,
  ...a,
})

test('authorization: admins do anything; a ServiceAccount reads, Secrets only in its namespace', () => {
  const admin = { username: 'kubernetes-admin', groups: ['system:masters'] }
  const sa = {
    username: 'system:serviceaccount:default:app',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  }
  assert.equal(authorizeKubeRequest(admin, attrs({ verb: 'delete', resource: 'secrets' })), true)
  assert.equal(authorizeKubeRequest(sa, attrs({ namespace: 'kube-system' })), true)
  assert.equal(authorizeKubeRequest(sa, attrs({ verb: 'watch', namespace: undefined })), true)
  assert.equal(authorizeKubeRequest(sa, attrs({ resource: 'secrets' })), true)
  assert.equal(
    authorizeKubeRequest(sa, attrs({ resource: 'secrets', namespace: 'kube-system' })),
    false,
  )
  assert.equal(
    authorizeKubeRequest(sa, attrs({ resource: 'secrets', namespace: undefined })),
    false,
  )
  assert.equal(authorizeKubeRequest(sa, attrs({ verb: 'create' })), false)
  assert.equal(
    authorizeKubeRequest(sa, attrs({ verb: 'get', subresource: 'token', name: 'app' })),
    false,
  )
  assert.equal(authorizeKubeRequest({ username: 'someone', groups: [] }, attrs({})), false)

  const denied = forbidden(sa, attrs({ resource: 'secrets', namespace: 'kube-system' }))
  assert.equal(denied.status.code, 403)
  assert.equal(
    denied.status.message,
    'secrets is forbidden: User "system:serviceaccount:default:app" cannot list resource "secrets" in API group "" in the namespace "kube-system"',
  )
  assert.equal(
    forbidden(
      sa,
      attrs({
        verb: 'get',
        group: 'apps',
        resource: 'deployments',
        name: 'api',
        namespace: undefined,
      }),
    ).status.message,
    'deployments.apps "api" is forbidden: User "system:serviceaccount:default:app" cannot get resource "deployments" in API group "apps" at the cluster scope',
  )
})

test('service-account tokens of the cluster: the API audience or the issuer, the cluster key, an existing ServiceAccount', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-kube-auth-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const stack = await startStack({ dataDir: dir, clock: systemClock, logger: silentLogger() })
  t.after(() => stack.close())
  const cluster = stack.clusters().find((c) => c.name === 'local')
  assert.ok(cluster !== undefined)
  const signing = stack.store.clusters.signingKey(cluster.arn)
  assert.ok(signing !== undefined)
  const key = loadSigningKey(stack.store.clusters.readPrivateKey(cluster.arn, signing.kid))
  const sign = (audiences: readonly string[], o: { issuer?: string; name?: string } = {}) =>
    createTokenSigner({ key, issuer: o.issuer ?? cluster.issuerUrl, clock: systemClock }).issue({
      namespace: 'default',
      serviceAccount: { name: o.name ?? 'app' },
      audiences,
      expirationSeconds: 3600,
    }).token
  const authenticate = createServiceAccountTokenAuthenticator({
    store: stack.store,
    cluster,
    clock: systemClock,
    serviceAccountExists: (ns, name) => ns === 'default' && name === 'app',
  })
  assert.deepEqual(authenticate(sign(['https://kubernetes.default.svc'])), {
    username: 'system:serviceaccount:default:app',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
  })
  assert.equal(
    authenticate(sign([cluster.issuerUrl]))?.username,
    'system:serviceaccount:default:app',
  )
  assert.throws(() => authenticate(sign(['sts.amazonaws.com'])), /audience/)
  assert.throws(
    () => authenticate(sign(['https://kubernetes.default.svc'], { issuer: 'https://elsewhere' })),
    /issuer/,
  )
  assert.equal(authenticate(sign(['https://kubernetes.default.svc'], { name: 'gone' })), undefined)
  const foreign = loadSigningKey(
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  )
  const forged = createTokenSigner({
    key: foreign,
    issuer: cluster.issuerUrl,
    clock: systemClock,
  }).issue({
    namespace: 'default',
    serviceAccount: { name: 'app' },
    audiences: ['https://kubernetes.default.svc'],
    expirationSeconds: 3600,
  }).token
  assert.throws(() => authenticate(forged), /signature|key/)
})
