/**
 * The IAM actions over a real loopback socket, driven by the real clients: the AWS CLI
 * running the IRSA walkthrough's commands as written, and @aws-sdk/client-iam (its
 * exception classes for IAM's errors).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  IAMClient,
  IAMServiceException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  SimulateCustomPolicyCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  CreatePolicyVersionCommand,
} from '@aws-sdk/client-iam'
import { silentLogger, systemClock } from '../../src/core/index.js'
import { createAwsApp, startAwsServer, type AwsServer } from '../../src/aws/index.js'
import { openStore, type Store } from '../../src/store/index.js'
import { createAuthorizer, createIamActions, type Principal } from '../../src/iam/index.js'
import {
  createCredentialLookup,
  createSessionCodec,
  loadSessionSecret,
  type SessionCodec,
} from '../../src/sts/index.js'
import { awsCli } from '../helpers/tools.js'

const ACCOUNT = '111122223333'
const ROOT = {
  accessKeyId: 'AKIAIRSAIAMINTEROP01',
  secretAccessKey: 'interopRootSecretKey/000000000000000001',
}
const ISSUER_PATH = '127.0.0.1:9443/id/0123456789ABCDEF0123456789ABCDEF'
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280'

interface Env {
  server: AwsServer
  store: Store
  dir: string
  sessions: SessionCodec
}

async function start(t: { after(fn: () => Promise<void> | void): void }): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-iam-interop-'))
  const store = openStore({ dir: join(dir, 'data'), clock: systemClock })
  store.accounts.ensure({ id: ACCOUNT })
  store.accessKeys.create({
    ...ROOT,
    accountId: ACCOUNT,
    principalArn: `arn:aws:iam::${ACCOUNT}:root`,
  })
  // sts's own session codec and credential lookup: role sessions as irsa up signs them.
  const sessions = createSessionCodec(loadSessionSecret(store))
  const app = createAwsApp<Principal>({
    actions: createIamActions({
      store,
      clock: systemClock,
      authorizer: createAuthorizer({ store, clock: systemClock }),
    }),
    credentials: createCredentialLookup({ store, sessions, clock: systemClock }),
    clock: systemClock,
    logger: silentLogger(),
  })
  const server = await startAwsServer({ app, host: '127.0.0.1', port: 0 })
  t.after(async () => {
    await server.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-1\n')
  writeFileSync(
    join(dir, 'credentials'),
    `[default]\naws_access_key_id = ${ROOT.accessKeyId}\naws_secret_access_key = ${ROOT.secretAccessKey}\n`,
  )
  return { server, store, dir, sessions }
}

function aws(
  env: Env,
  args: string[],
  session?: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      args.includes('--output') ? args : [...args, '--output', 'json'],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: env.dir,
          AWS_ENDPOINT_URL: env.server.origin,
          AWS_CONFIG_FILE: join(env.dir, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(env.dir, 'credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
          ...(session === undefined
            ? {}
            : {
                AWS_ACCESS_KEY_ID: session.accessKeyId,
                AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
                AWS_SESSION_TOKEN: session.sessionToken,
              }),
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/**
 * The exit status of a command that reached the service and got an error: 254 for AWS CLI
 * v2 (its documented return code), 255 for v1, which has no separate code for it.
 */
function serviceErrorExit(): number {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' })
  return /^aws-cli\/1\./.test(`${r.stdout}${r.stderr}`.trim()) ? 255 : 254
}

async function ok(env: Env, args: string[]): Promise<unknown> {
  const r = await aws(env, args)
  assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)
}

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: ['arn:aws:s3:::my-pod-secrets-bucket/*'],
    },
  ],
}

function trust(sub: string): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_PATH}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${ISSUER_PATH}:sub`]: sub,
            [`${ISSUER_PATH}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  }
}

