import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  parsePolicy,
  PolicyValidationError,
  validatePolicy,
  type PolicyKind,
} from '../../../src/policy/index.js'
import { isIrsaError } from '../../../src/core/index.js'

const ok = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }
const trustOk = {
  Effect: 'Allow',
  Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.example.com' },
  Action: 'sts:AssumeRoleWithWebIdentity',
}
const d = (st: unknown, extra: object = {}): string =>
  JSON.stringify({ Version: '2012-10-17', ...extra, Statement: st })

/** IAM's message for the document (the first issue), or 'valid'. */
function message(text: string, kind: PolicyKind = 'identity', managed = false): string {
  const issues = validatePolicy(text, kind, { managed })
  return issues[0]?.message ?? 'valid'
}

test('valid documents: statement object or list, both versions, no version, Id, Sid', () => {
  assert.equal(message(d(ok)), 'valid')
  assert.equal(message(d([ok, { ...ok, Sid: 'Two2' }])), 'valid')
  assert.equal(message(JSON.stringify({ Version: '2008-10-17', Statement: ok })), 'valid')
  assert.equal(message(JSON.stringify({ Statement: [ok] })), 'valid')
  assert.equal(message(d(ok, { Id: 'my-policy' })), 'valid')
  assert.equal(message(d([trustOk]), 'trust'), 'valid')
  assert.equal(message(d([{ ...ok, Principal: '*' }]), 'resource'), 'valid')
})

test('grammar errors: "Syntax errors in policy." (identity, boundary, session, resource)', () => {
  const cases: [string, string][] = [
    ['not JSON', '{not json'],
    ['not an object', '[]'],
    ['empty object', '{}'],
    ['unknown top-level element', d(ok, { Statements: [] })],
    ['bad Version', JSON.stringify({ Version: '2020-01-01', Statement: ok })],
    ['Version not a string', JSON.stringify({ Version: 2012, Statement: ok })],
    ['Id not a string', d(ok, { Id: 1 })],
    ['missing Statement', JSON.stringify({ Version: '2012-10-17' })],
    ['null Statement', d(null)],
    ['empty Statement list', d([])],
    ['Statement a string', d('hello')],
    ['statement not an object', d([1])],
    ['unknown statement element', d([{ ...ok, Effects: 'Allow' }])],
    ['element names are case-sensitive', d([{ effect: 'Allow', Action: 's3:x', Resource: '*' }])],
    ['missing Effect', d([{ Action: 's3:GetObject', Resource: '*' }])],
    ['invalid Effect', d([{ ...ok, Effect: 'Maybe' }])],
    ['both Action and NotAction', d([{ ...ok, NotAction: 's3:PutObject' }])],
    ['both Resource and NotResource', d([{ ...ok, NotResource: 'arn:aws:s3:::b' }])],
    ['Action a number', d([{ ...ok, Action: 123 }])],
    ['Action list with a number', d([{ ...ok, Action: ['s3:x', 1] }])],
    ['Sid not a string', d([{ ...ok, Sid: 1 }])],
    ['Condition not an object', d([{ ...ok, Condition: [] }])],
    ['unknown condition operator', d([{ ...ok, Condition: { StringEqualz: { 'aws:x': 'y' } } }])],
    ['NullIfExists', d([{ ...ok, Condition: { NullIfExists: { 'aws:x': 'true' } } }])],
    ['operator value not an object', d([{ ...ok, Condition: { StringEquals: 'x' } }])],
    ['condition value null', d([{ ...ok, Condition: { StringEquals: { 'aws:x': null } } }])],
    ['condition value object', d([{ ...ok, Condition: { StringEquals: { 'aws:x': {} } } }])],
    ['condition value empty list', d([{ ...ok, Condition: { StringEquals: { 'aws:x': [] } } }])],
    [
      'duplicate key',
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:x","Resource":"*"}}',
    ],
  ]
  for (const [what, text] of cases) {
    for (const kind of ['identity', 'boundary', 'session', 'resource'] as const) {
      const t =
        kind === 'resource'
          ? text.replace('"Effect":"Allow"', '"Effect":"Allow","Principal":"*"')
          : text
      assert.equal(message(t, kind), 'Syntax errors in policy.', `${what} (${kind})`)
    }
  }
})

