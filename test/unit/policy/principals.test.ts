import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { RequestPrincipal } from '../../../src/policy/index.js'
import { aws, decide, doc, federated, policy, request } from './helpers.js'

const ROLE = 'arn:aws:iam::111122223333:role/app'
const assume = (principal: RequestPrincipal | undefined, action = 'sts:AssumeRole') =>
  request({}, { action, resource: ROLE, ...(principal === undefined ? {} : { principal }) })
const trust = (p: unknown, extra: object = {}) =>
  policy(
    doc([
      {
        Effect: 'Allow',
        Principal: p,
        Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'],
        ...extra,
      },
    ]),
    'trust',
  )
const allowAssume = policy(doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE }]))

const session = aws('arn:aws:sts::111122223333:assumed-role/caller/s1')
const callerRole = aws('arn:aws:iam::111122223333:role/ops/caller')
const user = aws('arn:aws:iam::111122223333:user/alice')
const other = aws('arn:aws:iam::444455556666:user/mallory')

test('"*" and {"AWS": "*"} match every principal, anonymous included', () => {
  for (const p of ['*', { AWS: '*' }]) {
    const t = trust(p)
    for (const who of [session, user, other, federated('accounts.google.com'), undefined])
      assert.equal(
        decide(assume(who), { resource: t }),
        'allowed',
        `${JSON.stringify(p)} ${JSON.stringify(who)}`,
      )
  }
})

test('an account principal only delegates: the account must allow in identity policies', () => {
  for (const p of [{ AWS: '111122223333' }, { AWS: 'arn:aws:iam::111122223333:root' }]) {
    const t = trust(p)
    assert.equal(decide(assume(user), { resource: t }), 'implicitDeny')
    assert.equal(decide(assume(user), { resource: t, identity: [allowAssume] }), 'allowed')
    assert.equal(
      decide(assume(user), {
        resource: t,
        identity: [policy(doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]))],
      }),
      'implicitDeny',
    )
    assert.equal(decide(assume(other), { resource: t, identity: [allowAssume] }), 'implicitDeny')
    // The account's root user is the account itself.
    assert.equal(decide(assume(aws('arn:aws:iam::111122223333:root')), { resource: t }), 'allowed')
    assert.equal(decide(assume(aws('111122223333')), { resource: t }), 'allowed')
  }
})

test('a role ARN matches the role and its sessions (the path is not in the session ARN)', () => {
  const t = trust({ AWS: 'arn:aws:iam::111122223333:role/ops/caller' })
  assert.equal(decide(assume(session), { resource: t }), 'allowed')
  assert.equal(decide(assume(callerRole), { resource: t }), 'allowed')
  assert.equal(
    decide(assume(aws('arn:aws:sts::111122223333:assumed-role/other/s1')), { resource: t }),
    'implicitDeny',
  )
  assert.equal(
    decide(assume(aws('arn:aws:sts::444455556666:assumed-role/caller/s1')), { resource: t }),
    'implicitDeny',
  )
  assert.equal(decide(assume(user), { resource: t }), 'implicitDeny')
})

test('an assumed-role session ARN matches that session only; user ARNs match exactly', () => {
  const t = trust({
    AWS: [
      'arn:aws:sts::111122223333:assumed-role/caller/s1',
      'arn:aws:iam::111122223333:user/alice',
    ],
  })
  assert.equal(decide(assume(session), { resource: t }), 'allowed')
  assert.equal(
    decide(assume(aws('arn:aws:sts::111122223333:assumed-role/caller/s2')), { resource: t }),
    'implicitDeny',
  )
  assert.equal(decide(assume(callerRole), { resource: t }), 'implicitDeny')
  assert.equal(decide(assume(user), { resource: t }), 'allowed')
  assert.equal(
    decide(assume(aws('arn:aws:iam::111122223333:user/Alice')), { resource: t }),
    'implicitDeny',
  )
})

test('Federated and Service principals match exactly, and only their own type', () => {
  const provider = 'arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/ABC'
  const t = trust({ Federated: provider, Service: 'ec2.amazonaws.com' })
  const web = 'sts:AssumeRoleWithWebIdentity'
  assert.equal(decide(assume(federated(provider), web), { resource: t }), 'allowed')
  assert.equal(decide(assume(federated(`${provider}X`), web), { resource: t }), 'implicitDeny')
  assert.equal(
    decide(
      assume(federated('arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/abc'), web),
      { resource: t },
    ),
    'implicitDeny',
  )
  assert.equal(
    decide(assume({ type: 'Service', id: 'ec2.amazonaws.com' }), { resource: t }),
    'allowed',
  )
  assert.equal(
    decide(assume({ type: 'Service', id: 'lambda.amazonaws.com' }), { resource: t }),
    'implicitDeny',
  )
  assert.equal(decide(assume(aws(provider)), { resource: t }), 'implicitDeny')
  assert.equal(decide(assume(undefined), { resource: t }), 'implicitDeny')
})

test('NotPrincipal with Deny excludes a session only when its session, role and account are all listed', () => {
  const bucket = 'arn:aws:s3:::bucket'
  const resourcePolicy = (notPrincipal: string[]) =>
    policy(
      doc([
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${bucket}/*` },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: notPrincipal },
          Action: 's3:*',
          Resource: `${bucket}/*`,
        },
      ]),
      'resource',
    )
  const r = (who: RequestPrincipal) => request({}, { resource: `${bucket}/k`, principal: who })
  const sessionArn = 'arn:aws:sts::111122223333:assumed-role/caller/s1'
  const all = resourcePolicy([
    sessionArn,
    'arn:aws:iam::111122223333:role/caller',
    'arn:aws:iam::111122223333:root',
  ])
  assert.equal(decide(r(session), { resource: all }), 'allowed')
  assert.equal(
    decide(r(aws('arn:aws:sts::111122223333:assumed-role/caller/s2')), { resource: all }),
    'explicitDeny',
  )
  assert.equal(decide(r(other), { resource: all }), 'explicitDeny')
  const onlyAccount = resourcePolicy(['arn:aws:iam::111122223333:root'])
  assert.equal(decide(r(session), { resource: onlyAccount }), 'explicitDeny')
  assert.equal(
    decide(r(aws('arn:aws:iam::111122223333:root')), { resource: onlyAccount }),
    'allowed',
  )
  const userAndAccount = resourcePolicy(['arn:aws:iam::111122223333:user/alice', '111122223333'])
  assert.equal(decide(r(user), { resource: userAndAccount }), 'allowed')
  assert.equal(
    decide(r(aws('arn:aws:iam::111122223333:user/bob')), { resource: userAndAccount }),
    'explicitDeny',
  )
})

test('an Allow with NotPrincipal in a resource policy applies to everyone not listed', () => {
  const p = policy(
    doc([
      {
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 's3:GetObject',
        Resource: '*',
      },
    ]),
    'resource',
  )
  assert.equal(
    decide(request({}, { principal: aws('arn:aws:iam::444455556666:root') }), { resource: p }),
    'implicitDeny',
  )
  assert.equal(decide(request({}, { principal: user }), { resource: p }), 'allowed')
  assert.equal(decide(request({}), { resource: p }), 'allowed')
})
