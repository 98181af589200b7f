import { test } from 'node:test'
import assert from 'node:assert/strict'
import { harness, members } from './harness.js'

const URL = 'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF'
const ARN =
  'arn:aws:iam::111122223333:oidc-provider/127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF'
const PRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280'

test('CreateOpenIDConnectProvider (a URL with a port), Get, List, Delete', async () => {
  const h = harness()
  try {
    const created = await h.ok('CreateOpenIDConnectProvider', {
      Url: URL,
      ...members('ClientIDList', ['sts.amazonaws.com', 'sts.amazonaws.com']),
      ...members('ThumbprintList', [PRINT.toUpperCase()]),
      'Tags.member.1.Key': 'cluster',
      'Tags.member.1.Value': 'local',
    })
    assert.equal(created['OpenIDConnectProviderArn'], ARN)
    const got = await h.ok('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN })
    assert.equal(got['Url'], '127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF', 'no https://')
    assert.deepEqual(got['ClientIDList'], ['sts.amazonaws.com'], 'duplicates dropped')
    assert.deepEqual(got['ThumbprintList'], [PRINT])
    assert.deepEqual(got['Tags'], [{ Key: 'cluster', Value: 'local' }])
    assert.equal(typeof got['CreateDate'], 'number')
    const listed = await h.ok('ListOpenIDConnectProviders')
    assert.deepEqual(listed['OpenIDConnectProviderList'], [{ Arn: ARN }])

    const dup = await h.call('CreateOpenIDConnectProvider', { Url: URL })
    assert.equal(dup.status, 409)
    assert.equal(dup.code, 'EntityAlreadyExists')
    assert.equal(dup.message, `Provider with url ${URL} already exists.`)

    await h.ok('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN })
    const gone = await h.call('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN })
    assert.equal(gone.status, 404)
    assert.equal(gone.code, 'NoSuchEntity')
    assert.equal(gone.message, `OpenIDConnect Provider not found for arn ${ARN}`)
    const again = await h.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN })
    assert.equal(again.code, 'NoSuchEntity')
  } finally {
    h.close()
  }
})

test('provider validation: https only, thumbprint length, bad ARN', async () => {
  const h = harness()
  try {
    for (const url of [
      'http://issuer.example',
      'issuer.example',
      'https://',
      'https://a.example/x?q=1',
    ]) {
      const r = await h.call('CreateOpenIDConnectProvider', { Url: url })
      assert.equal(r.code, 'ValidationError', url)
      assert.equal(r.message, 'Invalid Open ID Connect Provider URL', url)
    }
    const short = await h.call('CreateOpenIDConnectProvider', {
      Url: URL,
      ...members('ThumbprintList', ['abc']),
    })
    assert.equal(short.code, 'ValidationError')
    assert.equal(
      short.message,
      "1 validation error detected: Value 'abc' at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40",
    )
    const noUrl = await h.call('CreateOpenIDConnectProvider', {})
    assert.match(
      noUrl.message ?? '',
      /Value null at 'url' failed to satisfy constraint: Member must not be null/,
    )
    const badArn = await h.call('GetOpenIDConnectProvider', {
      OpenIDConnectProviderArn: 'arn:aws:iam::111122223333:role/nope',
    })
    assert.equal(badArn.code, 'InvalidInput')
    assert.equal(badArn.message, 'ARN arn:aws:iam::111122223333:role/nope is not valid.')
    const foreign = await h.call('GetOpenIDConnectProvider', {
      OpenIDConnectProviderArn: 'arn:aws:iam::999988887777:oidc-provider/issuer.example',
    })
    assert.equal(foreign.code, 'NoSuchEntity')
  } finally {
    h.close()
  }
})

test('client IDs, thumbprints and tags: add/remove, update, the 100 client IDs quota, at most 5 thumbprints', async () => {
  const h = harness()
  try {
    await h.ok('CreateOpenIDConnectProvider', { Url: URL, ...members('ClientIDList', ['a']) })
    await h.ok('AddClientIDToOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'b',
    })
    await h.ok('AddClientIDToOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'b',
    })
    await h.ok('RemoveClientIDFromOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'a',
    })
    await h.ok('RemoveClientIDFromOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'zz',
    })
    assert.deepEqual(
      (await h.ok('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN }))['ClientIDList'],
      ['b'],
    )
    for (let i = 0; i < 99; i++)
      await h.ok('AddClientIDToOpenIDConnectProvider', {
        OpenIDConnectProviderArn: ARN,
        ClientID: `c${i}`,
      })
    const over = await h.call('AddClientIDToOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ClientID: 'one-too-many',
    })
    assert.equal(over.code, 'LimitExceeded')
    assert.equal(over.message, 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100')
    const tooManyIds = await h.call('CreateOpenIDConnectProvider', {
      Url: 'https://other.example',
      ...members(
        'ClientIDList',
        Array.from({ length: 101 }, (_, i) => `id${i}`),
      ),
    })
    assert.equal(tooManyIds.code, 'LimitExceeded')

    const five = Array.from({ length: 5 }, (_, i) => String(i).repeat(40))
    await h.ok('UpdateOpenIDConnectProviderThumbprint', {
      OpenIDConnectProviderArn: ARN,
      ...members('ThumbprintList', five),
    })
    assert.deepEqual(
      (await h.ok('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: ARN }))['ThumbprintList'],
      five,
    )
    const six = await h.call('UpdateOpenIDConnectProviderThumbprint', {
      OpenIDConnectProviderArn: ARN,
      ...members('ThumbprintList', [...five, 'f'.repeat(40)]),
    })
    assert.equal(six.status, 400)
    assert.equal(six.code, 'InvalidInput')
    assert.equal(six.message, 'Thumbprint list must contain fewer than 5 entries.')
    const createSix = await h.call('CreateOpenIDConnectProvider', {
      Url: 'https://six.example',
      ...members('ThumbprintList', [...five, 'f'.repeat(40)]),
    })
    assert.equal(createSix.code, 'InvalidInput')

    await h.ok('TagOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      'Tags.member.1.Key': 'k',
      'Tags.member.1.Value': 'v',
    })
    assert.deepEqual(
      (await h.ok('ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: ARN }))['Tags'],
      [{ Key: 'k', Value: 'v' }],
    )
    await h.ok('UntagOpenIDConnectProvider', {
      OpenIDConnectProviderArn: ARN,
      ...members('TagKeys', ['k']),
    })
    assert.deepEqual(
      (await h.ok('ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: ARN }))['Tags'],
      [],
    )
  } finally {
    h.close()
  }
})

test('at most 100 OIDC providers per account', async () => {
  const h = harness()
  try {
    for (let i = 0; i < 100; i++)
      h.store.oidcProviders.create({ accountId: '111122223333', url: `issuer${i}.example` })
    const r = await h.call('CreateOpenIDConnectProvider', { Url: 'https://one-more.example' })
    assert.equal(r.code, 'LimitExceeded')
    assert.equal(r.message, 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100')
  } finally {
    h.close()
  }
})