test('identity policies: no Principal, and Resource and Action are required', () => {
  assert.equal(
    message(d([{ ...ok, Principal: '*' }])),
    'Policy document should not specify a principal.',
  )
  assert.equal(
    message(d([{ ...ok, NotPrincipal: { AWS: '111122223333' } }]), 'boundary'),
    'Policy document should not specify a principal.',
  )
  assert.equal(
    message(d([{ Effect: 'Allow', Action: 's3:GetObject' }])),
    'Policy statement must contain resources.',
  )
  assert.equal(message(d([{ ...ok, Resource: [] }])), 'Policy statement must contain resources.')
  assert.equal(
    message(d([{ Effect: 'Allow', Resource: '*' }])),
    'Policy statement must contain actions.',
  )
  assert.equal(
    message(d([{ ...ok, Action: [] }]), 'session'),
    'Policy statement must contain actions.',
  )
})

test('resource policies need a Principal', () => {
  assert.equal(message(d([ok]), 'resource'), 'Missing required field Principal')
  assert.equal(message(d([{ ...ok, NotPrincipal: { AWS: '111122223333' } }]), 'resource'), 'valid')
})

test('Sids: unique, and alphanumeric in identity policies', () => {
  const dup = d([
    { ...ok, Sid: 'Dup' },
    { ...ok, Sid: 'Dup' },
  ])
  assert.equal(message(dup), 'Statement IDs (SID) in a single policy must be unique.')
  assert.equal(
    message(d([{ ...ok, Sid: 'has-dash' }])),
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  )
  assert.equal(message(d([{ ...trustOk, Sid: 'has-dash ok' }]), 'trust'), 'valid')
  assert.equal(
    message(
      d([
        { ...ok, Sid: '' },
        { ...ok, Sid: '' },
      ]),
    ),
    'valid',
  )
})

test('actions need a vendor prefix', () => {
  const msg = (a: string) => message(d([{ ...ok, Action: a }]))
  assert.equal(
    msg('GetObject'),
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  )
  assert.equal(
    msg(''),
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  )
  assert.equal(msg(':GetObject'), 'Vendor  is not valid')
  assert.equal(msg('iam :Get'), 'Vendor iam  is not valid')
  assert.equal(msg('s3:a:b'), 'Actions/Condition can contain only one colon.')
  assert.equal(
    message(d([{ ...ok, NotAction: 'GetObject', Action: undefined }])),
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  )
  for (const a of [
    '*',
    's3:*',
    '*:*',
    's3:Get*',
    'elasticloadbalancing:Describe?',
    'execute-api:Invoke',
  ])
    assert.equal(msg(a), 'valid', a)
  assert.equal(
    message(d([{ ...ok, Condition: { StringEquals: { SourceIp: 'x' } } }])),
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  )
})

test('resources must be ARNs (or *) in a known partition', () => {
  const msg = (r: string) => message(d([{ ...ok, Resource: r }]))
  assert.equal(msg('invalid'), 'Resource invalid must be in ARN format or "*".')
  assert.equal(
    message(d([{ ...ok, Resource: undefined, NotResource: 'invalid' }])),
    'Resource invalid must be in ARN format or "*".',
  )
  assert.equal(msg('arn:awss3::example-bucket/*'), 'The policy failed legacy parsing')
  assert.equal(msg('arn:aws::x:y:z'), 'The policy failed legacy parsing')
  assert.equal(
    msg('arn:aws2:s3:::example-bucket/*'),
    'Partition "aws2" is not valid for resource "arn:aws2:s3:::example-bucket/*".',
  )
  assert.equal(
    msg('arn:aws:*:::bucket'),
    'Resource vendor must be fully qualified and cannot contain regexes.',
  )
  assert.equal(
    msg('arn:aws:iam:us-east-1:111122223333:role/x'),
    'IAM resource arn:aws:iam:us-east-1:111122223333:role/x cannot contain region information.',
  )
  assert.equal(
    msg('arn:aws:s3:us-east-1::bucket'),
    'Resource arn:aws:s3:us-east-1::bucket can not contain region information.',
  )
  for (const r of [
    '*',
    'arn:aws:s3:::b',
    'arn:aws:s3:::b/*',
    'arn:aws-cn:s3:::b',
    'arn:aws:sqs:*',
    'arn:aws:ec2:*:*:instance/*',
    'arn:aws:s3:::${aws:username}/*',
  ])
    assert.equal(msg(r), 'valid', r)
})

