import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  applyManifests,
  createStoreServiceAccountSource,
  localMutationConfig,
  parseManifests,
} from '../../../src/local/index.js'
import {
  createMutationConfig,
  mutatePod,
  type ServiceAccountSource,
} from '../../../src/webhook/index.js'
import { ACCOUNT, REGION, ROLE, localFixture, saYaml } from './helpers.js'

test('the store-backed source answers applied ServiceAccounts as the API server shows them', (t) => {
  const f = localFixture(t)
  const config = localMutationConfig(f.store.settings)
  const outcomes = applyManifests(
    f.store,
    f.cluster,
    parseManifests(saYaml('app', 'default', ROLE), { source: 'x' }),
    config,
  )
  assert.equal(outcomes[0]?.ok, true)
  // Typed as the webhook's interface: the source is a drop-in for the admission server.
  const source: ServiceAccountSource = createStoreServiceAccountSource(f.store, f.cluster.arn)
  assert.equal(source.ready(), true)
  const sa = source.get('default', 'app')
  assert.ok(sa !== undefined && !(sa instanceof Promise))
  assert.equal(sa.metadata?.annotations?.['eks.amazonaws.com/role-arn'], ROLE)
  assert.match(String(sa.metadata['uid']), /^[0-9a-f-]{36}$/)
  assert.equal(source.get('default', 'ghost'), undefined)
  assert.equal(source.get('other', 'app'), undefined, 'namespaces are separate')
  // Every namespace has a default ServiceAccount, with no role.
  assert.deepEqual(source.get('team', 'default'), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace: 'team' },
  })
  // Another cluster sees none of it.
  const other = f.store.clusters.create({
    accountId: ACCOUNT,
    region: REGION,
    name: 'other',
    issuerUrl: 'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF',
  })
  assert.equal(createStoreServiceAccountSource(f.store, other.arn).get('default', 'app'), undefined)
})

test('the store-backed source reads each ServiceAccount once, and sees a change on the next lookup', (t) => {
  const f = localFixture(t)
  const config = localMutationConfig(f.store.settings)
  const apply = (role: string): void => {
    const outcomes = applyManifests(
      f.store,
      f.cluster,
      parseManifests(saYaml('app', 'default', role), { source: 'x' }),
      config,
    )
    assert.equal(outcomes[0]?.ok, true)
  }
  apply(ROLE)
  let reads = 0
  const kubeObjects = f.store.kubeObjects
  const get = kubeObjects.get.bind(kubeObjects)
  t.mock.method(kubeObjects, 'get', (...args: Parameters<typeof get>) => {
    reads++
    return get(...args)
  })
  const source = createStoreServiceAccountSource(f.store, f.cluster.arn)
  const annotation = (): unknown => {
    const sa = source.get('default', 'app')
    assert.ok(sa !== undefined && !(sa instanceof Promise))
    return sa.metadata?.annotations?.['eks.amazonaws.com/role-arn']
  }
  for (let i = 0; i < 100; i++) assert.equal(annotation(), ROLE)
  assert.equal(reads, 1, 'a hundred reviews, one read')
  const other = `${ROLE.slice(0, ROLE.lastIndexOf('/'))}/other`
  apply(other)
  assert.equal(annotation(), other, 'the next lookup after an apply sees it')
  assert.equal(reads, 2)
  // Absent ServiceAccounts are not remembered: one applied later is found at once.
  assert.equal(source.get('default', 'late'), undefined)
  const outcomes = applyManifests(
    f.store,
    f.cluster,
    parseManifests(saYaml('late', 'default', ROLE), { source: 'x' }),
    config,
  )
  assert.equal(outcomes[0]?.ok, true)
  assert.notEqual(source.get('default', 'late'), undefined)
})

test("the local mutation config: the stack's region with regional STS, role names composed in its account", (t) => {
  const f = localFixture(t)
  const config = localMutationConfig(f.store.settings)
  assert.equal(config.defaultRegion, REGION)
  assert.equal(config.stsRegionalEndpoint, true)
  assert.equal(config.tokenAudience, 'sts.amazonaws.com')
  assert.equal(config.tokenMountPath, '/var/run/secrets/eks.amazonaws.com/serviceaccount')
  assert.equal(config.tokenExpiration, 86400)
  assert.deepEqual(config.composeRoleArn, { accountId: ACCOUNT, partition: 'aws' })
  const pod = {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c' }] },
  }
  const sa = {
    metadata: {
      name: 's',
      namespace: 'default',
      annotations: { 'eks.amazonaws.com/role-arn': 'bare' },
    },
  }
  const patch = JSON.stringify(mutatePod(pod, sa, config).patch)
  assert.ok(patch.includes(`arn:aws:iam::${ACCOUNT}:role/bare`), patch)
  // Without stack settings: the reference's defaults (no region, no composition).
  const bare = localMutationConfig({ get: () => undefined })
  const defaults = createMutationConfig()
  assert.equal(bare.defaultRegion, defaults.defaultRegion)
  assert.equal(bare.stsRegionalEndpoint, false)
  assert.equal(bare.composeRoleArn, undefined)
})
