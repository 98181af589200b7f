import { test } from 'node:test'
import assert from 'node:assert/strict'
import { accessDeniedMessage, displayResource } from '../../../src/iam/index.js'
import {
  ACCOUNT,
  ROOT,
  SESSION_TOKEN,
  harness,
  policy,
  trustPolicy,
  type Harness,
} from './harness.js'

const TRUST = trustPolicy('oidc.example.com/id/ABC')
const APP = `arn:aws:iam::${ACCOUNT}:role/app`

/** A role `caller` with the given inline policies, and a role `app` to act on. */
async function setup(
  h: Harness,
  inline: Record<string, string>,
  tags: Record<string, string> = {},
): Promise<void> {
  await h.ok('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST })
  const tagParams: Record<string, string> = {}
  Object.entries(tags).forEach(([k, v], i) => {
    tagParams[`Tags.member.${i + 1}.Key`] = k
    tagParams[`Tags.member.${i + 1}.Value`] = v
  })
  await h.ok('CreateRole', { RoleName: 'caller', AssumeRolePolicyDocument: TRUST, ...tagParams })
  for (const [name, doc] of Object.entries(inline))
    await h.ok('PutRolePolicy', { RoleName: 'caller', PolicyName: name, PolicyDocument: doc })
}

test('a role session with no policy is denied with AWS’s message, and the decision is logged with reasons', async () => {
  const h = harness()
  try {
    await setup(h, {})
    const keys = h.session('caller')
    const r = await h.call('GetRole', { RoleName: 'app' }, { keys })
    assert.equal(r.status, 403)
    assert.equal(r.code, 'AccessDenied')
    assert.equal(
      r.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/caller/s1 is not authorized to perform: iam:GetRole on resource: role app because no identity-based policy allows the iam:GetRole action`,
    )
    const requestId = r.requestId
    const [d] = h.store.decisions.byRequestId(requestId)
    assert.ok(d !== undefined)
    assert.equal(d.decision, 'implicitDeny')
    assert.equal(d.errorCode, 'AccessDenied')
    assert.equal(d.action, 'iam:GetRole')
    assert.equal(d.resource, APP)
    assert.equal(d.principal, `arn:aws:sts::${ACCOUNT}:assumed-role/caller/s1`)
    assert.equal((d.reasons as { decision: string }).decision, 'implicitDeny')
  } finally {
    h.close()
  }
})

test('identity policies allow exactly their actions and resources; an explicit deny wins', async () => {
  const h = harness()
  try {
    await setup(h, {
      read: policy({
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:ListRoles'],
        Resource: [APP, '*'],
      }),
    })
    await h.ok('CreateRole', { RoleName: 'other', AssumeRolePolicyDocument: TRUST })
    const keys = h.session('caller')
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    await h.ok('ListRoles', {}, keys)
    const write = await h.call('DeleteRole', { RoleName: 'app' }, { keys })
    assert.equal(write.code, 'AccessDenied')
    assert.match(
      write.message ?? '',
      /iam:DeleteRole on resource: role app because no identity-based policy allows the iam:DeleteRole action$/,
    )
    assert.ok(h.store.roles.get(ACCOUNT, 'app') !== undefined, 'nothing deleted')

    await h.ok('PutRolePolicy', {
      RoleName: 'caller',
      PolicyName: 'deny',
      PolicyDocument: policy({
        Effect: 'Deny',
        Action: 'iam:GetRole',
        Resource: `arn:aws:iam::${ACCOUNT}:role/o*`,
      }),
    })
    const denied = await h.call('GetRole', { RoleName: 'other' }, { keys })
    assert.equal(
      denied.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/caller/s1 is not authorized to perform: iam:GetRole on resource: role other with an explicit deny in an identity-based policy`,
    )
    const [d] = h.store.decisions.byRequestId(denied.requestId)
    assert.equal(d?.decision, 'explicitDeny')
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    // A missing role is NoSuchEntity only for a caller allowed to ask.
    const ghost = await h.call('GetRole', { RoleName: 'ghost' }, { keys })
    assert.equal(ghost.code, 'NoSuchEntity')
    const ghostDenied = await h.call('DeleteRole', { RoleName: 'ghost' }, { keys })
    assert.equal(ghostDenied.code, 'AccessDenied')
  } finally {
    h.close()
  }
})

test('a permissions boundary and session policies cut the identity policies down', async () => {
  const h = harness()
  try {
    await setup(h, { all: policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) })
    const b = (
      await h.ok('CreatePolicy', {
        PolicyName: 'boundary',
        PolicyDocument: policy({
          Effect: 'Allow',
          Action: ['iam:Get*', 'iam:List*'],
          Resource: '*',
        }),
      })
    )['Policy'] as { Arn: string }
    await h.ok('PutRolePermissionsBoundary', { RoleName: 'caller', PermissionsBoundary: b.Arn })
    const keys = h.session('caller')
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    const del = await h.call('DeleteRole', { RoleName: 'app' }, { keys })
    assert.match(
      del.message ?? '',
      / because no permissions boundary allows the iam:DeleteRole action$/,
    )

    const narrowed = h.session('caller', {
      sessionPolicy: policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }),
    })
    await h.ok('ListRoles', {}, narrowed)
    const get = await h.call('GetRole', { RoleName: 'app' }, { keys: narrowed })
    assert.match(get.message ?? '', / because no session policy allows the iam:GetRole action$/)

    const s = (
      await h.ok('CreatePolicy', {
        PolicyName: 'session',
        PolicyDocument: policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }),
      })
    )['Policy'] as { Arn: string }
    const byArn = h.session('caller', { sessionPolicyArns: [s.Arn] })
    await h.ok('GetRole', { RoleName: 'app' }, byArn)
    assert.equal((await h.call('ListRoles', {}, { keys: byArn })).code, 'AccessDenied')

    const denyInSession = h.session('caller', {
      sessionPolicy: policy(
        { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' },
      ),
    })
    const list = await h.call('ListRoles', {}, { keys: denyInSession })
    assert.match(list.message ?? '', /on resource: \* with an explicit deny in a session policy$/)
  } finally {
    h.close()
  }
})

