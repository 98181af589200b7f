import { test } from 'node:test'
import assert from 'node:assert/strict'
import { harness, policy, trustPolicy } from './harness.js'

const TRUST = trustPolicy('oidc.example.com/id/ABC')
const DOC = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' })
const ARN = 'arn:aws:iam::111122223333:policy/P'

test('CreatePolicy, GetPolicy, ListPolicies: the policy as IAM describes it', async () => {
  const h = harness()
  try {
    const created = (
      await h.ok('CreatePolicy', { PolicyName: 'P', PolicyDocument: DOC, Description: 'd' })
    )['Policy'] as Record<string, unknown>
    assert.equal(created['Arn'], ARN)
    assert.equal(created['DefaultVersionId'], 'v1')
    assert.equal(created['AttachmentCount'], 0)
    assert.equal(created['IsAttachable'], true)
    assert.match(String(created['PolicyId']), /^ANPA[A-Z0-9]{17}$/)
    const got = (await h.ok('GetPolicy', { PolicyArn: ARN }))['Policy'] as Record<string, unknown>
    assert.equal(got['Description'], 'd')
    assert.equal(got['UpdateDate'], got['CreateDate'])
    const listed = (await h.ok('ListPolicies', { Scope: 'Local' }))['Policies'] as { Arn: string }[]
    assert.deepEqual(
      listed.map((p) => p.Arn),
      [ARN],
    )
    const badScope = await h.call('ListPolicies', { Scope: 'Mine' })
    assert.equal(badScope.code, 'ValidationError')

    const dup = await h.call('CreatePolicy', { PolicyName: 'p', PolicyDocument: DOC })
    assert.equal(dup.code, 'EntityAlreadyExists')
    assert.equal(dup.message, 'A policy called p already exists. Duplicate names are not allowed.')
    const missing = await h.call('GetPolicy', {
      PolicyArn: 'arn:aws:iam::111122223333:policy/nope',
    })
    assert.equal(missing.status, 404)
    assert.equal(missing.message, 'Policy arn:aws:iam::111122223333:policy/nope was not found.')
  } finally {
    h.close()
  }
})

