import { test } from 'node:test'
import assert from 'node:assert/strict'
import { evaluate } from '../../../src/policy/index.js'
import { aws, decide, doc, policy, request } from './helpers.js'

const allow = (action: string, resource = '*') =>
  policy(doc([{ Effect: 'Allow', Action: action, Resource: resource }]))
const deny = (action: string, resource = '*') =>
  policy(doc([{ Effect: 'Deny', Action: action, Resource: resource }]))
const get = request()

test('nothing allows: implicit deny; an empty set and missing layers too', () => {
  assert.equal(decide(get, {}), 'implicitDeny')
  assert.equal(decide(get, { identity: [] }), 'implicitDeny')
  assert.equal(decide(get, { identity: [allow('s3:PutObject')] }), 'implicitDeny')
  assert.equal(decide(get, { boundary: [allow('s3:*')] }), 'implicitDeny')
  assert.equal(decide(get, { session: [allow('s3:*')] }), 'implicitDeny')
})

test('identity policies (managed and inline) are a union', () => {
  assert.equal(decide(get, { identity: [allow('s3:PutObject'), allow('s3:GetObject')] }), 'allowed')
})

test('a permissions boundary and session policies must allow too (intersection)', () => {
  const id = [allow('s3:*')]
  assert.equal(decide(get, { identity: id, boundary: [allow('s3:Get*')] }), 'allowed')
  assert.equal(decide(get, { identity: id, boundary: [allow('ec2:*')] }), 'implicitDeny')
  assert.equal(
    decide(get, { identity: id, session: [allow('s3:GetObject', 'arn:aws:s3:::bucket/*')] }),
    'allowed',
  )
  assert.equal(
    decide(get, { identity: id, session: [allow('s3:GetObject', 'arn:aws:s3:::bucket/public/*')] }),
    'implicitDeny',
  )
  assert.equal(
    decide(get, { identity: id, session: [allow('s3:PutObject'), allow('s3:GetObject')] }),
    'allowed',
  )
  assert.equal(
    decide(get, {
      identity: [allow('ec2:*')],
      boundary: [allow('s3:*')],
      session: [allow('s3:*')],
    }),
    'implicitDeny',
  )
  assert.equal(
    decide(get, { identity: id, boundary: [allow('s3:*')], session: [allow('s3:*')] }),
    'allowed',
  )
})

test('an explicit Deny in any layer wins over every Allow', () => {
  const id = [allow('s3:*')]
  assert.equal(decide(get, { identity: [...id, deny('s3:GetObject')] }), 'explicitDeny')
  assert.equal(
    decide(get, { identity: id, boundary: [allow('s3:*'), deny('s3:Get*')] }),
    'explicitDeny',
  )
  assert.equal(decide(get, { identity: id, session: [deny('*')] }), 'explicitDeny')
  // A Deny denies even when nothing else would have allowed.
  assert.equal(decide(get, { identity: [deny('s3:*')] }), 'explicitDeny')
})

test('the deciding statements: the matching Denies for a deny, the Allows for an allow', () => {
  const a = allow('s3:*')
  const b = allow('s3:GetObject')
  const d1 = deny('s3:Get*')
  const d2 = deny('*')
  const r = evaluate(get, { identity: [a, d1, b], boundary: [d2] })
  assert.equal(r.decision, 'explicitDeny')
  assert.deepEqual(
    r.matched.map((m) => m.policyId),
    [d1.id, d2.id],
  )
  const ok = evaluate(get, { identity: [a, allow('ec2:*'), b], boundary: [allow('s3:Get*')] })
  assert.equal(ok.decision, 'allowed')
  assert.equal(ok.matched.length, 3)
  assert.deepEqual(evaluate(get, { identity: [allow('ec2:*')] }).matched, [])
})

test('trust mode: the resource policy must allow; identity layers, when given, too', () => {
  const role = 'arn:aws:iam::111122223333:role/app'
  const caller = aws('arn:aws:iam::111122223333:user/alice')
  const r = request({}, { action: 'sts:AssumeRole', resource: role, principal: caller })
  const t = policy(
    doc([{ Effect: 'Allow', Principal: { AWS: caller.id }, Action: 'sts:AssumeRole' }]),
    'trust',
  )
  const tDeny = policy(doc([{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }]), 'trust')
  assert.equal(decide(r, { resource: t }), 'allowed')
  assert.equal(decide(r, { resource: tDeny }), 'explicitDeny')
  assert.equal(decide(r, { resource: tDeny, identity: [allow('sts:AssumeRole')] }), 'explicitDeny')
  assert.equal(decide(r, { resource: t, identity: [allow('sts:AssumeRole')] }), 'allowed')
  assert.equal(decide(r, { resource: t, identity: [allow('s3:*')] }), 'implicitDeny')
  assert.equal(decide(r, { resource: t, identity: [deny('sts:*')] }), 'explicitDeny')
  assert.equal(decide(r, { identity: [allow('sts:AssumeRole')] }), 'allowed')
})

test('statement order never matters', () => {
  const a = policy(
    doc([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' },
    ]),
  )
  const b = policy(
    doc([
      { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' },
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
    ]),
  )
  assert.equal(decide(get, a), 'explicitDeny')
  assert.equal(decide(get, b), 'explicitDeny')
})