test('request context: principal tags, source IP, region, secure transport, iam:PolicyARN, request tags', async () => {
  const h = harness()
  try {
    const allowedArn = `arn:aws:iam::${ACCOUNT}:policy/ok`
    await setup(
      h,
      {
        ctx: policy(
          {
            Effect: 'Allow',
            Action: 'iam:GetRole',
            Resource: '*',
            Condition: {
              StringEquals: {
                'aws:PrincipalTag/team': 'blue',
                'aws:RequestedRegion': 'us-east-1',
                'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/caller`,
                'aws:PrincipalAccount': ACCOUNT,
              },
              IpAddress: { 'aws:SourceIp': '127.0.0.0/8' },
              Bool: { 'aws:SecureTransport': 'false' },
            },
          },
          {
            Effect: 'Allow',
            Action: 'iam:AttachRolePolicy',
            Resource: '*',
            Condition: { ArnEquals: { 'iam:PolicyARN': allowedArn } },
          },
          {
            Effect: 'Allow',
            Action: 'iam:TagRole',
            Resource: '*',
            Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } },
          },
        ),
      },
      { team: 'blue' },
    )
    await h.ok('CreatePolicy', {
      PolicyName: 'ok',
      PolicyDocument: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    })
    await h.ok('CreatePolicy', {
      PolicyName: 'no',
      PolicyDocument: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    })
    const keys = h.session('caller')
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    await h.ok('AttachRolePolicy', { RoleName: 'app', PolicyArn: allowedArn }, keys)
    const other = await h.call(
      'AttachRolePolicy',
      { RoleName: 'app', PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/no` },
      { keys },
    )
    assert.equal(other.code, 'AccessDenied')
    await h.ok(
      'TagRole',
      { RoleName: 'app', 'Tags.member.1.Key': 'env', 'Tags.member.1.Value': 'x' },
      keys,
    )
    const badTag = await h.call(
      'TagRole',
      { RoleName: 'app', 'Tags.member.1.Key': 'owner', 'Tags.member.1.Value': 'x' },
      { keys },
    )
    assert.equal(badTag.code, 'AccessDenied')

    // A session tag overrides the role's tag of the same key.
    const red = h.session('caller', { sessionTags: [{ key: 'Team', value: 'red' }] })
    assert.equal((await h.call('GetRole', { RoleName: 'app' }, { keys: red })).code, 'AccessDenied')
  } finally {
    h.close()
  }
})

test('compiled policies are cached per document text; a new default version takes effect at once', async () => {
  const h = harness()
  try {
    await setup(h, {})
    const p = (
      await h.ok('CreatePolicy', {
        PolicyName: 'access',
        PolicyDocument: policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }),
      })
    )['Policy'] as { Arn: string }
    await h.ok('AttachRolePolicy', { RoleName: 'caller', PolicyArn: p.Arn })
    const keys = h.session('caller')
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    const before = h.cache.stats()
    await h.ok('GetRole', { RoleName: 'app' }, keys)
    const after = h.cache.stats()
    // The session's layers are memoised while the store is unchanged, so the second call
    // may not even ask the cache; it must not compile.
    assert.equal(after.misses, before.misses, 'the second call compiles nothing')
    await h.ok('CreatePolicyVersion', {
      PolicyArn: p.Arn,
      PolicyDocument: policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }),
      SetAsDefault: 'true',
    })
    assert.equal((await h.call('GetRole', { RoleName: 'app' }, { keys })).code, 'AccessDenied')
    await h.ok('ListRoles', {}, keys)
    await h.ok('SetDefaultPolicyVersion', { PolicyArn: p.Arn, VersionId: 'v1' })
    await h.ok('GetRole', { RoleName: 'app' }, keys)
  } finally {
    h.close()
  }
})

test('root is allowed everything and its decisions are logged; a session of a deleted role is denied', async () => {
  const h = harness()
  try {
    await setup(h, { all: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) })
    const r = await h.call('ListRoles')
    const [d] = h.store.decisions.byRequestId(r.requestId)
    assert.equal(d?.decision, 'allowed')
    assert.equal(d.principal, `arn:aws:iam::${ACCOUNT}:root`)
    assert.equal(d.action, 'iam:ListRoles')
    const keys = h.session('caller')
    await h.ok('ListRoles', {}, keys)
    await h.ok('DeleteRolePolicy', { RoleName: 'caller', PolicyName: 'all' })
    await h.ok('DeleteRole', { RoleName: 'caller' })
    assert.equal((await h.call('ListRoles', {}, { keys })).code, 'AccessDenied')
  } finally {
    h.close()
  }
})

test('AccessDenied wording: resource display and policy types', () => {
  assert.equal(displayResource(`arn:aws:iam::${ACCOUNT}:role/a/b/name`), 'role name')
  assert.equal(
    displayResource(`arn:aws:iam::${ACCOUNT}:policy/p`),
    `policy arn:aws:iam::${ACCOUNT}:policy/p`,
  )
  assert.equal(displayResource('*'), '*')
  assert.equal(
    accessDeniedMessage('arn:x', 'iam:GetPolicy', `arn:aws:iam::${ACCOUNT}:policy/p`, undefined),
    `User: arn:x is not authorized to perform: iam:GetPolicy on resource: policy arn:aws:iam::${ACCOUNT}:policy/p because no identity-based policy allows the iam:GetPolicy action`,
  )
})

test('sentinel: no secret key or session token in any response body, log line or decision', async () => {
  const h = harness()
  const bodies: string[] = []
  try {
    await setup(h, { deny: policy({ Effect: 'Deny', Action: '*', Resource: '*' }) })
    const keys = h.session('caller')
    const wrongSecret = { ...keys, secretAccessKey: 'x'.repeat(40) }
    const wrongToken = { ...keys, sessionToken: `${SESSION_TOKEN}-forged` }
    for (const k of [keys, wrongSecret, wrongToken, ROOT]) {
      bodies.push((await h.call('GetRole', { RoleName: 'app' }, { keys: k })).body)
      bodies.push((await h.call('CreateRole', { RoleName: 'bad name!' }, { keys: k })).body)
      bodies.push(
        (
          await h.call(
            'PutRolePolicy',
            { RoleName: 'app', PolicyName: 'p', PolicyDocument: '{' },
            { keys: k },
          )
        ).body,
      )
      bodies.push(
        (
          await h.call(
            'SimulatePrincipalPolicy',
            { PolicySourceArn: APP, 'ActionNames.member.1': 's3:GetObject' },
            { keys: k },
          )
        ).body,
      )
    }
    const decisions = JSON.stringify(h.store.decisions.recent(1000))
    const everything = [...bodies, ...h.logs, decisions].join('\n')
    assert.ok(h.logs.length >= 16)
    for (const secret of [ROOT.secretAccessKey, keys.secretAccessKey, SESSION_TOKEN, 'SENTINEL'])
      assert.ok(!everything.includes(secret), `leaked ${secret.slice(0, 12)}…`)
  } finally {
    h.close()
  }
})

test('a role deleted and created again under its name grants nothing to the old sessions', async () => {
  const h = harness()
  try {
    await setup(h, { all: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) })
    const old = h.session('caller')
    await h.ok('ListRoles', {}, old)
    await h.ok('DeleteRolePolicy', { RoleName: 'caller', PolicyName: 'all' })
    await h.ok('DeleteRole', { RoleName: 'caller' })
    await h.ok('CreateRole', { RoleName: 'caller', AssumeRolePolicyDocument: TRUST })
    await h.ok('PutRolePolicy', {
      RoleName: 'caller',
      PolicyName: 'all',
      PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
    })
    assert.equal((await h.call('ListRoles', {}, { keys: old })).code, 'AccessDenied')
    await h.ok('ListRoles', {}, h.session('caller'))
  } finally {
    h.close()
  }
})
