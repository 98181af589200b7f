import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkCreateInputs,
  checkNames,
  defaultRoleName,
  kubeTarget,
  parseClusterConfig,
  providerArn,
  providerId,
  runPlan,
  statementSid,
  trustAdmits,
  trustStatement,
  type Step,
} from '../../../src/operator/index.js'
import { createKubeClient, serviceAccountApi, staticCredentials } from '../../../src/kube/index.js'
import { systemClock } from '../../../src/core/index.js'

test("trustStatement is eksctl's shape: StringEquals on ISSUER:sub and ISSUER:aud", () => {
  const issuer = 'https://oidc.example.com/id/ABC'
  const arn = providerArn('111122223333', issuer)
  assert.equal(arn, 'arn:aws:iam::111122223333:oidc-provider/oidc.example.com/id/ABC')
  assert.deepEqual(
    trustStatement({
      providerArn: arn,
      issuer,
      namespace: 'shop',
      name: 'app',
      audience: 'sts.amazonaws.com',
    }),
    {
      Sid: statementSid('shop', 'app'),
      Effect: 'Allow',
      Principal: { Federated: arn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'oidc.example.com/id/ABC:sub': 'system:serviceaccount:shop:app',
          'oidc.example.com/id/ABC:aud': 'sts.amazonaws.com',
        },
      },
    },
  )
  assert.equal(providerId('https://h:8443/p/'), 'h:8443/p')
  assert.match(statementSid('a', 'b'), /^irsa[0-9a-f]{24}$/)
  assert.notEqual(statementSid('a', 'b'), statementSid('a', 'c'))
})

test('defaultRoleName stays within IAM 64 characters, stably', () => {
  assert.equal(defaultRoleName('local', 'default', 'app'), 'irsa-local-default-app')
  const long = defaultRoleName('c'.repeat(40), 'n'.repeat(40), 's'.repeat(40))
  assert.equal(long.length, 64)
  assert.equal(long, defaultRoleName('c'.repeat(40), 'n'.repeat(40), 's'.repeat(40)))
})

test('input checks: one line each, before anything is read', () => {
  assert.throws(() => {
    checkCreateInputs({
      policyArns: [],
      roleArn: 'arn:aws:iam::1:role/r',
      roleName: 'r',
      roleOnly: false,
    })
  }, /^OperatorError: --attach-role-arn and --role-name cannot be used together$/)
  assert.throws(() => {
    checkCreateInputs({ policyArns: [], roleOnly: false })
  }, /one of --attach-policy-arn ARN or --attach-role-arn ARN is required/)
  assert.doesNotThrow(() => {
    checkCreateInputs({ policyArns: ['arn:p'], roleOnly: true })
  })
  assert.throws(() => {
    checkNames('default', 'Bad_Name')
  }, /invalid ServiceAccount name 'Bad_Name'/)
  assert.throws(() => {
    checkNames('Bad', 'ok')
  }, /invalid namespace 'Bad'/)
  assert.doesNotThrow(() => {
    checkNames('kube-system', 'a.b-c')
  })
})

test('runPlan: without approve nothing is applied; with it, every step in order', async () => {
  const applied: string[] = []
  const steps: Step[] = [
    { kind: 'create', what: 'role r', apply: () => Promise.resolve(void applied.push('r')) },
    { kind: 'keep', what: 'sa s' },
  ]
  let out = ''
  await runPlan(steps, false, (t) => (out += t))
  assert.deepEqual(applied, [])
  assert.equal(
    out,
    'plan:\n  create  role r\n  keep    sa s\n(plan only: 1 change; run again with --approve to apply)\n',
  )
  out = ''
  await runPlan(steps, true, (t) => (out += t))
  assert.deepEqual(applied, ['r'])
  assert.equal(out, '  created role r\n  kept    sa s\ndone\n')
  out = ''
  await runPlan([{ kind: 'keep', what: 'x' }], true, (t) => (out += t))
  assert.equal(out, '  kept    x\nnothing to change\n')
})

test('kubeTarget: --context, else the context named after --cluster, else current', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-op-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'config')
  writeFileSync(
    file,
    `apiVersion: v1
clusters: [{name: a, cluster: {server: 'http://127.0.0.1:1'}}, {name: b, cluster: {server: 'http://127.0.0.1:2'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: a, context: {cluster: a, user: u}}, {name: b, context: {cluster: b, user: u}}]
current-context: a
`,
  )
  const base = { env: { KUBECONFIG: `${file}:/nowhere` }, cwd: dir, clock: systemClock }
  assert.equal(kubeTarget({ ...base, cluster: 'b' }).context, 'b')
  assert.equal(kubeTarget({ ...base, cluster: 'zzz' }).context, undefined)
  assert.equal(kubeTarget({ ...base, cluster: 'b', context: 'a' }).context, 'a')
  assert.equal(kubeTarget({ ...base, cluster: 'b' }).client().server, 'http://127.0.0.1:2')
  assert.equal(kubeTarget({ ...base, cluster: 'zzz' }).client().server, 'http://127.0.0.1:1')
  assert.equal(kubeTarget({ ...base, kubeconfig: 'config' }).file, file)
})

