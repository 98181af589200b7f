import { test } from 'node:test'
import assert from 'node:assert/strict'
import { evaluate, explain, type ContextEntry } from '../../../src/policy/index.js'
import { decide, federated, policy, request, s } from './helpers.js'

const ACCOUNT = '111122223333'
const A = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE'
const B = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF'
const providerArn = (issuer: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`
const ROLE = `arn:aws:iam::${ACCOUNT}:role/my-role`

/** The trust policy of the EKS user guide's "Configure a Kubernetes service account to assume an IAM role". */
const seed = (issuer: string, sub: string, op = 'StringEquals') => ({
  Effect: 'Allow',
  Principal: { Federated: providerArn(issuer) },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { [op]: { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: sub } },
})
const trust = (...statements: object[]) =>
  policy(
    JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2),
    'trust',
    'trust.json',
  )

/** What STS puts in the request for a web identity token from `issuer`. */
function webIdentity(issuer: string, sub: string, aud: string | null = 'sts.amazonaws.com') {
  const context: Record<string, ContextEntry> = {
    [`${issuer}:sub`]: s(sub),
    'aws:FederatedProvider': s(providerArn(issuer)),
  }
  if (aud !== null) context[`${issuer}:aud`] = s(aud)
  return request(context, {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: ROLE,
    principal: federated(providerArn(issuer)),
  })
}

test('StringEquals on :sub and :aud admits exactly the named service account', () => {
  const t = trust(seed(A, 'system:serviceaccount:default:my-service-account'))
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:default:my-service-account'), { resource: t }),
    'allowed',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:default:other'), { resource: t }),
    'implicitDeny',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:kube-system:my-service-account'), { resource: t }),
    'implicitDeny',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:default:my-service-account', 'other-audience'), {
      resource: t,
    }),
    'implicitDeny',
  )
})

test('a token without aud is denied, and the missing key is named', () => {
  const t = trust(seed(A, 'system:serviceaccount:default:app'))
  const r = webIdentity(A, 'system:serviceaccount:default:app', null)
  const e = evaluate(r, { resource: t })
  assert.equal(e.decision, 'implicitDeny')
  assert.deepEqual(e.missingContextKeys, [`${A}:aud`])
})

test('StringLike with system:serviceaccount:NS:* admits every account of the namespace', () => {
  const t = trust(seed(A, 'system:serviceaccount:team-a:*', 'StringLike'))
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:team-a:api'), { resource: t }),
    'allowed',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:team-a:worker'), { resource: t }),
    'allowed',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:team-b:api'), { resource: t }),
    'implicitDeny',
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:team-ab:api'), { resource: t }),
    'implicitDeny',
  )
})

test('several providers in one trust policy: each cluster with its own conditions', () => {
  const t = trust(
    seed(A, 'system:serviceaccount:default:app'),
    seed(B, 'system:serviceaccount:prod:app'),
  )
  assert.equal(
    decide(webIdentity(A, 'system:serviceaccount:default:app'), { resource: t }),
    'allowed',
  )
  assert.equal(decide(webIdentity(B, 'system:serviceaccount:prod:app'), { resource: t }), 'allowed')
  // Cluster B's token naming cluster A's service account matches neither statement.
  assert.equal(
    decide(webIdentity(B, 'system:serviceaccount:default:app'), { resource: t }),
    'implicitDeny',
  )
  const x = explain(webIdentity(B, 'system:serviceaccount:default:app'), { resource: t })
  const reasons = x.layers[0]?.statements.map((st) => st.reason?.element)
  assert.deepEqual(reasons, ['principal', 'condition'])
})

test('a provider that is not trusted is denied by principal, even with matching claims', () => {
  const t = trust(seed(A, 'system:serviceaccount:default:app'))
  const r = webIdentity(B, 'system:serviceaccount:default:app')
  const forged = {
    ...r,
    context: {
      ...r.context,
      [`${A}:sub`]: s('system:serviceaccount:default:app'),
      [`${A}:aud`]: s('sts.amazonaws.com'),
    },
  }
  assert.equal(decide(forged, { resource: t }), 'implicitDeny')
})

test('explain names the failing condition, with the values compared, and the statement position', () => {
  const t = trust(seed(A, 'system:serviceaccount:default:app'))
  const x = explain(webIdentity(A, 'system:serviceaccount:default:other'), { resource: t })
  assert.equal(x.decision, 'implicitDeny')
  const trace = x.layers[0]?.statements[0]
  assert.ok(trace !== undefined)
  assert.deepEqual(trace.statement.start, { line: 4, column: 5 })
  assert.deepEqual(trace.reason, {
    element: 'condition',
    operator: 'StringEquals',
    key: `${A}:sub`,
    expected: ['system:serviceaccount:default:app'],
    actual: ['system:serviceaccount:default:other'],
  })
  const ok = explain(webIdentity(A, 'system:serviceaccount:default:app'), { resource: t })
  assert.equal(ok.decision, 'allowed')
  assert.deepEqual(ok.matched, [trace.statement])
})

test('sts:TagSession must be allowed separately when the token carries session tags', () => {
  const t = trust(seed(A, 'system:serviceaccount:default:app'))
  const r = { ...webIdentity(A, 'system:serviceaccount:default:app'), action: 'sts:TagSession' }
  assert.equal(decide(r, { resource: t }), 'implicitDeny')
  const both = trust({
    ...seed(A, 'system:serviceaccount:default:app'),
    Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  })
  assert.equal(decide(r, { resource: both }), 'allowed')
})
