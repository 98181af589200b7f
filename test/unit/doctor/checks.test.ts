/**
 * doctor's checks as pure functions of facts: a healthy set of facts passes every check, and
 * each §4 failure mode, changed into the facts alone, fails the check that names it (with
 * the values compared and a fix), in chain order, leaving the others as they were.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { SignJWT, exportJWK } from 'jose'
import {
  CHECK_NAMES,
  runChecks,
  type CheckResult,
  type DoctorFacts,
  type DoctorReport,
} from '../../../src/doctor/index.js'
import type { JsonObject } from '../../../src/webhook/index.js'

const URL_ = 'oidc.example.test/id/ABC'
const ISS = `https://${URL_}`
const ACCOUNT = '111122223333'
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${URL_}`
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`
const SUB = 'system:serviceaccount:default:app'
const NOW = Date.parse('2026-06-01T00:00:00Z')

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }

async function token(claims: Record<string, unknown> = {}, kid = 'k1'): Promise<string> {
  return new SignJWT({ sub: SUB, aud: ['sts.amazonaws.com'], ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(ISS)
    .setIssuedAt(NOW / 1000)
    .setExpirationTime(NOW / 1000 + 3600)
    .sign(privateKey)
}

const trust = (sub = SUB, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${URL_}:sub`]: sub, [`${URL_}:aud`]: 'sts.amazonaws.com' } },
        ...extra,
      },
    ],
  })

const env = [
  { name: 'AWS_ROLE_ARN', value: ROLE },
  {
    name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
    value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  },
  { name: 'AWS_REGION', value: 'us-west-2' },
  { name: 'AWS_DEFAULT_REGION', value: 'us-west-2' },
  { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
]

function pod(
  containers: JsonObject[] = [{ name: 'main', env }],
  spec: JsonObject = {},
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7d9f8c6b5-abcde',
      namespace: 'default',
      creationTimestamp: '2026-05-31T00:00:00Z',
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f8c6b5' }],
      labels: { app: 'web' },
    },
    spec: { serviceAccountName: 'app', containers, volumes: [{ name: 'aws-iam-token' }], ...spec },
  }
}

const sa = (annotations: Record<string, string> = { 'eks.amazonaws.com/role-arn': ROLE }) => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: 'app', namespace: 'default', annotations },
})

const webhookConfig = (hook: Record<string, unknown> = {}) => ({
  metadata: { name: 'pod-identity-webhook' },
  webhooks: [
    {
      name: 'iam-for-pods.amazonaws.com',
      failurePolicy: 'Fail',
      rules: [{ operations: ['CREATE'], resources: ['pods'] }],
      ...hook,
    },
  ],
})

async function healthy(): Promise<DoctorFacts> {
  return {
    start: { kind: 'pod', namespace: 'default', pod: 'web-7d9f8c6b5-abcde' },
    nowMs: NOW,
    namespace: 'default',
    serviceAccountName: 'app',
    serviceAccount: { state: 'found', value: sa() },
    pod: { state: 'found', value: pod() },
    namespaceObject: { metadata: { name: 'default' } },
    webhooks: { state: 'found', value: [webhookConfig()] },
    token: { state: 'found', value: { text: await token(), source: 'test' } },
    clusterIssuer: { state: 'found', value: { url: ISS, source: 'test' } },
    discovery: {
      ok: true,
      url: `${ISS}/.well-known/openid-configuration`,
      value: { issuer: ISS, jwks_uri: `${ISS}/keys` },
      ms: 12,
    },
    jwks: { ok: true, url: `${ISS}/keys`, value: { keys: [jwk] }, ms: 8 },
    jwksTls: {
      state: 'found',
      value: {
        host: 'oidc.example.test',
        chain: [
          { subject: 'CN=leaf', issuer: 'CN=ca', sha1: 'aa'.repeat(20) },
          { subject: 'CN=ca', issuer: 'CN=ca', sha1: 'bb'.repeat(20) },
        ],
        thumbprint: 'bb'.repeat(20),
      },
    },
    roleArn: ROLE,
    callerAccount: { state: 'found', value: ACCOUNT },
    providers: { state: 'found', value: [PROVIDER] },
    providerDetails: [
      {
        arn: PROVIDER,
        url: URL_,
        clientIds: ['sts.amazonaws.com'],
        thumbprints: ['bb'.repeat(20)],
      },
    ],
    role: {
      state: 'found',
      value: { arn: ROLE, name: 'app', trustPolicy: trust(), maxSessionDuration: 3600 },
    },
  }
}

function check(r: DoctorReport, name: string): CheckResult {
  const c = r.checks.find((x) => x.name === name)
  assert.ok(c !== undefined, `no check ${name}`)
  return c
}

/** Runs the facts and asserts exactly `failing` fail, in chain order, the first of them first. */
function expectFailures(facts: DoctorFacts, failing: readonly string[]): DoctorReport {
  const r = runChecks(facts)
  const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.name)
  assert.deepEqual(
    failed,
    failing,
    JSON.stringify(
      r.checks.filter((c) => c.status === 'fail'),
      null,
      1,
    ),
  )
  assert.equal(r.healthy, failing.length === 0)
  assert.equal(r.firstFailure, failing[0] ?? null)
  return r
}

