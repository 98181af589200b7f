import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isStoreError } from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, fixture } from './helpers.js'

test('accounts: create, get, list, alias; ids must be 12 digits', (t) => {
  const { store, clock } = fixture(t, { accounts: [] })
  assert.deepEqual(store.accounts.create({ id: OTHER_ACCOUNT, alias: 'other' }), {
    id: OTHER_ACCOUNT,
    alias: 'other',
    createdAt: T0,
  })
  clock.advance(10)
  assert.deepEqual(store.accounts.create({ id: ACCOUNT }), { id: ACCOUNT, createdAt: T0 + 10 })
  assert.deepEqual(
    store.accounts.list().map((a) => a.id),
    [ACCOUNT, OTHER_ACCOUNT],
  )
  assert.equal(store.accounts.setAlias(ACCOUNT, 'main').alias, 'main')
  assert.ok(!('alias' in store.accounts.setAlias(ACCOUNT, undefined)))
  assert.equal(store.accounts.get('000000000000'), undefined)
  for (const bad of ['12345678901', '1234567890123', '11112222333a', '', 'aws'])
    assert.throws(
      () => store.accounts.create({ id: bad }),
      (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID') && e.entity === 'account',
      bad,
    )
  assert.throws(
    () => store.accounts.create({ id: ACCOUNT }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT') && e.key === ACCOUNT,
  )
  assert.throws(
    () => store.accounts.create({ id: '777788889999', alias: 'other' }),
    (e: unknown) => isStoreError(e, 'ERR_STORE_CONFLICT'),
    'aliases are unique',
  )
  assert.throws(
    () => store.accounts.setAlias('777788889999', 'x'),
    (e: unknown) => isStoreError(e, 'ERR_STORE_NOT_FOUND'),
  )
})

test('ensure creates once and then returns the existing account unchanged', (t) => {
  const { store, clock } = fixture(t, { accounts: [] })
  const first = store.accounts.ensure({ id: ACCOUNT, alias: 'a' })
  clock.advance(1000)
  const second = store.accounts.ensure({ id: ACCOUNT, alias: 'b' })
  assert.deepEqual(second, first)
  assert.equal(store.accounts.list().length, 1)
})

test('access keys: create, get with the secret, list, status, delete', (t) => {
  const { store, clock } = fixture(t)
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
  const key = store.accessKeys.create({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: secret,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  })
  assert.deepEqual(key, {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: secret,
    accountId: ACCOUNT,
    status: 'Active',
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
    createdAt: T0,
  })
  assert.deepEqual(store.accessKeys.get('AKIAIOSFODNN7EXAMPLE'), key)
  clock.advance(1)
  store.accessKeys.create({
    accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ',
    secretAccessKey: 'x'.repeat(40),
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
    status: 'Inactive',
  })
  assert.deepEqual(
    store.accessKeys.listForAccount(ACCOUNT).map((k) => [k.accessKeyId, k.status]),
    [
      ['AKIAIOSFODNN7EXAMPLE', 'Active'],
      ['AKIAZZZZZZZZZZZZZZZZ', 'Inactive'],
    ],
  )
  assert.equal(store.accessKeys.setStatus('AKIAIOSFODNN7EXAMPLE', 'Inactive').status, 'Inactive')
  store.accessKeys.delete('AKIAIOSFODNN7EXAMPLE')
  assert.equal(store.accessKeys.get('AKIAIOSFODNN7EXAMPLE'), undefined)
})

test('access key errors name the key id and never carry the secret', (t) => {
  const { store } = fixture(t)
  const secret = 'SENTINEL-SECRET-0123456789abcdefghijklmn'
  const input = {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: secret,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  }
  store.accessKeys.create(input)
  const failures: unknown[] = []
  for (const f of [
    () => store.accessKeys.create(input),
    () =>
      store.accessKeys.create({
        ...input,
        accessKeyId: 'AKIA2222222222222222',
        accountId: '999999999999',
      }),
    () => store.accessKeys.create({ ...input, accessKeyId: 'short' }),
    () => store.accessKeys.setStatus('AKIANOPE000000000000', 'Active'),
    () => {
      store.accessKeys.delete('AKIANOPE000000000000')
    },
  ]) {
    try {
      f()
    } catch (e) {
      failures.push(e)
    }
  }
  assert.deepEqual(
    failures.map((e) => (isStoreError(e) ? e.code : 'not a store error')),
    [
      'ERR_STORE_CONFLICT',
      'ERR_STORE_NOT_FOUND',
      'ERR_STORE_INVALID',
      'ERR_STORE_NOT_FOUND',
      'ERR_STORE_NOT_FOUND',
    ],
  )
  for (const e of failures) {
    assert.ok(e instanceof Error)
    assert.ok(!e.message.includes(secret), e.message)
    assert.ok(!JSON.stringify(Object.entries(e)).includes(secret))
  }
})
