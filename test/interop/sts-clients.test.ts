/**
 * STS against the real clients over loopback: boto3's and the JS SDK's own web identity
 * credential providers, the SDK's exception classes for every STS error, and the AWS CLI.
 * The AWS endpoint is plain HTTP on 127.0.0.1; the issuer is HTTPS with a local CA that
 * only irsa's JWKS fetcher trusts (the clients never talk to it).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  GetCallerIdentityCommand,
  IDPCommunicationErrorException,
  InvalidIdentityTokenException,
  MalformedPolicyDocumentException,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts'
import { fromTokenFile } from '@aws-sdk/credential-providers'
import { startAwsServer, type AwsServer } from '../../src/aws/index.js'
import { awsCli, boto3 } from '../helpers/tools.js'
import { ACCOUNT, claims, harness, rawJwt, type Harness } from '../unit/sts/harness.js'

const REGION = 'us-west-2'

function run(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '/tmp',
          AWS_CONFIG_FILE: '/nonexistent/irsa-test-config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/irsa-test-credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_REGION: REGION,
          AWS_DEFAULT_REGION: REGION,
          AWS_MAX_ATTEMPTS: '1',
          ...env,
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

describe('STS with the real clients', () => {
  let h: Harness
  let server: AwsServer
  let dir: string
  let roleArn: string
  before(async () => {
    h = await harness({ fetcher: { timeoutMs: 500 } })
    roleArn = h.role('app')
    server = await startAwsServer({ app: h.app, port: 0 })
    dir = mkdtempSync(join(tmpdir(), 'irsa-sts-interop-'))
  })
  after(async () => {
    await server.close()
    await h.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const tokenFile = (name: string, token: string): string => {
    const p = join(dir, name)
    writeFileSync(p, `${token}\n`)
    return p
  }

  test(
    'boto3: its web identity provider gets credentials; get_caller_identity names the session',
    { skip: boto3().skip },
    async () => {
      const script = [
        'import boto3, json',
        "print(json.dumps(boto3.client('sts').get_caller_identity()['Arn']))",
      ].join('\n')
      const r = await run('python3', ['-c', script], {
        AWS_ROLE_ARN: roleArn,
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile('boto3', h.token()),
        AWS_ENDPOINT_URL_STS: server.origin,
      })
      assert.equal(r.code, 0, r.stderr)
      assert.match(
        JSON.parse(r.stdout) as string,
        new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/app/botocore-session-\\d+$`),
      )
    },
  )

  test('@aws-sdk/client-sts with fromTokenFile: credentials, then GetCallerIdentity', async () => {
    const client = new STSClient({
      region: REGION,
      endpoint: server.origin,
      credentials: fromTokenFile({
        webIdentityTokenFile: tokenFile('js', h.token()),
        roleArn,
        roleSessionName: 'js-sdk',
        clientConfig: { region: REGION, endpoint: server.origin },
      }),
    })
    const me = await client.send(new GetCallerIdentityCommand({}))
    assert.equal(me.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/js-sdk`)
    assert.equal(me.Account, ACCOUNT)
    client.destroy()
  })

  test('every STS error arrives as the SDK’s own exception class', async () => {
    const client = new STSClient({
      region: REGION,
      endpoint: server.origin,
      maxAttempts: 1,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    })
    const now = Math.floor(h.clock.now() / 1000)
    const key = h.issuer.key
    const call = (token: string, arn = roleArn) =>
      client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: arn,
          RoleSessionName: 'errs',
          WebIdentityToken: token,
        }),
      )
    const expectClass = async (
      p: Promise<unknown>,
      name: string,
      status: number,
      cls: abstract new (...args: never[]) => unknown = STSServiceException,
    ) => {
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof cls, `${name} is an instance of ${cls.name}`)
        const err = e as {
          name?: string
          $metadata?: { httpStatusCode?: number }
          constructor: { name: string }
        }
        assert.equal(err.name, name)
        assert.equal(err.$metadata?.httpStatusCode, status)
        return true
      })
    }
    await expectClass(
      call('not-a-jwt'),
      'InvalidIdentityTokenException',
      400,
      InvalidIdentityTokenException,
    )
    await expectClass(
      call(rawJwt({ alg: 'RS256', kid: key.kid }, claims(h, { exp: now - 1000 }), key.privateKey)),
      'ExpiredTokenException',
      400,
      ExpiredTokenException,
    )
    const closed = h.store.oidcProviders.create({
      accountId: ACCOUNT,
      url: '127.0.0.1:1/id/C',
      clientIds: ['sts.amazonaws.com'],
    })
    const closedRole = h.role(
      'closed',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: closed.arn },
            Action: 'sts:AssumeRoleWithWebIdentity',
          },
        ],
      }),
    )
    await expectClass(
      call(
        rawJwt(
          { alg: 'RS256', kid: key.kid },
          claims(h, { iss: 'https://127.0.0.1:1/id/C' }),
          key.privateKey,
        ),
        closedRole,
      ),
      'IDPCommunicationErrorException',
      400,
      IDPCommunicationErrorException,
    )
    await expectClass(call(h.token({ name: 'intruder' })), 'AccessDenied', 403)
    await expectClass(
      call(h.token(), `arn:aws:iam::${ACCOUNT}:user/not-a-role`),
      'ValidationError',
      400,
    )
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}'
    await expectClass(
      client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: 'errs',
          WebIdentityToken: h.token(),
          Policy: policy,
        }),
      ),
      'MalformedPolicyDocumentException',
      400,
      MalformedPolicyDocumentException,
    )
    client.destroy()
  })

  test(
    'aws sts assume-role-with-web-identity prints AWS’s shape',
    { skip: awsCli().skip },
    async () => {
      const r = await run(
        'aws',
        [
          'sts',
          'assume-role-with-web-identity',
          '--role-arn',
          roleArn,
          '--role-session-name',
          'cli',
          '--web-identity-token',
          h.token(),
          '--endpoint-url',
          server.origin,
          '--output',
          'json',
        ],
        {},
      )
      assert.equal(r.code, 0, r.stderr)
      const out = JSON.parse(r.stdout) as Record<string, Record<string, string>>
      assert.match(out['Credentials']?.['AccessKeyId'] ?? '', /^ASIA[A-Z2-7]{16}$/)
      assert.match(
        out['Credentials']?.['Expiration'] ?? '',
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\+00:00|Z)$/,
      )
      assert.equal(out['AssumedRoleUser']?.['Arn'], `arn:aws:sts::${ACCOUNT}:assumed-role/app/cli`)
      assert.equal(out['SubjectFromWebIdentityToken'], 'system:serviceaccount:default:app')
      assert.equal(out['Provider'], h.providerArn)
      assert.equal(out['Audience'], 'sts.amazonaws.com')
    },
  )
})
