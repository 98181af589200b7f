import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AWS_MANAGED, StoreNotFoundError, isStoreError } from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, allow, fixture } from './helpers.js'

test('attach is idempotent, lists by name, counts, and detach of a non-attached policy is not found', (t) => {
  const { store } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
  const b = store.policies.create({ accountId: ACCOUNT, name: 'b', document: allow('b:*') })
  const a = store.policies.create({ accountId: ACCOUNT, name: 'A', document: allow('a:*') })
  assert.equal(store.rolePolicies.attach(ACCOUNT, 'r', b.arn), true)
  assert.equal(store.rolePolicies.attach(ACCOUNT, 'R', b.arn), false)
  assert.equal(store.rolePolicies.attach(ACCOUNT, 'r', a.arn), true)
  assert.deepEqual(store.rolePolicies.listAttached(ACCOUNT, 'r'), [
    { policyName: 'A', policyArn: a.arn },
    { policyName: 'b', policyArn: b.arn },
  ])
  assert.equal(store.rolePolicies.countAttached(ACCOUNT, 'r'), 2)
  assert.equal(store.policies.get(b.arn)?.attachmentCount, 1)
  store.rolePolicies.detach(ACCOUNT, 'r', b.arn)
  assert.throws(
    () => {
      store.rolePolicies.detach(ACCOUNT, 'r', b.arn)
    },
    (e: unknown) => e instanceof StoreNotFoundError && e.entity === 'attachment' && e.key === b.arn,
  )
  assert.equal(store.rolePolicies.countAttached(ACCOUNT, 'r'), 1)
})

test('attach refuses a missing role, a missing policy and another account`s policy', (t) => {
  const { store } = fixture(t, { accounts: [ACCOUNT, OTHER_ACCOUNT] })
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
  const foreign = store.policies.create({ accountId: OTHER_ACCOUNT, name: 'f', document: '{}' })
  const managed = store.policies.create({
    accountId: AWS_MANAGED,
    name: 'ReadOnlyAccess',
    document: '{}',
  })
  assert.throws(
    () => store.rolePolicies.attach(ACCOUNT, 'missing', managed.arn),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'role',
  )
  assert.throws(
    () => store.rolePolicies.attach(ACCOUNT, 'r', `arn:aws:iam::${ACCOUNT}:policy/none`),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'policy',
  )
  assert.throws(
    () => store.rolePolicies.attach(ACCOUNT, 'r', foreign.arn),
    (e: unknown) =>
      isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'policy' && e.key === foreign.arn,
  )
  assert.equal(
    store.rolePolicies.attach(ACCOUNT, 'r', managed.arn),
    true,
    'AWS managed policies attach anywhere',
  )
  assert.deepEqual(store.rolePolicies.listRolesFor(managed.arn), [
    { accountId: ACCOUNT, roleName: 'r', roleId: store.roles.get(ACCOUNT, 'r')?.roleId },
  ])
})

test('inline policies: put creates then replaces, names are case-sensitive, delete', (t) => {
  const { store, clock } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'Role', assumeRolePolicyDocument: '{}' })
  const first = store.rolePolicies.putInline(ACCOUNT, 'role', 'Inline', allow('a:*'))
  assert.deepEqual(first, {
    roleName: 'Role',
    policyName: 'Inline',
    document: allow('a:*'),
    createdAt: T0,
    updatedAt: T0,
  })
  clock.advance(5000)
  const second = store.rolePolicies.putInline(ACCOUNT, 'Role', 'Inline', allow('b:*'))
  assert.equal(second.document, allow('b:*'))
  assert.equal(second.createdAt, T0)
  assert.equal(second.updatedAt, T0 + 5000)
  store.rolePolicies.putInline(ACCOUNT, 'Role', 'inline', allow('c:*'))
  assert.deepEqual(
    store.rolePolicies.listInline(ACCOUNT, 'Role').map((p) => p.policyName),
    ['Inline', 'inline'],
  )
  assert.equal(store.rolePolicies.countInline(ACCOUNT, 'Role'), 2)
  assert.equal(store.rolePolicies.getInline(ACCOUNT, 'Role', 'INLINE'), undefined)
  assert.equal(store.rolePolicies.getInline(ACCOUNT, 'nobody', 'Inline'), undefined)
  store.rolePolicies.deleteInline(ACCOUNT, 'Role', 'inline')
  assert.throws(
    () => {
      store.rolePolicies.deleteInline(ACCOUNT, 'Role', 'inline')
    },
    (e: unknown) =>
      isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'inlinePolicy' && e.key === 'inline',
  )
  assert.throws(
    () => store.rolePolicies.putInline(ACCOUNT, 'nobody', 'x', '{}'),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'role',
  )
})

test('documents() returns inline documents and the default version of each attached policy', (t) => {
  const { store } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: allow('v1:*') })
  store.policies.createVersion(p.arn, allow('v2:*'))
  store.rolePolicies.attach(ACCOUNT, 'r', p.arn)
  store.rolePolicies.putInline(ACCOUNT, 'r', 'i', allow('inline:*'))
  assert.deepEqual(store.rolePolicies.documents(ACCOUNT, 'r'), {
    inline: [{ name: 'i', document: allow('inline:*') }],
    managed: [{ arn: p.arn, name: 'p', versionId: 'v1', document: allow('v1:*') }],
  })
  store.policies.setDefaultVersion(p.arn, 'v2')
  assert.equal(store.rolePolicies.documents(ACCOUNT, 'r').managed[0]?.document, allow('v2:*'))
  assert.throws(
    () => store.rolePolicies.documents(ACCOUNT, 'nobody'),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
})
