import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isStoreError } from '../../../src/store/index.js'
import { T0, fixture } from './helpers.js'

test('a server secret is generated once per data directory and survives reopening', (t) => {
  const { store, reopen } = fixture(t)
  assert.equal(store.serverSecrets.get('session-token-key'), undefined)
  const key = store.serverSecrets.getOrCreate('session-token-key')
  assert.equal(key.length, 32)
  assert.deepEqual(store.serverSecrets.getOrCreate('session-token-key'), key)
  assert.equal(store.serverSecrets.getOrCreate('other', 64).length, 64)
  assert.notDeepEqual(store.serverSecrets.get('other')?.subarray(0, 32), key)
  store.close()
  const again = reopen()
  assert.deepEqual(again.serverSecrets.getOrCreate('session-token-key'), key)
})

test('rotate replaces a secret with fresh bytes', (t) => {
  const { store } = fixture(t)
  const before = store.serverSecrets.getOrCreate('k')
  const after = store.serverSecrets.rotate('k')
  assert.notDeepEqual(after, before)
  assert.deepEqual(store.serverSecrets.get('k'), after)
})

test('server secret names and sizes are checked', (t) => {
  const { store } = fixture(t)
  for (const [name, bytes] of [
    ['Bad Name', 32],
    ['', 32],
    ['ok', 8],
    ['ok', 4096],
    ['ok', 31.5],
  ] as const)
    assert.throws(
      () => store.serverSecrets.getOrCreate(name, bytes),
      (e: unknown) => isStoreError(e, 'ERR_STORE_INVALID'),
      `${name} ${String(bytes)}`,
    )
})

test('settings: set, replace, setMany atomically, delete, list', (t) => {
  const { store, clock, reopen } = fixture(t)
  store.settings.set('aws-port', '4566')
  clock.advance(5)
  store.settings.set('aws-port', '4567')
  store.settings.setMany({ 'oidc-port': '8443', region: 'us-west-2' })
  assert.equal(store.settings.get('aws-port'), '4567')
  assert.deepEqual(store.settings.list(), [
    { key: 'aws-port', value: '4567', updatedAt: T0 + 5 },
    { key: 'oidc-port', value: '8443', updatedAt: T0 + 5 },
    { key: 'region', value: 'us-west-2', updatedAt: T0 + 5 },
  ])
  assert.equal(store.settings.delete('region'), true)
  assert.equal(store.settings.delete('region'), false)
  assert.equal(store.settings.get('region'), undefined)
  store.close()
  assert.equal(reopen().settings.get('oidc-port'), '8443')
})
