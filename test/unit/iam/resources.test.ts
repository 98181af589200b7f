import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualClock } from '../../../src/core/index.js'
import {
  buildRequestContext,
  createIamActions,
  PolicyCache,
  rootPrincipal,
} from '../../../src/iam/index.js'
import { ACCOUNT, T0, harness, members, policy, trustPolicy } from './harness.js'

const ROLE = `arn:aws:iam::${ACCOUNT}:role/svc/app`
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/P`
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/issuer.example/id/X`
const DOC = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })
const TAG = { 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }

/**
 * Every action, called by root in a sequence where each succeeds, with the action and
 * resource the service authorisation reference gives it: the decision log must record
 * exactly that pair (and every call must have asked the authoriser once).
 */
const CALLS: [string, Record<string, string>, string][] = [
  [
    'CreateOpenIDConnectProvider',
    { Url: 'https://issuer.example/id/X', ...members('ClientIDList', ['sts.amazonaws.com']) },
    PROVIDER,
  ],
  ['GetOpenIDConnectProvider', { OpenIDConnectProviderArn: PROVIDER }, PROVIDER],
  ['ListOpenIDConnectProviders', {}, '*'],
  [
    'UpdateOpenIDConnectProviderThumbprint',
    { OpenIDConnectProviderArn: PROVIDER, ...members('ThumbprintList', ['a'.repeat(40)]) },
    PROVIDER,
  ],
  [
    'AddClientIDToOpenIDConnectProvider',
    { OpenIDConnectProviderArn: PROVIDER, ClientID: 'x' },
    PROVIDER,
  ],
  [
    'RemoveClientIDFromOpenIDConnectProvider',
    { OpenIDConnectProviderArn: PROVIDER, ClientID: 'x' },
    PROVIDER,
  ],
  ['TagOpenIDConnectProvider', { OpenIDConnectProviderArn: PROVIDER, ...TAG }, PROVIDER],
  ['ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: PROVIDER }, PROVIDER],
  [
    'UntagOpenIDConnectProvider',
    { OpenIDConnectProviderArn: PROVIDER, ...members('TagKeys', ['k']) },
    PROVIDER,
  ],
  ['CreatePolicy', { PolicyName: 'P', PolicyDocument: DOC }, POLICY],
  ['GetPolicy', { PolicyArn: POLICY }, POLICY],
  ['ListPolicies', {}, '*'],
  ['CreatePolicyVersion', { PolicyArn: POLICY, PolicyDocument: DOC }, POLICY],
  ['GetPolicyVersion', { PolicyArn: POLICY, VersionId: 'v2' }, POLICY],
  ['ListPolicyVersions', { PolicyArn: POLICY }, POLICY],
  ['SetDefaultPolicyVersion', { PolicyArn: POLICY, VersionId: 'v2' }, POLICY],
  ['DeletePolicyVersion', { PolicyArn: POLICY, VersionId: 'v1' }, POLICY],
  [
    'CreateRole',
    {
      RoleName: 'app',
      Path: '/svc/',
      AssumeRolePolicyDocument: trustPolicy('issuer.example/id/X'),
    },
    ROLE,
  ],
  ['GetRole', { RoleName: 'app' }, ROLE],
  ['ListRoles', {}, '*'],
  ['UpdateRole', { RoleName: 'app', MaxSessionDuration: '7200' }, ROLE],
  ['UpdateRoleDescription', { RoleName: 'app', Description: 'd' }, ROLE],
  [
    'UpdateAssumeRolePolicy',
    {
      RoleName: 'app',
      PolicyDocument: trustPolicy('issuer.example/id/X', 'system:serviceaccount:a:b'),
    },
    ROLE,
  ],
  ['TagRole', { RoleName: 'app', ...TAG }, ROLE],
  ['ListRoleTags', { RoleName: 'app' }, ROLE],
  ['UntagRole', { RoleName: 'app', ...members('TagKeys', ['k']) }, ROLE],
  ['PutRolePermissionsBoundary', { RoleName: 'app', PermissionsBoundary: POLICY }, ROLE],
  ['DeleteRolePermissionsBoundary', { RoleName: 'app' }, ROLE],
  ['AttachRolePolicy', { RoleName: 'app', PolicyArn: POLICY }, ROLE],
  ['ListAttachedRolePolicies', { RoleName: 'app' }, ROLE],
  ['ListEntitiesForPolicy', { PolicyArn: POLICY }, POLICY],
  ['DetachRolePolicy', { RoleName: 'app', PolicyArn: POLICY }, ROLE],
  ['PutRolePolicy', { RoleName: 'app', PolicyName: 'i', PolicyDocument: DOC }, ROLE],
  ['GetRolePolicy', { RoleName: 'app', PolicyName: 'i' }, ROLE],
  ['ListRolePolicies', { RoleName: 'app' }, ROLE],
  [
    'SimulatePrincipalPolicy',
    { PolicySourceArn: ROLE, ...members('ActionNames', ['s3:GetObject']) },
    ROLE,
  ],
  [
    'SimulateCustomPolicy',
    { ...members('PolicyInputList', [DOC]), ...members('ActionNames', ['s3:GetObject']) },
    '*',
  ],
  ['DeleteRolePolicy', { RoleName: 'app', PolicyName: 'i' }, ROLE],
  ['DeleteRole', { RoleName: 'app' }, ROLE],
  ['DeletePolicy', { PolicyArn: POLICY }, POLICY],
  ['DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: PROVIDER }, PROVIDER],
]

test('every action asks the authoriser once, with iam:<Action> and its SAR resource', async () => {
  const h = harness()
  try {
    for (const [action, params, resource] of CALLS) {
      const r = await h.call(action, params)
      assert.equal(r.status, 200, `${action}: ${r.code ?? ''} ${r.message ?? ''}`)
      const decisions = h.store.decisions.byRequestId(r.requestId)
      assert.deepEqual(
        decisions.map((d) => [d.action, d.resource, d.decision]),
        [[`iam:${action}`, resource, 'allowed']],
        action,
      )
    }
    const registered = createIamActions({
      store: h.store,
      clock: h.clock,
      authorizer: { authorize: () => undefined },
    }).map((a) => a.action)
    assert.deepEqual([...new Set(CALLS.map((c) => c[0]))].sort(), [...registered].sort())
    assert.equal(registered.length, 41)
  } finally {
    h.close()
  }
})

test('PolicyCache: one compile per document text and kind; least recently used entries leave first', () => {
  const cache = new PolicyCache(2)
  const a = policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })
  const b = policy({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' })
  const c = policy({ Effect: 'Allow', Action: 'sns:*', Resource: '*' })
  const first = cache.get(a, 'identity', 'a', 'role')
  assert.equal(cache.get(a, 'identity', 'a', 'role'), first)
  assert.notEqual(cache.get(a, 'boundary', 'a', 'role'), first, 'the kind is part of the key')
  cache.get(a, 'identity', 'a', 'role')
  cache.get(b, 'identity', 'b', 'role')
  cache.get(c, 'identity', 'c', 'role')
  const { hits, misses, size } = cache.stats()
  assert.deepEqual({ hits, misses, size }, { hits: 2, misses: 4, size: 2 })
  assert.notEqual(cache.get(a, 'identity', 'a', 'role'), first, 'evicted, so compiled again')
})

test('buildRequestContext: the global keys of a root and a role-session request', () => {
  const root = buildRequestContext({
    principal: rootPrincipal(ACCOUNT),
    nowMs: T0 + 999,
    sourceIp: '::ffff:127.0.0.1',
    region: 'us-east-1',
  })
  assert.deepEqual(root['aws:PrincipalArn'], {
    type: 'string',
    values: [`arn:aws:iam::${ACCOUNT}:root`],
  })
  assert.deepEqual(root['aws:PrincipalType'], { type: 'string', values: ['Account'] })
  assert.deepEqual(root['aws:CurrentTime'], { type: 'date', values: ['2026-03-01T10:00:00Z'] })
  assert.deepEqual(root['aws:EpochTime'], { type: 'numeric', values: [String(T0 / 1000)] })
  assert.deepEqual(root['aws:SourceIp'], { type: 'ip', values: ['127.0.0.1'] })
  assert.deepEqual(root['aws:SecureTransport'], { type: 'boolean', values: ['false'] })
  assert.equal(root['aws:username'], undefined)
  const session = buildRequestContext({
    principal: {
      kind: 'role-session',
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
      userId: 'AROAEXAMPLE:s',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/x/app`,
      roleId: 'AROAEXAMPLE',
      roleName: 'app',
      sessionName: 's',
      sessionTags: [{ key: 'Team', value: 'red' }],
      federatedProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/issuer.example`,
      expiresAtMs: T0,
    },
    nowMs: manualClock(T0).now(),
    roleTags: [
      { key: 'team', value: 'blue' },
      { key: 'env', value: 'dev' },
    ],
    extra: { 'aws:TagKeys': ['a', 'b'], 'iam:PolicyARN': 'arn:x' },
  })
  assert.deepEqual(session['aws:PrincipalArn']?.values, [`arn:aws:iam::${ACCOUNT}:role/x/app`])
  assert.deepEqual(session['aws:userid']?.values, ['AROAEXAMPLE:s'])
  assert.deepEqual(session['aws:PrincipalTag/team']?.values, ['red'], 'session tags win')
  assert.deepEqual(session['aws:PrincipalTag/env']?.values, ['dev'])
  assert.deepEqual(session['aws:FederatedProvider']?.values, [
    `arn:aws:iam::${ACCOUNT}:oidc-provider/issuer.example`,
  ])
  assert.deepEqual(session['aws:TagKeys'], { type: 'stringList', values: ['a', 'b'] })
  assert.deepEqual(session['iam:PolicyARN'], { type: 'string', values: ['arn:x'] })
  assert.equal(session['aws:SourceIp'], undefined)
})
