import { test } from 'node:test'
import assert from 'node:assert/strict'
import { harness, members, policy, trustPolicy } from './harness.js'

const TRUST = trustPolicy('oidc.example.com/id/ABC')

test('CreateRole, GetRole: the role as IAM describes it, trust policy URL-encoded', async () => {
  const h = harness()
  try {
    const created = await h.ok('CreateRole', {
      RoleName: 'app',
      Path: '/team/',
      AssumeRolePolicyDocument: TRUST,
      Description: 'the app',
      MaxSessionDuration: '7200',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'blue',
    })
    const role = created['Role'] as Record<string, unknown>
    assert.equal(role['Arn'], 'arn:aws:iam::111122223333:role/team/app')
    assert.match(String(role['RoleId']), /^AROA[A-Z0-9]{17}$/)
    assert.equal(role['Path'], '/team/')
    assert.equal(decodeURIComponent(String(role['AssumeRolePolicyDocument'])), TRUST)
    assert.deepEqual(role['Tags'], [{ Key: 'team', Value: 'blue' }])

    const got = (await h.ok('GetRole', { RoleName: 'APP' }))['Role'] as Record<string, unknown>
    assert.equal(got['RoleName'], 'app', 'lookups ignore case, the name is kept as created')
    assert.equal(got['Description'], 'the app')
    assert.equal(got['MaxSessionDuration'], 7200)
    assert.deepEqual(got['RoleLastUsed'], {})

    const xml = await h.call('GetRole', { RoleName: 'app' }, { xml: true })
    assert.match(xml.body, /<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22/)
    assert.match(xml.body, /<CreateDate>2026-03-01T10:00:00Z<\/CreateDate>/)
  } finally {
    h.close()
  }
})

test('CreateRole errors: EntityAlreadyExists, ValidationError wording, malformed and oversize trust policies', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    const dup = await h.call('CreateRole', { RoleName: 'App', AssumeRolePolicyDocument: TRUST })
    assert.equal(dup.status, 409)
    assert.equal(dup.code, 'EntityAlreadyExists')
    assert.equal(dup.message, 'Role with name App already exists.')

    const bad = await h.call('CreateRole', { RoleName: 'bad name!', Path: 'nope' })
    assert.equal(bad.code, 'ValidationError')
    assert.equal(
      bad.message,
      "3 validation errors detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
        "Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); " +
        "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
    )

    const long = await h.call('CreateRole', {
      RoleName: 'x'.repeat(65),
      AssumeRolePolicyDocument: TRUST,
    })
    assert.match(long.message ?? '', /Member must have length less than or equal to 64/)

    const range = await h.call('CreateRole', {
      RoleName: 'r',
      AssumeRolePolicyDocument: TRUST,
      MaxSessionDuration: '60',
    })
    assert.match(
      range.message ?? '',
      /at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/,
    )

    const notJson = await h.call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{nope' })
    assert.equal(notJson.code, 'MalformedPolicyDocument')
    assert.equal(notJson.message, 'This policy contains invalid Json')

    const withResource = await h.call('CreateRole', {
      RoleName: 'r',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'ec2.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Resource: '*',
          },
        ],
      }),
    })
    assert.equal(withResource.code, 'MalformedPolicyDocument')
    assert.equal(withResource.message, 'Has prohibited field Resource')

    // 2048 characters, whitespace not counted: padding with spaces is fine, more text is not.
    const padded = TRUST.replace('{', `{${' '.repeat(3000)}`)
    await h.ok('CreateRole', { RoleName: 'padded', AssumeRolePolicyDocument: padded })
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(2100) } },
        },
      ],
    })
    const over = await h.call('CreateRole', { RoleName: 'big', AssumeRolePolicyDocument: big })
    assert.equal(over.status, 409)
    assert.equal(over.code, 'LimitExceeded')
    assert.equal(over.message, 'Cannot exceed quota for ACLSizePerRole: 2048')
    assert.equal(h.store.roles.get('111122223333', 'big'), undefined, 'nothing written')
  } finally {
    h.close()
  }
})

