/**
 * The `irsa up` stack an S3 interop file shares among its cases
 * (test/interop/s3-stack-*.test.ts): the real process over a temp folder, shell scripts
 * run as a user types them (`source .irsa/env`, the `irsa` profile for `aws s3 presign`),
 * and role sessions obtained the way a pod gets one: an IAM OIDC provider for the local
 * cluster, a role trusting one ServiceAccount, `irsa create token`, and
 * `aws sts assume-role-with-web-identity`.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { startUp, stopUp, tempDir, TEST_ACCOUNT_ID, type UpProcess } from '../e2e/up-process.js'
import { cliBin } from './paths.js'
import { runProcess, type ProcessResult } from './tools.js'

/** A role session's temporary credentials, as STS returned them. */
export interface SessionCreds {
  readonly AccessKeyId: string
  readonly SecretAccessKey: string
  /** Absent for a long-term key (another account's admin key). */
  readonly SessionToken?: string
}

/** One running stack and the ways a test talks to it. */
export interface S3Stack {
  readonly work: string
  readonly up: UpProcess
  readonly accountId: string
  /** The AWS endpoint's URL (`AWS_ENDPOINT_URL` of the env file). */
  readonly endpoint: string
  /** The admin key of the env file. */
  readonly admin: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly region: string
  /** Runs a bash script in `work` after `source .irsa/env`; `as` runs it as a session. */
  sh(script: string, as?: SessionCreds): Promise<ProcessResult>
  /** {@link sh}, asserting exit 0; its stdout. */
  ok(script: string, as?: SessionCreds): Promise<string>
  /** {@link sh}, asserting a failure; its stderr. */
  fails(script: string, as?: SessionCreds): Promise<string>
  /**
   * A role `role` trusting ServiceAccount default/`role` (made on first use, with the
   * cluster's OIDC provider), and a fresh session of it from AssumeRoleWithWebIdentity.
   */
  session(role: string): Promise<SessionCreds>
  /** The admin key of `otherAccount` (see {@link startS3Stack}), when asked for. */
  readonly other?: { readonly accountId: string; readonly admin: SessionCreds }
}

const PROFILE_ENV = (data: string): Record<string, string> => ({
  AWS_CONFIG_FILE: join(data, 'aws', 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(data, 'aws', 'credentials'),
  AWS_PROFILE: 'irsa',
})

function envOf(work: string, data: string, as?: SessionCreds): NodeJS.ProcessEnv {
  return {
    // node's own folder last: it may hold another python3 than the AWS CLI's and boto3's
    PATH: `${process.env['PATH'] ?? ''}:${dirname(process.execPath)}`,
    HOME: join(work, 'home'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    ...PROFILE_ENV(data),
    ...(as === undefined
      ? {}
      : {
          S3_AS_KEY: as.AccessKeyId,
          S3_AS_SECRET: as.SecretAccessKey,
          ...(as.SessionToken === undefined ? {} : { S3_AS_TOKEN: as.SessionToken }),
        }),
  }
}

// The env file sets the admin key; a session's keys replace it after `source`.
const AS_SESSION = `export AWS_ACCESS_KEY_ID="$S3_AS_KEY" AWS_SECRET_ACCESS_KEY="$S3_AS_SECRET"
if [ -n "\${S3_AS_TOKEN-}" ]; then export AWS_SESSION_TOKEN="$S3_AS_TOKEN"; fi`

function envFileValue(text: string, name: string): string {
  const v = new RegExp(`^export ${name}='([^']*)'$`, 'm').exec(text)?.[1]
  assert.ok(v !== undefined, `${name} is not in the env file`)
  return v
}

function adminOf(envText: string): SessionCreds {
  return {
    AccessKeyId: envFileValue(envText, 'AWS_ACCESS_KEY_ID'),
    SecretAccessKey: envFileValue(envText, 'AWS_SECRET_ACCESS_KEY'),
  }
}

/**
 * Starts `irsa up` for one test file (stopped with kill -9 after it). `otherAccount`
 * first starts the data directory once as that account (its admin key kept), as
 * doctor-rows-issuer does: one store then holds both accounts, and the stack serves both.
 */
export async function startS3Stack(
  t: { after(fn: () => unknown): void },
  o: { readonly otherAccount?: string } = {},
): Promise<S3Stack> {
  const work = tempDir(t, 'irsa-s3-stack-')
  mkdirSync(join(work, 'home'))
  const data = join(work, '.irsa')
  let other: S3Stack['other']
  if (o.otherAccount !== undefined) {
    await stopUp(await startUp(data, ['--account-id', o.otherAccount]))
    other = {
      accountId: o.otherAccount,
      admin: adminOf(readFileSync(join(data, 'env'), 'utf8')),
    }
  }
  const up = await startUp(data)
  t.after(() => stopUp(up, 'SIGKILL'))
  const envText = readFileSync(join(data, 'env'), 'utf8')
  const sh = (script: string, as?: SessionCreds): Promise<ProcessResult> =>
    runProcess(
      'bash',
      [
        '--noprofile',
        '--norc',
        '-e',
        '-c',
        `source .irsa/env\n${as === undefined ? '' : AS_SESSION}\nirsa() { node '${cliBin}' "$@"; }\n${script}`,
      ],
      { cwd: work, env: envOf(work, data, as) },
    )
  const ok = async (script: string, as?: SessionCreds): Promise<string> => {
    const r = await sh(script, as)
    assert.equal(r.code, 0, `${script}\nfailed (${r.code}):\n${r.stdout}\n${r.stderr}`)
    return r.stdout
  }
  const fails = async (script: string, as?: SessionCreds): Promise<string> => {
    const r = await sh(script, as)
    assert.notEqual(r.code, 0, `${script}\nsucceeded:\n${r.stdout}`)
    return r.stderr
  }
  let provider: Promise<string> | undefined
  const providerHost = (): Promise<string> =>
    (provider ??= ok(
      `irsa utils associate-iam-oidc-provider --cluster local --approve > /dev/null
aws eks describe-cluster --name local --query cluster.identity.oidc.issuer --output text`,
    ).then((issuer) => issuer.trim().replace(/^https:\/\//, '')))
  const roles = new Map<string, Promise<string>>()
  const session = async (role: string): Promise<SessionCreds> => {
    const host = await providerHost()
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/${host}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${host}:sub`]: `system:serviceaccount:default:${role}`,
              [`${host}:aud`]: 'sts.amazonaws.com',
            },
          },
        },
      ],
    })
    if (!roles.has(role))
      roles.set(
        role,
        ok(
          `aws iam create-role --role-name ${role} --assume-role-policy-document '${trust}' > /dev/null`,
        ),
      )
    await roles.get(role)
    const out = await ok(
      `irsa create token ${role} -n default --cluster local > token-${role}
aws sts assume-role-with-web-identity --role-arn arn:aws:iam::${TEST_ACCOUNT_ID}:role/${role} \\
  --role-session-name ${role}-session --web-identity-token file://token-${role} --query Credentials --output json`,
    )
    return JSON.parse(out) as SessionCreds
  }
  return {
    work,
    up,
    accountId: TEST_ACCOUNT_ID,
    endpoint: envFileValue(envText, 'AWS_ENDPOINT_URL'),
    admin: {
      accessKeyId: envFileValue(envText, 'AWS_ACCESS_KEY_ID'),
      secretAccessKey: envFileValue(envText, 'AWS_SECRET_ACCESS_KEY'),
    },
    region: envFileValue(envText, 'AWS_REGION'),
    sh,
    ok,
    fails,
    session,
    ...(other === undefined ? {} : { other }),
  }
}
