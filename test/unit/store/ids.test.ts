import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  accountIdOfUniqueId,
  clusterArn,
  isAccountId,
  newIssuerId,
  newUniqueId,
  oidcProviderArn,
  policyArn,
  roleArn,
} from '../../../src/store/index.js'

test('unique ids carry the account as AWS ids do (public examples decode)', () => {
  // Account ids and id prefixes seen together in public AWS outputs and moto.
  assert.equal(accountIdOfUniqueId('AROA2AVYNEVMZEZ2AFVYI'), '688655246681')
  assert.equal(accountIdOfUniqueId('AROARZPUZDIKN4U3OF74L'), '123456789012')
  const id = newUniqueId('AROA', '688655246681')
  assert.match(id, /^AROA2AVYNEVM[A-Z2-7]{9}$/)
})

test('newUniqueId: prefix, length, alphabet; every account round-trips, odd and even', () => {
  for (const account of [
    '000000000000',
    '000000000001',
    '111122223333',
    '999999999998',
    '999999999999',
  ]) {
    for (const [prefix, length] of [
      ['AROA', 21],
      ['ANPA', 21],
      ['AKIA', 20],
      ['ASIA', 20],
    ] as const) {
      const id = newUniqueId(prefix, account, length)
      assert.equal(id.length, length)
      assert.ok(id.startsWith(prefix))
      assert.match(id, /^[A-Z2-7]+$/)
      assert.equal(accountIdOfUniqueId(id), account, `${id} for ${account}`)
    }
  }
  const many = new Set(Array.from({ length: 200 }, () => newUniqueId('AROA', '111122223333')))
  assert.equal(many.size, 200, 'random tails do not collide')
})

test('newUniqueId refuses bad prefixes, accounts and lengths', () => {
  assert.throws(() => newUniqueId('aroa', '111122223333'))
  assert.throws(() => newUniqueId('AROA', '1111'))
  assert.throws(() => newUniqueId('AROA', '111122223333', 10))
})

test('accountIdOfUniqueId returns undefined for what no account encodes', () => {
  for (const bad of [
    '',
    'AROA',
    'AROA01234567890',
    'AROAAAAAAAAAAAAAAAAAA',
    'AKIAIOSFODNN7EXAMPLE',
  ])
    assert.equal(accountIdOfUniqueId(bad), undefined, bad)
})

test('issuer ids are 32 upper-case hex characters and fresh each time', () => {
  const a = newIssuerId()
  assert.match(a, /^[0-9A-F]{32}$/)
  assert.notEqual(newIssuerId(), a)
})

test('isAccountId accepts exactly 12 digits', () => {
  assert.equal(isAccountId('111122223333'), true)
  for (const bad of ['11112222333', '1111222233334', 'aws', '11112222333x', ' 111122223333'])
    assert.equal(isAccountId(bad), false, bad)
})

test('ARNs as AWS builds them, path included for roles and policies', () => {
  assert.equal(roleArn('111122223333', '/', 'app'), 'arn:aws:iam::111122223333:role/app')
  assert.equal(roleArn('111122223333', '/a/b/', 'app'), 'arn:aws:iam::111122223333:role/a/b/app')
  assert.equal(policyArn('aws', '/service-role/', 'X'), 'arn:aws:iam::aws:policy/service-role/X')
  assert.equal(
    oidcProviderArn('111122223333', 'oidc.eks.us-west-2.amazonaws.com/id/ABC'),
    'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
  )
  assert.equal(
    clusterArn('us-west-2', '111122223333', 'local'),
    'arn:aws:eks:us-west-2:111122223333:cluster/local',
  )
})
