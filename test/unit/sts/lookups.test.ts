import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { manualClock } from '../../../src/core/index.js'
import { EXTERNAL_CHANGE_CHECK_MS, openStore, type Store } from '../../../src/store/index.js'
import { StsLookups } from '../../../src/sts/index.js'
import { ACCOUNT, harness, type Harness } from './harness.js'

const EMPTY = '{"Version":"2012-10-17","Statement":[]}'

let h: Harness
before(async () => {
  h = await harness()
  h.role('app')
})
after(async () => {
  await h.close()
})

/** The store with its role and provider reads counted. */
function counting(store: Store): { store: Store; reads: () => number } {
  let n = 0
  const roles = new Proxy(store.roles, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver)
      if (key !== 'get' || typeof v !== 'function') return v
      return (...args: unknown[]): unknown => {
        n++
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { store: Object.assign(Object.create(store) as Store, { roles }), reads: () => n }
}

test('a found role is read once and reused until anything in the store changes', () => {
  const { store, reads } = counting(h.store)
  const lookups = new StsLookups(store)
  const first = lookups.role(ACCOUNT, 'APP')?.assumeRolePolicyDocument
  assert.equal(lookups.role(ACCOUNT, 'app')?.assumeRolePolicyDocument, first)
  assert.equal(reads(), 1, 'the second lookup (any case of the name) is a hit')
  h.store.roles.updateAssumeRolePolicy(ACCOUNT, 'app', EMPTY)
  assert.equal(lookups.role(ACCOUNT, 'app')?.assumeRolePolicyDocument, EMPTY)
  assert.equal(reads(), 2)
  assert.equal(lookups.role(ACCOUNT, 'missing'), undefined)
  assert.equal(lookups.role(ACCOUNT, 'missing'), undefined)
  assert.equal(reads(), 4, 'a missing role is not remembered')
  assert.equal(lookups.provider(ACCOUNT, h.issuer.hostPath)?.arn, h.providerArn)
})

test('a change committed by another process applies within a clock millisecond', () => {
  const lookups = new StsLookups(h.store)
  lookups.role(ACCOUNT, 'app')
  const other = openStore({ dir: h.store.dir, clock: manualClock(0) })
  try {
    const changed = EMPTY.replace('[]', '[ ]')
    other.roles.updateAssumeRolePolicy(ACCOUNT, 'app', changed)
    h.clock.advance(EXTERNAL_CHANGE_CHECK_MS)
    assert.equal(lookups.role(ACCOUNT, 'app')?.assumeRolePolicyDocument, changed)
    lookups.provider(ACCOUNT, h.issuer.hostPath)
    other.oidcProviders.delete(h.providerArn)
    h.clock.advance(EXTERNAL_CHANGE_CHECK_MS)
    assert.equal(lookups.provider(ACCOUNT, h.issuer.hostPath), undefined)
  } finally {
    other.close()
  }
})

test('lookups given one generation share it; a row read after a change is reloaded later', () => {
  const { store, reads } = counting(h.store)
  const lookups = new StsLookups(store)
  const g = lookups.generation()
  lookups.role(ACCOUNT, 'app', g)
  h.store.roles.updateAssumeRolePolicy(ACCOUNT, 'app', EMPTY.replace('[]', '[  ]'))
  // Read under the request's older generation: the store's row is the changed one.
  const fresh = lookups.role(ACCOUNT, 'app', g)?.assumeRolePolicyDocument
  assert.equal(reads(), 1, 'the same generation: a hit, as of the start of the request')
  assert.notEqual(fresh, EMPTY.replace('[]', '[  ]'))
  assert.equal(
    lookups.role(ACCOUNT, 'app')?.assumeRolePolicyDocument,
    EMPTY.replace('[]', '[  ]'),
    'the next request sees the change',
  )
  assert.equal(reads(), 2)
})
