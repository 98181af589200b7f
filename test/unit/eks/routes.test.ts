/**
 * EKS's DescribeCluster and ListClusters through the AWS app, driven in process by
 * @aws-sdk/client-eks (the SDK serialises, signs and parses as over the network):
 * EKS's shapes, ResourceNotFoundException with EKS's message, paging, region scoping,
 * and authorisation of every call (a role session needs eks:DescribeCluster).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AccessDeniedException,
  DescribeClusterCommand,
  EKSClient,
  InvalidParameterException,
  ListClustersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks'
import { createAwsApp } from '../../../src/aws/index.js'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import { createEksRoutes } from '../../../src/eks/index.js'
import {
  createAuthorizer,
  rootPrincipal,
  type Principal,
  type RoleSessionPrincipal,
} from '../../../src/iam/index.js'
import { openStore, type Store } from '../../../src/store/index.js'
import { inProcess } from '../aws/signing.js'

const ACCOUNT = '111122223333'
const REGION = 'us-west-2'
const ROOT = {
  accessKeyId: 'AKIAIRSAEKSTEST00001',
  secretAccessKey: 'eksRootSecret/0000000000000000000000001',
}
const ROLE = {
  accessKeyId: 'ASIAIRSAEKSTEST00001',
  secretAccessKey: 'eksRoleSecret/0000000000000000000000001',
}
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'

interface Harness {
  store: Store
  client(keys?: typeof ROOT, region?: string): EKSClient
  close(): void
}

function harness(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-eks-'))
  const store = openStore({ dir, clock: systemClock })
  store.accounts.ensure({ id: ACCOUNT })
  const role = store.roles.create({
    accountId: ACCOUNT,
    name: 'reader',
    assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
  })
  const session: RoleSessionPrincipal = {
    kind: 'role-session',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/reader/s1`,
    userId: `${role.roleId}:s1`,
    roleArn: role.arn,
    roleId: role.roleId,
    roleName: 'reader',
    sessionName: 's1',
    expiresAtMs: systemClock.now() + 3600_000,
  }
  const authorizer = createAuthorizer({ store, clock: systemClock })
  const app = createAwsApp<Principal>({
    routes: createEksRoutes({
      store,
      authorizer,
      viewOf: (c) => ({ issuerUrl: c.issuerUrl, endpoint: 'https://127.0.0.1:9443', caPem: CA }),
    }),
    credentials: ({ accessKeyId }) =>
      accessKeyId === ROOT.accessKeyId
        ? {
            status: 'found',
            secretAccessKey: ROOT.secretAccessKey,
            principal: rootPrincipal(ACCOUNT),
          }
        : accessKeyId === ROLE.accessKeyId
          ? { status: 'found', secretAccessKey: ROLE.secretAccessKey, principal: session }
          : { status: 'unknown' },
    clock: systemClock,
    logger: silentLogger(),
  })
  return {
    store,
    client: (keys = ROOT, region = REGION) =>
      new EKSClient({
        region,
        endpoint: 'http://127.0.0.1:1',
        credentials: keys,
        requestHandler: inProcess(app),
        maxAttempts: 1,
      }),
    close: () => {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function addCluster(store: Store, name: string, region = REGION): string {
  return store.clusters.create({
    accountId: ACCOUNT,
    region,
    name,
    issuerUrl: (id) => `https://127.0.0.1:9443/id/${id}`,
  }).issuerUrl
}

test('DescribeCluster answers in EKS shape with the issuer under identity.oidc.issuer', async (t) => {
  const h = harness()
  t.after(() => {
    h.close()
  })
  const issuer = addCluster(h.store, 'local')
  const out = await h.client().send(new DescribeClusterCommand({ name: 'local' }))
  const c = out.cluster
  assert.ok(c !== undefined)
  assert.equal(c.name, 'local')
  assert.equal(c.arn, `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/local`)
  assert.equal(c.status, 'ACTIVE')
  assert.equal(c.identity?.oidc?.issuer, issuer)
  assert.match(issuer, /^https:\/\/127\.0\.0\.1:9443\/id\/[0-9A-F]{32}$/)
  assert.equal(c.endpoint, 'https://127.0.0.1:9443')
  assert.equal(Buffer.from(c.certificateAuthority?.data ?? '', 'base64').toString('utf8'), CA)
  assert.ok(c.createdAt instanceof Date)
  const created = h.store.clusters.get(ACCOUNT, REGION, 'local')?.createdAt ?? 0
  assert.equal(c.createdAt.getTime(), Math.floor(created / 1000) * 1000)
  assert.equal(c.version, '1.32')
  assert.equal(c.platformVersion, 'eks.local')
})

test('DescribeCluster of a missing cluster is ResourceNotFoundException with EKS’s message', async (t) => {
  const h = harness()
  t.after(() => {
    h.close()
  })
  addCluster(h.store, 'local', 'eu-west-1')
  await assert.rejects(h.client().send(new DescribeClusterCommand({ name: 'local' })), (e) => {
    assert.ok(e instanceof ResourceNotFoundException)
    assert.equal(e.message, 'No cluster found for name: local.')
    assert.equal(e.$metadata.httpStatusCode, 404)
    return true
  })
  // The same name in the region of the credential scope is found.
  const out = await h.client(ROOT, 'eu-west-1').send(new DescribeClusterCommand({ name: 'local' }))
  assert.equal(out.cluster?.arn, `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/local`)
})

test('ListClusters pages through maxResults and nextToken, sorted by name', async (t) => {
  const h = harness()
  t.after(() => {
    h.close()
  })
  for (const n of ['e', 'b', 'a', 'd', 'c']) addCluster(h.store, n)
  addCluster(h.store, 'other-region', 'us-east-1')
  const seen: string[][] = []
  let token: string | undefined
  for (let i = 0; i < 5; i++) {
    const out = await h
      .client()
      .send(new ListClustersCommand({ maxResults: 2, ...(token ? { nextToken: token } : {}) }))
    seen.push(out.clusters ?? [])
    token = out.nextToken
    if (token === undefined) break
  }
  assert.deepEqual(seen, [['a', 'b'], ['c', 'd'], ['e']])
  const all = await h.client().send(new ListClustersCommand({}))
  assert.deepEqual(all.clusters, ['a', 'b', 'c', 'd', 'e'])
  assert.equal(all.nextToken, undefined)
})

test('ListClusters refuses maxResults outside 1–100 and a foreign nextToken', async (t) => {
  const h = harness()
  t.after(() => {
    h.close()
  })
  for (const bad of [0, 101]) {
    await assert.rejects(
      h.client().send(new ListClustersCommand({ maxResults: bad })),
      InvalidParameterException,
    )
  }
  await assert.rejects(
    h.client().send(new ListClustersCommand({ nextToken: 'not-ours' })),
    InvalidParameterException,
  )
})

test('a role session needs eks:DescribeCluster on the cluster ARN; each decision is logged', async (t) => {
  const h = harness()
  t.after(() => {
    h.close()
  })
  addCluster(h.store, 'local')
  addCluster(h.store, 'secret')
  const arn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/local`
  await assert.rejects(h.client(ROLE).send(new DescribeClusterCommand({ name: 'local' })), (e) => {
    assert.ok(e instanceof AccessDeniedException)
    assert.equal(
      e.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/s1 is not authorized to perform: eks:DescribeCluster on resource: ${arn} because no identity-based policy allows the eks:DescribeCluster action`,
    )
    const logged = h.store.decisions.byRequestId(e.$metadata.requestId ?? '')
    assert.equal(logged.length, 1)
    const [rec] = logged
    assert.ok(rec !== undefined)
    assert.equal(rec.action, 'eks:DescribeCluster')
    assert.equal(rec.resource, arn)
    assert.equal(rec.decision, 'implicitDeny')
    return true
  })
  h.store.rolePolicies.putInline(
    ACCOUNT,
    'reader',
    'eks',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: arn }],
    }),
  )
  const out = await h.client(ROLE).send(new DescribeClusterCommand({ name: 'local' }))
  assert.equal(out.cluster?.name, 'local')
  await assert.rejects(
    h.client(ROLE).send(new DescribeClusterCommand({ name: 'secret' })),
    AccessDeniedException,
  )
  await assert.rejects(h.client(ROLE).send(new ListClustersCommand({})), AccessDeniedException)
})