test('healthy facts: every check passes, in the contract order, live.assume skipped', async () => {
  const r = expectFailures(await healthy(), [])
  assert.deepEqual(
    r.checks.map((c) => c.name),
    CHECK_NAMES,
  )
  for (const c of r.checks)
    assert.equal(c.status, c.name === 'live.assume' ? 'skipped' : 'pass', `${c.name}: ${c.summary}`)
})

test('serviceaccount.exists: a missing ServiceAccount fails with kubectl create', async () => {
  const f = { ...(await healthy()), serviceAccount: { state: 'missing' as const } }
  const c = check(runChecks(f), 'serviceaccount.exists')
  assert.equal(c.status, 'fail')
  assert.equal(c.fix, 'kubectl create serviceaccount app -n default')
})

test('serviceaccount.role-arn: absent or malformed annotation fails with kubectl annotate', async () => {
  for (const annotations of [{}, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' }]) {
    const f = {
      ...(await healthy()),
      serviceAccount: { state: 'found' as const, value: sa(annotations) },
    }
    const c = check(runChecks(f), 'serviceaccount.role-arn')
    assert.equal(c.status, 'fail')
    assert.match(
      c.fix ?? '',
      /^kubectl annotate serviceaccount app -n default eks\.amazonaws\.com\/role-arn=.* --overwrite$/,
    )
  }
})

test('webhook.installed: none, or a selector that excludes the pod, fails; Ignore is said', async () => {
  const none = { ...(await healthy()), webhooks: { state: 'found' as const, value: [] } }
  assert.equal(check(runChecks(none), 'webhook.installed').status, 'fail')
  const excluded = {
    ...(await healthy()),
    webhooks: {
      state: 'found' as const,
      value: [webhookConfig({ objectSelector: { matchLabels: { irsa: 'on' } } })],
    },
  }
  assert.match(check(runChecks(excluded), 'webhook.installed').summary, /objectSelector excludes/)
  const ns = {
    ...(await healthy()),
    webhooks: {
      state: 'found' as const,
      value: [
        webhookConfig({
          namespaceSelector: {
            matchExpressions: [
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['default'] },
            ],
          },
        }),
      ],
    },
  }
  assert.match(check(runChecks(ns), 'webhook.installed').summary, /namespaceSelector excludes/)
  const ignore = {
    ...(await healthy()),
    webhooks: { state: 'found' as const, value: [webhookConfig({ failurePolicy: 'Ignore' })] },
  }
  const c = check(runChecks(ignore), 'webhook.installed')
  assert.equal(c.status, 'pass')
  assert.match(c.summary, /failurePolicy Ignore/)
  const forbidden = {
    ...(await healthy()),
    webhooks: { state: 'unknown' as const, why: 'HTTP 403' },
  }
  assert.equal(check(runChecks(forbidden), 'webhook.installed').status, 'cannot-tell')
})