test('NoSuchEntity for every role action on a missing role, with IAM’s message', async () => {
  const h = harness()
  try {
    for (const [action, extra] of [
      ['GetRole', {}],
      ['DeleteRole', {}],
      ['UpdateRole', {}],
      ['UpdateRoleDescription', { Description: 'd' }],
      ['UpdateAssumeRolePolicy', { PolicyDocument: TRUST }],
      ['TagRole', { 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }],
      ['UntagRole', members('TagKeys', ['k'])],
      ['ListRoleTags', {}],
      ['ListRolePolicies', {}],
      ['ListAttachedRolePolicies', {}],
      ['DeleteRolePermissionsBoundary', {}],
      ['GetRolePolicy', { PolicyName: 'p' }],
    ] as const) {
      const r = await h.call(action, { RoleName: 'ghost', ...extra })
      assert.equal(r.status, 404, action)
      assert.equal(r.code, 'NoSuchEntity', action)
      assert.equal(r.message, 'The role with name ghost cannot be found.', action)
    }
  } finally {
    h.close()
  }
})

test('ListRoles: PathPrefix and MaxItems/Marker paging', async () => {
  const h = harness()
  try {
    for (const n of ['a', 'b', 'c', 'd', 'e'])
      await h.ok('CreateRole', {
        RoleName: n,
        Path: n < 'c' ? '/x/' : '/',
        AssumeRolePolicyDocument: TRUST,
      })
    const seen: string[] = []
    let marker: string | undefined
    for (let i = 0; i < 10; i++) {
      const page = await h.ok('ListRoles', {
        MaxItems: '2',
        ...(marker === undefined ? {} : { Marker: marker }),
      })
      const roles = page['Roles'] as { RoleName: string; Tags?: unknown }[]
      assert.ok(roles.length <= 2)
      for (const r of roles) assert.equal(r.Tags, undefined, 'ListRoles has no tags')
      seen.push(...roles.map((r) => r.RoleName))
      if (page['IsTruncated'] !== true) {
        assert.equal(page['Marker'], undefined)
        break
      }
      marker = String(page['Marker'])
    }
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e'])
    const x = await h.ok('ListRoles', { PathPrefix: '/x/' })
    assert.deepEqual(
      (x['Roles'] as { RoleName: string }[]).map((r) => r.RoleName),
      ['a', 'b'],
    )
    const badMarker = await h.call('ListRoles', { Marker: 'garbage' })
    assert.equal(badMarker.code, 'InvalidInput')
    const tooMany = await h.call('ListRoles', { MaxItems: '1001' })
    assert.match(
      tooMany.message ?? '',
      /at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000/,
    )
  } finally {
    h.close()
  }
})

test('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('UpdateRole', { RoleName: 'app', MaxSessionDuration: '43200', Description: 'one' })
    const d = (await h.ok('UpdateRoleDescription', { RoleName: 'app', Description: 'two' }))[
      'Role'
    ] as Record<string, unknown>
    assert.equal(d['Description'], 'two')
    assert.equal(d['MaxSessionDuration'], 43200)
    const next = trustPolicy('oidc.example.com/id/ABC', 'system:serviceaccount:default:other')
    await h.ok('UpdateAssumeRolePolicy', { RoleName: 'app', PolicyDocument: next })
    assert.equal(h.store.roles.get('111122223333', 'app')?.assumeRolePolicyDocument, next)
    const bad = await h.call('UpdateAssumeRolePolicy', {
      RoleName: 'app',
      PolicyDocument: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    })
    assert.equal(bad.code, 'MalformedPolicyDocument')
    assert.equal(
      h.store.roles.get('111122223333', 'app')?.assumeRolePolicyDocument,
      next,
      'unchanged',
    )
  } finally {
    h.close()
  }
})

test('role tags: add, replace case-insensitively, list, untag, duplicates and the 50-tag quota', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('TagRole', {
      RoleName: 'app',
      'Tags.member.1.Key': 'Team',
      'Tags.member.1.Value': 'a',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'dev',
    })
    await h.ok('TagRole', {
      RoleName: 'app',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'b',
    })
    const tags = (await h.ok('ListRoleTags', { RoleName: 'app' }))['Tags'] as {
      Key: string
      Value: string
    }[]
    assert.equal(tags.length, 2)
    assert.equal(tags.find((t) => t.Key.toLowerCase() === 'team')?.Value, 'b')
    await h.ok('UntagRole', { RoleName: 'app', ...members('TagKeys', ['ENV']) })
    assert.equal(((await h.ok('ListRoleTags', { RoleName: 'app' }))['Tags'] as unknown[]).length, 1)
    const dup = await h.call('TagRole', {
      RoleName: 'app',
      'Tags.member.1.Key': 'k',
      'Tags.member.1.Value': '1',
      'Tags.member.2.Key': 'K',
      'Tags.member.2.Value': '2',
    })
    assert.equal(dup.code, 'InvalidInput')
    assert.equal(
      dup.message,
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    )
    const many: Record<string, string> = { RoleName: 'app' }
    for (let i = 1; i <= 50; i++) {
      many[`Tags.member.${i}.Key`] = `k${i}`
      many[`Tags.member.${i}.Value`] = 'v'
    }
    const over = await h.call('TagRole', many)
    assert.equal(over.code, 'LimitExceeded')
    assert.equal(over.message, 'Cannot exceed quota for TagsPerRole: 50')
    const badKey = await h.call('TagRole', {
      RoleName: 'app',
      'Tags.member.1.Key': 'bad#key',
      'Tags.member.1.Value': 'v',
    })
    assert.equal(badKey.code, 'ValidationError')
    assert.match(
      badKey.message ?? '',
      /Value 'bad#key' at 'tags.1.member.key' failed to satisfy constraint/,
    )
  } finally {
    h.close()
  }
})

