import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  compilePolicy,
  evaluate,
  explain,
  formatExplanation,
  type EvalRequest,
} from '../../../src/policy/index.js'
import { aws, doc, list, policy, request, s, v } from './helpers.js'

test("the EKS docs' example: implicit deny, explained as a resource mismatch", () => {
  const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject"
      ],
      "Resource": [
        "arn:aws:s3:::my-pod-secrets-bucket"
      ]
    }
  ]
}
`
  const p = compilePolicy(text, 'identity', { id: 'my-policy.json', type: 'user-managed' })
  const r = request({}, { resource: 'arn:aws:s3:::my-pod-secrets-bucket/key' })
  const x = explain(r, { identity: [p] })
  assert.equal(x.decision, 'implicitDeny')
  assert.deepEqual(x.matched, [])
  assert.deepEqual(x.layers, [
    {
      layer: 'identity',
      decision: 'implicitDeny',
      statements: [
        {
          statement: {
            policyId: 'my-policy.json',
            policyType: 'user-managed',
            index: 0,
            start: { line: 4, column: 5 },
            end: { line: 12, column: 5 },
          },
          effect: 'Allow',
          matched: false,
          reason: {
            element: 'resource',
            resource: 'arn:aws:s3:::my-pod-secrets-bucket/key',
            patterns: ['arn:aws:s3:::my-pod-secrets-bucket'],
            negated: false,
          },
        },
      ],
    },
  ])
  assert.equal(
    formatExplanation(x),
    [
      'decision: implicitDeny',
      'request: s3:GetObject on arn:aws:s3:::my-pod-secrets-bucket/key',
      'deciding statements: none',
      'identity policies: implicitDeny',
      '  my-policy.json statement 0 (4:5-12:5) Allow: no match: resource arn:aws:s3:::my-pod-secrets-bucket/key is not matched by Resource ["arn:aws:s3:::my-pod-secrets-bucket"]',
      'missing context keys: none',
      '',
    ].join('\n'),
  )
  // The JSON form survives a round trip.
  assert.deepEqual(JSON.parse(JSON.stringify(x)), x)
})

test('each element reports its own first mismatch', () => {
  const p = policy(
    doc([
      { Sid: 'Action', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
      { Sid: 'NotAction', Effect: 'Allow', NotAction: 's3:*', Resource: '*' },
      { Sid: 'NotResource', Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::bucket/*' },
      {
        Sid: 'Cond',
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' }, StringEquals: { 'a:k': 'x' } },
      },
      { Sid: 'Match', Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::bucket/*' },
    ]),
  )
  const x = explain(request({ 'aws:SecureTransport': v('boolean', 'true') }), { identity: [p] })
  assert.equal(x.decision, 'allowed')
  const lines = formatExplanation(x).split('\n')
  assert.ok(
    lines.includes(
      `  ${p.id} statement 0 (Sid "Action", 4:5-9:5) Allow: no match: action s3:GetObject is not matched by Action ["ec2:*"]`,
    ),
    lines.join('\n'),
  )
  assert.ok(
    lines.some((l) =>
      l.endsWith('no match: action s3:GetObject is excluded by NotAction ["s3:*"]'),
    ),
  )
  assert.ok(
    lines.some((l) =>
      l.endsWith(
        'no match: resource arn:aws:s3:::bucket/key is excluded by NotResource ["arn:aws:s3:::bucket/*"]',
      ),
    ),
  )
  assert.ok(
    lines.some((l) =>
      l.endsWith(
        'Deny: no match: condition Bool aws:SecureTransport: expected ["false"], got ["true"]',
      ),
    ),
  )
  assert.ok(lines.some((l) => l.includes('(Sid "Match"') && l.endsWith('Allow: matches')))
  assert.deepEqual(
    x.matched.map((m) => m.sid),
    ['Match'],
  )
  assert.deepEqual(x.missingContextKeys, [])
})

test('principal mismatches and absent condition keys are explained', () => {
  const t = policy(
    doc([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:role/a' },
        Action: 'sts:AssumeRole',
      },
    ]),
    'trust',
  )
  const x = explain(
    request(
      {},
      {
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::1:role/r',
        principal: aws('arn:aws:iam::111122223333:user/u'),
      },
    ),
    { resource: t },
  )
  assert.deepEqual(x.layers[0]?.statements[0]?.reason, {
    element: 'principal',
    principal: 'AWS:arn:aws:iam::111122223333:user/u',
    patterns: ['AWS:arn:aws:iam::111122223333:role/a'],
    negated: false,
  })
  const c = policy(
    doc([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } },
      },
    ]),
  )
  const y = explain(request({ 'aws:username': s('alice') }), { identity: [c] })
  assert.deepEqual(y.layers[0]?.statements[0]?.reason, {
    element: 'condition',
    operator: 'StringEquals',
    key: 'aws:PrincipalTag/team',
    expected: ['alice'],
    actual: undefined,
  })
  assert.match(formatExplanation(y), /expected \["alice"\], the request has no such key/)
  assert.deepEqual(y.missingContextKeys, ['aws:PrincipalTag/team'])
})

test('missing context keys are sorted and de-duplicated case-insensitively', () => {
  const p = policy(
    doc([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { StringEqualsIfExists: { 'b:Key': 'x', 'A:key': 'y' } },
      },
      { Effect: 'Allow', Action: '*', Resource: '*', Condition: { Null: { 'B:KEY': 'true' } } },
      {
        Effect: 'Allow',
        Action: 'ec2:*',
        Resource: '*',
        Condition: { Null: { 'c:skipped': 'true' } },
      },
    ]),
  )
  assert.deepEqual(evaluate(request(), { identity: [p] }).missingContextKeys, ['A:key', 'b:Key'])
})

// --- evaluate and explain agree, on random policies and requests ------------------------

const KEYS = ['a:str', 'a:num', 'a:list', 'aws:SourceIp', 'a:date', 'a:bool'] as const
const VALUES = ['x', 'x*', 'X', '5', '10', 'true', '10.0.0.0/8', 'arn:aws:s3:::*', '${a:str}']
const DATES = ['2024-01-01', '1700000000', '2023-06-01T00:00:00Z']
const conditionArb = fc
  .record({
    op: fc.constantFrom(
      'StringEquals',
      'StringNotEquals',
      'StringLike',
      'StringNotLike',
      'StringEqualsIgnoreCase',
      'NumericLessThan',
      'NumericNotEquals',
      'DateGreaterThan',
      'DateNotEquals',
      'Bool',
      'IpAddress',
      'NotIpAddress',
      'Null',
      'StringEqualsIfExists',
      'ForAnyValue:StringLike',
      'ForAllValues:StringEquals',
      'ArnLike',
      'ArnNotLike',
    ),
    key: fc.constantFrom(...KEYS),
  })
  .chain(({ op, key }) =>
    fc.record({
      op: fc.constant(op),
      key: fc.constant(key),
      values: fc.array(fc.constantFrom(...(op.startsWith('Date') ? DATES : VALUES)), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  )
const statementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Action: fc.constantFrom('s3:*', 's3:GetObject', 's3:Put*', '*', 'ec2:Run*'),
  Resource: fc.constantFrom(
    '*',
    'arn:aws:s3:::bucket/*',
    'arn:aws:s3:::bucket',
    'arn:aws:s3:::${a:str}/*',
  ),
  conditions: fc.array(conditionArb, { maxLength: 3 }),
})
const contextArb = fc.record(
  {
    'a:str': fc.constantFrom(s('x'), s('xyz'), s('X'), s('bucket')),
    'a:num': fc.constantFrom(v('numeric', '5'), v('numeric', '7'), v('numeric', 'nope')),
    'a:list': fc.constantFrom(list(), list('x'), list('x', 'y')),
    'aws:SourceIp': fc.constantFrom(v('ip', '10.1.2.3'), v('ip', '192.0.2.1'), v('ip', '::1')),
    'a:date': fc.constantFrom(v('date', '2023-06-01T00:00:00Z'), v('date', '1800000000')),
    'a:bool': fc.constantFrom(v('boolean', 'true'), v('boolean', 'false')),
  },
  { requiredKeys: [] },
)

test('evaluate and explain always agree (decision, deciding statements, missing keys)', () => {
  fc.assert(
    fc.property(
      fc.array(statementArb, { minLength: 1, maxLength: 4 }),
      contextArb,
      fc.constantFrom('s3:GetObject', 's3:PutObject', 'ec2:RunInstances'),
      (stmts, context, action) => {
        const statements = stmts.map(({ conditions, ...st }) => {
          const Condition: Record<string, Record<string, string[]>> = {}
          for (const c of conditions) (Condition[c.op] ??= {})[c.key] = c.values
          return { ...st, Condition }
        })
        const text = doc(statements)
        const p = policy(text)
        const req: EvalRequest = {
          action,
          resource: 'arn:aws:s3:::bucket/key',
          context,
        }
        const e = evaluate(req, { identity: [p] })
        const x = explain(req, { identity: [p] })
        assert.equal(x.decision, e.decision)
        assert.deepEqual(x.matched, e.matched)
        assert.deepEqual(x.missingContextKeys, e.missingContextKeys)
        const traced = x.layers[0]?.statements ?? []
        assert.equal(traced.length, statements.length)
        for (const t of traced) assert.equal(t.matched, t.reason === undefined)
        const matchedAllows = traced
          .filter((t) => t.matched && t.effect === 'Allow')
          .map((t) => t.statement)
        const matchedDenies = traced
          .filter((t) => t.matched && t.effect === 'Deny')
          .map((t) => t.statement)
        if (matchedDenies.length > 0) assert.deepEqual(e.matched, matchedDenies)
        else if (matchedAllows.length > 0) assert.deepEqual(e.matched, matchedAllows)
        else assert.equal(e.decision, 'implicitDeny')
      },
    ),
    { numRuns: 500 },
  )
})
