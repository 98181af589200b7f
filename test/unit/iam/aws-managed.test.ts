import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createAuthorizer, type RoleSessionPrincipal } from '../../../src/iam/index.js'
import { ACCOUNT, T0, harness, policy, trustPolicy, type Harness } from './harness.js'

const TRUST = trustPolicy('oidc.example.com/id/ABC')
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'
const SSM_ROLE = 'arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM'
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`

type Rec = Record<string, unknown>

async function getPolicy(h: Harness, arn: string): Promise<Rec> {
  return (await h.ok('GetPolicy', { PolicyArn: arn }))['Policy'] as Rec
}

/** A role session of role `name`, as STS would have made it. */
function sessionOf(h: Harness, name: string, extra: Partial<RoleSessionPrincipal> = {}) {
  const role = h.store.roles.get(ACCOUNT, name)
  assert.ok(role)
  const principal: RoleSessionPrincipal = {
    kind: 'role-session',
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/s`,
    userId: `${role.roleId}:s`,
    roleArn: role.arn,
    roleId: role.roleId,
    roleName: role.name,
    sessionName: 's',
    expiresAtMs: T0 + 3600_000,
    ...extra,
  }
  return principal
}

test('GetPolicy, GetPolicyVersion, ListPolicyVersions: an AWS managed policy with its real document, versions and dates', async () => {
  const h = harness()
  try {
    const p = await getPolicy(h, S3_READ)
    assert.equal(p['PolicyName'], 'AmazonS3ReadOnlyAccess')
    assert.equal(p['Arn'], S3_READ)
    assert.equal(p['Path'], '/')
    assert.equal(p['AttachmentCount'], 0)
    assert.equal(p['IsAttachable'], true)
    assert.match(String(p['PolicyId']), /^ANPA[A-Z2-7]{17}$/)
    assert.equal((await getPolicy(h, S3_READ))['PolicyId'], p['PolicyId'], 'stable id')
    // The JSON rendering carries epoch seconds; the data package's creation date of the policy.
    const created = Date.parse('2015-02-06T18:40:59Z') / 1000
    assert.equal(p['CreateDate'], created)
    assert.ok(Number(p['UpdateDate']) > created)
    const defaultId = String(p['DefaultVersionId'])
    assert.match(defaultId, /^v\d+$/)

    const v = (await h.ok('GetPolicyVersion', { PolicyArn: S3_READ, VersionId: defaultId }))[
      'PolicyVersion'
    ] as Rec
    assert.equal(v['IsDefaultVersion'], true)
    const encoded = String(v['Document'])
    assert.match(encoded, /^%7B/, 'the document is URL-encoded as IAM sends it')
    const doc = JSON.parse(decodeURIComponent(encoded)) as {
      Statement: { Effect: string; Action: string[] }[]
    }
    const first = doc.Statement[0]
    assert.ok(first)
    assert.equal(first.Effect, 'Allow')
    assert.ok(first.Action.includes('s3:Get*'))

    const versions = (await h.ok('ListPolicyVersions', { PolicyArn: S3_READ }))['Versions'] as Rec[]
    assert.equal(versions[0]?.['VersionId'], defaultId, 'newest first')
    assert.deepEqual(
      versions.filter((x) => x['IsDefaultVersion'] === true).map((x) => x['VersionId']),
      [defaultId],
    )
    const old = await h.call('GetPolicyVersion', { PolicyArn: S3_READ, VersionId: 'v999' })
    assert.equal(old.code, 'NoSuchEntity')

    const ssm = await getPolicy(h, SSM_ROLE)
    assert.equal(ssm['Path'], '/service-role/')
    assert.equal(ssm['PolicyName'], 'AmazonEC2RoleforSSM')

    const none = await h.call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/NoSuchThing' })
    assert.equal(none.code, 'NoSuchEntity')
    assert.equal(none.message, 'Policy arn:aws:iam::aws:policy/NoSuchThing was not found.')
  } finally {
    h.close()
  }
})

