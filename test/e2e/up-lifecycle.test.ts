/**
 * E2E: the built `irsa up` as a real process. It starts over a temp data directory with
 * ports 0, prints its ports, answers health, writes the env file and the `irsa` profile
 * (the AWS CLI uses them as written: `aws eks describe-cluster --name local --query
 * cluster.identity.oidc.issuer`), stops with exit 0 on SIGTERM and SIGINT, and a restart
 * keeps everything, ports included. No secret reaches its log.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { awsCli } from '../helpers/tools.js'
import { assertNoSecretInLogs, aws, irsa, secrets, startUp, stopUp, tempDir } from './up-process.js'

function health(endpoint: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${endpoint}/_irsa/health`, { agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    }).on('error', reject)
  })
}

function sourced(envFile: string): Record<string, string> {
  const r = spawnSync('sh', ['-c', `. "${envFile}"; env`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  })
  assert.equal(r.status, 0, r.stderr)
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('AWS_'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  )
}

test('irsa up starts, serves, writes its files, restarts with its state, stops with 0', async (t) => {
  const dir = join(tempDir(t), 'data')
  const up = await startUp(dir)
  t.after(() => stopUp(up, 'SIGKILL'))
  const awsPort = Number(new URL(up.awsEndpoint).port)
  const oidcPort = Number(new URL(up.oidcOrigin).port)
  assert.ok(awsPort > 0 && oidcPort > 0 && awsPort !== oidcPort)
  assert.match(up.stdout(), /^irsa up created /)
  assert.match(up.issuer, new RegExp(`^https://127\\.0\\.0\\.1:${oidcPort}/id/[0-9A-F]{32}$`))
  assert.equal(await health(up.awsEndpoint), 200)

  const env = sourced(join(dir, 'env'))
  assert.deepEqual(Object.keys(env).sort(), [
    'AWS_ACCESS_KEY_ID',
    'AWS_DEFAULT_REGION',
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'AWS_SECRET_ACCESS_KEY',
  ])
  assert.match(env['AWS_ACCESS_KEY_ID'] ?? '', /^AKIA[A-Z2-7]{16}$/)
  assert.equal(env['AWS_SECRET_ACCESS_KEY']?.length, 40)
  assert.equal(env['AWS_REGION'], 'us-west-2')
  assert.equal(env['AWS_DEFAULT_REGION'], 'us-west-2')
  assert.equal(env['AWS_ENDPOINT_URL'], up.awsEndpoint)
  secrets.add(env['AWS_SECRET_ACCESS_KEY'] ?? '')
  for (const f of ['env', 'aws/config', 'aws/credentials', 'ca-key.pem'])
    assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f)
  assert.equal(
    readFileSync(join(dir, 'aws', 'config'), 'utf8'),
    `[profile irsa]\nregion = us-west-2\noutput = json\nendpoint_url = ${up.awsEndpoint}\ns3 =\n    signature_version = s3v4\n`,
  )
  assert.equal(
    readFileSync(join(dir, 'aws', 'credentials'), 'utf8'),
    `[irsa]\naws_access_key_id = ${env['AWS_ACCESS_KEY_ID'] ?? ''}\naws_secret_access_key = ${env['AWS_SECRET_ACCESS_KEY'] ?? ''}\n`,
  )

  const oracle = awsCli()
  if (oracle.skip === false) {
    const r = await aws(up, [
      'eks',
      'describe-cluster',
      '--name',
      'local',
      '--query',
      'cluster.identity.oidc.issuer',
      '--output',
      'text',
    ])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), up.issuer)
    const missing = await aws(up, ['eks', 'describe-cluster', '--name', 'nope'])
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /\(ResourceNotFoundException\).*No cluster found for name: nope\./)
  } else t.diagnostic(oracle.skip)

  const created = await irsa(up, ['cluster', 'create', 'dev'])
  assert.equal(created.code, 0, created.stderr)

  const stopped = await stopUp(up, 'SIGTERM')
  assert.deepEqual(stopped, { code: 0, signal: null })
  assert.match(up.stdout(), /stopping \(SIGTERM\)\n$/)

  const again = await startUp(
    dir,
    ['--aws-port', String(awsPort), '--oidc-port', String(oidcPort)],
    {
      freePorts: false,
    },
  )
  t.after(() => stopUp(again, 'SIGKILL'))
  assert.match(again.stdout(), /^irsa up reopened /)
  assert.equal(again.awsEndpoint, up.awsEndpoint)
  assert.equal(again.issuer, up.issuer)
  assert.match(again.stdout(), /cluster {7}dev {2}issuer https:/)
  assert.deepEqual(sourced(join(dir, 'env')), env)
  assert.deepEqual(await stopUp(again, 'SIGINT'), { code: 0, signal: null })

  // Without port flags, the saved ports are reused.
  const third = await startUp(dir, [], { freePorts: false })
  t.after(() => stopUp(third, 'SIGKILL'))
  assert.equal(third.awsEndpoint, up.awsEndpoint)
  assert.equal(third.oidcOrigin, up.oidcOrigin)
  assert.deepEqual(await stopUp(third), { code: 0, signal: null })
})

test('--write-aws-profile merges the irsa profile into $HOME/.aws and keeps other profiles', async (t) => {
  const root = tempDir(t)
  const home = join(root, 'home')
  mkdirSync(join(home, '.aws'), { recursive: true })
  writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n')
  writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAOTHER\n')
  const up = await startUp(join(root, 'data'), ['--write-aws-profile'], { env: { HOME: home } })
  t.after(() => stopUp(up, 'SIGKILL'))
  assert.match(up.stdout(), /^wrote profile irsa into /)
  const config = readFileSync(join(home, '.aws', 'config'), 'utf8')
  assert.equal(
    config,
    `[default]\nregion = eu-west-1\n\n[profile irsa]\nregion = us-west-2\noutput = json\nendpoint_url = ${up.awsEndpoint}\ns3 =\n    signature_version = s3v4\n`,
  )
  const credentials = readFileSync(join(home, '.aws', 'credentials'), 'utf8')
  assert.ok(credentials.startsWith('[default]\naws_access_key_id = AKIAOTHER\n\n[irsa]\n'))
  assert.equal(
    credentials,
    readFileSync(join(up.dataDir, 'aws', 'credentials'), 'utf8').replace(
      /^/,
      '[default]\naws_access_key_id = AKIAOTHER\n\n',
    ),
  )
  assert.equal(statSync(join(home, '.aws', 'credentials')).mode & 0o777, 0o600)
  secrets.add(/aws_secret_access_key = (\S+)/.exec(credentials)?.[1] ?? '')
  assert.deepEqual(await stopUp(up), { code: 0, signal: null })
})

test('flag errors are one line with exit 2; --help documents every flag', async (t) => {
  const dir = tempDir(t)
  const bad = await irsa({ dataDir: dir }, ['up', '--aws-port', '70000'])
  assert.equal(bad.code, 2)
  assert.equal(bad.stderr, "irsa: --aws-port must be a port number from 0 to 65535, got '70000'\n")
  const acct = await irsa({ dataDir: dir }, ['up', '--account-id', '12'])
  assert.equal(acct.code, 2)
  assert.match(acct.stderr, /^irsa: --account-id must be 12 digits/)
  const help = await irsa({ dataDir: dir }, ['up', '--help'])
  assert.equal(help.code, 0)
  for (const flag of [
    '--data-dir',
    '--host',
    '--aws-port',
    '--oidc-port',
    '--account-id',
    '--region',
    '--write-aws-profile',
  ])
    assert.ok(help.stdout.includes(flag), flag)
})

test('sentinel: no secret key appears in the stack log', () => {
  assertNoSecretInLogs()
})
