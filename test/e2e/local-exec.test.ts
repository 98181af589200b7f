/**
 * E2E: the seed walkthrough's last step, end to end on one machine. `irsa up` runs; the
 * AWS CLI creates the OIDC provider (with the thumbprint `irsa oidc thumbprint` measures)
 * and a role whose trust names `system:serviceaccount:default:my-sa`; `irsa apply` creates
 * the ServiceAccount annotated with the role; `irsa exec -n default --service-account
 * my-sa -- aws sts get-caller-identity` prints the assumed-role ARN: the AWS CLI found
 * the injected AWS_ROLE_ARN and token file, called AssumeRoleWithWebIdentity on the local
 * endpoint (STS verified the token against the issuer's JWKS) and used the session.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { awsCli } from '../helpers/tools.js'
import { cliBin } from '../helpers/paths.js'
import { aws, irsa, irsaPlain, startUp, stopUp, tempDir, type Run } from './up-process.js'

const ACCOUNT = '111122223333'

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`)
  return r.stdout
}

/** `irsa` with the stack's data directory, a chosen environment and standard input. */
function irsaWith(
  dataDir: string,
  args: readonly string[],
  env: Record<string, string>,
  input?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliBin, args[0] ?? '', '--data-dir', dataDir, ...args.slice(1)],
      { env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end(input ?? '')
  })
}

test('irsa exec -- aws sts get-caller-identity prints the assumed-role ARN', async (t) => {
  const oracle = awsCli()
  if (oracle.skip !== false) {
    t.skip(oracle.skip)
    return
  }
  const work = tempDir(t, 'irsa-local-exec-')
  const up = await startUp(join(work, 'data'))
  t.after(() => stopUp(up, 'SIGKILL'))
  const hostPath = up.issuer.replace(/^https:\/\//, '')

  const tp = JSON.parse(
    ok(
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
    ),
  ) as { jwksHost: { thumbprint: string } }
  const provider = JSON.parse(
    ok(
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
    ),
  ) as { OpenIDConnectProviderArn: string }
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
              [`${hostPath}:sub`]: 'system:serviceaccount:default:my-sa',
              [`${hostPath}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ],
    }),
  )
  ok(
    await aws(
      up,
      [
        'iam',
        'create-role',
        '--role-name',
        'my-role',
        '--assume-role-policy-document',
        'file://trust.json',
      ],
      { cwd: work },
    ),
    'create-role',
  )

  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: join(work, 'home'),
    AWS_CONFIG_FILE: join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    // Static credentials a developer may have exported: exec must drop them.
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  }
  const sa = [
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: my-sa',
    '  namespace: default',
    '  annotations:',
    `    eks.amazonaws.com/role-arn: arn:aws:iam::${ACCOUNT}:role/my-role`,
    '',
  ].join('\n')
  assert.equal(
    ok(await irsaWith(up.dataDir, ['apply', '-f', '-'], env, sa), 'irsa apply'),
    'serviceaccount/my-sa created\n',
  )
  const got = ok(await irsa(up, ['get', 'sa', 'my-sa']), 'irsa get sa')
  assert.match(got, /^NAME +SECRETS +AGE\nmy-sa +0 +\d+s\n$/)

  const me = await irsaWith(
    up.dataDir,
    [
      'exec',
      '-n',
      'default',
      '--service-account',
      'my-sa',
      '--',
      'aws',
      'sts',
      'get-caller-identity',
      '--output',
      'json',
    ],
    env,
  )
  assert.equal(me.code, 0, me.stderr)
  const identity = JSON.parse(me.stdout) as { Arn: string; Account: string }
  assert.match(
    identity.Arn,
    /^arn:aws:sts::111122223333:assumed-role\/my-role\/botocore-session-\d+$/,
  )
  assert.equal(identity.Account, ACCOUNT)

  // The command's exit code passes through: a call the session may not make fails.
  const denied = await irsaWith(
    up.dataDir,
    ['exec', '--service-account', 'my-sa', '--', 'aws', 'iam', 'list-roles'],
    env,
  )
  // AWS CLI v1 (here and on CI) exits 255 on a service error.
  assert.equal(denied.code, 255, denied.stderr)
  assert.match(denied.stderr, /\(AccessDenied\)/)
})
