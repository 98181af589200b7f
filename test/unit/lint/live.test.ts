/**
 * `irsa lint --role-arn` / `--all-roles` against irsa's own IAM over a loopback socket: the
 * AWS SDK v3 IAM client reads the trust, inline and attached managed policies (its default
 * chain takes the endpoint and keys from the environment), and the findings name the role,
 * the policy and the statement.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import { silentLogger, systemClock } from '../../../src/core/index.js'
import { createAwsApp, startAwsServer } from '../../../src/aws/index.js'
import { openStore } from '../../../src/store/index.js'
import { createAuthorizer, createIamActions, type Principal } from '../../../src/iam/index.js'
import {
  createCredentialLookup,
  createSessionCodec,
  loadSessionSecret,
} from '../../../src/sts/index.js'
import { lintTexts, readLiveRoles } from '../../../src/lint/index.js'
import { runBin } from '../../helpers/cli.js'

const ACCOUNT = '111122223333'
const ROOT = {
  accessKeyId: 'AKIAIRSALINTLIVE0001',
  secretAccessKey: 'lintLiveRootSecretKey/00000000000000001',
}
const P = 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE'

test('live roles: trust, inline and managed policies, located by role, policy and statement', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-lint-live-'))
  const store = openStore({ dir: join(dir, 'data'), clock: systemClock })
  store.accounts.ensure({ id: ACCOUNT })
  store.accessKeys.create({
    ...ROOT,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  })
  const app = createAwsApp<Principal>({
    actions: createIamActions({
      store,
      clock: systemClock,
      authorizer: createAuthorizer({ store, clock: systemClock }),
    }),
    credentials: createCredentialLookup({
      store,
      sessions: createSessionCodec(loadSessionSecret(store)),
      clock: systemClock,
    }),
    clock: systemClock,
    logger: silentLogger(),
  })
  const server = await startAwsServer({ app, host: '127.0.0.1', port: 0 })
  t.after(async () => {
    await server.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const client = new IAMClient({
    endpoint: server.origin,
    region: 'us-east-1',
    credentials: ROOT,
    maxAttempts: 1,
  })
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${P}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${P}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  }
  await client.send(
    new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify(trust) }),
  )
  await client.send(
    new PutRolePolicyCommand({
      RoleName: 'app',
      PolicyName: 'read',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket' }],
      }),
    }),
  )
  const pol = await client.send(
    new CreatePolicyCommand({
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'All', Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
    }),
  )
  await client.send(
    new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: pol.Policy?.Arn ?? '' }),
  )

  const docs = await readLiveRoles([`arn:aws:iam::${ACCOUNT}:role/app`], false, client)
  assert.deepEqual(
    docs.map((d) => [d.kind, d.source.policy]),
    [
      ['trust', 'trust policy'],
      ['permissions', 'inline policy read'],
      ['permissions', `managed policy arn:aws:iam::${ACCOUNT}:policy/everything`],
    ],
  )
  const findings = await lintTexts(docs)
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.location.role, f.location.policy, f.location.statement]),
    [
      ['federated-provider-missing', `arn:aws:iam::${ACCOUNT}:role/app`, 'trust policy', 0],
      ['trust-no-sub', `arn:aws:iam::${ACCOUNT}:role/app`, 'trust policy', 0],
      ['action-resource-mismatch', `arn:aws:iam::${ACCOUNT}:role/app`, 'inline policy read', 0],
      [
        'wildcard-action-all-resources',
        `arn:aws:iam::${ACCOUNT}:role/app`,
        `managed policy arn:aws:iam::${ACCOUNT}:policy/everything`,
        0,
      ],
    ],
  )
  assert.equal(findings[3]?.location.sid, 'All')

  // With the provider created, the Federated principal names one of the account's providers.
  await client.send(
    new CreateOpenIDConnectProviderCommand({
      Url: `https://${P}`,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    }),
  )
  const after = await lintTexts(await readLiveRoles(['app'], false, client))
  assert.deepEqual(
    after.map((f) => f.ruleId),
    ['trust-no-sub', 'action-resource-mismatch', 'wildcard-action-all-resources'],
  )

  // The CLI, through the SDK's default chain (environment credentials and endpoint).
  const env = {
    AWS_ENDPOINT_URL: server.origin,
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/irsa-lint-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/irsa-lint-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  }
  const r = await runBin(['lint', '--all-roles', '--format', 'json'], { env })
  assert.equal(r.code, 1, r.stderr)
  const out = JSON.parse(r.stdout) as { findings: { ruleId: string }[] }
  assert.deepEqual(
    out.findings.map((f) => f.ruleId),
    ['trust-no-sub', 'action-resource-mismatch', 'wildcard-action-all-resources'],
  )
  const text = await runBin(['lint', '--role-arn', 'app'], { env })
  assert.match(
    text.stdout,
    new RegExp(
      `^role arn:aws:iam::${ACCOUNT}:role/app trust policy statement 0 \\d+:\\d+: error \\[trust-no-sub\\]`,
      'm',
    ),
  )
  const denied = await runBin(['lint', '--role-arn', 'nope'], { env })
  assert.equal(denied.code, 2)
  assert.match(denied.stderr, /reading roles from IAM failed: NoSuchEntity/)
})
