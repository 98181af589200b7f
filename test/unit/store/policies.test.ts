import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AWS_MANAGED,
  MAX_POLICY_VERSIONS,
  StoreInUseError,
  StoreLimitError,
  accountIdOfUniqueId,
  isStoreError,
  parseVersionId,
} from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, allow, fixture } from './helpers.js'

test('create makes v1 the default version and returns the policy as GetPolicy shows it', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({
    accountId: ACCOUNT,
    name: 'read-s3',
    document: allow('s3:GetObject'),
    description: 'reads',
    tags: [{ key: 'k', value: 'v' }],
  })
  assert.match(p.policyId, /^ANPA[A-Z2-7]{17}$/)
  assert.equal(accountIdOfUniqueId(p.policyId), ACCOUNT)
  assert.deepEqual(p, {
    accountId: ACCOUNT,
    name: 'read-s3',
    path: '/',
    policyId: p.policyId,
    arn: `arn:aws:iam::${ACCOUNT}:policy/read-s3`,
    description: 'reads',
    defaultVersionId: 'v1',
    attachmentCount: 0,
    permissionsBoundaryUsageCount: 0,
    createdAt: T0,
    updatedAt: T0,
    tags: [{ key: 'k', value: 'v' }],
  })
  assert.deepEqual(store.policies.get(p.arn), p)
  assert.deepEqual(store.policies.getVersion(p.arn, 'v1'), {
    policyArn: p.arn,
    versionId: 'v1',
    document: allow('s3:GetObject'),
    isDefaultVersion: true,
    createdAt: T0,
  })
  assert.equal(
    store.policies.get(`arn:aws:iam::${ACCOUNT}:policy/READ-S3`),
    undefined,
    'ARNs are exact',
  )
})

test('policy names are unique per account in any case and whatever the path', (t) => {
  const { store } = fixture(t, { accounts: [ACCOUNT, OTHER_ACCOUNT] })
  store.policies.create({ accountId: ACCOUNT, name: 'P', path: '/a/', document: '{}' })
  assert.throws(
    () => store.policies.create({ accountId: ACCOUNT, name: 'p', path: '/b/', document: '{}' }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT') && e.entity === 'policy' && e.key === 'p',
  )
  const other = store.policies.create({ accountId: OTHER_ACCOUNT, name: 'P', document: '{}' })
  assert.equal(other.arn, `arn:aws:iam::${OTHER_ACCOUNT}:policy/P`)
  assert.equal(store.policies.count(ACCOUNT), 1)
})

test('AWS managed policies live under the aws pseudo-account', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({
    accountId: AWS_MANAGED,
    name: 'AmazonS3ReadOnlyAccess',
    document: allow('s3:Get*'),
  })
  assert.equal(p.arn, 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess')
  assert.equal(p.accountId, 'aws')
  assert.deepEqual(
    store.policies.list(AWS_MANAGED).map((x) => x.name),
    ['AmazonS3ReadOnlyAccess'],
  )
  assert.equal(store.policies.count(ACCOUNT), 0)
  assert.throws(
    () =>
      store.policies.create({
        accountId: AWS_MANAGED,
        name: 'amazons3readonlyaccess',
        document: '{}',
      }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT'),
  )
})

test('versions: vN counts up and is never reused, newest first, at most five', (t) => {
  const { store, clock } = fixture(t)
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: allow('a:1') })
  for (let i = 2; i <= MAX_POLICY_VERSIONS; i++) {
    clock.advance(1000)
    const v = store.policies.createVersion(p.arn, allow(`a:${String(i)}`))
    assert.equal(v.versionId, `v${String(i)}`)
    assert.equal(v.isDefaultVersion, false)
  }
  assert.equal(store.policies.countVersions(p.arn), MAX_POLICY_VERSIONS)
  assert.throws(
    () => store.policies.createVersion(p.arn, allow('a:6')),
    (e: unknown) =>
      e instanceof StoreLimitError &&
      e.code === 'ERR_STORE_LIMIT' &&
      e.limit === MAX_POLICY_VERSIONS &&
      e.key === p.arn,
  )
  assert.deepEqual(
    store.policies.listVersions(p.arn).map((v) => v.versionId),
    ['v5', 'v4', 'v3', 'v2', 'v1'],
  )
  store.policies.deleteVersion(p.arn, 'v5')
  clock.advance(1000)
  const v6 = store.policies.createVersion(p.arn, allow('a:6'), { setAsDefault: true })
  assert.equal(v6.versionId, 'v6', 'the deleted v5 is not reused')
  assert.equal(v6.isDefaultVersion, true)
  const after = store.policies.get(p.arn)
  assert.equal(after?.defaultVersionId, 'v6')
  assert.equal(after.updatedAt, T0 + 5000, 'updatedAt is the newest version`s creation')
  assert.equal(store.policies.getVersion(p.arn, 'v1')?.isDefaultVersion, false)
})

