import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { Writable } from 'node:stream'
import {
  STSClient,
  GetCallerIdentityCommand,
  AssumeRoleWithWebIdentityCommand,
  ExpiredTokenException,
  IDPCommunicationErrorException,
  IDPRejectedClaimException,
  InvalidIdentityTokenException,
  MalformedPolicyDocumentException,
  PackedPolicyTooLargeException,
  RegionDisabledException,
  STSServiceException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-sts'
import type { FinalizeRequestMiddleware } from '@smithy/types'
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam'
import {
  EKSClient,
  DescribeClusterCommand,
  ListClustersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks'
import { createLogger, systemClock } from '../../src/core/index.js'
import {
  createAwsApp,
  startAwsServer,
  STS_ERRORS,
  type AwsErrorEntry,
  type AwsServer,
} from '../../src/aws/index.js'
import { awsCli } from '../helpers/tools.js'
import {
  ACCOUNT,
  ADMIN,
  EXPIRATION_MS,
  EXPIRED_SESSION,
  REGION,
  SENTINEL_TOKEN,
  SESSION,
  demoActions,
  demoCredentials,
  demoRoutes,
} from '../unit/aws/demo.js'

/** Starts the demo endpoint on an ephemeral loopback port, capturing its log lines. */
async function start(t: { after(fn: () => Promise<void>): void }): Promise<{
  server: AwsServer
  lines: string[]
}> {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
      cb()
    },
  })
  const logger = createLogger({ level: 'debug', destination: sink })
  const app = createAwsApp({
    actions: demoActions(),
    routes: demoRoutes(),
    credentials: demoCredentials,
    clock: systemClock,
    logger,
  })
  const server = await startAwsServer({ app, port: 0 })
  t.after(() => server.close())
  return { server, lines }
}

const sts = (
  endpoint: string,
  credentials = ADMIN as {
    accessKeyId: string
    secretAccessKey: string
    sessionToken?: string
  },
): STSClient => new STSClient({ endpoint, region: REGION, credentials, maxAttempts: 1 })

test('@aws-sdk/client-sts: signed GetCallerIdentity, with and without session token', async (t) => {
  const { server, lines } = await start(t)
  const admin = await sts(server.origin).send(new GetCallerIdentityCommand({}))
  assert.equal(admin.Account, ACCOUNT)
  assert.equal(admin.Arn, `arn:aws:iam::${ACCOUNT}:root`)
  assert.equal(admin.UserId, ACCOUNT)
  assert.match(admin.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/)

  const session = await sts(server.origin, SESSION).send(new GetCallerIdentityCommand({}))
  assert.equal(session.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/demo-session`)
  assert.equal(session.UserId, 'AROAIRSATESTROLEID001:demo-session')

  const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
  const requests = logged.filter((l) => l['msg'] === 'aws request')
  assert.equal(requests.length, 2)
  assert.deepEqual(
    requests.map((r) => [r['service'], r['action'], r['status'], r['accessKeyId'], r['routedBy']]),
    [
      ['sts', 'GetCallerIdentity', 200, ADMIN.accessKeyId, 'scope'],
      ['sts', 'GetCallerIdentity', 200, SESSION.accessKeyId, 'scope'],
    ],
  )
  assert.ok(!lines.join('\n').includes(SENTINEL_TOKEN), 'the session token is never logged')
})

test('@aws-sdk/client-sts: auth failures arrive with AWS codes and statuses', async (t) => {
  const { server } = await start(t)
  const cases: [
    string,
    { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    string,
    number,
  ][] = [
    ['wrong secret', { ...ADMIN, secretAccessKey: 'x'.repeat(40) }, 'SignatureDoesNotMatch', 403],
    [
      'unknown key',
      { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'y'.repeat(40) },
      'InvalidClientTokenId',
      403,
    ],
    ['expired session', EXPIRED_SESSION, 'ExpiredToken', 403],
    [
      'session token of another key',
      { ...ADMIN, sessionToken: SESSION.sessionToken },
      'InvalidClientTokenId',
      403,
    ],
  ]
  for (const [what, creds, code, status] of cases) {
    await assert.rejects(
      sts(server.origin, creds).send(new GetCallerIdentityCommand({})),
      (e: STSServiceException) => {
        assert.equal(e.name, code, what)
        assert.equal(e.$metadata.httpStatusCode, status, what)
        assert.equal(e.$fault, 'client', what)
        assert.match(e.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/, what)
        return true
      },
    )
  }
})

test('@aws-sdk/client-sts: an unsigned call to a signed action is MissingAuthenticationToken', async (t) => {
  const { server } = await start(t)
  const client = sts(server.origin)
  const strip: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next) => async (args) => {
      const req = args.request as { headers: Record<string, string> }
      req.headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([h]) => !/^(authorization|x-amz-date|x-amz-security-token)$/i.test(h),
        ),
      )
      return next(args)
    }
  client.middlewareStack.addRelativeTo(strip, {
    name: 'stripSignature',
    relation: 'after',
    toMiddleware: 'httpSigningMiddleware',
  })
  await assert.rejects(client.send(new GetCallerIdentityCommand({})), (e: STSServiceException) => {
    assert.equal(e.name, 'MissingAuthenticationToken')
    assert.equal(e.message, 'Request is missing Authentication Token')
    assert.equal(e.$metadata.httpStatusCode, 403)
    return true
  })
})

test('@aws-sdk/client-sts: unsigned AssumeRoleWithWebIdentity parses every result field', async (t) => {
  const { server, lines } = await start(t)
  const out = await sts(server.origin).send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
      RoleSessionName: 'sdk-session',
      WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
      DurationSeconds: 3600,
      PolicyArns: [],
    }),
  )
  const creds = out.Credentials!
  assert.equal(creds.AccessKeyId, SESSION.accessKeyId)
  assert.equal(creds.SessionToken, SESSION.sessionToken)
  assert.deepEqual(creds.Expiration, new Date(EXPIRATION_MS))
  assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/sdk-session`)
  assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:default:demo')
  assert.equal(out.Audience, 'sts.amazonaws.com')
  assert.equal(out.SourceIdentity, 'd3600')
  const line = JSON.parse(lines.at(-1)!) as Record<string, unknown>
  assert.equal(line['routedBy'], 'action', 'unsigned STS action routed by Action')
  assert.equal(line['accessKeyId'], undefined, 'no signature was verified')
  assert.equal(line['policyArns'], 0, 'PolicyArns= (empty list) tolerated')
})