test(
  'AWS CLI: the IRSA walkthrough’s IAM commands as written',
  { skip: awsCli().skip },
  async (t) => {
    const env = await start(t)
    const policyFile = join(env.dir, 'my-policy.json')
    const trustFile = join(env.dir, 'trust-relationship.json')
    const trust2File = join(env.dir, 'trust-2.json')
    writeFileSync(policyFile, JSON.stringify(POLICY, null, 2))
    writeFileSync(
      trustFile,
      JSON.stringify(trust('system:serviceaccount:default:my-service-account'), null, 2),
    )
    writeFileSync(trust2File, JSON.stringify(trust('system:serviceaccount:default:other'), null, 2))

    const created = (await ok(env, [
      'iam',
      'create-policy',
      '--policy-name',
      'my-policy',
      '--policy-document',
      `file://${policyFile}`,
    ])) as {
      Policy: { Arn: string; DefaultVersionId: string; CreateDate: string }
    }
    const policyArn = `arn:aws:iam::${ACCOUNT}:policy/my-policy`
    assert.equal(created.Policy.Arn, policyArn)
    assert.equal(created.Policy.DefaultVersionId, 'v1')
    assert.match(created.Policy.CreateDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)$/)

    const provider = (await ok(env, [
      'iam',
      'create-open-id-connect-provider',
      '--url',
      `https://${ISSUER_PATH}`,
      '--client-id-list',
      'sts.amazonaws.com',
      '--thumbprint-list',
      THUMBPRINT,
    ])) as { OpenIDConnectProviderArn: string }
    assert.equal(
      provider.OpenIDConnectProviderArn,
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_PATH}`,
    )
    const gotProvider = (await ok(env, [
      'iam',
      'get-open-id-connect-provider',
      '--open-id-connect-provider-arn',
      provider.OpenIDConnectProviderArn,
    ])) as {
      Url: string
      ClientIDList: string[]
      ThumbprintList: string[]
    }
    assert.deepEqual(
      [gotProvider.Url, gotProvider.ClientIDList, gotProvider.ThumbprintList],
      [ISSUER_PATH, ['sts.amazonaws.com'], [THUMBPRINT]],
    )

    const role = (await ok(env, [
      'iam',
      'create-role',
      '--role-name',
      'my-role',
      '--assume-role-policy-document',
      `file://${trustFile}`,
      '--description',
      'my-role-description',
    ])) as { Role: { Arn: string; AssumeRolePolicyDocument: unknown } }
    assert.equal(role.Role.Arn, `arn:aws:iam::${ACCOUNT}:role/my-role`)
    assert.deepEqual(
      role.Role.AssumeRolePolicyDocument,
      trust('system:serviceaccount:default:my-service-account'),
    )

    assert.equal(
      await ok(env, [
        'iam',
        'attach-role-policy',
        '--role-name',
        'my-role',
        '--policy-arn',
        policyArn,
      ]),
      undefined,
    )

    const doc = await ok(env, [
      'iam',
      'get-role',
      '--role-name',
      'my-role',
      '--query',
      'Role.AssumeRolePolicyDocument',
    ])
    assert.deepEqual(
      doc,
      trust('system:serviceaccount:default:my-service-account'),
      'the CLI decodes the URL-encoded document',
    )

    const attached = (await ok(env, [
      'iam',
      'list-attached-role-policies',
      '--role-name',
      'my-role',
    ])) as {
      AttachedPolicies: { PolicyName: string; PolicyArn: string }[]
    }
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'my-policy', PolicyArn: policyArn }])
    const arnOnly = await aws(env, [
      'iam',
      'list-attached-role-policies',
      '--role-name',
      'my-role',
      '--query',
      'AttachedPolicies[].PolicyArn',
      '--output',
      'text',
    ])
    assert.equal(arnOnly.stdout.trim(), policyArn)

    const policy = (await ok(env, ['iam', 'get-policy', '--policy-arn', policyArn])) as {
      Policy: { AttachmentCount: number; DefaultVersionId: string }
    }
    assert.equal(policy.Policy.AttachmentCount, 1)
    const version = (await ok(env, [
      'iam',
      'get-policy-version',
      '--policy-arn',
      policyArn,
      '--version-id',
      policy.Policy.DefaultVersionId,
    ])) as {
      PolicyVersion: { Document: unknown; IsDefaultVersion: boolean }
    }
    assert.deepEqual(version.PolicyVersion.Document, POLICY)
    assert.equal(version.PolicyVersion.IsDefaultVersion, true)

    assert.equal(
      await ok(env, [
        'iam',
        'update-assume-role-policy',
        '--role-name',
        'my-role',
        '--policy-document',
        `file://${trust2File}`,
      ]),
      undefined,
    )
    assert.deepEqual(
      await ok(env, [
        'iam',
        'get-role',
        '--role-name',
        'my-role',
        '--query',
        'Role.AssumeRolePolicyDocument',
      ]),
      trust('system:serviceaccount:default:other'),
    )

    const sim = (await ok(env, [
      'iam',
      'simulate-principal-policy',
      '--policy-source-arn',
      role.Role.Arn,
      '--action-names',
      's3:GetObject',
      's3:PutObject',
      '--resource-arns',
      'arn:aws:s3:::my-pod-secrets-bucket/key',
    ])) as {
      EvaluationResults: {
        EvalActionName: string
        EvalDecision: string
        MatchedStatements: {
          SourcePolicyId: string
          SourcePolicyType: string
          StartPosition: { Line: number; Column: number }
        }[]
      }[]
    }
    assert.deepEqual(
      sim.EvaluationResults.map((r) => [r.EvalActionName, r.EvalDecision]),
      [
        ['s3:GetObject', 'allowed'],
        ['s3:PutObject', 'implicitDeny'],
      ],
    )
    assert.deepEqual(
      sim.EvaluationResults[0]?.MatchedStatements.map((s) => [
        s.SourcePolicyId,
        s.SourcePolicyType,
        s.StartPosition.Line,
      ]),
      [['my-policy', 'user-managed', 4]],
    )

    const custom = (await ok(env, [
      'iam',
      'simulate-custom-policy',
      '--policy-input-list',
      // The AWS CLI splits a file:// value of a list parameter into characters; the
      // simulator's documented shell form passes the document as one argument.
      readFileSync(policyFile, 'utf8'),
      '--action-names',
      's3:GetObject',
      '--resource-arns',
      'arn:aws:s3:::my-pod-secrets-bucket',
    ])) as { EvaluationResults: { EvalDecision: string; MatchedStatements: unknown[] }[] }
    assert.equal(
      custom.EvaluationResults[0]?.EvalDecision,
      'implicitDeny',
      'the bucket itself is not bucket/*',
    )

    // The CLI's own paginator follows IsTruncated/Marker through pages of one role.
    for (const name of ['a-role', 'b-role'])
      await ok(env, [
        'iam',
        'create-role',
        '--role-name',
        name,
        '--assume-role-policy-document',
        `file://${trustFile}`,
      ])
    assert.deepEqual(
      await ok(env, ['iam', 'list-roles', '--page-size', '1', '--query', 'Roles[].RoleName']),
      ['a-role', 'b-role', 'my-role'],
    )
    const firstTwo = (await ok(env, [
      'iam',
      'list-roles',
      '--page-size',
      '1',
      '--max-items',
      '2',
    ])) as {
      Roles: unknown[]
      NextToken?: string
    }
    assert.equal(firstTwo.Roles.length, 2)
    assert.ok(firstTwo.NextToken !== undefined, 'the CLI saw IsTruncated and a Marker')

    const missing = await aws(env, ['iam', 'get-role', '--role-name', 'no-such-role'])
    assert.equal(missing.code, serviceErrorExit())
    assert.match(
      missing.stderr,
      /An error occurred \(NoSuchEntity\) when calling the GetRole operation: The role with name no-such-role cannot be found\./,
    )
    const malformed = await aws(env, [
      'iam',
      'create-policy',
      '--policy-name',
      'bad',
      '--policy-document',
      `file://${trustFile}`,
    ])
    assert.equal(malformed.code, serviceErrorExit())
    assert.match(
      malformed.stderr,
      /\(MalformedPolicyDocument\) when calling the CreatePolicy operation: Policy document should not specify a principal\./,
    )
    const conflict = await aws(env, ['iam', 'delete-role', '--role-name', 'my-role'])
    assert.match(
      conflict.stderr,
      /\(DeleteConflict\) when calling the DeleteRole operation: Cannot delete entity, must detach all policies first\./,
    )
  },
)

