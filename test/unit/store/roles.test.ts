import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_MAX_SESSION_DURATION,
  StoreConflictError,
  StoreInUseError,
  StoreNotFoundError,
  accountIdOfUniqueId,
  isStoreError,
} from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, allow, fixture, trustPolicy } from './helpers.js'

test('create returns the role as GetRole shows it, with id, ARN and defaults', (t) => {
  const { store } = fixture(t)
  const role = store.roles.create({
    accountId: ACCOUNT,
    name: 'app-role',
    assumeRolePolicyDocument: trustPolicy(),
  })
  assert.match(role.roleId, /^AROA[A-Z2-7]{17}$/)
  assert.equal(accountIdOfUniqueId(role.roleId), ACCOUNT)
  assert.deepEqual(role, {
    accountId: ACCOUNT,
    name: 'app-role',
    path: '/',
    roleId: role.roleId,
    arn: `arn:aws:iam::${ACCOUNT}:role/app-role`,
    assumeRolePolicyDocument: trustPolicy(),
    maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
    createdAt: T0,
    tags: [],
  })
  assert.deepEqual(store.roles.get(ACCOUNT, 'app-role'), role)
  assert.deepEqual(store.roles.getById(role.roleId), role)
})

test('every optional field round-trips, and the path is part of the ARN', (t) => {
  const { store } = fixture(t)
  const role = store.roles.create({
    accountId: ACCOUNT,
    name: 'Full',
    path: '/team/a/',
    assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
    description: 'the full role',
    maxSessionDuration: 43200,
    permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
    tags: [
      { key: 'team', value: 'a' },
      { key: 'env', value: '' },
    ],
    roleId: 'AROAEXPLICITID1234567',
  })
  assert.equal(role.arn, `arn:aws:iam::${ACCOUNT}:role/team/a/Full`)
  assert.equal(role.roleId, 'AROAEXPLICITID1234567')
  assert.equal(role.description, 'the full role')
  assert.equal(role.maxSessionDuration, 43200)
  assert.equal(role.permissionsBoundaryArn, `arn:aws:iam::${ACCOUNT}:policy/boundary`)
  assert.deepEqual(role.tags, [
    { key: 'team', value: 'a' },
    { key: 'env', value: '' },
  ])
  assert.ok(
    !(
      'description' in
      store.roles.create({ accountId: ACCOUNT, name: 'bare', assumeRolePolicyDocument: '{}' })
    ),
  )
})

test('names are unique per account ignoring case, kept as created, found in any case', (t) => {
  const { store } = fixture(t, { accounts: [ACCOUNT, OTHER_ACCOUNT] })
  store.roles.create({ accountId: ACCOUNT, name: 'MyRole', assumeRolePolicyDocument: '{}' })
  assert.throws(
    () =>
      store.roles.create({ accountId: ACCOUNT, name: 'myrole', assumeRolePolicyDocument: '{}' }),
    (e: unknown) =>
      e instanceof StoreConflictError &&
      e.code === 'ERR_STORE_CONFLICT' &&
      e.entity === 'role' &&
      e.key === 'myrole',
  )
  assert.equal(store.roles.get(ACCOUNT, 'MYROLE')?.name, 'MyRole')
  // The same name in another account is another role (cross-account IRSA).
  const other = store.roles.create({
    accountId: OTHER_ACCOUNT,
    name: 'MyRole',
    assumeRolePolicyDocument: '{}',
  })
  assert.equal(other.arn, `arn:aws:iam::${OTHER_ACCOUNT}:role/MyRole`)
  assert.equal(accountIdOfUniqueId(other.roleId), OTHER_ACCOUNT)
  assert.equal(store.roles.count(ACCOUNT), 1)
  assert.equal(store.roles.count(OTHER_ACCOUNT), 1)
  assert.equal(store.roles.get(OTHER_ACCOUNT, 'myrole')?.accountId, OTHER_ACCOUNT)
})

test('a role in an unknown account is refused as a missing account', (t) => {
  const { store } = fixture(t)
  assert.throws(
    () =>
      store.roles.create({ accountId: '999999999999', name: 'r', assumeRolePolicyDocument: '{}' }),
    (e: unknown) =>
      e instanceof StoreNotFoundError && e.entity === 'account' && e.key === '999999999999',
  )
})

test('list orders by name ignoring case and filters by path prefix literally', (t) => {
  const { store } = fixture(t)
  for (const [name, path] of [
    ['b', '/'],
    ['A', '/x/'],
    ['c', '/x/y/'],
    ['d', '/x%/'],
  ] as const)
    store.roles.create({ accountId: ACCOUNT, name, path, assumeRolePolicyDocument: '{}' })
  assert.deepEqual(
    store.roles.list(ACCOUNT).map((r) => r.name),
    ['A', 'b', 'c', 'd'],
  )
  assert.deepEqual(
    store.roles.list(ACCOUNT, { pathPrefix: '/x/' }).map((r) => r.name),
    ['A', 'c'],
  )
  // `%` and `_` are not wildcards.
  assert.deepEqual(
    store.roles.list(ACCOUNT, { pathPrefix: '/x%' }).map((r) => r.name),
    ['d'],
  )
  assert.deepEqual(store.roles.list(OTHER_ACCOUNT), [])
})

