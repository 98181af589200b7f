import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { StsLookups } from '../../../src/sts/index.js'
import { ACCOUNT, harness, type Harness } from './harness.js'

let h: Harness
before(async () => {
  h = await harness()
  h.role('app')
})
after(async () => {
  await h.close()
})

test('with a TTL, a found role is reused until the TTL passes; without one it is read each time', () => {
  const memo = new StsLookups(h.store, h.clock, 1000)
  const direct = new StsLookups(h.store, h.clock)
  const before = memo.role(ACCOUNT, 'APP')?.assumeRolePolicyDocument
  h.store.roles.updateAssumeRolePolicy(ACCOUNT, 'app', '{"Version":"2012-10-17","Statement":[]}')
  assert.equal(memo.role(ACCOUNT, 'app')?.assumeRolePolicyDocument, before)
  assert.equal(
    direct.role(ACCOUNT, 'app')?.assumeRolePolicyDocument,
    '{"Version":"2012-10-17","Statement":[]}',
  )
  h.clock.advance(1000)
  assert.equal(
    memo.role(ACCOUNT, 'app')?.assumeRolePolicyDocument,
    '{"Version":"2012-10-17","Statement":[]}',
  )
  assert.equal(memo.role(ACCOUNT, 'missing'), undefined)
  assert.equal(memo.provider(ACCOUNT, h.issuer.hostPath)?.arn, h.providerArn)
})