test('pod.mutated and pod.after-annotation: an unmutated pod fails both with rollout restart', async () => {
  const f = {
    ...(await healthy()),
    pod: {
      state: 'found' as const,
      value: {
        ...pod([{ name: 'main' }]),
        spec: { serviceAccountName: 'app', containers: [{ name: 'main' }] },
      },
    },
  }
  const r = expectFailures(f, ['pod.mutated', 'pod.after-annotation', 'region.sts'])
  assert.equal(check(r, 'pod.mutated').fix, 'kubectl rollout restart deployment/web -n default')
  assert.equal(
    check(r, 'pod.after-annotation').fix,
    'kubectl rollout restart deployment/web -n default',
  )
})

test('pod.after-annotation: a pod carrying an older role fails', async () => {
  const f = {
    ...(await healthy()),
    serviceAccount: {
      state: 'found' as const,
      value: sa({ 'eks.amazonaws.com/role-arn': `arn:aws:iam::${ACCOUNT}:role/new` }),
    },
  }
  const r = runChecks(f)
  const c = check(r, 'pod.after-annotation')
  assert.equal(c.status, 'fail')
  assert.deepEqual(
    [c.evidence['saRoleArn'], c.evidence['podRoleArn']],
    [`arn:aws:iam::${ACCOUNT}:role/new`, ROLE],
  )
})

test('pod.own-aws-env: static keys or a mount over the token path fail', async () => {
  const f = {
    ...(await healthy()),
    pod: {
      state: 'found' as const,
      value: pod([{ name: 'main', env: [...env, { name: 'AWS_ACCESS_KEY_ID', value: 'AKIA' }] }]),
    },
  }
  const c = check(runChecks(f), 'pod.own-aws-env')
  assert.equal(c.status, 'fail')
  assert.deepEqual(c.evidence['found'], ['main: AWS_ACCESS_KEY_ID'])
})

test('pod.token-readable: different non-root users without fsGroup fail with a patch', async () => {
  const containers = [
    { name: 'a', env, securityContext: { runAsUser: 1000 } },
    { name: 'b', env, securityContext: { runAsUser: 2000 } },
  ]
  const f = { ...(await healthy()), pod: { state: 'found' as const, value: pod(containers) } }
  const c = check(runChecks(f), 'pod.token-readable')
  assert.equal(c.status, 'fail')
  assert.match(c.fix ?? '', /^kubectl patch deployment\/web -n default -p .*fsGroup/)
  const withGroup = {
    ...f,
    pod: {
      state: 'found' as const,
      value: pod(containers, { securityContext: { fsGroup: 65534 } }),
    },
  }
  assert.equal(check(runChecks(withGroup), 'pod.token-readable').status, 'pass')
})