test('@aws-sdk/client-iam: results and IAM’s errors as the SDK’s own exception classes', async (t) => {
  const env = await start(t)
  const iam = new IAMClient({
    endpoint: env.server.origin,
    region: 'us-east-1',
    credentials: ROOT,
    maxAttempts: 1,
  })
  const doc = JSON.stringify(POLICY)
  const p = await iam.send(new CreatePolicyCommand({ PolicyName: 'P', PolicyDocument: doc }))
  const policyArn = p.Policy?.Arn ?? ''
  assert.equal(policyArn, `arn:aws:iam::${ACCOUNT}:policy/P`)
  assert.ok(p.Policy?.CreateDate instanceof Date)
  const trustDoc = JSON.stringify(trust('system:serviceaccount:default:app'))
  await iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trustDoc }))
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'R', PolicyArn: policyArn }))
  const role = await iam.send(new GetRoleCommand({ RoleName: 'R' }))
  assert.equal(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? ''), trustDoc)
  const prov = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: `https://${ISSUER_PATH}`,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [THUMBPRINT],
    }),
  )
  const gotProv = await iam.send(
    new GetOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: prov.OpenIDConnectProviderArn,
    }),
  )
  assert.equal(gotProv.Url, ISSUER_PATH)
  const sim = await iam.send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [doc],
      ActionNames: ['s3:GetObject'],
      ResourceArns: ['arn:aws:s3:::my-pod-secrets-bucket/k'],
    }),
  )
  assert.equal(sim.EvaluationResults?.[0]?.EvalDecision, 'allowed')
  assert.deepEqual(
    sim.EvaluationResults[0].MatchedStatements?.map((m) => m.SourcePolicyId),
    ['PolicyInputList.1'],
  )

  const cases: [string, () => Promise<unknown>, new (...a: never[]) => Error, number, RegExp][] = [
    [
      'missing role',
      () => iam.send(new GetRoleCommand({ RoleName: 'nope' })),
      NoSuchEntityException,
      404,
      /^The role with name nope cannot be found\.$/,
    ],
    [
      'existing role',
      () => iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trustDoc })),
      EntityAlreadyExistsException,
      409,
      /^Role with name r already exists\.$/,
    ],
    [
      'malformed',
      () => iam.send(new CreatePolicyCommand({ PolicyName: 'Q', PolicyDocument: '{' })),
      MalformedPolicyDocumentException,
      400,
      /^Syntax errors in policy\.$/,
    ],
    [
      'attached',
      () => iam.send(new DeleteRoleCommand({ RoleName: 'R' })),
      DeleteConflictException,
      409,
      /must detach all policies first/,
    ],
  ]
  for (let i = 0; i < 4; i++)
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc }))
  cases.push([
    'versions',
    () => iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: doc })),
    LimitExceededException,
    409,
    /up to 5 versions/,
  ])
  for (const [name, run, cls, status, message] of cases) {
    await assert.rejects(run, (e: unknown) => {
      assert.ok(e instanceof cls, `${name}: ${String(e)}`)
      assert.equal(
        (e as unknown as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode,
        status,
        name,
      )
      assert.match(e.message, message, name)
      return true
    })
  }
})

