/**
 * E2E: the IRSA walkthrough against a running `irsa up`, with the AWS CLI as written and
 * irsa's own commands: a token from the `local` cluster, the provider's thumbprint from
 * `irsa oidc thumbprint`, create-open-id-connect-provider, create-policy, create-role
 * with a trust policy from file:// (StringEquals on sub and aud), attach-role-policy,
 * assume-role-with-web-identity, then get-caller-identity with the returned credentials
 * shows the assumed-role ARN, and the role session may call exactly what its policy
 * allows. A token for another service account gets STS's AccessDenied, and `irsa logs
 * --request-id` shows why. No token, secret key or session token reaches the stack log.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { awsCli, boto3 } from '../helpers/tools.js'
import {
  assertNoSecretInLogs,
  aws,
  irsa,
  irsaPlain,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type Run,
} from './up-process.js'

const ACCOUNT = '111122223333'

// The caller names the shape it expects of the CLI's JSON output.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function json<T>(r: Run, what: string): T {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`)
  return JSON.parse(r.stdout) as T
}

interface Credentials {
  AccessKeyId: string
  SecretAccessKey: string
  SessionToken: string
  Expiration: string
}

test('the IRSA walkthrough with the AWS CLI against irsa up', async (t) => {
  const oracle = awsCli()
  if (oracle.skip !== false) {
    t.skip(oracle.skip)
    return
  }
  const work = tempDir(t)
  const up = await startUp(join(work, 'data'))
  t.after(() => stopUp(up, 'SIGKILL'))
  const hostPath = up.issuer.replace(/^https:\/\//, '')
  const cwd = work

  // A service-account token signed by the cluster `local`.
  const tok = await irsa(up, ['create', 'token', 'app', '-n', 'default', '--cluster', 'local'])
  assert.equal(tok.code, 0, tok.stderr)
  const token = tok.stdout.trim()
  secrets.add(token)
  writeFileSync(join(work, 'token'), token)

  // The provider, with the thumbprint irsa measures on the issuer.
  const tp = json<{ jwksHost: { thumbprint: string } }>(
    await irsaPlain([
      'oidc',
      'thumbprint',
      up.issuer,
      '--ca',
      join(up.dataDir, 'ca.pem'),
      '--output',
      'json',
    ]),
    'irsa oidc thumbprint',
  )
  assert.match(tp.jwksHost.thumbprint, /^[0-9a-f]{40}$/)
  const provider = json<{ OpenIDConnectProviderArn: string }>(
    await aws(up, [
      'iam',
      'create-open-id-connect-provider',
      '--url',
      up.issuer,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      tp.jwksHost.thumbprint,
    ]),
    'create-open-id-connect-provider',
  )
  assert.equal(
    provider.OpenIDConnectProviderArn,
    `arn:aws:iam::${ACCOUNT}:oidc-provider/${hostPath}`,
  )

  // A policy the role's pods need: describe the cluster `local`, nothing else.
  const clusterArn = `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/local`
  writeFileSync(
    join(work, 'policy.json'),
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: clusterArn }],
    }),
  )
  const policy = json<{ Policy: { Arn: string } }>(
    await aws(
      up,
      [
        'iam',
        'create-policy',
        '--policy-name',
        'describe-local',
        '--policy-document',
        'file://policy.json',
      ],
      { cwd },
    ),
    'create-policy',
  )
  assert.equal(policy.Policy.Arn, `arn:aws:iam::${ACCOUNT}:policy/describe-local`)

  writeFileSync(
    join(work, 'trust.json'),
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider.OpenIDConnectProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${hostPath}:sub`]: 'system:serviceaccount:default:app',
              [`${hostPath}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ],
    }),
  )
  const role = json<{ Role: { Arn: string } }>(
    await aws(
      up,
      [
        'iam',
        'create-role',
        '--role-name',
        'app',
        '--assume-role-policy-document',
        'file://trust.json',
      ],
      { cwd },
    ),
    'create-role',
  )
  assert.equal(role.Role.Arn, `arn:aws:iam::${ACCOUNT}:role/app`)
  const attached = await aws(up, [
    'iam',
    'attach-role-policy',
    '--role-name',
    'app',
    '--policy-arn',
    policy.Policy.Arn,
  ])
  assert.equal(attached.code, 0, attached.stderr)

  // The walkthrough's checks of what was created.
  const trust = json<{ Statement: { Condition: unknown }[] }>(
    await aws(up, [
      'iam',
      'get-role',
      '--role-name',
      'app',
      '--query',
      'Role.AssumeRolePolicyDocument',
    ]),
    'get-role --query Role.AssumeRolePolicyDocument',
  )
  assert.deepEqual(trust.Statement[0]?.Condition, {
    StringEquals: {
      [`${hostPath}:sub`]: 'system:serviceaccount:default:app',
      [`${hostPath}:aud`]: 'sts.amazonaws.com',
    },
  })
  const attachedList = json<{ AttachedPolicies: { PolicyArn: string }[] }>(
    await aws(up, ['iam', 'list-attached-role-policies', '--role-name', 'app']),
    'list-attached-role-policies',
  )
  assert.deepEqual(
    attachedList.AttachedPolicies.map((p) => p.PolicyArn),
    [policy.Policy.Arn],
  )

  // Assume the role with the token, as the pod's SDK would.
  const assumed = json<{ Credentials: Credentials; AssumedRoleUser: { Arn: string } }>(
    await aws(
      up,
      [
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        role.Role.Arn,
        '--role-session-name',
        'pod-1',
        '--web-identity-token',
        'file://token',
      ],
      { cwd },
    ),
    'assume-role-with-web-identity',
  )
  const creds = assumed.Credentials
  secrets.add(creds.SecretAccessKey)
  secrets.add(creds.SessionToken)
  assert.match(creds.AccessKeyId, /^ASIA/)
  assert.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/pod-1`)

  const me = json<{ Arn: string; Account: string }>(
    await aws(up, ['sts', 'get-caller-identity'], { creds }),
    'get-caller-identity',
  )
  assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/pod-1`)
  assert.equal(me.Account, ACCOUNT)

  // The session may do what its policy allows, and nothing more.
  const described = await aws(
    up,
    [
      'eks',
      'describe-cluster',
      '--name',
      'local',
      '--query',
      'cluster.identity.oidc.issuer',
      '--output',
      'text',
    ],
    { creds },
  )
  assert.equal(described.code, 0, described.stderr)
  assert.equal(described.stdout.trim(), up.issuer)
  const listed = await aws(up, ['eks', 'list-clusters'], { creds })
  assert.notEqual(listed.code, 0)
  assert.match(listed.stderr, /\(AccessDeniedException\)/)
  const getRole = await aws(up, ['iam', 'get-role', '--role-name', 'app'], { creds })
  assert.notEqual(getRole.code, 0)
  assert.match(
    getRole.stderr,
    /\(AccessDenied\) when calling the GetRole operation: User: arn:aws:sts::111122223333:assumed-role\/app\/pod-1 is not authorized to perform: iam:GetRole/,
  )

  // boto3's own web-identity provider, configured the way the pod identity webhook does.
  const py = boto3()
  if (py.skip === false) {
    const out = await new Promise<Run>((resolve) => {
      execFile(
        'python3',
        ['-c', 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'],
        {
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: work,
            AWS_ROLE_ARN: role.Role.Arn,
            AWS_WEB_IDENTITY_TOKEN_FILE: join(work, 'token'),
            AWS_ENDPOINT_URL_STS: up.awsEndpoint,
            AWS_REGION: 'us-west-2',
            AWS_DEFAULT_REGION: 'us-west-2',
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_CONFIG_FILE: join(work, 'no-config'),
            AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
          },
          timeout: 60_000,
        },
        (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : 1, stdout, stderr })
        },
      )
    })
    assert.equal(out.code, 0, out.stderr)
    assert.match(
      out.stdout.trim(),
      /^arn:aws:sts::111122223333:assumed-role\/app\/botocore-session-\d+$/,
    )
  } else t.diagnostic(py.skip)

  // A token for another service account: AccessDenied, as AWS words it.
  const other = await irsa(up, ['create', 'token', 'other', '-n', 'default', '--cluster', 'local'])
  assert.equal(other.code, 0, other.stderr)
  secrets.add(other.stdout.trim())
  writeFileSync(join(work, 'other-token'), other.stdout.trim())
  const denied = await aws(
    up,
    [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      role.Role.Arn,
      '--role-session-name',
      'pod-2',
      '--web-identity-token',
      'file://other-token',
      '--debug',
    ],
    { cwd },
  )
  assert.notEqual(denied.code, 0)
  assert.match(
    denied.stderr,
    /An error occurred \(AccessDenied\) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
  )
  const requestId = /'x-amzn-RequestId': '([^']+)'/i.exec(denied.stderr)?.[1]
  assert.ok(requestId !== undefined, 'the AWS CLI debug output names the request id')

  // irsa logs tells the operator why.
  const why = await irsa(up, ['logs', '--request-id', requestId])
  assert.equal(why.code, 0, why.stderr)
  assert.ok(why.stdout.includes(requestId))
  assert.match(why.stdout, /sts:AssumeRoleWithWebIdentity/)
  assert.match(why.stdout, /AccessDenied/)
  assert.match(why.stdout, /system:serviceaccount:default:other/)
  const whyJson = json<{ requestId: string; decision: string; errorCode?: string }[]>(
    await irsa(up, ['logs', '--request-id', requestId, '--output', 'json']),
    'irsa logs --output json',
  )
  assert.ok(whyJson.length >= 1)
  assert.ok(whyJson.every((d) => d.requestId === requestId))
  assert.ok(whyJson.some((d) => d.errorCode === 'AccessDenied' && d.decision !== 'allowed'))

  // Failure paths with secrets in them: a bad signature, a tampered session token.
  const badSig = await aws(up, ['sts', 'get-caller-identity'], {
    // Another first character (a secret that already starts with X stayed valid: a flake).
    creds: {
      ...creds,
      SecretAccessKey:
        (creds.SecretAccessKey.startsWith('X') ? 'Y' : 'X') + creds.SecretAccessKey.slice(1),
    },
  })
  assert.match(badSig.stderr, /\(SignatureDoesNotMatch\)/)
  const badToken = await aws(up, ['sts', 'get-caller-identity'], {
    creds: { ...creds, SessionToken: creds.SessionToken.slice(0, -4) + 'AAAA' },
  })
  assert.match(badToken.stderr, /\(InvalidClientTokenId\)/)

  assert.deepEqual(await stopUp(up), { code: 0, signal: null })
})

test('sentinel: no token, secret key or session token in the stack log', () => {
  assertNoSecretInLogs()
})