test('token checks: expired, wrong audience, other issuer, unknown kid, bad signature', async () => {
  const base = await healthy()
  const expired = { ...base, nowMs: NOW + 2 * 3600 * 1000 }
  const e = check(runChecks(expired), 'token.not-expired')
  assert.equal(e.status, 'fail')
  assert.deepEqual([e.evidence['exp'], e.evidence['now']], [NOW / 1000 + 3600, NOW / 1000 + 7200])
  const aud = {
    ...base,
    token: {
      state: 'found' as const,
      value: { text: await token({ aud: 'sts.amazon.com' }), source: 't' },
    },
  }
  const ra = runChecks(aud)
  assert.equal(check(ra, 'token.audience').status, 'fail')
  assert.equal(check(ra, 'provider.audience').status, 'fail')
  assert.match(
    check(ra, 'provider.audience').fix ?? '',
    /^aws iam add-client-id-to-open-id-connect-provider /,
  )
  const iss = {
    ...base,
    clusterIssuer: { state: 'found' as const, value: { url: 'https://other', source: 't' } },
  }
  assert.equal(check(runChecks(iss), 'token.issuer').status, 'fail')
  const kid = {
    ...base,
    token: { state: 'found' as const, value: { text: await token({}, 'k2'), source: 't' } },
  }
  assert.match(
    check(runChecks(kid), 'issuer.jwks').summary,
    /kid k2 is not in the published key set/,
  )
  const t = await token()
  const forged = {
    ...base,
    token: {
      state: 'found' as const,
      value: { text: t.slice(0, -4) + (t.endsWith('AAAA') ? 'BBBB' : 'AAAA'), source: 't' },
    },
  }
  assert.match(check(runChecks(forged), 'issuer.jwks').summary, /signature does not verify/)
  const garbage = {
    ...base,
    token: { state: 'found' as const, value: { text: 'not a jwt', source: 't' } },
  }
  assert.equal(check(runChecks(garbage), 'token.decodes').status, 'fail')
})

test('issuer.discovery: unreachable, untrusted, or naming another issuer fails', async () => {
  const base = await healthy()
  for (const discovery of [
    {
      ok: false as const,
      url: ISS,
      error: 'timed out after 5000 ms',
      failure: 'unreachable',
      ms: 5000,
    },
    { ok: false as const, url: ISS, error: 'certificate not trusted', failure: 'untrusted', ms: 3 },
    { ok: true as const, url: ISS, value: { issuer: `${ISS}/` }, ms: 3 },
  ])
    assert.equal(check(runChecks({ ...base, discovery }), 'issuer.discovery').status, 'fail')
})

test('provider.exists: missing, with near misses named (trailing slash, case, other account)', async () => {
  const base = await healthy()
  const cases: [string, RegExp][] = [
    [`${PROVIDER}/`, /trailing slash/],
    [PROVIDER.replace('oidc.example.test', 'OIDC.example.test'), /only in case/],
  ]
  for (const [listed, why] of cases) {
    const f = {
      ...base,
      providers: { state: 'found' as const, value: [listed] },
      providerDetails: [],
    }
    const c = check(runChecks(f), 'provider.exists')
    assert.equal(c.status, 'fail')
    assert.match(c.summary, why)
    assert.match(
      c.fix ?? '',
      /aws iam create-open-id-connect-provider --url https:\/\/oidc\.example\.test\/id\/ABC --client-id-list sts\.amazonaws\.com --thumbprint-list b{40}/,
    )
  }
  const other = {
    ...base,
    roleArn: 'arn:aws:iam::444455556666:role/app',
    role: {
      state: 'found' as const,
      value: {
        arn: 'arn:aws:iam::444455556666:role/app',
        name: 'app',
        trustPolicy: trust(),
        maxSessionDuration: 3600,
      },
    },
  }
  const c = check(runChecks(other), 'provider.exists')
  assert.equal(c.status, 'fail')
  assert.match(c.summary, /is in account 111122223333, but the role is in 444455556666/)
})

test('provider.thumbprint: a chain not on the list and not trusted fails with the update', async () => {
  const base = await healthy()
  const f = {
    ...base,
    jwks: {
      ok: false as const,
      url: `${ISS}/keys`,
      error: 'not trusted',
      failure: 'untrusted',
      ms: 2,
    },
    providerDetails: [
      {
        arn: PROVIDER,
        url: URL_,
        clientIds: ['sts.amazonaws.com'],
        thumbprints: ['cc'.repeat(20)],
      },
    ],
  }
  const c = check(runChecks(f), 'provider.thumbprint')
  assert.equal(c.status, 'fail')
  assert.equal(
    c.fix,
    `aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${PROVIDER} --thumbprint-list ${'bb'.repeat(20)} ${'cc'.repeat(20)}`,
  )
  const trusted = { ...f, jwks: base.jwks }
  assert.equal(check(runChecks(trusted as DoctorFacts), 'provider.thumbprint').status, 'pass')
})