test(
  'a role session signed by sts’s credentials may call only what its policies allow (AWS CLI and SDK)',
  { skip: awsCli().skip },
  async (t) => {
    const env = await start(t)
    const trustDoc = JSON.stringify(trust('system:serviceaccount:default:app'))
    const role = env.store.roles.create({
      accountId: ACCOUNT,
      name: 'reader',
      assumeRolePolicyDocument: trustDoc,
    })
    env.store.rolePolicies.putInline(
      ACCOUNT,
      'reader',
      'read',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: role.arn }],
      }),
    )
    const creds = env.sessions.issue({
      kind: 'role-session',
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/reader/pod`,
      userId: `${role.roleId}:pod`,
      roleArn: role.arn,
      roleId: role.roleId,
      roleName: 'reader',
      sessionName: 'pod',
      expiresAtMs: Date.now() + 3600_000,
    })
    const got = await aws(
      env,
      ['iam', 'get-role', '--role-name', 'reader', '--query', 'Role.RoleName'],
      creds,
    )
    assert.equal(got.code, 0, got.stderr)
    assert.equal(JSON.parse(got.stdout), 'reader')
    const denied = await aws(env, ['iam', 'list-roles'], creds)
    assert.equal(denied.code, serviceErrorExit())
    assert.match(
      denied.stderr,
      new RegExp(
        `An error occurred \\(AccessDenied\\) when calling the ListRoles operation: User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/pod is not authorized to perform: iam:ListRoles on resource: \\* because no identity-based policy allows the iam:ListRoles action`,
      ),
    )
    const iam = new IAMClient({
      endpoint: env.server.origin,
      region: 'us-east-1',
      credentials: creds,
      maxAttempts: 1,
    })
    await assert.rejects(
      () => iam.send(new DeleteRoleCommand({ RoleName: 'reader' })),
      (e: unknown) => {
        assert.ok(e instanceof IAMServiceException)
        assert.equal(e.name, 'AccessDenied')
        assert.equal(e.$metadata.httpStatusCode, 403)
        assert.equal(
          e.message,
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/pod is not authorized to perform: iam:DeleteRole on resource: role reader because no identity-based policy allows the iam:DeleteRole action`,
        )
        return true
      },
    )
    const decisions = env.store.decisions.recent(10).map((d) => [d.action, d.decision])
    assert.deepEqual(decisions.slice(-3), [
      ['iam:GetRole', 'allowed'],
      ['iam:ListRoles', 'implicitDeny'],
      ['iam:DeleteRole', 'implicitDeny'],
    ])
  },
)
