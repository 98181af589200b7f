import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  evaluate,
  explain,
  type PolicySet,
  type CompiledPolicy,
} from '../../../src/policy/index.js'
import { aws, doc, policy, request, s } from './helpers.js'

test('missing context keys: sorted ignoring case, each once, spelled as first met', () => {
  // IfExists conditions hold on absent keys, so every key below is looked up, in this order.
  const p = policy(
    doc([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEqualsIfExists: { 'c:key': 'x', 'A:key': 'x', 'm:key': 'x' },
          StringLikeIfExists: { 'b:key': 'x', 'a:KEY': 'x', 'z:key': 'x', 'M:KEY': 'x' },
        },
      },
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { NumericLessThanIfExists: { 'C:KEY': '1', 'present:key': '1', 'd:key': '1' } },
      },
    ]),
  )
  const req = request({ 'present:key': s('0') })
  const r = evaluate(req, { identity: [p] })
  assert.equal(r.decision, 'allowed')
  assert.deepEqual(r.missingContextKeys, ['A:key', 'b:key', 'c:key', 'd:key', 'm:key', 'z:key'])
  assert.deepEqual(explain(req, { identity: [p] }).missingContextKeys, r.missingContextKeys)
  // A request that misses nothing reports an empty list, on every call.
  const full = request({ 'present:key': s('0') })
  const none = policy(doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]))
  assert.deepEqual(evaluate(full, { identity: [none] }).missingContextKeys, [])
  assert.deepEqual(evaluate(full, { identity: [none] }).missingContextKeys, [])
})

test('the deciding statements of every layer, in layer order: identity, boundary, session, resource', () => {
  const role = 'arn:aws:iam::111122223333:role/app'
  const allow = (id: string): CompiledPolicy =>
    policy(doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]), 'identity', id)
  const trust = policy(
    doc([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' },
        Action: 's3:GetObject',
        Resource: '*',
      },
    ]),
    'resource',
    'resource.json',
  )
  const set: PolicySet<CompiledPolicy> = {
    identity: [allow('i1'), allow('i2')],
    boundary: [allow('b1')],
    session: [allow('s1'), allow('s2')],
    resource: trust,
  }
  const req = request(
    {},
    { resource: role, principal: aws('arn:aws:iam::111122223333:user/alice') },
  )
  const r = evaluate(req, set)
  assert.equal(r.decision, 'allowed')
  assert.deepEqual(
    r.matched.map((m) => m.policyId),
    ['i1', 'i2', 'b1', 's1', 's2', 'resource.json'],
  )
  const deny = (id: string): CompiledPolicy =>
    policy(doc([{ Effect: 'Deny', Action: 's3:Get*', Resource: '*' }]), 'identity', id)
  const denied = evaluate(req, {
    identity: [allow('i1'), deny('d1')],
    boundary: [deny('d2')],
    session: [allow('s1'), deny('d3')],
  })
  assert.equal(denied.decision, 'explicitDeny')
  assert.deepEqual(
    denied.matched.map((m) => m.policyId),
    ['d1', 'd2', 'd3'],
  )
})