test('provider.quota: 100 providers and none for this issuer fails', async () => {
  const base = await healthy()
  const many = Array.from({ length: 100 }, (_, i) => `arn:aws:iam::${ACCOUNT}:oidc-provider/o${i}`)
  const c = check(
    runChecks({ ...base, providers: { state: 'found', value: many } }),
    'provider.quota',
  )
  assert.equal(c.status, 'fail')
  assert.deepEqual(c.evidence, { providers: 100, quota: 100 })
})

test('role.exists: a missing role fails with create-role and a trust policy that would allow', async () => {
  const f = { ...(await healthy()), role: { state: 'missing' as const } }
  const c = check(runChecks(f), 'role.exists')
  assert.equal(c.status, 'fail')
  assert.match(
    c.fix ?? '',
    /^aws iam create-role --role-name app --assume-role-policy-document '\{.*system:serviceaccount:default:app.*\}'$/,
  )
})

test("trust.federated and trust.conditions: another account's provider fails both, one fix", async () => {
  const doc = trust(SUB).replace(`iam::${ACCOUNT}:oidc`, 'iam::444455556666:oidc')
  const f = {
    ...(await healthy()),
    role: {
      state: 'found' as const,
      value: { arn: ROLE, name: 'app', trustPolicy: doc, maxSessionDuration: 3600 },
    },
  }
  const r = expectFailures(f, ['trust.federated', 'trust.conditions'])
  assert.equal(check(r, 'trust.federated').evidence['slip'], 'different-account')
  assert.equal(check(r, 'trust.federated').fix, check(r, 'trust.conditions').fix)
})

test('trust.conditions: the wrong namespace shows both values; the fix is the corrected policy', async () => {
  const f = {
    ...(await healthy()),
    role: {
      state: 'found' as const,
      value: {
        arn: ROLE,
        name: 'app',
        trustPolicy: trust('system:serviceaccount:prod:app'),
        maxSessionDuration: 3600,
      },
    },
  }
  const r = expectFailures(f, ['trust.conditions'])
  const c = check(r, 'trust.conditions')
  assert.deepEqual(
    [c.evidence['expected'], c.evidence['presented'], c.evidence['slip']],
    [['system:serviceaccount:prod:app'], [SUB], 'wrong-namespace'],
  )
  assert.equal(
    c.fix,
    `aws iam update-assume-role-policy --role-name app --policy-document '${trust()}'`,
  )
})

test('trust.size: over 2048 minified characters fails', async () => {
  const long = trust(SUB, { Sid: 'x'.repeat(2000) })
  const f = {
    ...(await healthy()),
    role: {
      state: 'found' as const,
      value: { arn: ROLE, name: 'app', trustPolicy: long, maxSessionDuration: 3600 },
    },
  }
  const c = check(runChecks(f), 'trust.size')
  assert.equal(c.status, 'fail')
  assert.equal(c.evidence['size'], long.length)
})

test('role.duration: DurationSeconds above MaxSessionDuration fails with update-role', async () => {
  const c = check(runChecks({ ...(await healthy()), durationSeconds: 7200 }), 'role.duration')
  assert.equal(c.status, 'fail')
  assert.equal(c.fix, 'aws iam update-role --role-name app --max-session-duration 7200')
})

test('region.sts: no region variable fails', async () => {
  const bare = env.filter((e) => !e.name.includes('REGION'))
  const f = {
    ...(await healthy()),
    pod: { state: 'found' as const, value: pod([{ name: 'main', env: bare }]) },
  }
  assert.equal(check(runChecks(f), 'region.sts').status, 'fail')
})

test('live.assume: reports the real call, only when made', async () => {
  const f = {
    ...(await healthy()),
    live: { ok: false as const, code: 'AccessDenied', message: 'Not authorized' },
  }
  assert.equal(check(runChecks(f), 'live.assume').status, 'fail')
})