test('@aws-sdk/client-sts: every STS registry error arrives as the SDK’s own exception class', async (t) => {
  const { server } = await start(t)
  const modeled: Record<string, (new (...a: never[]) => Error) | undefined> = {
    ExpiredTokenException,
    IDPCommunicationError: IDPCommunicationErrorException,
    IDPRejectedClaim: IDPRejectedClaimException,
    InvalidIdentityToken: InvalidIdentityTokenException,
    MalformedPolicyDocument: MalformedPolicyDocumentException,
    PackedPolicyTooLarge: PackedPolicyTooLargeException,
    RegionDisabledException,
  }
  for (const entry of Object.values(STS_ERRORS)) {
    const expected = modeled[entry.code]
    await assert.rejects(
      sts(server.origin).send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
          RoleSessionName: `fail-${entry.code}`,
          WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
        }),
      ),
      (e: STSServiceException) => {
        if (expected !== undefined)
          assert.ok(e instanceof expected, `${entry.code} → ${expected.name}`)
        else assert.equal(e.name, entry.code)
        assert.ok(e instanceof STSServiceException)
        assert.equal(e.message, `demo ${entry.code}`)
        assert.equal(e.$metadata.httpStatusCode, entry.status)
        assert.equal(e.$fault, (entry as AwsErrorEntry).type === 'Sender' ? 'client' : 'server')
        return true
      },
      entry.code,
    )
  }
  // Every modeled STS exception of this operation is produced by some registry entry.
  const produced = new Set<string>(Object.values(STS_ERRORS).map((e) => e.code))
  for (const code of Object.keys(modeled)) assert.ok(produced.has(code), code)
})

test('@aws-sdk/client-sts: a validation failure is ValidationError with AWS wording', async (t) => {
  const { server } = await start(t)
  await assert.rejects(
    sts(server.origin).send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
        RoleSessionName: 'bad name!',
        WebIdentityToken: 'x',
      }),
    ),
    (e: STSServiceException) => {
      assert.equal(e.name, 'ValidationError')
      assert.equal(
        e.message,
        "2 validation errors detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
      )
      return true
    },
  )
})

test('@aws-sdk/client-iam parses a Query list with timestamps and URL-encoded documents', async (t) => {
  const { server } = await start(t)
  const iam = new IAMClient({
    endpoint: server.origin,
    region: 'us-east-1',
    credentials: ADMIN,
    maxAttempts: 1,
  })
  const out = await iam.send(new ListRolesCommand({}))
  const roles = out.Roles!
  assert.deepEqual(
    roles.map((r) => r.RoleName),
    ['app', 'web'],
  )
  assert.deepEqual(roles[1]!.CreateDate, new Date(EXPIRATION_MS + 1000))
  assert.equal(roles[0]!.MaxSessionDuration, 3600)
  assert.equal(out.IsTruncated, false)
  assert.deepEqual(JSON.parse(decodeURIComponent(roles[0]!.AssumeRolePolicyDocument ?? '')), {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  })
})