test('ListPolicies --scope AWS: every AWS managed policy, by name, paged with Marker/MaxItems, PathPrefix', async () => {
  const h = harness()
  try {
    const first = await h.ok('ListPolicies', { Scope: 'AWS', MaxItems: '3' })
    const page1 = first['Policies'] as Rec[]
    assert.equal(page1.length, 3)
    assert.equal(first['IsTruncated'], true)
    const second = await h.ok('ListPolicies', {
      Scope: 'AWS',
      MaxItems: '3',
      Marker: String(first['Marker']),
    })
    const page2 = second['Policies'] as Rec[]
    const names = [...page1, ...page2].map((p) => String(p['PolicyName']))
    assert.equal(new Set(names).size, 6, 'the second page continues the first')
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    )
    assert.ok(page1.every((p) => String(p['Arn']).startsWith('arn:aws:iam::aws:policy/')))

    const all = (await h.ok('ListPolicies', { Scope: 'AWS', MaxItems: '1000' }))[
      'Policies'
    ] as Rec[]
    assert.ok(all.length === 1000, 'more than a thousand AWS managed policies')
    const service = (
      await h.ok('ListPolicies', {
        Scope: 'AWS',
        PathPrefix: '/service-role/',
        MaxItems: '1000',
      })
    )['Policies'] as Rec[]
    assert.ok(service.length > 10)
    assert.ok(service.every((p) => p['Path'] === '/service-role/'))
    assert.ok(service.some((p) => p['Arn'] === SSM_ROLE))
    const local = (await h.ok('ListPolicies', { Scope: 'Local' }))['Policies'] as Rec[]
    assert.deepEqual(local, [])
  } finally {
    h.close()
  }
})

test('AttachRolePolicy with AWS ARNs: AttachmentCount, ListAttachedRolePolicies, OnlyAttached, Detach', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: S3_READ })
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: SSM_ROLE })
    assert.equal((await getPolicy(h, S3_READ))['AttachmentCount'], 1)
    const attached = (await h.ok('ListAttachedRolePolicies', { RoleName: 'app' }))[
      'AttachedPolicies'
    ] as Rec[]
    assert.deepEqual(
      attached.map((a) => a['PolicyArn']),
      [SSM_ROLE, S3_READ],
    )
    const byPath = (
      await h.ok('ListAttachedRolePolicies', {
        RoleName: 'app',
        PathPrefix: '/service-role/',
      })
    )['AttachedPolicies'] as Rec[]
    assert.deepEqual(
      byPath.map((a) => a['PolicyName']),
      ['AmazonEC2RoleforSSM'],
    )
    const onlyAttached = (await h.ok('ListPolicies', { Scope: 'AWS', OnlyAttached: 'true' }))[
      'Policies'
    ] as Rec[]
    assert.deepEqual(
      onlyAttached.map((p) => [p['PolicyName'], p['AttachmentCount']]),
      [
        ['AmazonEC2RoleforSSM', 1],
        ['AmazonS3ReadOnlyAccess', 1],
      ],
    )
    const entities = (await h.ok('ListEntitiesForPolicy', { PolicyArn: S3_READ }))[
      'PolicyRoles'
    ] as Rec[]
    assert.deepEqual(
      entities.map((r) => r['RoleName']),
      ['app'],
    )
    await h.ok('DetachRolePolicy', { RoleName: 'app', PolicyArn: S3_READ })
    assert.equal((await getPolicy(h, S3_READ))['AttachmentCount'], 0)
    const missing = await h.call('AttachRolePolicy', {
      RoleName: 'app',
      PolicyArn: 'arn:aws:iam::aws:policy/NoSuchThing',
    })
    assert.equal(missing.code, 'NoSuchEntity')
    await h.ok('PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: S3_READ })
    assert.equal((await getPolicy(h, S3_READ))['PermissionsBoundaryUsageCount'], 1)
  } finally {
    h.close()
  }
})