test('token start: no cluster checks, the rest pass; request start: the recorded refusal fails', async () => {
  const base = await healthy()
  const tokenOnly: DoctorFacts = {
    start: { kind: 'token', file: 'tok', roleArn: ROLE },
    nowMs: NOW,
    ...(({
      token,
      discovery,
      jwks,
      jwksTls,
      roleArn,
      callerAccount,
      providers,
      providerDetails,
      role,
    }) => ({
      token,
      discovery,
      jwks,
      jwksTls,
      roleArn,
      callerAccount,
      providers,
      providerDetails,
      role,
    }))(base),
  } as DoctorFacts
  const r = expectFailures(tokenOnly, [])
  assert.equal(check(r, 'serviceaccount.exists').status, 'skipped')
  assert.equal(check(r, 'token.issuer').status, 'skipped')
  const denied: DoctorFacts = {
    start: { kind: 'requestId', requestId: 'r1' },
    nowMs: NOW,
    decisions: [
      {
        requestId: 'r1',
        at: NOW,
        action: 'sts:AssumeRoleWithWebIdentity',
        decision: 'rejected',
        errorCode: 'InvalidIdentityToken',
        reasons: {
          check: 'provider',
          why: 'no OIDC provider for this issuer in account 111122223333',
        },
      },
    ],
  }
  const d = expectFailures(denied, ['decision.recorded', 'provider.exists'])
  assert.equal(d.checks[0]?.name, 'decision.recorded')
})

/** The healthy pod, owned by its Deployment directly (the local stack has no ReplicaSets). */
function deploymentPod(containers: JsonObject[], spec: JsonObject = {}): JsonObject {
  const p = pod(containers, spec)
  const meta = p['metadata'] as JsonObject
  return {
    ...p,
    metadata: { ...meta, ownerReferences: [{ kind: 'Deployment', name: 'api' }] },
  }
}

test('an issuer no CA vouches for, read through a pin: discovery passes, provider.thumbprint decides', async () => {
  const base = await healthy()
  const pinned = 'bb'.repeat(20)
  assert.ok(base.discovery?.ok === true && base.jwks?.ok === true)
  const f: DoctorFacts = {
    ...base,
    discovery: { ...base.discovery, pinned },
    jwks: { ...base.jwks, pinned },
  }
  const onList = runChecks(f)
  assert.equal(check(onList, 'issuer.discovery').status, 'pass')
  assert.match(check(onList, 'issuer.discovery').summary, /thumbprint/)
  assert.equal(
    onList.healthy,
    true,
    JSON.stringify(onList.checks.filter((c) => c.status !== 'pass')),
  )
  const stale = {
    ...f,
    providerDetails: [
      {
        arn: PROVIDER,
        url: URL_,
        clientIds: ['sts.amazonaws.com'],
        thumbprints: ['00'.repeat(20)],
      },
    ],
  }
  const r = runChecks(stale)
  assert.equal(r.firstFailure, 'provider.thumbprint')
  const c = check(r, 'provider.thumbprint')
  assert.equal(c.evidence['expected'], pinned)
  assert.deepEqual(c.evidence['presented'], ['00'.repeat(20)])
  assert.equal(
    c.fix,
    `aws iam update-open-id-connect-provider-thumbprint --open-id-connect-provider-arn ${PROVIDER} --thumbprint-list ${pinned} ${'00'.repeat(20)}`,
  )
})

