import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ACCOUNT, harness, members, trustPolicy } from './harness.js'

const TRUST = trustPolicy('oidc.example.com/id/ABC')

/** A pretty-printed policy, so statements have distinct lines. */
const pretty = (...statements: Record<string, unknown>[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2)

/** Line and column (1-based) of the n-th statement's `{` and `}` in a pretty() document. */
function bounds(text: string, n: number): { start: [number, number]; end: [number, number] } {
  const lines = text.split('\n')
  const opens = lines.flatMap((l, i) => (l === '    {' ? [i + 1] : []))
  const closes = lines.flatMap((l, i) => (/^ {4}\},?$/.test(l) ? [i + 1] : []))
  return { start: [opens[n] ?? 0, 5], end: [closes[n] ?? 0, 5] }
}

interface Result {
  EvalActionName: string
  EvalResourceName: string
  EvalDecision: string
  MatchedStatements: {
    SourcePolicyId: string
    SourcePolicyType: string
    StartPosition: { Line: number; Column: number }
    EndPosition: { Line: number; Column: number }
  }[]
  MissingContextValues: string[]
  PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean }
}

test('SimulateCustomPolicy: allowed, implicitDeny and explicitDeny with matched statements and positions', async () => {
  const h = harness()
  try {
    const doc = pretty(
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' },
      { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    )
    const out = await h.ok('SimulateCustomPolicy', {
      ...members('PolicyInputList', [doc]),
      ...members('ActionNames', ['s3:GetObject', 's3:DeleteObject', 'ec2:RunInstances']),
      ...members('ResourceArns', ['arn:aws:s3:::b/k']),
    })
    const results = out['EvaluationResults'] as Result[]
    assert.equal(out['IsTruncated'], false)
    assert.deepEqual(
      results.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]),
      [
        ['s3:GetObject', 'arn:aws:s3:::b/k', 'allowed'],
        ['s3:DeleteObject', 'arn:aws:s3:::b/k', 'explicitDeny'],
        ['ec2:RunInstances', 'arn:aws:s3:::b/k', 'implicitDeny'],
      ],
    )
    const allow = bounds(doc, 0)
    const deny = bounds(doc, 1)
    assert.deepEqual(results[0]?.MatchedStatements, [
      {
        SourcePolicyId: 'PolicyInputList.1',
        SourcePolicyType: 'none',
        StartPosition: { Line: allow.start[0], Column: allow.start[1] },
        EndPosition: { Line: allow.end[0], Column: allow.end[1] },
      },
    ])
    assert.deepEqual(
      results[1]?.MatchedStatements.map((s) => s.StartPosition.Line),
      [deny.start[0]],
      'a deny lists only the deny statement',
    )
    assert.deepEqual(results[2]?.MatchedStatements, [])

    const xml = await h.call(
      'SimulateCustomPolicy',
      { ...members('PolicyInputList', [doc]), ...members('ActionNames', ['s3:GetObject']) },
      { xml: true },
    )
    assert.match(xml.body, /<EvalDecision>implicitDeny<\/EvalDecision>/, 'resource * is not b/*')
    assert.match(xml.body, /<EvalResourceName>\*<\/EvalResourceName>/)
  } finally {
    h.close()
  }
})

test('SimulateCustomPolicy: ContextEntries and MissingContextValues, paging, malformed input', async () => {
  const h = harness()
  try {
    const doc = pretty({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: {
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
        StringEquals: { 'aws:PrincipalTag/team': 'blue' },
      },
    })
    const base = {
      ...members('PolicyInputList', [doc]),
      ...members('ActionNames', ['s3:GetObject']),
    }
    const missing = (await h.ok('SimulateCustomPolicy', base))['EvaluationResults'] as Result[]
    assert.equal(missing[0]?.EvalDecision, 'implicitDeny')
    assert.deepEqual(missing[0].MissingContextValues, ['aws:PrincipalTag/team', 'aws:SourceIp'])
    const withContext = (
      await h.ok('SimulateCustomPolicy', {
        ...base,
        'ContextEntries.member.1.ContextKeyName': 'aws:SourceIp',
        'ContextEntries.member.1.ContextKeyType': 'ip',
        'ContextEntries.member.1.ContextKeyValues.member.1': '10.1.2.3',
        'ContextEntries.member.2.ContextKeyName': 'aws:PrincipalTag/team',
        'ContextEntries.member.2.ContextKeyType': 'string',
        'ContextEntries.member.2.ContextKeyValues.member.1': 'blue',
      })
    )['EvaluationResults'] as Result[]
    assert.equal(withContext[0]?.EvalDecision, 'allowed')
    assert.deepEqual(withContext[0].MissingContextValues, [])

    const badType = await h.call('SimulateCustomPolicy', {
      ...base,
      'ContextEntries.member.1.ContextKeyName': 'aws:SourceIp',
      'ContextEntries.member.1.ContextKeyType': 'ipv6',
    })
    assert.equal(badType.code, 'ValidationError')
    assert.match(
      badType.message ?? '',
      /at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set/,
    )

    const paged = await h.ok('SimulateCustomPolicy', {
      ...members('PolicyInputList', [doc]),
      ...members('ActionNames', ['s3:GetObject', 's3:PutObject', 's3:ListBucket']),
      MaxItems: '2',
    })
    assert.equal((paged['EvaluationResults'] as unknown[]).length, 2)
    assert.equal(paged['IsTruncated'], true)
    const rest = await h.ok('SimulateCustomPolicy', {
      ...members('PolicyInputList', [doc]),
      ...members('ActionNames', ['s3:GetObject', 's3:PutObject', 's3:ListBucket']),
      MaxItems: '2',
      Marker: String(paged['Marker']),
    })
    assert.deepEqual(
      (rest['EvaluationResults'] as Result[]).map((r) => r.EvalActionName),
      ['s3:ListBucket'],
    )

    const malformed = await h.call('SimulateCustomPolicy', {
      ...members('PolicyInputList', ['{']),
      ...members('ActionNames', ['s3:GetObject']),
    })
    assert.equal(malformed.code, 'MalformedPolicyDocument')
    const noActions = await h.call('SimulateCustomPolicy', members('PolicyInputList', [doc]))
    assert.match(
      noActions.message ?? '',
      /Value null at 'actionNames' failed to satisfy constraint: Member must not be null/,
    )
  } finally {
    h.close()
  }
})