test('DeleteRole: DeleteConflict while policies are attached or inline, then deleted', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    const doc = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })
    const p = (await h.ok('CreatePolicy', { PolicyName: 'P', PolicyDocument: doc }))['Policy'] as {
      Arn: string
    }
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: p.Arn })
    const attached = await h.call('DeleteRole', { RoleName: 'app' })
    assert.equal(attached.status, 409)
    assert.equal(attached.code, 'DeleteConflict')
    assert.equal(attached.message, 'Cannot delete entity, must detach all policies first.')
    await h.ok('DetachRolePolicy', { RoleName: 'app', PolicyArn: p.Arn })
    await h.ok('PutRolePolicy', { RoleName: 'app', PolicyName: 'inline', PolicyDocument: doc })
    const inline = await h.call('DeleteRole', { RoleName: 'app' })
    assert.equal(inline.message, 'Cannot delete entity, must delete policies first.')
    await h.ok('DeleteRolePolicy', { RoleName: 'app', PolicyName: 'inline' })
    await h.ok('DeleteRole', { RoleName: 'app' })
    assert.equal(h.store.roles.get('111122223333', 'app'), undefined)
  } finally {
    h.close()
  }
})

test('permissions boundary: put, shown by GetRole, refused for a missing policy, deleted', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    const doc = policy({ Effect: 'Allow', Action: '*', Resource: '*' })
    const p = (await h.ok('CreatePolicy', { PolicyName: 'B', PolicyDocument: doc }))['Policy'] as {
      Arn: string
    }
    await h.ok('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: p.Arn })
    const role = (await h.ok('GetRole', { RoleName: 'app' }))['Role'] as Record<string, unknown>
    assert.deepEqual(role['PermissionsBoundary'], {
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: p.Arn,
    })
    const got = (await h.ok('GetPolicy', { PolicyArn: p.Arn }))['Policy'] as Record<string, unknown>
    assert.equal(got['PermissionsBoundaryUsageCount'], 1)
    const missing = await h.call('PutRolePermissionsBoundary', {
      RoleName: 'app',
      PermissionsBoundary: 'arn:aws:iam::111122223333:policy/nope',
    })
    assert.equal(missing.code, 'NoSuchEntity')
    assert.equal(
      missing.message,
      'Policy arn:aws:iam::111122223333:policy/nope does not exist or is not attachable.',
    )
    const notArn = await h.call('PutRolePermissionsBoundary', {
      RoleName: 'app',
      PermissionsBoundary: 'arn:aws:s3:::bucket-name-here',
    })
    assert.equal(notArn.code, 'InvalidInput')
    assert.equal(notArn.message, 'ARN arn:aws:s3:::bucket-name-here is not valid.')
    const inUse = await h.call('DeletePolicy', { PolicyArn: p.Arn })
    assert.equal(inUse.code, 'DeleteConflict')
    await h.ok('DeleteRolePermissionsBoundary', { RoleName: 'app' })
    const after = (await h.ok('GetRole', { RoleName: 'app' }))['Role'] as Record<string, unknown>
    assert.equal(after['PermissionsBoundary'], undefined)
    const created = (
      await h.ok('CreateRole', {
        RoleName: 'bounded',
        AssumeRolePolicyDocument: TRUST,
        PermissionsBoundary: p.Arn,
      })
    )['Role'] as Record<string, unknown>
    assert.ok(created['PermissionsBoundary'] !== undefined)
  } finally {
    h.close()
  }
})
