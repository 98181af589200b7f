import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StoreConflictError, isStoreError } from '../../../src/store/index.js'
import { ACCOUNT, OTHER_ACCOUNT, T0, fixture } from './helpers.js'

const URL = '127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF'
const THUMB = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280'

test('create keeps the URL without https://, builds the ARN, dedupes lists in order', (t) => {
  const { store } = fixture(t)
  const p = store.oidcProviders.create({
    accountId: ACCOUNT,
    url: URL,
    clientIds: ['sts.amazonaws.com', 'other', 'sts.amazonaws.com'],
    thumbprints: [THUMB],
    tags: [{ key: 'cluster', value: 'local' }],
  })
  assert.deepEqual(p, {
    accountId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${URL}`,
    url: URL,
    clientIds: ['sts.amazonaws.com', 'other'],
    thumbprints: [THUMB],
    createdAt: T0,
    tags: [{ key: 'cluster', value: 'local' }],
  })
  assert.deepEqual(store.oidcProviders.get(p.arn), p)
  assert.deepEqual(store.oidcProviders.getByUrl(ACCOUNT, URL), p)
  const bare = store.oidcProviders.create({ accountId: ACCOUNT, url: 'example.com' })
  assert.deepEqual([bare.clientIds, bare.thumbprints], [[], []])
})

test('one provider per URL per account; URLs are case- and slash-sensitive', (t) => {
  const { store } = fixture(t, { accounts: [ACCOUNT, OTHER_ACCOUNT] })
  store.oidcProviders.create({ accountId: ACCOUNT, url: URL })
  assert.throws(
    () => store.oidcProviders.create({ accountId: ACCOUNT, url: URL }),
    (e: unknown) =>
      e instanceof StoreConflictError &&
      e.entity === 'oidcProvider' &&
      e.key === `arn:aws:iam::${ACCOUNT}:oidc-provider/${URL}`,
  )
  store.oidcProviders.create({ accountId: ACCOUNT, url: `${URL}/` })
  store.oidcProviders.create({ accountId: ACCOUNT, url: URL.toLowerCase() })
  store.oidcProviders.create({ accountId: OTHER_ACCOUNT, url: URL })
  assert.equal(store.oidcProviders.count(ACCOUNT), 3)
  assert.equal(store.oidcProviders.count(OTHER_ACCOUNT), 1)
  assert.equal(store.oidcProviders.getByUrl(ACCOUNT, `https://${URL}`), undefined)
  assert.deepEqual(
    store.oidcProviders.list(ACCOUNT).map((p) => p.url),
    [URL, `${URL}/`, URL.toLowerCase()].sort(),
  )
})

test('client ids: add and remove are idempotent and report whether anything changed', (t) => {
  const { store } = fixture(t)
  const { arn } = store.oidcProviders.create({ accountId: ACCOUNT, url: URL, clientIds: ['a'] })
  assert.equal(store.oidcProviders.addClientId(arn, 'sts.amazonaws.com'), true)
  assert.equal(store.oidcProviders.addClientId(arn, 'sts.amazonaws.com'), false)
  assert.equal(store.oidcProviders.removeClientId(arn, 'a'), true)
  assert.equal(store.oidcProviders.removeClientId(arn, 'a'), false)
  assert.deepEqual(store.oidcProviders.get(arn)?.clientIds, ['sts.amazonaws.com'])
  const updated = store.oidcProviders.setThumbprints(arn, [THUMB, THUMB, 'a'.repeat(40)])
  assert.deepEqual(updated.thumbprints, [THUMB, 'a'.repeat(40)])
  assert.deepEqual(store.oidcProviders.setThumbprints(arn, []).thumbprints, [])
})

test('tags are case-sensitive; delete removes provider and tags; missing ARNs are not found', (t) => {
  const { store } = fixture(t)
  const { arn } = store.oidcProviders.create({ accountId: ACCOUNT, url: URL })
  store.oidcProviders.tag(arn, [
    { key: 'Env', value: '1' },
    { key: 'env', value: '2' },
  ])
  store.oidcProviders.untag(arn, ['ENV'])
  assert.equal(store.oidcProviders.listTags(arn).length, 2)
  store.oidcProviders.untag(arn, ['Env'])
  assert.deepEqual(store.oidcProviders.listTags(arn), [{ key: 'env', value: '2' }])
  store.oidcProviders.delete(arn)
  assert.equal(store.oidcProviders.get(arn), undefined)
  for (const f of [
    () => {
      store.oidcProviders.delete(arn)
    },
    () => store.oidcProviders.addClientId(arn, 'x'),
    () => store.oidcProviders.setThumbprints(arn, []),
    () => store.oidcProviders.listTags(arn),
  ])
    assert.throws(
      f,
      (e: unknown) =>
        isStoreError(e, 'ERR_STORE_NOT_FOUND') && e.entity === 'oidcProvider' && e.key === arn,
    )
  assert.deepEqual(store.check(), [])
})
