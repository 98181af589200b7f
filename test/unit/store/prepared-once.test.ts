import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { AWS_MANAGED } from '../../../src/store/index.js'
import { generateKeyPair, loadSigningKey } from '../../../src/token/index.js'
import { ACCOUNT, allow, fixture } from './helpers.js'

/**
 * Every statement is prepared once, when the store opens: exercising every repository
 * function afterwards must not call `prepare` (or `pragma`, which prepares) again.
 */
test('no repository function prepares a statement after open', (t) => {
  const { store } = fixture(t)
  const proto = Database.prototype as unknown as { prepare: (...a: unknown[]) => unknown }
  const original = proto.prepare
  const prepared: string[] = []
  proto.prepare = function (this: unknown, ...args: unknown[]) {
    prepared.push(String(args[0]))
    return original.apply(this, args)
  }
  t.after(() => {
    proto.prepare = original
  })
  const { privatePem, publicPem } = generateKeyPair('ec')
  const info = loadSigningKey(privatePem)

  store.accounts.ensure({ id: ACCOUNT })
  store.accounts.list()
  store.accounts.setAlias(ACCOUNT, 'a')
  store.accessKeys.create({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 's'.repeat(40),
    accountId: ACCOUNT,
    principalArn: 'p',
  })
  store.accessKeys.get('AKIAIOSFODNN7EXAMPLE')
  store.accessKeys.listForAccount(ACCOUNT)
  store.accessKeys.setStatus('AKIAIOSFODNN7EXAMPLE', 'Inactive')
  store.accessKeys.delete('AKIAIOSFODNN7EXAMPLE')
  store.serverSecrets.getOrCreate('k')
  store.serverSecrets.rotate('k')
  store.serverSecrets.get('k')
  store.settings.set('a', '1')
  store.settings.setMany({ b: '2' })
  store.settings.list()
  store.settings.delete('a')
  store.roles.create({
    accountId: ACCOUNT,
    name: 'r',
    assumeRolePolicyDocument: '{}',
    tags: [{ key: 'a', value: 'b' }],
  })
  store.roles.get(ACCOUNT, 'r')
  store.roles.getById('AROA')
  store.roles.list(ACCOUNT, { pathPrefix: '/' })
  store.roles.count(ACCOUNT)
  store.roles.update(ACCOUNT, 'r', { description: 'd', maxSessionDuration: 7200 })
  store.roles.updateAssumeRolePolicy(ACCOUNT, 'r', '{}')
  store.roles.setPermissionsBoundary(ACCOUNT, 'r', undefined)
  store.roles.tag(ACCOUNT, 'r', [{ key: 'c', value: 'd' }])
  store.roles.untag(ACCOUNT, 'r', ['c'])
  store.roles.listTags(ACCOUNT, 'r')
  const p = store.policies.create({
    accountId: ACCOUNT,
    name: 'p',
    document: allow('a:*'),
    tags: [{ key: 'a', value: 'b' }],
  })
  store.policies.create({ accountId: AWS_MANAGED, name: 'm', document: '{}' })
  store.policies.get(p.arn)
  store.policies.list(ACCOUNT, { onlyAttached: true })
  store.policies.count(ACCOUNT)
  store.policies.createVersion(p.arn, '{}', { setAsDefault: true })
  store.policies.getVersion(p.arn, 'v2')
  store.policies.listVersions(p.arn)
  store.policies.countVersions(p.arn)
  store.policies.setDefaultVersion(p.arn, 'v1')
  store.policies.deleteVersion(p.arn, 'v2')
  store.policies.tag(p.arn, [{ key: 'x', value: 'y' }])
  store.policies.untag(p.arn, ['x'])
  store.policies.listTags(p.arn)
  store.rolePolicies.attach(ACCOUNT, 'r', p.arn)
  store.rolePolicies.listAttached(ACCOUNT, 'r')
  store.rolePolicies.countAttached(ACCOUNT, 'r')
  store.rolePolicies.listRolesFor(p.arn)
  store.rolePolicies.putInline(ACCOUNT, 'r', 'i', '{}')
  store.rolePolicies.getInline(ACCOUNT, 'r', 'i')
  store.rolePolicies.listInline(ACCOUNT, 'r')
  store.rolePolicies.countInline(ACCOUNT, 'r')
  store.rolePolicies.documents(ACCOUNT, 'r')
  store.rolePolicies.deleteInline(ACCOUNT, 'r', 'i')
  store.rolePolicies.detach(ACCOUNT, 'r', p.arn)
  store.policies.delete(p.arn)
  store.roles.delete(ACCOUNT, 'r')
  const o = store.oidcProviders.create({
    accountId: ACCOUNT,
    url: 'example.com',
    tags: [{ key: 'a', value: 'b' }],
  })
  store.oidcProviders.get(o.arn)
  store.oidcProviders.getByUrl(ACCOUNT, 'example.com')
  store.oidcProviders.list(ACCOUNT)
  store.oidcProviders.count(ACCOUNT)
  store.oidcProviders.addClientId(o.arn, 'sts.amazonaws.com')
  store.oidcProviders.removeClientId(o.arn, 'sts.amazonaws.com')
  store.oidcProviders.setThumbprints(o.arn, [])
  store.oidcProviders.tag(o.arn, [{ key: 'c', value: 'd' }])
  store.oidcProviders.untag(o.arn, ['c'])
  store.oidcProviders.listTags(o.arn)
  store.oidcProviders.delete(o.arn)
  const c = store.clusters.create({
    accountId: ACCOUNT,
    region: 'us-west-2',
    name: 'c',
    issuerUrl: 'https://i',
  })
  store.clusters.get(ACCOUNT, 'us-west-2', 'c')
  store.clusters.getByArn(c.arn)
  store.clusters.getByIssuerId(c.issuerId)
  store.clusters.list({ accountId: ACCOUNT })
  store.clusters.setIssuerUrl(c.arn, 'https://j')
  store.clusters.addKey(
    c.arn,
    { kid: info.kid, alg: info.alg, publicPem, privatePem },
    { signing: true },
  )
  store.clusters.startSigning(c.arn, info.kid)
  store.clusters.listKeys(c.arn, { includeRetired: true })
  store.clusters.signingKey(c.arn)
  store.clusters.readPrivateKey(c.arn, info.kid)
  const sa = { kind: 'ServiceAccount', namespace: 'default', name: 's' } as const
  store.kubeObjects.apply(c.arn, { ...sa, object: {} })
  store.kubeObjects.apply(c.arn, { ...sa, object: {} })
  store.kubeObjects.apply(c.arn, { ...sa, object: { a: 1 } })
  store.kubeObjects.get(c.arn, sa)
  store.kubeObjects.list(c.arn, 'ServiceAccount', 'default')
  store.kubeObjects.delete(c.arn, sa)
  store.kubeObjects.delete(c.arn, { kind: 'Namespace', namespace: '', name: 'default' })
  store.clusters.delete(c.arn)
  store.decisions.append({ requestId: 'r', action: 'a', decision: 'allowed' })
  store.decisions.appendMany([{ requestId: 'r', action: 'a', decision: 'allowed' }])
  store.decisions.byRequestId('r')
  store.decisions.since(0, { until: 1, accountId: ACCOUNT, limit: 1 })
  store.decisions.recent(1)
  store.decisions.prune(0)
  store.decisions.count()
  const bucket = { name: 'bkt', accountId: ACCOUNT, region: 'r', createdAt: 0, acl: '{}' }
  store.s3Buckets.create({
    ...bucket,
    policy: undefined,
    publicAccessBlock: undefined,
    ownership: undefined,
  })
  store.s3Buckets.get('bkt')
  store.s3Buckets.list(ACCOUNT)
  store.s3Buckets.update('bkt', { policy: '{}' })
  const obj = {
    ...{
      bucket: 'bkt',
      key: 'k',
      size: 0,
      etag: 'e',
      contentType: 't',
      headers: '[]',
      metadata: '[]',
    },
    ...{ lastModified: 0, checksum: undefined, partsCount: undefined, dataFile: 'f' },
    ...{ ownerAccountId: ACCOUNT, acl: '{}', tags: '[]' },
  }
  store.s3Objects.put(obj)
  store.s3Objects.get('bkt', 'k')
  store.s3Objects.update('bkt', 'k', { tags: '[]' })
  store.s3Objects.list('bkt', { prefix: '', after: '', limit: 1 })
  store.s3Objects.countInBucket('bkt')
  store.s3Objects.dataFiles()
  store.s3Objects.createUpload({
    ...{ uploadId: 'u', bucket: 'bkt', key: 'k', initiatedAt: 0, initiatorArn: 'a' },
    ...{ ownerAccountId: ACCOUNT, contentType: 't', headers: '[]', metadata: '[]' },
    ...{ checksumAlgorithm: undefined, acl: '{}', tags: '[]' },
  })
  store.s3Objects.getUpload('u')
  store.s3Objects.listUploads('bkt', { prefix: '', afterKey: '', afterId: '', limit: 1 })
  const part = { uploadId: 'u', partNumber: 1, size: 0, etag: 'e', lastModified: 0 }
  store.s3Objects.putPart({ ...part, checksum: undefined, dataFile: 'p' })
  store.s3Objects.listParts('u')
  store.s3Objects.completeUpload('u', { ...obj, dataFile: 'g' })
  store.s3Objects.delete('bkt', 'k')
  store.s3Buckets.delete('bkt')
  store.transaction(() => store.settings.get('b'))
  store.schemaVersion()
  store.generation()
  store.pragmas()
  store.check()
  store.checkpoint()

  assert.deepEqual(prepared, [])
})