test('serviceAccountApi: get (404 is undefined), create, merge patch, delete', async (t) => {
  const seen: { method: string; url: string; type: string | undefined; body: string }[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        type: req.headers['content-type'],
        body,
      })
      res.setHeader('content-type', 'application/json')
      if (req.method === 'GET' && req.url?.endsWith('/missing')) {
        res.statusCode = 404
        res.end(JSON.stringify({ kind: 'Status', message: 'serviceaccounts "missing" not found' }))
        return
      }
      if (req.method === 'POST') res.statusCode = 201
      if (req.method === 'PATCH' && req.url?.endsWith('/refused')) {
        res.statusCode = 422
        res.end(JSON.stringify({ kind: 'Status', message: 'invalid' }))
        return
      }
      res.end(JSON.stringify({ metadata: { name: 'app', namespace: 'shop' } }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => server.close())
  const port = (server.address() as AddressInfo).port
  const client = createKubeClient({
    server: `http://127.0.0.1:${port}`,
    insecureSkipTlsVerify: false,
    credentials: staticCredentials({ token: 'x' }),
    source: 'test',
  })
  t.after(() => {
    client.close()
  })
  const api = serviceAccountApi(client)
  assert.equal(await api.get('shop', 'missing'), undefined)
  assert.equal((await api.get('shop', 'app'))?.metadata.name, 'app')
  await api.create('shop', 'app', { annotations: { a: 'b' }, labels: { l: 'irsa' } })
  await api.patch('shop', 'app', { metadata: { annotations: { a: null } } })
  await assert.rejects(
    api.patch('shop', 'refused', {}),
    /patch serviceaccount shop\/refused: invalid/,
  )
  assert.equal(await api.delete('shop', 'app'), true)
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.type]),
    [
      ['GET', '/api/v1/namespaces/shop/serviceaccounts/missing', undefined],
      ['GET', '/api/v1/namespaces/shop/serviceaccounts/app', undefined],
      ['POST', '/api/v1/namespaces/shop/serviceaccounts', 'application/json'],
      ['PATCH', '/api/v1/namespaces/shop/serviceaccounts/app', 'application/merge-patch+json'],
      ['PATCH', '/api/v1/namespaces/shop/serviceaccounts/refused', 'application/merge-patch+json'],
      ['DELETE', '/api/v1/namespaces/shop/serviceaccounts/app', undefined],
    ],
  )
  assert.deepEqual(JSON.parse(seen[2]?.body ?? ''), {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'app', namespace: 'shop', annotations: { a: 'b' }, labels: { l: 'irsa' } },
  })
  assert.equal(seen[3]?.body, '{"metadata":{"annotations":{"a":null}}}')
})

test('parseClusterConfig reads what create needs of an eksctl ClusterConfig', () => {
  const spec = parseClusterConfig(
    `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: prod}
iam:
  withOIDC: true
  serviceAccounts:
  - metadata: {name: a, namespace: shop}
    attachPolicyARNs: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    roleName: r
    roleOnly: true
    permissionsBoundary: arn:aws:iam::1:policy/b
    tags: {team: shop}
  - metadata: {name: b}
    attachRoleARN: arn:aws:iam::1:role/x
`,
    'c.yaml',
  )
  assert.deepEqual(spec, {
    cluster: 'prod',
    withOIDC: true,
    serviceAccounts: [
      {
        namespace: 'shop',
        name: 'a',
        policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
        roleOnly: true,
        tags: { team: 'shop' },
        roleName: 'r',
        permissionsBoundary: 'arn:aws:iam::1:policy/b',
      },
      {
        namespace: 'default',
        name: 'b',
        policyArns: [],
        roleOnly: false,
        tags: {},
        roleArn: 'arn:aws:iam::1:role/x',
      },
    ],
  })
  assert.throws(
    () => parseClusterConfig('kind: Pod', 'c.yaml'),
    /^OperatorError: c.yaml: not an eksctl ClusterConfig/,
  )
  assert.throws(
    () =>
      parseClusterConfig(
        'kind: ClusterConfig\nmetadata: {name: p}\niam: {serviceAccounts: [{metadata: {name: a}, wellKnownPolicies: {autoScaler: true}}]}',
        'c.yaml',
      ),
    /wellKnownPolicies is not supported yet/,
  )
})

test('get iamserviceaccount decides admission with the policy engine, as STS does', () => {
  const issuer = 'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF'
  const id = providerId(issuer)
  const provider = providerArn('111122223333', issuer)
  const roleArn = 'arn:aws:iam::111122223333:role/app'
  const trust = (cond: Record<string, Record<string, string>>): string =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: cond,
        },
      ],
    })
  const claims = (sub: string) => ({
    roleArn,
    providerArn: provider,
    context: { [`${id}:sub`]: sub, [`${id}:aud`]: 'sts.amazonaws.com' },
  })
  const like = trust({ StringLike: { [`${id}:sub`]: 'system:serviceaccount:team-*:app' } })
  assert.equal(trustAdmits(like, claims('system:serviceaccount:team-a:app')).admitted, true)
  const other = trustAdmits(like, claims('system:serviceaccount:default:app'))
  assert.equal(other.admitted, false)
  assert.match(other.reason, /trust policy statement 0 .*sub/)
  // A key that is not the provider's (a trailing slash) never matches: the engine says why.
  const slash = trust({ StringEquals: { [`${id}/:sub`]: 'system:serviceaccount:default:app' } })
  assert.equal(trustAdmits(slash, claims('system:serviceaccount:default:app')).admitted, false)
  assert.equal(trustAdmits('{', claims('x')).admitted, false)
})