test('update, trust policy and boundary changes persist; missing roles are not found', (t) => {
  const { store, reopen } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: trustPolicy('a') })
  let r = store.roles.update(ACCOUNT, 'R', { description: 'd', maxSessionDuration: 7200 })
  assert.equal(r.description, 'd')
  assert.equal(r.maxSessionDuration, 7200)
  r = store.roles.update(ACCOUNT, 'r', { description: null })
  assert.ok(!('description' in r))
  assert.equal(r.maxSessionDuration, 7200, 'unspecified fields are kept')
  r = store.roles.updateAssumeRolePolicy(ACCOUNT, 'r', trustPolicy('b'))
  assert.equal(r.assumeRolePolicyDocument, trustPolicy('b'))
  r = store.roles.setPermissionsBoundary(ACCOUNT, 'r', 'arn:aws:iam::aws:policy/PowerUserAccess')
  assert.equal(r.permissionsBoundaryArn, 'arn:aws:iam::aws:policy/PowerUserAccess')
  r = store.roles.setPermissionsBoundary(ACCOUNT, 'r', undefined)
  assert.ok(!('permissionsBoundaryArn' in r))
  store.close()
  const again = reopen()
  assert.equal(again.roles.get(ACCOUNT, 'r')?.assumeRolePolicyDocument, trustPolicy('b'))
  for (const f of [
    () => again.roles.update(ACCOUNT, 'nope', { description: 'x' }),
    () => again.roles.updateAssumeRolePolicy(ACCOUNT, 'nope', '{}'),
    () => again.roles.setPermissionsBoundary(ACCOUNT, 'nope', undefined),
    () => {
      again.roles.delete(ACCOUNT, 'nope')
    },
    () => {
      again.roles.tag(ACCOUNT, 'nope', [])
    },
    () => again.roles.listTags(ACCOUNT, 'nope'),
  ])
    assert.throws(
      f,
      (e: unknown) =>
        isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'role' && e.key === 'nope',
    )
})

test('role tag keys are case-insensitive with case preserved; a new case replaces the old', (t) => {
  const { store } = fixture(t)
  store.roles.create({
    accountId: ACCOUNT,
    name: 'r',
    assumeRolePolicyDocument: '{}',
    tags: [
      { key: 'Department', value: 'finance' },
      { key: 'Team', value: 'x' },
    ],
  })
  store.roles.tag(ACCOUNT, 'r', [
    { key: 'department', value: 'hr' },
    { key: 'Cost', value: '1' },
  ])
  assert.deepEqual(store.roles.listTags(ACCOUNT, 'r'), [
    { key: 'department', value: 'hr' },
    { key: 'Team', value: 'x' },
    { key: 'Cost', value: '1' },
  ])
  store.roles.untag(ACCOUNT, 'r', ['TEAM', 'absent'])
  assert.deepEqual(store.roles.get(ACCOUNT, 'r')?.tags, [
    { key: 'department', value: 'hr' },
    { key: 'Cost', value: '1' },
  ])
})

test('delete is refused while policies are attached or embedded, then removes role and tags', (t) => {
  const { store } = fixture(t)
  store.roles.create({
    accountId: ACCOUNT,
    name: 'r',
    assumeRolePolicyDocument: '{}',
    tags: [{ key: 'a', value: 'b' }],
  })
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: allow('s3:*') })
  store.rolePolicies.attach(ACCOUNT, 'r', p.arn)
  store.rolePolicies.putInline(ACCOUNT, 'r', 'inline', allow('sqs:*'))
  assert.throws(
    () => {
      store.roles.delete(ACCOUNT, 'r')
    },
    (e: unknown) =>
      e instanceof StoreInUseError && e.reason === 'attached-policies' && e.key === 'r',
  )
  store.rolePolicies.detach(ACCOUNT, 'r', p.arn)
  assert.throws(
    () => {
      store.roles.delete(ACCOUNT, 'r')
    },
    (e: unknown) => e instanceof StoreInUseError && e.reason === 'inline-policies',
  )
  store.rolePolicies.deleteInline(ACCOUNT, 'r', 'inline')
  store.roles.delete(ACCOUNT, 'R')
  assert.equal(store.roles.get(ACCOUNT, 'r'), undefined)
  assert.equal(store.roles.count(ACCOUNT), 0)
  assert.deepEqual(store.check(), [])
  // The name is free again; the new role has a new id.
  const again = store.roles.create({
    accountId: ACCOUNT,
    name: 'r',
    assumeRolePolicyDocument: '{}',
  })
  assert.deepEqual(again.tags, [])
})