test('managed policies need Version 2012-10-17', () => {
  const v2008 = JSON.stringify({ Version: '2008-10-17', Statement: ok })
  const none = JSON.stringify({ Statement: ok })
  assert.equal(
    message(v2008, 'identity', true),
    'Policy document must be version 2012-10-17 or greater.',
  )
  assert.equal(
    message(none, 'identity', true),
    'Policy document must be version 2012-10-17 or greater.',
  )
  assert.equal(message(d(ok), 'identity', true), 'valid')
  assert.equal(message(v2008, 'identity', false), 'valid')
})

test('dates in Date conditions must parse', () => {
  const c = (v: string) =>
    message(d([{ ...ok, Condition: { DateLessThan: { 'aws:CurrentTime': v } } }]))
  assert.equal(c('2024-13-01T00:00:00Z'), 'The policy failed legacy parsing')
  assert.equal(c('yesterday'), 'The policy failed legacy parsing')
  assert.equal(c('2024-01-01T00:00:00Z'), 'valid')
  assert.equal(c('1700000000'), 'valid')
})

test('trust policies: IAM words its checks differently', () => {
  const t = (st: unknown, extra: object = {}) => message(d(st, extra), 'trust')
  assert.equal(message('{invalid', 'trust'), 'This policy contains invalid Json')
  assert.equal(
    message(JSON.stringify({ Version: '2012-10-18', Statement: trustOk }), 'trust'),
    'The policy must contain a valid version string',
  )
  assert.equal(t([]), 'Could not parse the policy: Statement is empty!')
  assert.equal(t([{ ...trustOk, Effect: undefined }]), 'Missing required field Effect')
  assert.equal(t([{ ...trustOk, Effect: 'allow' }]), 'Invalid effect: allow')
  assert.equal(t([{ ...trustOk, Principal: undefined }]), 'Missing required field Principal')
  assert.equal(
    t([{ ...trustOk, Principal: {} }]),
    'Missing required field Principal cannot be empty!',
  )
  assert.equal(
    t([{ ...trustOk, Principal: 'arn:aws:iam::111122223333:root' }]),
    'Principal must be a JSON object.',
  )
  assert.equal(
    t([{ ...trustOk, Principal: undefined, NotPrincipal: { AWS: '*' } }]),
    'Allow with NotPrincipal is not allowed.',
  )
  assert.equal(
    t([{ ...trustOk, Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: '*' } }]),
    'AssumeRole policy must not contain NotPrincipal field.',
  )
  assert.equal(t([{ ...trustOk, Action: undefined }]), 'Missing required field Action')
  assert.equal(
    t([{ ...trustOk, Action: '*' }]),
    'AssumeRole policy may only specify STS AssumeRole actions.',
  )
  assert.equal(
    t([{ ...trustOk, Action: 's3:GetObject' }]),
    'AssumeRole policy may only specify STS AssumeRole actions.',
  )
  assert.equal(
    t([{ ...trustOk, Action: 'sts:GetCallerIdentity' }]),
    'AssumeRole policy may only specify STS AssumeRole actions.',
  )
  assert.equal(t([{ ...trustOk, Resource: '*' }]), 'Has prohibited field Resource')
  assert.equal(
    t([{ ...trustOk, NotResource: '*' }]),
    'AssumeRole policy must not contain resources.',
  )
  assert.equal(
    t([
      { ...trustOk, Sid: 'A' },
      { ...trustOk, Sid: 'A' },
    ]),
    'The Statement Ids in the policy are not unique',
  )
  assert.equal(
    t([{ ...trustOk, Condition: { StringEqualz: { 'a:b': 'c' } } }]),
    'Syntax error in policy.',
  )
  for (const a of [
    'sts:AssumeRole',
    'sts:AssumeRoleWithWebIdentity',
    'STS:assumerolewithwebidentity',
    'sts:TagSession',
    'sts:SetSourceIdentity',
    'sts:*',
    'sts:Assume*',
  ])
    assert.equal(t([{ ...trustOk, Action: a }]), 'valid', a)
})