test('@aws-sdk/client-eks: REST-JSON results and errors over the same listener', async (t) => {
  const { server } = await start(t)
  const eks = new EKSClient({
    endpoint: server.origin,
    region: REGION,
    credentials: ADMIN,
    maxAttempts: 1,
  })
  const listed = await eks.send(new ListClustersCommand({}))
  assert.deepEqual(listed.clusters, ['local'])
  const d = await eks.send(new DescribeClusterCommand({ name: 'local' }))
  assert.equal(
    d.cluster?.identity?.oidc?.issuer,
    'https://127.0.0.1:8443/id/0123456789ABCDEF0123456789ABCDEF',
  )
  const cluster = d.cluster
  assert.ok(cluster)
  assert.deepEqual(cluster.createdAt, new Date(EXPIRATION_MS))
  await assert.rejects(eks.send(new DescribeClusterCommand({ name: 'nope' })), (e: Error) => {
    assert.ok(e instanceof ResourceNotFoundException)
    assert.equal(e.message, 'No cluster found for name: nope.')
    return true
  })
  const bad = new EKSClient({
    endpoint: server.origin,
    region: REGION,
    credentials: { ...ADMIN, secretAccessKey: 'z'.repeat(40) },
    maxAttempts: 1,
  })
  await assert.rejects(
    bad.send(new ListClustersCommand({})),
    (e: Error & { $metadata: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'InvalidSignatureException')
      assert.equal(e.$metadata.httpStatusCode, 403)
      return true
    },
  )
})

/** A raw HTTP exchange over the socket. */
function raw(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers, agent: false }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        text += d
      })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

test('Envoy-style GET with Accept: application/json gets the legacy JSON rendering', async (t) => {
  const { server } = await start(t)
  const q = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`,
    RoleSessionName: 'envoy',
    WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
  })
  const r = await raw(server.origin, 'GET', `/?${q.toString()}`, { Accept: 'application/json' })
  assert.equal(r.status, 200)
  assert.equal(r.headers['content-type'], 'application/json')
  const body = JSON.parse(r.body) as {
    AssumeRoleWithWebIdentityResponse: {
      AssumeRoleWithWebIdentityResult: { Credentials: { Expiration: unknown } }
      ResponseMetadata: { RequestId: string }
    }
  }
  const resp = body.AssumeRoleWithWebIdentityResponse
  assert.equal(resp.AssumeRoleWithWebIdentityResult.Credentials.Expiration, EXPIRATION_MS / 1000)
  assert.equal(resp.ResponseMetadata.RequestId, r.headers['x-amzn-requestid'])
})

test('health, and a body over the limit is 413 RequestEntityTooLarge on a live socket', async (t) => {
  const { server } = await start(t)
  const h = await raw(server.origin, 'GET', '/_irsa/health', {})
  assert.equal(h.status, 200)
  assert.deepEqual(JSON.parse(h.body), { status: 'ok' })
  assert.match(String(h.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/)

  const big = `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'a'.repeat(2 * 1024 * 1024)}`
  const r = await raw(
    server.origin,
    'POST',
    '/',
    { 'Content-Type': 'application/x-www-form-urlencoded' },
    big,
  )
  assert.equal(r.status, 413)
  assert.match(r.body, /<Code>RequestEntityTooLarge<\/Code>/)
  assert.equal(r.headers['connection'], 'close')
})

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      args,
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '/tmp',
          AWS_CONFIG_FILE: '/nonexistent/irsa-test-config',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/irsa-test-credentials',
          AWS_EC2_METADATA_DISABLED: 'true',
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

test(
  'AWS CLI: sts get-caller-identity signed with env credentials, verified by irsa',
  { skip: awsCli().skip },
  async (t) => {
    const { server, lines } = await start(t)
    const ok = await cli(
      ['sts', 'get-caller-identity', '--endpoint-url', server.origin, '--output', 'json'],
      {
        AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
      },
    )
    assert.equal(ok.code, 0, ok.stderr)
    assert.deepEqual(JSON.parse(ok.stdout), {
      UserId: ACCOUNT,
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
    })

    const session = await cli(
      ['sts', 'get-caller-identity', '--endpoint-url', server.origin, '--output', 'json'],
      {
        AWS_ACCESS_KEY_ID: SESSION.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey,
        AWS_SESSION_TOKEN: SESSION.sessionToken,
      },
    )
    assert.equal(session.code, 0, session.stderr)
    assert.equal(
      (JSON.parse(session.stdout) as { Arn: string }).Arn,
      `arn:aws:sts::${ACCOUNT}:assumed-role/app/demo-session`,
    )

    const wrong = await cli(['sts', 'get-caller-identity', '--endpoint-url', server.origin], {
      AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'w'.repeat(40),
    })
    assert.notEqual(wrong.code, 0)
    assert.match(
      wrong.stderr,
      /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match/,
    )

    const unsigned = await cli(
      ['sts', 'get-caller-identity', '--endpoint-url', server.origin, '--no-sign-request'],
      {},
    )
    assert.notEqual(unsigned.code, 0)
    assert.match(
      unsigned.stderr,
      /\(MissingAuthenticationToken\) when calling the GetCallerIdentity operation: Request is missing Authentication Token/,
    )
    assert.ok(!lines.join('\n').includes(SENTINEL_TOKEN))
  },
)