test('CreatePolicy: MalformedPolicyDocument with the validator’s message; managed policies need 2012-10-17; PolicySize quota', async () => {
  const h = harness()
  try {
    const principal = await h.call('CreatePolicy', {
      PolicyName: 'P',
      PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }),
    })
    assert.equal(principal.code, 'MalformedPolicyDocument')
    assert.equal(principal.message, 'Policy document should not specify a principal.')
    const old = await h.call('CreatePolicy', {
      PolicyName: 'P',
      PolicyDocument: JSON.stringify({
        Version: '2008-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    })
    assert.equal(old.message, 'Policy document must be version 2012-10-17 or greater.')
    const noResource = await h.call('CreatePolicy', {
      PolicyName: 'P',
      PolicyDocument: policy({ Effect: 'Allow', Action: 's3:*' }),
    })
    assert.equal(noResource.message, 'Policy statement must contain resources.')
    const big = await h.call('CreatePolicy', {
      PolicyName: 'P',
      PolicyDocument: policy({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${'b'.repeat(6200)}`,
      }),
    })
    assert.equal(big.code, 'LimitExceeded')
    assert.equal(big.message, 'Cannot exceed quota for PolicySize: 6144')
    assert.equal(h.store.policies.count('111122223333'), 0)
  } finally {
    h.close()
  }
})

test('policy versions: create, get (URL-encoded document), list, set default, the 5-version limit, delete rules', async () => {
  const h = harness()
  try {
    await h.ok('CreatePolicy', { PolicyName: 'P', PolicyDocument: DOC })
    const v2doc = policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' })
    const v2 = (
      await h.ok('CreatePolicyVersion', {
        PolicyArn: ARN,
        PolicyDocument: v2doc,
        SetAsDefault: 'true',
      })
    )['PolicyVersion'] as Record<string, unknown>
    assert.deepEqual(
      { id: v2['VersionId'], def: v2['IsDefaultVersion'], doc: v2['Document'] },
      { id: 'v2', def: true, doc: undefined },
    )
    const got = (await h.ok('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v2' }))[
      'PolicyVersion'
    ] as Record<string, unknown>
    assert.equal(decodeURIComponent(String(got['Document'])), v2doc)
    const xml = await h.call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v1' }, { xml: true })
    assert.match(xml.body, /<Document>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22/)
    for (let i = 3; i <= 5; i++)
      await h.ok('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC })
    const sixth = await h.call('CreatePolicyVersion', { PolicyArn: ARN, PolicyDocument: DOC })
    assert.equal(sixth.status, 409)
    assert.equal(sixth.code, 'LimitExceeded')
    assert.equal(
      sixth.message,
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    )
    const versions = (await h.ok('ListPolicyVersions', { PolicyArn: ARN }))['Versions'] as {
      VersionId: string
      IsDefaultVersion: boolean
    }[]
    assert.deepEqual(
      versions.map((v) => v.VersionId),
      ['v5', 'v4', 'v3', 'v2', 'v1'],
    )
    assert.deepEqual(
      versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId),
      ['v2'],
    )

    const delDefault = await h.call('DeletePolicyVersion', { PolicyArn: ARN, VersionId: 'v2' })
    assert.equal(delDefault.code, 'DeleteConflict')
    assert.equal(delDefault.message, 'Cannot delete the default version of a policy.')
    const withVersions = await h.call('DeletePolicy', { PolicyArn: ARN })
    assert.equal(withVersions.code, 'DeleteConflict')
    assert.match(withVersions.message ?? '', /^This policy has more than one version/)
    await h.ok('SetDefaultPolicyVersion', { PolicyArn: ARN, VersionId: 'v5' })
    const missing = await h.call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'v9' })
    assert.equal(missing.message, `Policy ${ARN} version v9 does not exist or is not attachable.`)
    const badId = await h.call('GetPolicyVersion', { PolicyArn: ARN, VersionId: 'x1' })
    assert.equal(badId.code, 'ValidationError')
    for (const v of ['v1', 'v2', 'v3', 'v4'])
      await h.ok('DeletePolicyVersion', { PolicyArn: ARN, VersionId: v })
    await h.ok('DeletePolicy', { PolicyArn: ARN })
    assert.equal(h.store.policies.get(ARN), undefined)
  } finally {
    h.close()
  }
})

test('attachments: attach, list, entities, the 10-policy quota, detach, DeleteConflict for an attached policy', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    const arns: string[] = []
    for (let i = 0; i < 11; i++)
      arns.push(
        (
          (await h.ok('CreatePolicy', { PolicyName: `P${i}`, PolicyDocument: DOC }))['Policy'] as {
            Arn: string
          }
        ).Arn,
      )
    for (const arn of arns.slice(0, 10))
      await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: arn })
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: arns[0] ?? '' })
    const over = await h.call('AttachRolePolicy', { RoleName: 'app', PolicyArn: arns[10] ?? '' })
    assert.equal(over.code, 'LimitExceeded')
    assert.equal(over.message, 'Cannot exceed quota for PoliciesPerRole: 10')
    const page = await h.ok('ListAttachedRolePolicies', { RoleName: 'app', MaxItems: '3' })
    assert.equal((page['AttachedPolicies'] as unknown[]).length, 3)
    assert.equal(page['IsTruncated'], true)
    const entities = await h.ok('ListEntitiesForPolicy', { PolicyArn: arns[0] ?? '' })
    assert.deepEqual(entities['PolicyUsers'], [])
    assert.deepEqual(entities['PolicyGroups'], [])
    assert.deepEqual(
      (entities['PolicyRoles'] as { RoleName: string }[]).map((r) => r.RoleName),
      ['app'],
    )
    const attached = await h.call('DeletePolicy', { PolicyArn: arns[0] ?? '' })
    assert.equal(attached.message, 'Cannot delete a policy attached to entities.')
    const missing = await h.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::111122223333:policy/none',
    })
    assert.equal(missing.code, 'NoSuchEntity')
    assert.equal(
      missing.message,
      'Policy arn:aws:iam::111122223333:policy/none does not exist or is not attachable.',
    )
    const other = await h.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::999988887777:policy/P0',
    })
    assert.equal(other.code, 'NoSuchEntity', 'another account’s policy is not attachable')
    await h.ok('DetachRolePolicy', { RoleName: 'app', PolicyArn: arns[0] ?? '' })
    const notAttached = await h.call('DetachRolePolicy', {
      RoleName: 'app',
      PolicyArn: arns[0] ?? '',
    })
    assert.equal(notAttached.code, 'NoSuchEntity')
    assert.equal(notAttached.message, `Policy ${arns[0] ?? ''} was not found.`)
    assert.equal(h.store.rolePolicies.countAttached('111122223333', 'app'), 9)
  } finally {
    h.close()
  }
})

test('inline role policies: put, replace, get (URL-encoded), list, delete, the 10,240 aggregate size', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'one', PolicyDocument: DOC })
    const doc2 = policy({ Effect: 'Deny', Action: 's3:*', Resource: '*' })
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'one', PolicyDocument: doc2 })
    const got = await h.ok('GetRolePolicy', { RoleName: 'app', PolicyName: 'one' })
    assert.equal(got['RoleName'], 'app')
    assert.equal(decodeURIComponent(String(got['PolicyDocument'])), doc2)
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'two', PolicyDocument: DOC })
    assert.deepEqual((await h.ok('ListRolePolicies', { RoleName: 'app' }))['PolicyNames'], [
      'one',
      'two',
    ])
    const missing = await h.call('GetRolePolicy', { RoleName: 'app', PolicyName: 'three' })
    assert.equal(missing.message, 'The role policy with name three cannot be found.')
    const malformed = await h.call('PutRolePolicy', {
      RoleName: 'app',
      PolicyName: 'bad',
      PolicyDocument: '[]',
    })
    assert.equal(malformed.code, 'MalformedPolicyDocument')
    const chunk = policy({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'c'.repeat(5000)}`,
    })
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'big1', PolicyDocument: chunk })
    const over = await h.call('PutRolePolicy', {
      RoleName: 'app',
      PolicyName: 'big2',
      PolicyDocument: chunk,
    })
    assert.equal(over.code, 'LimitExceeded')
    assert.equal(over.message, 'Maximum policy size of 10240 bytes exceeded for role app')
    await h.ok('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'one' })
    assert.deepEqual((await h.ok('ListRolePolicies', { RoleName: 'app' }))['PolicyNames'], [
      'big1',
      'two',
    ])
    const again = await h.call('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'one' })
    assert.equal(again.code, 'NoSuchEntity')
  } finally {
    h.close()
  }
})

test('ListPolicies filters (Scope, OnlyAttached, PolicyUsageFilter, PathPrefix); AWS managed policies are attachable and read-only', async () => {
  const h = harness()
  try {
    const aws = { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }
    await h.ok('CreatePolicy', { PolicyName: 'attached', Path: '/team/', PolicyDocument: DOC })
    await h.ok('CreatePolicy', { PolicyName: 'boundary', PolicyDocument: DOC })
    await h.ok('CreatePolicy', { PolicyName: 'unused', PolicyDocument: DOC })
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::111122223333:policy/team/attached',
    })
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: aws.arn })
    await h.ok('PutRolePermissionsBoundary', {
      RoleName: 'app',
      PermissionsBoundary: 'arn:aws:iam::111122223333:policy/boundary',
    })
    const names = async (params: Record<string, string>): Promise<string[]> =>
      ((await h.ok('ListPolicies', params))['Policies'] as { PolicyName: string }[])
        .map((p) => p.PolicyName)
        .sort()
    assert.deepEqual(await names({ Scope: 'Local' }), ['attached', 'boundary', 'unused'])
    assert.deepEqual(await names({ Scope: 'AWS', OnlyAttached: 'true' }), ['ReadOnlyAccess'])
    assert.deepEqual(await names({ OnlyAttached: 'true' }), ['ReadOnlyAccess', 'attached'])
    assert.deepEqual(await names({ Scope: 'Local', OnlyAttached: 'true' }), ['attached'])
    assert.deepEqual(
      await names({
        Scope: 'Local',
        OnlyAttached: 'true',
        PolicyUsageFilter: 'PermissionsBoundary',
      }),
      ['boundary'],
    )
    assert.deepEqual(await names({ PathPrefix: '/team/' }), ['attached'])
    const attached = (await h.ok('ListAttachedRolePolicies', { RoleName: 'app' }))[
      'AttachedPolicies'
    ] as { PolicyArn: string }[]
    assert.deepEqual(attached.map((a) => a.PolicyArn).sort(), [
      'arn:aws:iam::111122223333:policy/team/attached',
      aws.arn,
    ])
    const sim = (
      await h.ok('SimulatePrincipalPolicy', {
        PolicySourceArn: 'arn:aws:iam::111122223333:role/app',
        'ActionNames.member.1': 's3:GetObject',
        'ResourceArns.member.1': 'arn:aws:s3:::b/k',
      })
    )['EvaluationResults'] as {
      MatchedStatements: { SourcePolicyType: string; SourcePolicyId: string }[]
    }[]
    assert.deepEqual(
      sim[0]?.MatchedStatements.map((s) => `${s.SourcePolicyType}:${s.SourcePolicyId}`).sort(),
      ['aws-managed:ReadOnlyAccess', 'user-managed:attached', 'user-managed:boundary'],
      'the deciding statements of every layer, the boundary’s included',
    )
    const change = await h.call('CreatePolicyVersion', { PolicyArn: aws.arn, PolicyDocument: DOC })
    assert.equal(change.code, 'AccessDenied', 'AWS managed policies cannot be changed')
    const badBool = await h.call('ListPolicies', { OnlyAttached: 'yes' })
    assert.match(
      badBool.message ?? '',
      /Value 'yes' at 'onlyAttached' failed to satisfy constraint/,
    )
  } finally {
    h.close()
  }
})
