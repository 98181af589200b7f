/**
 * E2E with the real AWS CLI against the built `irsa up`: the AWS endpoint over HTTPS
 * (`--endpoint-url $IRSA_AWS_HTTPS_URL --ca-bundle $IRSA_CA_BUNDLE`, as DIR/env exports
 * them), its certificate's names, its port saved and reused; and AWS managed policies as
 * the IRSA guides use them (`get-policy`, `get-policy-version`, `list-policies --scope
 * AWS`, `attach-role-policy --policy-arn arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess`),
 * read-only as AWS keeps them.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { awsCli } from '../helpers/tools.js'
import {
  assertNoSecretInLogs,
  aws,
  secrets,
  startUp,
  stopUp,
  tempDir,
  type Run,
} from './up-process.js'

const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
})

/** The admin secret key of DIR/env, recorded so no stack log line may carry it. */
function recordSecret(envFile: string): void {
  const m = /AWS_SECRET_ACCESS_KEY='([^']+)'/.exec(readFileSync(envFile, 'utf8'))
  assert.ok(m?.[1])
  secrets.add(m[1])
}

/** The IRSA_ variables of DIR/env, as a shell sources them. */
function irsaVars(envFile: string): Record<string, string> {
  const r = spawnSync('sh', ['-c', `. "${envFile}"; env`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  })
  assert.equal(r.status, 0, r.stderr)
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('IRSA_'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
}

/** The subjectAltName of the certificate served at `origin`, verified against `ca`. */
function peerNames(origin: string, ca: string): Promise<string> {
  const u = new URL(origin)
  return new Promise((resolve, reject) => {
    const s = connect(
      { host: u.hostname, port: Number(u.port), ca, servername: 'localhost' },
      () => {
        const names = s.getPeerCertificate().subjectaltname ?? ''
        s.end()
        resolve(names)
      },
    )
    s.on('error', reject)
  })
}

function json(r: Run): Record<string, unknown> {
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as Record<string, unknown>
}

test(
  'irsa up serves the AWS endpoint over HTTPS too: the AWS CLI with --ca-bundle, the port saved',
  { skip: awsCli().skip },
  async (t) => {
    const dir = join(tempDir(t), 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    recordSecret(join(dir, 'env'))
    const vars = irsaVars(join(dir, 'env'))
    const httpsUrl = vars['IRSA_AWS_HTTPS_URL'] ?? ''
    const caBundle = vars['IRSA_CA_BUNDLE'] ?? ''
    assert.match(httpsUrl, /^https:\/\/127\.0\.0\.1:\d+$/)
    assert.notEqual(httpsUrl.replace('https:', 'http:'), up.awsEndpoint, 'a port of its own')
    assert.equal(caBundle, join(dir, 'ca.pem'))
    assert.match(up.stdout(), new RegExp(`aws https {5}${httpsUrl.replace(/\./g, '\\.')}`))

    const names = await peerNames(httpsUrl, readFileSync(caBundle, 'utf8'))
    for (const n of [
      'DNS:localhost',
      'DNS:s3.localhost',
      'DNS:*.s3.localhost',
      'IP Address:127.0.0.1',
    ])
      assert.ok(names.includes(n), `${n} in ${names}`)

    const over = ['--endpoint-url', httpsUrl, '--ca-bundle', caBundle]
    const who = json(await aws(up, ['sts', 'get-caller-identity', ...over]))
    assert.equal(who['Account'], '111122223333')
    const untrusted = await aws(up, ['sts', 'get-caller-identity', '--endpoint-url', httpsUrl])
    assert.notEqual(untrusted.code, 0, 'without the CA bundle the certificate is not trusted')
    assert.match(untrusted.stderr, /SSL|certificate/i)

    await stopUp(up)
    const again = await startUp(dir, [], { freePorts: false })
    t.after(() => stopUp(again, 'SIGKILL'))
    assert.equal(
      irsaVars(join(dir, 'env'))['IRSA_AWS_HTTPS_URL'],
      httpsUrl,
      'the HTTPS port is reused',
    )
    const who2 = json(await aws(again, ['sts', 'get-caller-identity', ...over]))
    assert.equal(who2['Account'], '111122223333')
    await stopUp(again)
    assertNoSecretInLogs()
  },
)

test(
  'AWS managed policies with the AWS CLI: get-policy, get-policy-version, list-policies --scope AWS, attach-role-policy; read-only',
  { skip: awsCli().skip },
  async (t) => {
    const dir = join(tempDir(t), 'data')
    const up = await startUp(dir)
    t.after(() => stopUp(up, 'SIGKILL'))
    recordSecret(join(dir, 'env'))

    const p = json(await aws(up, ['iam', 'get-policy', '--policy-arn', S3_READ]))[
      'Policy'
    ] as Record<string, unknown>
    assert.equal(p['PolicyName'], 'AmazonS3ReadOnlyAccess')
    assert.equal(p['Path'], '/')
    assert.equal(p['AttachmentCount'], 0)
    const versionId = String(p['DefaultVersionId'])
    const v = json(
      await aws(up, [
        'iam',
        'get-policy-version',
        '--policy-arn',
        S3_READ,
        '--version-id',
        versionId,
      ]),
    )['PolicyVersion'] as {
      Document: { Statement: { Action: string[] }[] }
      IsDefaultVersion: boolean
    }
    assert.equal(v.IsDefaultVersion, true)
    assert.ok(
      v.Document.Statement[0]?.Action.includes('s3:Get*'),
      'the CLI decoded the real document',
    )

    const listed = json(
      await aws(up, [
        'iam',
        'list-policies',
        '--scope',
        'AWS',
        '--path-prefix',
        '/service-role/',
        '--max-items',
        '5',
      ]),
    )
    const page = listed['Policies'] as { Arn: string; Path: string }[]
    assert.equal(page.length, 5)
    assert.ok(
      page.every(
        (x) =>
          x.Path === '/service-role/' && x.Arn.startsWith('arn:aws:iam::aws:policy/service-role/'),
      ),
    )
    assert.ok(typeof listed['NextToken'] === 'string', 'more pages')

    json(
      await aws(up, [
        'iam',
        'create-role',
        '--role-name',
        'reader',
        '--assume-role-policy-document',
        TRUST,
      ]),
    )
    const attach = await aws(up, [
      'iam',
      'attach-role-policy',
      '--role-name',
      'reader',
      '--policy-arn',
      S3_READ,
    ])
    assert.equal(attach.code, 0, attach.stderr)
    const attached = json(
      await aws(up, ['iam', 'list-attached-role-policies', '--role-name', 'reader']),
    )
    assert.deepEqual(attached['AttachedPolicies'], [
      { PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: S3_READ },
    ])
    const after = json(await aws(up, ['iam', 'get-policy', '--policy-arn', S3_READ]))[
      'Policy'
    ] as Record<string, unknown>
    assert.equal(after['AttachmentCount'], 1)
    const onlyAttached = json(
      await aws(up, ['iam', 'list-policies', '--scope', 'AWS', '--only-attached']),
    )
    assert.deepEqual(
      (onlyAttached['Policies'] as { Arn: string }[]).map((x) => x.Arn),
      [S3_READ],
    )

    const del = await aws(up, ['iam', 'delete-policy', '--policy-arn', S3_READ])
    assert.notEqual(del.code, 0)
    assert.match(
      del.stderr,
      /\(AccessDenied\) when calling the DeletePolicy operation: User: arn:aws:iam::111122223333:root is not authorized to perform: iam:DeletePolicy on resource: policy arn:aws:iam::aws:policy\/AmazonS3ReadOnlyAccess/,
    )
    await stopUp(up)
    assertNoSecretInLogs()
  },
)
