import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualClock } from '../../../src/core/index.js'
import {
  EXTERNAL_CHANGE_CHECK_MS,
  GenerationMemo,
  openStore,
  type Role,
} from '../../../src/store/index.js'
import { ACCOUNT, T0, fixture } from './helpers.js'

const TRUST = '{"Version":"2012-10-17","Statement":[]}'

test('generation stays put across reads and moves on every write through this connection', (t) => {
  const { store } = fixture(t)
  const g0 = store.generation()
  store.roles.get(ACCOUNT, 'nothing')
  store.roles.list(ACCOUNT)
  assert.equal(store.generation(), g0, 'reads change nothing')
  store.roles.create({ accountId: ACCOUNT, name: 'app', assumeRolePolicyDocument: TRUST })
  const g1 = store.generation()
  assert.ok(g1 > g0)
  store.roles.tag(ACCOUNT, 'app', [{ key: 'team', value: 'a' }])
  const g2 = store.generation()
  assert.ok(g2 > g1, 'a tag is a change to what a role read returns')
  assert.equal(store.generation(), g2)
})

test('generation moves within a clock millisecond of another connection (another process) committing', (t) => {
  const { store, dir, clock } = fixture(t)
  const other = openStore({ dir, clock: manualClock(T0) })
  t.after(() => {
    other.close()
  })
  const g0 = store.generation()
  other.roles.create({ accountId: ACCOUNT, name: 'elsewhere', assumeRolePolicyDocument: TRUST })
  assert.equal(store.generation(), g0, 'within the same millisecond the commit may go unseen')
  clock.advance(EXTERNAL_CHANGE_CHECK_MS)
  const g1 = store.generation()
  assert.ok(g1 > g0)
  assert.equal(store.roles.get(ACCOUNT, 'elsewhere')?.name, 'elsewhere')
  other.roles.updateAssumeRolePolicy(ACCOUNT, 'elsewhere', TRUST.replace('[]', '[ ]'))
  clock.advance(EXTERNAL_CHANGE_CHECK_MS)
  assert.ok(store.generation() > g1)
  clock.advance(EXTERNAL_CHANGE_CHECK_MS)
  const g2 = store.generation()
  clock.advance(EXTERNAL_CHANGE_CHECK_MS)
  assert.equal(store.generation(), g2, 'no commit, no change')
})

test('generation moves on a queued decision once written, inside and after a transaction; reads never', (t) => {
  const { store } = fixture(t)
  const g0 = store.generation()
  store.decisions.later({ requestId: 'r', action: 's3:GetObject', decision: 'allowed' })
  assert.equal(store.generation(), g0, 'queued: nothing written yet')
  store.decisions.flush()
  const g1 = store.generation()
  assert.ok(g1 > g0, 'the batch is a change')
  store.transaction(() => {
    store.roles.create({ accountId: ACCOUNT, name: 'in-tx', assumeRolePolicyDocument: TRUST })
    assert.ok(store.generation() > g1, 'seen inside the transaction at once')
  })
  const g2 = store.generation()
  assert.throws(() =>
    store.transaction(() => {
      store.roles.create({ accountId: ACCOUNT, name: 'undone', assumeRolePolicyDocument: TRUST })
      throw new Error('abort')
    }),
  )
  const g3 = store.generation()
  assert.ok(g3 >= g2, 'a rolled-back write may move it; it never goes back')
  store.decisions.count()
  store.roles.get(ACCOUNT, 'in-tx')
  assert.equal(store.generation(), g3)
})

test('what a memo read inside a transaction that rolled back is never served after it', (t) => {
  const { store } = fixture(t)
  store.roles.create({ accountId: ACCOUNT, name: 'app', assumeRolePolicyDocument: TRUST })
  const memo = new GenerationMemo<Role>()
  const read = () => memo.get('app', store.generation(), () => store.roles.get(ACCOUNT, 'app'))
  assert.deepEqual(read()?.tags, [])
  assert.throws(() =>
    store.transaction(() => {
      store.roles.tag(ACCOUNT, 'app', [{ key: 'team', value: 'gone' }])
      assert.deepEqual(read()?.tags, [{ key: 'team', value: 'gone' }])
      throw new Error('abort')
    }),
  )
  assert.deepEqual(read()?.tags, [], 'the rolled-back tag is not served')
  assert.equal(read(), read(), 'and the row read after it is reused again')
})