test('AWS managed policies cannot be changed or deleted, even by the root user: AccessDenied as AWS answers', async () => {
  const h = harness()
  try {
    const doc = policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })
    const calls: [string, Record<string, string>][] = [
      ['CreatePolicyVersion', { PolicyArn: S3_READ, PolicyDocument: doc }],
      ['DeletePolicy', { PolicyArn: S3_READ }],
      ['DeletePolicyVersion', { PolicyArn: S3_READ, VersionId: 'v1' }],
      ['SetDefaultPolicyVersion', { PolicyArn: S3_READ, VersionId: 'v1' }],
    ]
    for (const [action, params] of calls) {
      const r = await h.call(action, params)
      assert.equal(r.status, 403, action)
      assert.equal(r.code, 'AccessDenied', action)
      assert.equal(
        r.message,
        `User: ${ROOT_ARN} is not authorized to perform: iam:${action} on resource: policy ${S3_READ}`,
      )
    }
    const p = await getPolicy(h, S3_READ)
    const versions = (await h.ok('ListPolicyVersions', { PolicyArn: S3_READ }))['Versions'] as Rec[]
    assert.ok(
      versions.some((v) => v['VersionId'] === 'v1'),
      'v1 is still there',
    )
    assert.equal(p['DefaultVersionId'], versions[0]?.['VersionId'])
  } finally {
    h.close()
  }
})

test('the policy engine evaluates an attached AWS managed policy with its real document (authoriser, SimulatePrincipalPolicy, session PolicyArns)', async () => {
  const h = harness()
  try {
    await h.ok('CreateRole', { RoleName: 'reader', AssumeRolePolicyDocument: TRUST })
    await h.ok('AttachRolePolicy', { RoleName: 'reader', PolicyArn: S3_READ })
    const authorizer = createAuthorizer({ store: h.store, clock: h.clock })
    const ask = (principal: RoleSessionPrincipal, action: string): void => {
      authorizer.authorize({
        requestId: 'r',
        principal,
        action,
        resource: 'arn:aws:s3:::bucket/key',
      })
    }
    const reader = sessionOf(h, 'reader')
    ask(reader, 's3:GetObject')
    ask(reader, 's3:ListBucket')
    assert.throws(() => {
      ask(reader, 's3:PutObject')
    }, /not authorized to perform: s3:PutObject/)

    const sim = (
      await h.ok('SimulatePrincipalPolicy', {
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/reader`,
        'ActionNames.member.1': 's3:GetObject',
        'ActionNames.member.2': 's3:PutObject',
        'ResourceArns.member.1': 'arn:aws:s3:::bucket/key',
      })
    )['EvaluationResults'] as {
      EvalActionName: string
      EvalDecision: string
      MatchedStatements: { SourcePolicyType: string; SourcePolicyId: string }[]
    }[]
    const byAction = new Map(sim.map((r) => [r.EvalActionName, r]))
    assert.equal(byAction.get('s3:GetObject')?.EvalDecision, 'allowed')
    assert.deepEqual(
      byAction
        .get('s3:GetObject')
        ?.MatchedStatements.map((s) => `${s.SourcePolicyType}:${s.SourcePolicyId}`),
      ['aws-managed:AmazonS3ReadOnlyAccess'],
    )
    assert.equal(byAction.get('s3:PutObject')?.EvalDecision, 'implicitDeny')

    await h.ok('CreateRole', { RoleName: 'admin', AssumeRolePolicyDocument: TRUST })
    await h.ok('PutRolePolicy', {
      RoleName: 'admin',
      PolicyName: 'all',
      PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
    })
    const narrowed = sessionOf(h, 'admin', { sessionPolicyArns: [S3_READ] })
    ask(narrowed, 's3:GetObject')
    assert.throws(() => {
      ask(narrowed, 's3:PutObject')
    }, /no session policy allows the s3:PutObject action/)
  } finally {
    h.close()
  }
})
