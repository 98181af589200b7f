/**
 * E2E: `irsa cluster rotate-keys` and `irsa cluster create` against a running `irsa up`,
 * seen by STS with no restart. After a rotation, a token from the new key and a token
 * signed before it by the old key both assume the role (the issuer serves both keys);
 * a cluster created from another process is served at once, and its tokens are refused
 * until its own provider exists. Driven by @aws-sdk/client-iam and client-sts.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam'
import {
  AssumeRoleWithWebIdentityCommand,
  InvalidIdentityTokenException,
  STSClient,
} from '@aws-sdk/client-sts'
import { decodeToken } from '../../src/token/index.js'
import {
  assertNoSecretInLogs,
  irsa,
  irsaPlain,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type UpProcess,
} from './up-process.js'

function adminCreds(up: UpProcess): { accessKeyId: string; secretAccessKey: string } {
  const r = spawnSync(
    'sh',
    [
      '-c',
      `. "${join(up.dataDir, 'env')}"; printf '%s\\n%s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"`,
    ],
    { encoding: 'utf8' },
  )
  const [accessKeyId = '', secretAccessKey = ''] = r.stdout.split('\n')
  secrets.add(secretAccessKey)
  return { accessKeyId, secretAccessKey }
}

async function token(up: UpProcess, cluster: string): Promise<string> {
  const r = await irsa(up, ['create', 'token', 'app', '-n', 'default', '--cluster', cluster])
  assert.equal(r.code, 0, r.stderr)
  const tok = r.stdout.trim()
  secrets.add(tok)
  return tok
}

async function trustCluster(
  up: UpProcess,
  iam: IAMClient,
  issuer: string,
  role: string,
): Promise<string> {
  const ca = join(up.dataDir, 'ca.pem')
  const tp = await irsaPlain(['oidc', 'thumbprint', issuer, '--output', 'json', '--ca', ca])
  assert.equal(tp.code, 0, tp.stderr)
  const thumbprint = (JSON.parse(tp.stdout) as { jwksHost: { thumbprint: string } }).jwksHost
    .thumbprint
  const provider = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: issuer,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [thumbprint],
    }),
  )
  const hostPath = issuer.replace(/^https:\/\//, '')
  const created = await iam.send(
    new CreateRoleCommand({
      RoleName: role,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${hostPath}:sub`]: 'system:serviceaccount:default:app' },
            },
          },
        ],
      }),
    }),
  )
  return created.Role?.Arn ?? ''
}

test('rotated keys and new clusters reach STS without a restart', async (t) => {
  const up = await startUp(join(tempDir(t), 'data'))
  t.after(() => stopUp(up, 'SIGKILL'))
  const creds = adminCreds(up)
  const iam = new IAMClient({
    region: 'us-west-2',
    endpoint: up.awsEndpoint,
    credentials: creds,
    maxAttempts: 1,
  })
  const sts = new STSClient({
    region: 'us-west-2',
    endpoint: up.awsEndpoint,
    maxAttempts: 1,
    credentials: creds,
  })
  t.after(() => {
    iam.destroy()
    sts.destroy()
  })
  const assume = async (roleArn: string, tok: string): Promise<string> => {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'pod',
        WebIdentityToken: tok,
      }),
    )
    secrets.add(out.Credentials?.SecretAccessKey ?? '')
    secrets.add(out.Credentials?.SessionToken ?? '')
    return out.AssumedRoleUser?.Arn ?? ''
  }

  const roleArn = await trustCluster(up, iam, up.issuer, 'app')
  // A token signed by the first key, then a rotation while the stack runs.
  const before = await token(up, 'local')
  const rotated = await irsa(up, ['cluster', 'rotate-keys', 'local'])
  assert.equal(rotated.code, 0, rotated.stderr)
  const after = await token(up, 'local')
  assert.notEqual(decodeToken(after).header.kid, decodeToken(before).header.kid)
  // STS fetches the issuer's JWKS now: it already holds the new key, and still the old.
  assert.equal(await assume(roleArn, after), 'arn:aws:sts::111122223333:assumed-role/app/pod')
  assert.equal(await assume(roleArn, before), 'arn:aws:sts::111122223333:assumed-role/app/pod')

  const created = await irsa(up, ['cluster', 'create', 'dev', '--output', 'json'])
  assert.equal(created.code, 0, created.stderr)
  const devIssuer = (JSON.parse(created.stdout) as { issuer: string }).issuer
  const devToken = await token(up, 'dev')
  await assert.rejects(assume(roleArn, devToken), (e) => {
    assert.ok(e instanceof InvalidIdentityTokenException)
    assert.match(
      e.message,
      /^No OpenIDConnect provider found in your account for https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/,
    )
    return true
  })
  const devRole = await trustCluster(up, iam, devIssuer, 'dev-app')
  assert.equal(
    await assume(devRole, devToken),
    'arn:aws:sts::111122223333:assumed-role/dev-app/pod',
  )
  assert.deepEqual(await stopUp(up), { code: 0, signal: null })
})

test('sentinel: no token, secret key or session token in the stack log', () => {
  assertNoSecretInLogs()
})
