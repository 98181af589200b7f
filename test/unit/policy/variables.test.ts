import { test } from 'node:test'
import assert from 'node:assert/strict'
import { evaluate } from '../../../src/policy/index.js'
import { decide, doc, holds, list, policy, request, s } from './helpers.js'

const home = (resource: string, version: string | null = '2012-10-17') =>
  policy(doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }], version))

test('${aws:username} in Resource takes the request value', () => {
  const p = home('arn:aws:s3:::bucket/home/${aws:username}/*')
  const ctx = { 'aws:username': s('alice') }
  assert.equal(
    decide(request(ctx, { resource: 'arn:aws:s3:::bucket/home/alice/notes' }), p),
    'allowed',
  )
  assert.equal(
    decide(request(ctx, { resource: 'arn:aws:s3:::bucket/home/bob/notes' }), p),
    'implicitDeny',
  )
})

test('tag variables and a substituted value are literal text, never wildcards', () => {
  const p = home('arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*')
  const r = (team: string, key: string) =>
    decide(
      request({ 'aws:PrincipalTag/team': s(team) }, { resource: `arn:aws:s3:::bucket/${key}` }),
      p,
    )
  assert.equal(r('payments', 'payments/x'), 'allowed')
  assert.equal(r('payments', 'other/x'), 'implicitDeny')
  assert.equal(r('*', 'other/x'), 'implicitDeny')
  assert.equal(r('*', '*/x'), 'allowed')
})

test('a variable without a value matches nothing; a default fills in', () => {
  const p = home('arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*')
  const req = request({}, { resource: 'arn:aws:s3:::bucket/x/y' })
  assert.equal(decide(req, p), 'implicitDeny')
  assert.deepEqual(evaluate(req, { identity: [p] }).missingContextKeys, ['aws:PrincipalTag/team'])
  const withDefault = home("arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*")
  assert.equal(
    decide(request({}, { resource: 'arn:aws:s3:::bucket/company-wide/y' }), withDefault),
    'allowed',
  )
  assert.equal(
    decide(request({}, { resource: 'arn:aws:s3:::bucket/x/y' }), withDefault),
    'implicitDeny',
  )
  assert.equal(
    decide(
      request({ 'aws:PrincipalTag/team': s('red') }, { resource: 'arn:aws:s3:::bucket/red/y' }),
      withDefault,
    ),
    'allowed',
  )
})

test('a multivalued key has no value as a variable', () => {
  const p = home('arn:aws:s3:::bucket/${aws:TagKeys}/*')
  assert.equal(
    decide(request({ 'aws:TagKeys': list('a') }, { resource: 'arn:aws:s3:::bucket/a/y' }), p),
    'implicitDeny',
  )
})

test('a NotResource whose variable has no value does not apply (it cannot say what it excludes)', () => {
  const p = policy(
    doc([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        NotResource: 'arn:aws:s3:::bucket/${aws:username}/*',
      },
    ]),
  )
  assert.equal(decide(request({}, { resource: 'arn:aws:s3:::other/x' }), p), 'implicitDeny')
  assert.equal(
    decide(request({ 'aws:username': s('a') }, { resource: 'arn:aws:s3:::other/x' }), p),
    'allowed',
  )
  assert.equal(
    decide(request({ 'aws:username': s('a') }, { resource: 'arn:aws:s3:::bucket/a/x' }), p),
    'implicitDeny',
  )
})

test('escapes ${*}, ${?} and ${$} are the literal characters', () => {
  const p = home('arn:aws:s3:::bucket/${*}${?}${$}')
  assert.equal(decide(request({}, { resource: 'arn:aws:s3:::bucket/*?$' }), p), 'allowed')
  assert.equal(decide(request({}, { resource: 'arn:aws:s3:::bucket/ab$' }), p), 'implicitDeny')
  assert.equal(holds({ StringLike: { 'a:k': 'x${*}' } }, { 'a:k': s('x*') }), true)
  assert.equal(holds({ StringLike: { 'a:k': 'x${*}' } }, { 'a:k': s('xyz') }), false)
})

