/**
 * startStack in process over loopback (the sockets are the point): first start creates
 * the account, admin key, CA and cluster `local`, serves health, the issuers (HTTPS,
 * trusting only DATA_DIR/ca.pem) and EKS; settings and files are written; a restart keeps
 * everything and its ports; a cluster created or a key rotated through another store
 * connection (what `irsa cluster` does) is served without a restart; the CLI commands
 * over the same directory; --write-aws-profile with HOME in a temp dir.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks'
import { manualClock, silentLogger, systemClock } from '../../../src/core/index.js'
import {
  createLocalCluster,
  mergeUserProfile,
  randomAccountId,
  rotateClusterKeys,
  startBanner,
  stackPlace,
  startStack,
  type Stack,
} from '../../../src/stack/index.js'
import { openStore } from '../../../src/store/index.js'
import { decodeToken } from '../../../src/token/index.js'
import { runCli } from '../../helpers/cli.js'

function fetchText(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const cb = (res: import('node:http').IncomingMessage): void => {
      let body = ''
      res.on('data', (d: Buffer) => (body += d.toString()))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body })
      })
    }
    const req = url.startsWith('https:')
      ? httpsGet(url, { ca: ca ?? '', agent: false }, cb)
      : httpGet(url, { agent: false }, cb)
    req.on('error', reject)
  })
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-stack-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

async function start(
  dir: string,
  extra: { awsPort?: number; oidcPort?: number } = {},
): Promise<Stack> {
  return startStack({ dataDir: dir, clock: systemClock, logger: silentLogger(), ...extra })
}

async function jwksKids(stack: Stack, issuer: string): Promise<string[]> {
  const ca = readFileSync(stack.caFile, 'utf8')
  const disc = await fetchText(`${issuer}/.well-known/openid-configuration`, ca)
  assert.equal(disc.status, 200)
  const doc = JSON.parse(disc.body) as { issuer: string; jwks_uri: string }
  assert.equal(doc.issuer, issuer)
  const jwks = await fetchText(doc.jwks_uri, ca)
  assert.equal(jwks.status, 200)
  return (JSON.parse(jwks.body) as { keys: { kid: string }[] }).keys.map((k) => k.kid)
}

test('first start: account, admin key, CA, cluster local, health, settings and files', async (t) => {
  const dir = tempDir(t)
  const stack = await start(dir, { awsPort: 0, oidcPort: 0 })
  t.after(() => stack.close())
  assert.equal(stack.firstStart, true)
  assert.equal(stack.accountId, '111122223333')
  assert.equal(stack.region, 'us-west-2')
  assert.match(stack.adminKey.accessKeyId, /^AKIA[A-Z2-7]{16}$/)
  assert.equal(stack.adminKey.secretAccessKey.length, 40)
  assert.equal(stack.adminKey.principalArn, 'arn:aws:iam::111122223333:root')
  const health = await fetchText(`${stack.awsEndpoint}/_irsa/health`)
  assert.equal(health.status, 200)

  const [local] = stack.clusters()
  assert.ok(local !== undefined)
  assert.equal(local.name, 'local')
  assert.match(
    local.issuerUrl,
    new RegExp(`^https://127\\.0\\.0\\.1:${stack.oidcPort}/id/[0-9A-F]{32}$`),
  )
  const signing = stack.store.clusters.signingKey(local.arn)
  assert.ok(signing !== undefined)
  assert.deepEqual(await jwksKids(stack, local.issuerUrl), [signing.kid])

  const s = (k: string): string | undefined => stack.store.settings.get(k)
  assert.equal(s('stack.host'), '127.0.0.1')
  assert.equal(s('stack.awsPort'), String(stack.awsPort))
  assert.equal(s('stack.oidcPort'), String(stack.oidcPort))
  assert.equal(s('stack.awsEndpoint'), `http://127.0.0.1:${stack.awsPort}`)
  assert.equal(s('stack.accountId'), '111122223333')
  assert.equal(s('stack.region'), 'us-west-2')

  for (const f of [
    stack.files.env,
    stack.files.awsConfig,
    stack.files.awsCredentials,
    join(dir, 'ca-key.pem'),
  ])
    assert.equal(statSync(f).mode & 0o777, 0o600, f)
  const env = readFileSync(stack.files.env, 'utf8')
  assert.match(env, new RegExp(`^export AWS_ACCESS_KEY_ID='${stack.adminKey.accessKeyId}'$`, 'm'))
  assert.match(env, new RegExp(`^export AWS_ENDPOINT_URL='${stack.awsEndpoint}'$`, 'm'))
  assert.ok(env.includes(stack.adminKey.secretAccessKey))
  assert.match(
    readFileSync(stack.files.awsConfig, 'utf8'),
    /^\[profile irsa\]\nregion = us-west-2\n/,
  )
  assert.match(
    readFileSync(stack.files.awsCredentials, 'utf8'),
    /^\[irsa\]\naws_access_key_id = AKIA/,
  )

  // EKS answers with the issuer the issuer server serves.
  const eks = new EKSClient({
    region: 'us-west-2',
    endpoint: stack.awsEndpoint,
    credentials: stack.adminKey,
    maxAttempts: 1,
  })
  const out = await eks.send(new DescribeClusterCommand({ name: 'local' }))
  assert.equal(out.cluster?.identity?.oidc?.issuer, local.issuerUrl)
  assert.equal(out.cluster.endpoint, `${stack.kubeOrigin}/clusters/local`)
  assert.equal(
    Buffer.from(out.cluster.certificateAuthority?.data ?? '', 'base64').toString('utf8'),
    readFileSync(stack.caFile, 'utf8'),
  )
  eks.destroy()
})

test('a restart keeps the account, key, cluster, signing key, CA and ports', async (t) => {
  const dir = tempDir(t)
  const first = await start(dir)
  const before = {
    key: first.adminKey.accessKeyId,
    cluster: first.clusters()[0]?.issuerUrl,
    kid: first.store.clusters.signingKey(first.clusters()[0]?.arn ?? '')?.kid,
    ca: readFileSync(first.caFile, 'utf8'),
    ports: [first.awsPort, first.oidcPort],
  }
  await first.close()
  await first.close() // idempotent
  const again = await start(dir)
  t.after(() => again.close())
  assert.equal(again.firstStart, false)
  assert.equal(again.adminKey.accessKeyId, before.key)
  assert.equal(again.clusters().length, 1)
  assert.equal(again.clusters()[0]?.issuerUrl, before.cluster)
  assert.equal(again.store.clusters.signingKey(again.clusters()[0]?.arn ?? '')?.kid, before.kid)
  assert.equal(readFileSync(again.caFile, 'utf8'), before.ca)
  assert.deepEqual([again.awsPort, again.oidcPort], before.ports)
})

test('a new data directory takes newAccountId; a restart keeps the saved account', async (t) => {
  const ids = new Set(Array.from({ length: 200 }, () => randomAccountId()))
  assert.ok(ids.size > 190, 'random account IDs repeat')
  for (const id of ids) assert.match(id, /^[1-9]\d{11}$/)
  const dir = tempDir(t)
  let calls = 0
  const newAccountId = (): string => {
    calls++
    return '210987654321'
  }
  const opts = { dataDir: dir, clock: systemClock, logger: silentLogger(), newAccountId }
  const first = await startStack(opts)
  assert.equal(first.accountId, '210987654321')
  assert.equal(first.adminKey.accountId, '210987654321')
  await first.close()
  const again = await startStack(opts)
  t.after(() => again.close())
  assert.equal(again.accountId, '210987654321')
  assert.equal(calls, 1, 'a restart must not draw a new account')
})

test("the banner's Next: lines spell irsa as the user ran it", async (t) => {
  const stack = await start(tempDir(t))
  t.after(() => stack.close())
  const banner = (irsaCommand?: string): string =>
    startBanner({
      dataDir: stack.dataDir,
      awsEndpoint: stack.awsEndpoint,
      oidcOrigin: stack.oidcOrigin,
      webhookOrigin: stack.webhookOrigin,
      webhookCluster: stack.webhookCluster,
      accountId: stack.accountId,
      region: stack.region,
      firstStart: stack.firstStart,
      clusters: stack.clusters().map((c) => ({ name: c.name, issuer: c.issuerUrl })),
      caFile: stack.caFile,
      files: stack.files,
      ...(irsaCommand !== undefined ? { irsaCommand } : {}),
    })
  assert.match(banner(), /^ {2}irsa create token app -n default --cluster local > token$/m)
  assert.match(banner('npx irsa'), /^ {2}npx irsa oidc thumbprint https:\/\//m)
  assert.doesNotMatch(banner('npx irsa'), /^ {2}irsa /m)
})

test('clusters and rotated keys written by another connection are served without a restart', async (t) => {
  const dir = tempDir(t)
  const stack = await start(dir)
  t.after(() => stack.close())
  const other = openStore({ dir, clock: systemClock })
  t.after(() => {
    other.close()
  })
  const place = stackPlace(other)
  const created = createLocalCluster(other, place, 'second')
  const kid1 = other.clusters.signingKey(created.arn)?.kid ?? ''
  assert.deepEqual(await jwksKids(stack, created.issuerUrl), [kid1])
  const rotation = rotateClusterKeys(other, created, systemClock)
  assert.equal(rotation.previousKid, kid1)
  assert.deepEqual(await jwksKids(stack, created.issuerUrl), [kid1, rotation.signing.kid])
  other.clusters.delete(created.arn)
  const gone = await fetchText(
    `${created.issuerUrl}/.well-known/openid-configuration`,
    readFileSync(stack.caFile, 'utf8'),
  )
  assert.equal(gone.status, 404)
})

test('the CLI over the data directory: cluster create/list/get/rotate-keys, create token --cluster, logs', async (t) => {
  const dir = tempDir(t)
  const stack = await start(dir)
  t.after(() => stack.close())
  const cli = (...a: string[]) => runCli([...a, '--data-dir', dir])
  const created = await cli('cluster', 'create', 'dev')
  assert.equal(created.code, 0, created.stderr)
  assert.match(
    created.stdout,
    /^created cluster dev\n {2}issuer https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}\n {2}kubectl context dev in \/.*\/kubeconfig\n$/,
  )
  const dup = await cli('cluster', 'create', 'dev')
  assert.equal(dup.code, 2)
  assert.match(dup.stderr, /^irsa: cluster dev already exists/)
  const listed = await cli('cluster', 'list', '--output', 'json')
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { name: string }[]).map((c) => c.name),
    ['dev', 'local'],
  )
  const got = JSON.parse((await cli('cluster', 'get', 'dev', '--output', 'json')).stdout) as {
    issuer: string
    signingKid: string
    arn: string
  }
  assert.equal(got.arn, 'arn:aws:eks:us-west-2:111122223333:cluster/dev')
  const missing = await cli('cluster', 'get', 'nope')
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /no cluster named nope .*\(clusters: dev, local\)/)

  const tok = await cli('create', 'token', 'app', '-n', 'default', '--cluster', 'dev')
  assert.equal(tok.code, 0, tok.stderr)
  const decoded = decodeToken(tok.stdout.trim())
  assert.equal(decoded.header.kid, got.signingKid)
  assert.equal(decoded.payload['iss'], got.issuer)
  assert.equal(decoded.payload['sub'], 'system:serviceaccount:default:app')
  assert.deepEqual(decoded.payload['aud'], ['sts.amazonaws.com'])

  const rotated = await cli('cluster', 'rotate-keys', 'dev')
  assert.equal(rotated.code, 0, rotated.stderr)
  const tok2 = await cli('create', 'token', 'app', '-n', 'default', '--cluster', 'dev')
  const kid2 = decodeToken(tok2.stdout.trim()).header.kid
  assert.notEqual(kid2, got.signingKid)
  assert.match(
    rotated.stdout,
    new RegExp(`now signs with ${kid2 ?? 'x'} \\(${got.signingKid} stays published\\)`),
  )
  assert.deepEqual(await jwksKids(stack, got.issuer), [got.signingKid, kid2])

  const both = await cli(
    'create',
    'token',
    'app',
    '-n',
    'd',
    '--cluster',
    'dev',
    '--issuer',
    'https://x',
  )
  assert.equal(both.code, 2)
  assert.match(both.stderr, /--cluster takes the issuer and key from the cluster/)

  stack.store.decisions.append({
    requestId: 'r-1',
    action: 'sts:Test',
    decision: 'rejected',
    reasons: ['why'],
  })
  const logs = await cli('logs', '--request-id', 'r-1', '--output', 'json')
  assert.equal(logs.code, 0)
  const [rec] = JSON.parse(logs.stdout) as { requestId: string; reasons: string[] }[]
  assert.deepEqual([rec?.requestId, rec?.reasons], ['r-1', ['why']])
  const none = await cli('logs', '--request-id', 'unknown')
  assert.equal(none.code, 1)
})

test('stack commands on a directory irsa up never ran on are one-line errors', async (t) => {
  const dir = tempDir(t)
  for (const argv of [
    ['cluster', 'list'],
    ['logs'],
    ['create', 'token', 'a', '-n', 'b', '--cluster', 'local'],
  ]) {
    const r = await runCli([...argv, '--data-dir', join(dir, 'none')])
    assert.equal(r.code, 2, argv.join(' '))
    assert.match(r.stderr, /^irsa: no local stack in .*: run 'irsa up --data-dir .*' first\n$/)
  }
})

test('--write-aws-profile merges the irsa profile into HOME/.aws, keeping other profiles', (t) => {
  const home = tempDir(t)
  const creds = {
    accessKeyId: 'AKIAA',
    secretAccessKey: 's',
    region: 'us-west-2',
    endpoint: 'http://127.0.0.1:1',
  }
  mergeUserProfile(home, creds)
  const files = mergeUserProfile(home, { ...creds, accessKeyId: 'AKIAB' })
  assert.equal(
    readFileSync(files.awsCredentials, 'utf8'),
    '[irsa]\naws_access_key_id = AKIAB\naws_secret_access_key = s\n',
  )
  assert.equal(statSync(files.awsCredentials).mode & 0o777, 0o600)
  assert.match(readFileSync(files.awsConfig, 'utf8'), /^\[profile irsa\]\n/)
})

test('irsa logs --since keeps only the decisions inside the window', async (t) => {
  const dir = tempDir(t)
  const stack = await start(dir)
  const now = Date.UTC(2026, 10, 23, 9, 0, 0)
  stack.store.decisions.append({
    requestId: 'old',
    at: now - 20 * 60_000,
    action: 'sts:A',
    decision: 'allowed',
  })
  stack.store.decisions.append({
    requestId: 'new',
    at: now - 5 * 60_000,
    action: 'sts:B',
    decision: 'allowed',
  })
  await stack.close()
  const r = await runCli(['logs', '--since', '10m', '--output', 'json', '--data-dir', dir], {
    clock: manualClock(now),
  })
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(
    (JSON.parse(r.stdout) as { requestId: string }[]).map((d) => d.requestId),
    ['new'],
  )
  const all = await runCli(['logs', '--since', '1h', '--data-dir', dir], {
    clock: manualClock(now),
  })
  assert.match(all.stdout, /^2026-11-23T08:40:00\.000Z {2}old {2}allowed {2}sts:A/m)
  assert.match(all.stdout, /^2026-11-23T08:55:00\.000Z {2}new {2}allowed {2}sts:B/m)
})