test('the default version cannot be deleted; setDefaultVersion moves it', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: '{}' })
  store.policies.createVersion(p.arn, '{"v":2}')
  assert.throws(
    () => {
      store.policies.deleteVersion(p.arn, 'v1')
    },
    (e: unknown) => e instanceof StoreInUseError && e.reason === 'default-version',
  )
  assert.equal(store.policies.setDefaultVersion(p.arn, 'v2').defaultVersionId, 'v2')
  store.policies.deleteVersion(p.arn, 'v1')
  assert.deepEqual(
    store.policies.listVersions(p.arn).map((v) => [v.versionId, v.isDefaultVersion]),
    [['v2', true]],
  )
  for (const bad of ['v1', 'v9', 'V2', 'v0', '2', 'v2.1'])
    assert.throws(
      () => store.policies.setDefaultVersion(p.arn, bad),
      (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'policyVersion',
      bad,
    )
  assert.equal(store.policies.getVersion(p.arn, 'v1'), undefined)
  assert.deepEqual(store.check(), [])
})

test('delete is refused while attached or with other versions, then removes everything', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({
    accountId: ACCOUNT,
    name: 'p',
    document: '{}',
    tags: [{ key: 'a', value: 'b' }],
  })
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
  store.rolePolicies.attach(ACCOUNT, 'r', p.arn)
  assert.equal(store.policies.get(p.arn)?.attachmentCount, 1)
  assert.throws(
    () => {
      store.policies.delete(p.arn)
    },
    (e: unknown) =>
      e instanceof StoreInUseError && e.reason === 'attachments' && e.entity === 'policy',
  )
  store.rolePolicies.detach(ACCOUNT, 'r', p.arn)
  store.policies.createVersion(p.arn, '{"v":2}')
  assert.throws(
    () => {
      store.policies.delete(p.arn)
    },
    (e: unknown) => e instanceof StoreInUseError && e.reason === 'non-default-versions',
  )
  store.policies.deleteVersion(p.arn, 'v2')
  store.policies.delete(p.arn)
  assert.equal(store.policies.get(p.arn), undefined)
  assert.throws(
    () => {
      store.policies.delete(p.arn)
    },
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
  assert.deepEqual(store.check(), [])
})

test('list filters by path prefix and by attachment; counts boundary use', (t) => {
  const { store } = fixture(t)
  const a = store.policies.create({ accountId: ACCOUNT, name: 'a', path: '/x/', document: '{}' })
  store.policies.create({ accountId: ACCOUNT, name: 'B', document: '{}' })
  store.roles.create({
    accountId: ACCOUNT,
    name: 'r',
    assumeRolePolicyDocument: '{}',
    permissionsBoundaryArn: a.arn,
  })
  assert.deepEqual(
    store.policies.list(ACCOUNT).map((p) => p.name),
    ['a', 'B'],
  )
  assert.deepEqual(
    store.policies.list(ACCOUNT, { pathPrefix: '/x/' }).map((p) => p.name),
    ['a'],
  )
  assert.deepEqual(store.policies.list(ACCOUNT, { onlyAttached: true }), [])
  store.rolePolicies.attach(ACCOUNT, 'r', a.arn)
  assert.deepEqual(
    store.policies.list(ACCOUNT, { onlyAttached: true }).map((p) => p.name),
    ['a'],
  )
  assert.equal(store.policies.get(a.arn)?.permissionsBoundaryUsageCount, 1)
})

test('policy tag keys are case-sensitive', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: '{}' })
  store.policies.tag(p.arn, [
    { key: 'Costcenter', value: '1234' },
    { key: 'costcenter', value: '5678' },
  ])
  store.policies.tag(p.arn, [{ key: 'Costcenter', value: '9' }])
  assert.deepEqual(store.policies.listTags(p.arn), [
    { key: 'Costcenter', value: '9' },
    { key: 'costcenter', value: '5678' },
  ])
  store.policies.untag(p.arn, ['COSTCENTER', 'costcenter'])
  assert.deepEqual(store.policies.listTags(p.arn), [{ key: 'Costcenter', value: '9' }])
})

test('parseVersionId accepts v1..v999999999 only', () => {
  assert.equal(parseVersionId('v1'), 1)
  assert.equal(parseVersionId('v42'), 42)
  for (const bad of ['', 'v', 'v0', 'v01', '1', 'V1', 'v1a', 'v1234567890'])
    assert.equal(parseVersionId(bad), undefined, bad)
})