test('principal values: * only alone, known types, AWS values that can name a principal', () => {
  const t = (p: unknown) => message(d([{ ...trustOk, Principal: p }]), 'trust')
  assert.equal(
    t({ AWS: 'arn:aws:iam::*:role/x' }),
    'Invalid principal in policy: "AWS":"arn:aws:iam::*:role/x"',
  )
  assert.equal(
    t({ AWS: 'not-a-principal' }),
    'Invalid principal in policy: "AWS":"not-a-principal"',
  )
  assert.equal(
    t({ Federated: 'arn:aws:iam::1:oidc-provider/*' }),
    'Invalid principal in policy: "Federated":"arn:aws:iam::1:oidc-provider/*"',
  )
  assert.equal(t({ Users: 'x' }), 'Invalid principal in policy: "Users"')
  assert.equal(t({ AWS: [] }), 'Missing required field Principal cannot be empty!')
  for (const p of [
    '*',
    { AWS: '*' },
    { AWS: '111122223333' },
    { AWS: 'arn:aws:iam::111122223333:root' },
    { AWS: ['arn:aws:iam::111122223333:role/a/b', 'arn:aws:sts::111122223333:assumed-role/a/s'] },
    { Service: 'ec2.amazonaws.com' },
    { Federated: 'accounts.google.com' },
    { AWS: 'AROAEXAMPLEID1234567' },
  ])
    assert.equal(t(p), 'valid', JSON.stringify(p))
})

test('issues carry a path and the line and column of the offending element', () => {
  const text =
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "s3:GetObject"\n    }\n  ]\n}'
  const issues = validatePolicy(text, 'identity')
  assert.deepEqual(issues, [
    {
      message: 'Policy statement must contain resources.',
      path: '/Statement/0/Resource',
      position: { line: 4, column: 5 },
    },
  ])
  const bad = validatePolicy('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}', 'identity')
  assert.deepEqual(bad[0]?.position, { line: 3, column: 17 })
})

test('every issue is listed, the one IAM reports first', () => {
  const issues = validatePolicy(
    d([
      { Effect: 'Allow', Action: 'GetObject' },
      { ...ok, Principal: '*', Sid: 'x-y' },
    ]),
    'identity',
  )
  assert.deepEqual(
    issues.map((i) => i.message),
    [
      'Policy document should not specify a principal.',
      'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
      'Policy statement must contain resources.',
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    ],
  )
})

test('parsePolicy throws PolicyValidationError (MalformedPolicyDocument) with IAM message', () => {
  assert.throws(
    () => parsePolicy(d([{ ...ok, Principal: '*' }]), 'identity'),
    (e) =>
      e instanceof PolicyValidationError &&
      isIrsaError(e) &&
      e.code === 'MalformedPolicyDocument' &&
      e.message === 'Policy document should not specify a principal.' &&
      e.issues.length === 1,
  )
})

test('parsePolicy normalises statements and keeps their positions', () => {
  const text = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "One",
      "Effect": "Deny",
      "NotAction": "iam:*",
      "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
      "Condition": { "Bool": { "aws:SecureTransport": false }, "NumericLessThan": { "s3:max-keys": 10 } }
    },
    {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}
  ]
}`
  const p = parsePolicy(text, 'identity')
  assert.equal(p.version, '2012-10-17')
  assert.equal(p.statements.length, 2)
  const [a, b] = p.statements
  assert.ok(a !== undefined && b !== undefined)
  assert.deepEqual(a.start, { line: 4, column: 5 })
  assert.deepEqual(a.end, { line: 10, column: 5 })
  assert.deepEqual(b.start, { line: 11, column: 5 })
  assert.deepEqual(b.end, { line: 11, column: 81 })
  assert.equal(a.sid, 'One')
  assert.equal(a.effect, 'Deny')
  assert.deepEqual(a.notAction, ['iam:*'])
  assert.deepEqual(a.resource, ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'])
  assert.deepEqual(
    a.conditions.map((c) => [c.operator, c.key, c.values, c.position.line]),
    [
      ['Bool', 'aws:SecureTransport', ['false'], 9],
      ['NumericLessThan', 's3:max-keys', ['10'], 9],
    ],
  )
  assert.deepEqual(b.notResource, ['arn:aws:s3:::secret/*'])
  assert.equal(b.index, 1)
})