test('token.not-expired and issuer.jwks of a token file: a new token for the sub, not placeholders', async () => {
  const base = await healthy()
  const file: DoctorFacts = {
    ...base,
    start: { kind: 'token', file: '/tmp/tok', roleArn: ROLE },
    nowMs: NOW + 2 * 3600 * 1000,
  }
  assert.equal(
    check(runChecks(file), 'token.not-expired').fix,
    'kubectl create token app -n default --audience sts.amazonaws.com > /tmp/tok',
  )
  const rotated = {
    ...file,
    nowMs: NOW,
    token: { state: 'found' as const, value: { text: await token({}, 'k2'), source: 't' } },
  }
  const j = check(runChecks(rotated), 'issuer.jwks')
  assert.equal(j.status, 'fail')
  assert.equal(j.fix, 'kubectl create token app -n default --audience sts.amazonaws.com > /tmp/tok')
  assert.equal(check(runChecks({ ...rotated, start: base.start }), 'issuer.jwks').fix, null)
})

test('token.audience: an audience annotation outside the provider client IDs fails with the annotation fix', async () => {
  const base = await healthy()
  const f = {
    ...base,
    serviceAccount: {
      state: 'found' as const,
      value: sa({
        'eks.amazonaws.com/role-arn': ROLE,
        'eks.amazonaws.com/audience': 'sts.amazon.com',
      }),
    },
    pod: { state: 'found' as const, value: deploymentPod([{ name: 'main', env }]) },
    token: {
      state: 'found' as const,
      value: { text: await token({ aud: ['sts.amazon.com'] }), source: 't' },
    },
  }
  const r = runChecks(f)
  assert.equal(r.firstFailure, 'token.audience')
  const c = check(r, 'token.audience')
  assert.equal(c.evidence['expected'], 'sts.amazonaws.com')
  assert.deepEqual(c.evidence['presented'], ['sts.amazon.com'])
  assert.equal(
    c.fix,
    'kubectl annotate serviceaccount app -n default eks.amazonaws.com/audience=sts.amazonaws.com --overwrite\nkubectl rollout restart deployment/api -n default',
  )
  const custom = {
    ...f,
    providerDetails: [
      { arn: PROVIDER, url: URL_, clientIds: ['sts.amazon.com'], thumbprints: ['bb'.repeat(20)] },
    ],
  }
  assert.equal(check(runChecks(custom), 'token.audience').status, 'pass')
})

test('region.sts: AWS_STS_REGIONAL_ENDPOINTS=legacy fails with set env for the Deployment', async () => {
  const legacy = env.map((e) =>
    e.name === 'AWS_STS_REGIONAL_ENDPOINTS' ? { ...e, value: 'legacy' } : e,
  )
  const f = {
    ...(await healthy()),
    pod: { state: 'found' as const, value: deploymentPod([{ name: 'app', env: legacy }]) },
  }
  const c = check(runChecks(f), 'region.sts')
  assert.equal(c.status, 'fail')
  assert.deepEqual([c.evidence['expected'], c.evidence['presented']], ['regional', 'legacy'])
  assert.equal(
    c.fix,
    'kubectl set env deployment/api -n default -c app AWS_STS_REGIONAL_ENDPOINTS=regional',
  )
})

test('pod.own-aws-env and pod.token-readable of a Deployment-owned pod: runnable commands', async () => {
  const base = await healthy()
  const own = [
    {
      name: 'app',
      env: [
        ...env,
        { name: 'AWS_ACCESS_KEY_ID', value: 'AKIA' },
        { name: 'AWS_SECRET_ACCESS_KEY', value: 'x' },
      ],
    },
  ]
  const c = check(
    runChecks({ ...base, pod: { state: 'found' as const, value: deploymentPod(own) } }),
    'pod.own-aws-env',
  )
  assert.equal(
    c.fix,
    'kubectl set env deployment/api -n default -c app AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY-',
  )
  const users = [
    { name: 'a', env, securityContext: { runAsUser: 1000 } },
    { name: 'b', env, securityContext: { runAsUser: 2000 } },
  ]
  const t = check(
    runChecks({ ...base, pod: { state: 'found' as const, value: deploymentPod(users) } }),
    'pod.token-readable',
  )
  assert.match(t.fix ?? '', /^kubectl patch deployment\/api -n default -p .*"fsGroup":65534/)
})
