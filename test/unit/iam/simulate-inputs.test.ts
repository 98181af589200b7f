import { test } from 'node:test'
import assert from 'node:assert/strict'
import { QueryParams } from '../../../src/aws/index.js'
import type { IamCall } from '../../../src/iam/action-kit.js'
import { readContextEntries } from '../../../src/iam/actions/simulate-inputs.js'
import { buildRequestContext } from '../../../src/iam/request-context.js'
import { evaluate, compilePolicy } from '../../../src/policy/index.js'

/** A call whose validation throws on the first failure. */
const call = {
  v: { fail: (at: string) => assert.fail(`unexpected failure at ${at}`) },
} as unknown as IamCall

const entry = (i: number, key: string, value: string): [string, string][] => [
  [`ContextEntries.member.${i}.ContextKeyName`, key],
  [`ContextEntries.member.${i}.ContextKeyType`, 'string'],
  [`ContextEntries.member.${i}.ContextKeyValues.member.1`, value],
]

test('readContextEntries: keys named __proto__ and constructor are own keys, no prototype is set', () => {
  const ctx = readContextEntries(
    QueryParams.from([
      ...entry(1, '__proto__', 'p'),
      ...entry(2, 'constructor', 'c'),
      ...entry(3, 'hasOwnProperty', 'h'),
    ]),
    call,
  )
  assert.equal(Object.getPrototypeOf(ctx), null)
  assert.deepEqual(Object.keys(ctx), ['__proto__', 'constructor', 'hasOwnProperty'])
  assert.deepEqual(Object.getOwnPropertyDescriptor(ctx, '__proto__')?.value, {
    type: 'string',
    values: ['p'],
  })
  assert.deepEqual(ctx['constructor'], { type: 'string', values: ['c'] })
  assert.equal(Object.getPrototypeOf({}), Object.prototype, 'no shared prototype was touched')
  // A key nobody sent is absent, not inherited from Object.prototype.
  assert.equal(Object.hasOwn(ctx, 'toString') || 'toString' in ctx, false)
  assert.equal('valueOf' in ctx, false)
})

test('readContextEntries: a __proto__ key sits next to real keys the evaluator reads', () => {
  const ctx = readContextEntries(
    QueryParams.from([...entry(1, '__proto__', 'p'), ...entry(2, 'aws:PrincipalTag/team', 'blue')]),
    call,
  )
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
      },
    ],
  })
  const identity = [compilePolicy(doc, 'identity', { id: 'p', type: 'user' })]
  const r = evaluate({ action: 's3:GetObject', resource: '*', context: ctx }, { identity })
  assert.equal(r.decision, 'allowed')
})

test('buildRequestContext: session tag keys are own keys of a prototype-less record', () => {
  const ctx = buildRequestContext({
    principal: {
      kind: 'role-session',
      accountId: '111122223333',
      arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
      userId: 'AROAEXAMPLE:s',
      roleArn: 'arn:aws:iam::111122223333:role/r',
      roleId: 'AROAEXAMPLE',
      roleName: 'r',
      sessionName: 's',
      sessionTags: [{ key: '__proto__', value: 'x' }],
      expiresAtMs: 3_600_000,
    },
    nowMs: 0,
    extra: { constructor: 'c' },
  })
  assert.equal(Object.getPrototypeOf(ctx), null)
  assert.deepEqual(ctx['aws:PrincipalTag/__proto__'], { type: 'string', values: ['x'] })
  assert.deepEqual(ctx['constructor'], { type: 'string', values: ['c'] })
})
