import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  compileParsed,
  compilePolicy,
  evaluate,
  parsePolicy,
  PolicyValidationError,
  type ParsedPolicy,
} from '../../../src/policy/index.js'
import { doc, request } from './helpers.js'

test('compileParsed takes parsePolicy output; refs carry the source id, type and Sid', () => {
  const parsed = parsePolicy(
    doc([
      { Sid: 'S1', Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: '', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
    ]),
    'identity',
  )
  const p = compileParsed(parsed, {
    id: 'arn:aws:iam::111122223333:policy/p',
    type: 'user-managed',
  })
  assert.equal(p.id, 'arn:aws:iam::111122223333:policy/p')
  assert.equal(p.kind, 'identity')
  assert.equal(p.version, '2012-10-17')
  assert.deepEqual(
    p.statements.map((s) => s.ref.sid),
    ['S1', undefined],
  )
  assert.deepEqual(evaluate(request(), { identity: [p] }).matched, [p.statements[0]?.ref])
})

test('compilePolicy throws IAM errors, and enforces the managed-policy Version rule on request', () => {
  assert.throws(
    () => compilePolicy('{}', 'identity', { id: 'x', type: 'none' }),
    PolicyValidationError,
  )
  const v2008 = JSON.stringify({
    Version: '2008-10-17',
    Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*' },
  })
  assert.equal(compilePolicy(v2008, 'identity', { id: 'x', type: 'none' }).version, '2008-10-17')
  assert.throws(
    () => compilePolicy(v2008, 'identity', { id: 'x', type: 'none' }, { managed: true }),
    (e) =>
      e instanceof PolicyValidationError &&
      e.message === 'Policy document must be version 2012-10-17 or greater.',
  )
})

test('a hand-built ParsedPolicy with an unknown operator does not compile (it would disarm a Deny)', () => {
  const parsed: ParsedPolicy = {
    kind: 'identity',
    version: '2012-10-17',
    statements: [
      {
        index: 0,
        effect: 'Deny',
        action: ['*'],
        resource: ['*'],
        conditions: [
          { operator: 'StringEqualz', key: 'a:b', values: ['c'], position: { line: 1, column: 1 } },
        ],
        start: { line: 1, column: 1 },
        end: { line: 1, column: 2 },
      },
    ],
  }
  assert.throws(() => compileParsed(parsed, { id: 'x', type: 'none' }), PolicyValidationError)
})