test('SimulatePrincipalPolicy: the role’s inline and managed policies, its boundary, extra inputs', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', Path: '/p/', AssumeRolePolicyDocument: TRUST })
    const inline = pretty({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'reader', PolicyDocument: inline })
    const managed = pretty({ Effect: 'Allow', Action: ['sqs:*', 's3:PutObject'], Resource: '*' })
    const m = (await h.ok('CreatePolicy', { PolicyName: 'writer', PolicyDocument: managed }))[
      'Policy'
    ] as { Arn: string }
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: m.Arn })
    const arn = `arn:aws:iam::${ACCOUNT}:role/p/app`
    const actions = members('ActionNames', [
      's3:GetObject',
      's3:PutObject',
      'sqs:SendMessage',
      'ec2:RunInstances',
    ])
    const r1 = (await h.ok('SimulatePrincipalPolicy', { PolicySourceArn: arn, ...actions }))[
      'EvaluationResults'
    ] as Result[]
    assert.deepEqual(
      r1.map((r) => r.EvalDecision),
      ['allowed', 'allowed', 'allowed', 'implicitDeny'],
    )
    assert.deepEqual(
      r1
        .slice(0, 2)
        .map((r) => r.MatchedStatements.map((s) => [s.SourcePolicyId, s.SourcePolicyType])),
      [[['reader', 'role']], [['writer', 'user-managed']]],
    )

    const b = (
      await h.ok('CreatePolicy', {
        PolicyName: 'b',
        PolicyDocument: pretty({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
      })
    )['Policy'] as { Arn: string }
    await h.ok('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: b.Arn })
    const r2 = (await h.ok('SimulatePrincipalPolicy', { PolicySourceArn: arn, ...actions }))[
      'EvaluationResults'
    ] as Result[]
    assert.deepEqual(
      r2.map((r) => r.EvalDecision),
      ['allowed', 'allowed', 'implicitDeny', 'implicitDeny'],
    )
    assert.deepEqual(r2[2]?.PermissionsBoundaryDecisionDetail, {
      AllowedByPermissionsBoundary: false,
    })

    const extra = pretty({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' })
    const r3 = (
      await h.ok('SimulatePrincipalPolicy', {
        PolicySourceArn: arn,
        ...members('PolicyInputList', [extra]),
        ...actions,
      })
    )['EvaluationResults'] as Result[]
    assert.equal(r3[0]?.EvalDecision, 'explicitDeny')
    assert.equal(r3[0].MatchedStatements[0]?.SourcePolicyId, 'PolicyInputList.1')

    const missing = await h.call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/ghost`,
      ...actions,
    })
    assert.equal(missing.code, 'NoSuchEntity')
    assert.equal(missing.message, 'The role with name ghost cannot be found.')
    const user = await h.call('SimulatePrincipalPolicy', {
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/u`,
      ...actions,
    })
    assert.equal(user.code, 'InvalidInput')
  } finally {
    h.close()
  }
})

test('simulation calls are authorised: SimulatePrincipalPolicy on the role ARN, SimulateCustomPolicy on *', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('CreateRole', { RoleName: 'caller', AssumeRolePolicyDocument: TRUST })
    await h.ok('PutRolePolicy', {
      RoleName: 'caller',
      PolicyName: 'sim',
      PolicyDocument: pretty({
        Effect: 'Allow',
        Action: 'iam:SimulatePrincipalPolicy',
        Resource: `arn:aws:iam::${ACCOUNT}:role/app`,
      }),
    })
    const keys = h.session('caller')
    const actions = members('ActionNames', ['s3:GetObject'])
    await h.ok(
      'SimulatePrincipalPolicy',
      { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/app`, ...actions },
      keys,
    )
    const other = await h.call(
      'SimulatePrincipalPolicy',
      { PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/caller`, ...actions },
      { keys },
    )
    assert.equal(other.code, 'AccessDenied')
    const custom = await h.call(
      'SimulateCustomPolicy',
      {
        ...members('PolicyInputList', [pretty({ Effect: 'Allow', Action: '*', Resource: '*' })]),
        ...actions,
      },
      { keys },
    )
    assert.equal(custom.code, 'AccessDenied')
    assert.match(
      custom.message ?? '',
      /iam:SimulateCustomPolicy on resource: \* because no identity-based policy allows/,
    )
  } finally {
    h.close()
  }
})