test('without Version 2012-10-17 variables are literal text', () => {
  for (const version of [null, '2008-10-17']) {
    const p = home('arn:aws:s3:::bucket/${aws:username}', version)
    assert.equal(
      decide(request({ 'aws:username': s('alice') }, { resource: 'arn:aws:s3:::bucket/alice' }), p),
      'implicitDeny',
    )
    assert.equal(
      decide(request({}, { resource: 'arn:aws:s3:::bucket/${aws:username}' }), p),
      'allowed',
    )
    assert.equal(
      holds(
        { StringEquals: { 'a:k': '${aws:username}' } },
        { 'a:k': s('${aws:username}'), 'aws:username': s('x') },
        version,
      ),
      true,
    )
  }
})

test('variables in String and ARN condition values, not in other operators', () => {
  const ctx = { 'aws:username': s('alice'), 's3:prefix': s('alice/docs') }
  assert.equal(holds({ StringLike: { 's3:prefix': '${aws:username}/*' } }, ctx), true)
  assert.equal(
    holds(
      { StringLike: { 's3:prefix': '${aws:username}/*' } },
      { ...ctx, 'aws:username': s('bob') },
    ),
    false,
  )
  assert.equal(
    holds({ StringLike: { 's3:prefix': '${aws:username}/*' } }, { 's3:prefix': s('x/y') }),
    false,
  )
  // A negated operator with a variable that has no value fails too: nothing to compare with.
  assert.equal(
    holds({ StringNotEquals: { 's3:prefix': '${aws:username}' } }, { 's3:prefix': s('x') }),
    false,
  )
  assert.equal(
    holds(
      { StringEqualsIgnoreCase: { 'a:k': '${aws:username}' } },
      { 'a:k': s('ALICE'), 'aws:username': s('alice') },
    ),
    true,
  )
  const n = {
    'a:n': { type: 'numeric' as const, values: ['5'] },
    'a:m': { type: 'numeric' as const, values: ['5'] },
  }
  assert.equal(holds({ NumericEquals: { 'a:n': '${a:m}' } }, n), false)
  assert.equal(
    holds(
      {
        ArnLike: { 'aws:SourceArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/${aws:username}-*' },
      },
      {
        'aws:SourceArn': s('arn:aws:iam::111122223333:role/alice-admin'),
        'aws:PrincipalAccount': s('111122223333'),
        'aws:username': s('alice'),
      },
    ),
    true,
  )
  assert.equal(
    holds(
      { ArnLike: { 'aws:SourceArn': 'arn:aws:iam::${aws:PrincipalAccount}:role/*' } },
      {
        'aws:SourceArn': s('arn:aws:iam::111122223333:role/x'),
        'aws:PrincipalAccount': s('444455556666'),
      },
    ),
    false,
  )
})

test('OIDC claim keys and aws:FederatedProvider work as variables', () => {
  const issuer = 'oidc.eks.us-west-2.amazonaws.com/id/ABC'
  const ctx = {
    [`${issuer}:sub`]: s('system:serviceaccount:team-a:app'),
    'aws:FederatedProvider': s(`arn:aws:iam::111122223333:oidc-provider/${issuer}`),
  }
  const p = policy(
    doc([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::bucket/\${${issuer}:sub}/*`,
        Condition: { StringEquals: { 'a:provider': '${aws:FederatedProvider}' } },
      },
    ]),
  )
  const r = request(
    { ...ctx, 'a:provider': s(`arn:aws:iam::111122223333:oidc-provider/${issuer}`) },
    { resource: 'arn:aws:s3:::bucket/system:serviceaccount:team-a:app/f' },
  )
  assert.equal(decide(r, p), 'allowed')
})
