import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { isStoreError } from '../../../src/store/index.js'
import { ACCOUNT, allow, fixture } from './helpers.js'

test('store.transaction commits several repositories together and returns the value', (t) => {
  const { store } = fixture(t)
  const arn = store.transaction(() => {
    store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
    const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: allow('s3:*') })
    store.rolePolicies.attach(ACCOUNT, 'r', p.arn)
    return p.arn
  })
  assert.equal(store.rolePolicies.listAttached(ACCOUNT, 'r')[0]?.policyArn, arn)
})

test('a throw inside store.transaction undoes every write made in it', (t) => {
  const { store } = fixture(t)
  store.settings.set('before', '1')
  assert.throws(
    () =>
      store.transaction(() => {
        store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
        store.policies.create({ accountId: ACCOUNT, name: 'p', document: '{}' })
        store.settings.set('before', '2')
        store.decisions.append({ requestId: 'x', action: 'a', decision: 'allowed' })
        throw new Error('abort')
      }),
    /abort/,
  )
  assert.equal(store.roles.count(ACCOUNT), 0)
  assert.equal(store.policies.count(ACCOUNT), 0)
  assert.equal(store.settings.get('before'), '1')
  assert.equal(store.decisions.count(), 0)
})

test('a store error inside a transaction can be caught: only that call is undone', (t) => {
  const { store } = fixture(t)
  store.transaction(() => {
    store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
    assert.throws(
      () =>
        store.roles.create({
          accountId: ACCOUNT,
          name: 'R',
          assumeRolePolicyDocument: '{}',
          tags: [{ key: 'a', value: 'b' }],
        }),
      (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT'),
    )
    store.roles.tag(ACCOUNT, 'r', [{ key: 'k', value: 'v' }])
  })
  assert.deepEqual(store.roles.get(ACCOUNT, 'r')?.tags, [{ key: 'k', value: 'v' }])
})

test('nested transactions are savepoints: an inner failure caught outside keeps the outer work', (t) => {
  const { store } = fixture(t)
  store.transaction(() => {
    store.settings.set('outer', '1')
    assert.throws(() =>
      store.transaction(() => {
        store.settings.set('inner', '1')
        throw new Error('inner')
      }),
    )
  })
  assert.equal(store.settings.get('outer'), '1')
  assert.equal(store.settings.get('inner'), undefined)
})

test('a constraint that fails only at commit (deferred) becomes ERR_STORE_INVALID and rolls back', (t) => {
  const { store } = fixture(t)
  const p = store.policies.create({ accountId: ACCOUNT, name: 'p', document: '{}' })
  // Point the default version at one that does not exist, through a second connection:
  // the schema's deferred foreign key refuses it at COMMIT.
  const raw = new Database(store.path)
  t.after(() => raw.close())
  raw.pragma('foreign_keys = ON')
  assert.throws(
    () =>
      raw.exec(`BEGIN; UPDATE policies SET default_version = 9 WHERE arn = '${p.arn}'; COMMIT;`),
    /FOREIGN KEY/,
  )
  if (raw.inTransaction) raw.exec('ROLLBACK')
  assert.equal(store.policies.get(p.arn)?.defaultVersionId, 'v1')
  assert.deepEqual(store.check(), [])
})

test('writes from one transaction are visible to readers only after commit', (t) => {
  const { store } = fixture(t)
  const reader = new Database(store.path, { readonly: true })
  t.after(() => reader.close())
  const count = reader.prepare('SELECT count(*) FROM roles').pluck()
  store.transaction(() => {
    store.roles.create({ accountId: ACCOUNT, name: 'r', assumeRolePolicyDocument: '{}' })
    assert.equal(count.get(), 0)
  })
  assert.equal(count.get(), 1)
})
