/**
 * E2E: `irsa doctor` against the issuer, provider and account rows of k8s-peers-anchor.md
 * §4, one broken setup per case file under test/e2e/doctor-rows/issuer/ (runner:
 * test/helpers/doctor-rows.ts), on one `irsa up` that serves two accounts (the cluster's,
 * and a second one for the cross-account row), plus a self-hosted issuer (`irsa oidc
 * serve`, its own CA, which STS trusts only through the provider's thumbprint) and an
 * issuer nobody serves.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { cliBin, repoPath } from '../helpers/paths.js'
import { awsCli, oracle } from '../helpers/tools.js'
import { runRowFile } from '../helpers/doctor-rows.js'
import { irsaPlain, startUp, stopUp, tempDir, TEST_ACCOUNT_ID } from './up-process.js'

const kubectl = (): { skip: string | false } =>
  oracle('kubectl', ['kubectl', 'version', '--client'])

/** The second account, which holds the cross-account row's role. */
const ACCOUNT_B = '444455556666'

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address !== null && typeof address === 'object')
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return address.port
}

/** `irsa oidc serve` of a self-hosted issuer with its own CA; resolves with its issuer URL. */
async function serveSelf(work: string, t: { after(fn: () => void): void }): Promise<string> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cliBin,
      'oidc',
      'serve',
      '--issuer',
      'https://127.0.0.1:0/self',
      '--key',
      join(work, 'self-keys', 'sa.pub'),
      '--port',
      '0',
      '--tls-dir',
      join(work, 'self-tls'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oidc serve did not start:\n${out}`)), 20_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /^serving issuer (\S+)$/m.exec(out)
      if (m?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
  })
}

/**
 * Deletes every OIDC provider of the cluster's account but the cluster's, and makes the
 * cluster's one as `associate-iam-oidc-provider` makes it, with botocore (the AWS CLI's
 * library) in one process: what every case starts from.
 */
const RESET = `python3 - <<'PY'
import os, subprocess, botocore.session
iam = botocore.session.get_session().create_client("iam")
ours = os.environ["PROVIDER_ARN"]
arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
for arn in arns:
    if arn != ours:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
healthy = False
if ours in arns:
    p = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ours)
    healthy = p["ClientIDList"] == ["sts.amazonaws.com"] and p["ThumbprintList"] == [os.environ["THUMBPRINT"]]
    if not healthy:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ours)
if not healthy:
    subprocess.run(["irsa", "utils", "associate-iam-oidc-provider", "--cluster", "local", "--approve"],
                   check=True, stdout=subprocess.DEVNULL)
PY`

// About twenty real CLI runs per case against one stack; the runner's 120 s default is per
// test, so the file's cases share a larger budget.
test(
  'irsa doctor: the issuer, provider and account failure rows',
  { timeout: 600_000 },
  async (t) => {
    for (const o of [kubectl(), awsCli()])
      if (o.skip !== false) {
        t.skip(o.skip)
        return
      }
    // Servers a case starts (their pids in this file) end before the temp folder goes.
    let pids = ''
    t.after(() => {
      for (const pid of pids === '' ? [] : readFileSync(pids, 'utf8').split('\n'))
        if (pid !== '')
          try {
            process.kill(Number(pid), 'SIGKILL')
          } catch {
            // already ended
          }
    })
    const work = tempDir(t, 'irsa-doctor-issuer-')
    pids = join(work, 'pids')
    mkdirSync(join(work, 'home'))
    const data = join(work, '.irsa')
    // Account B first (its own admin key), then the cluster's account A, served from then on.
    const b = await startUp(data, ['--account-id', ACCOUNT_B])
    await stopUp(b)
    const keysB = readFileSync(join(data, 'env'), 'utf8')
      .split('\n')
      .filter((l) => /^export AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)=/.test(l))
    assert.equal(keysB.length, 2, 'account B has an admin key in DIR/env')
    writeFileSync(join(work, 'env-b'), `${keysB.join('\n')}\n`)
    const up = await startUp(data)
    t.after(() => stopUp(up, 'SIGKILL'))

    const keys = await irsaPlain(['keys', 'generate', '--out', join(work, 'self-keys')])
    const kid = /^kid (\S+)/m.exec(keys.stdout)?.[1]
    assert.ok(kid !== undefined, keys.stdout)
    const selfIssuer = await serveSelf(work, t)
    const thumbprintOf = async (issuer: string, ca: string): Promise<string> => {
      const r = await irsaPlain([
        'oidc',
        'thumbprint',
        issuer,
        '--ca',
        ca,
        '--output',
        'thumbprint',
      ])
      assert.equal(r.code, 0, r.stderr)
      return r.stdout.trim()
    }
    const gone = `https://127.0.0.1:${await closedPort()}/gone`
    writeFileSync(pids, '')
    const url = (issuer: string): string => issuer.replace(/^https:\/\//, '')
    await runRowFile(t, repoPath('test', 'e2e', 'doctor-rows', 'issuer'), {
      work,
      accountId: TEST_ACCOUNT_ID,
      issuer: up.issuer,
      vars: {
        THUMBPRINT: await thumbprintOf(up.issuer, join(data, 'ca.pem')),
        ACCOUNT_B,
        ENV_B: join(work, 'env-b'),
        SELF_ISSUER: selfIssuer,
        SELF_PROVIDER: url(selfIssuer),
        SELF_PROVIDER_ARN: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/${url(selfIssuer)}`,
        SELF_THUMBPRINT: await thumbprintOf(selfIssuer, join(work, 'self-tls', 'ca.pem')),
        SELF_KEY: join(work, 'self-keys', 'sa.key'),
        SELF_PUB: join(work, 'self-keys', 'sa.pub'),
        SELF_KID: kid,
        SELF_TLS: join(work, 'self-tls'),
        GONE_ISSUER: gone,
        GONE_PROVIDER: url(gone),
        GONE_PROVIDER_ARN: `arn:aws:iam::${TEST_ACCOUNT_ID}:oidc-provider/${url(gone)}`,
        PIDS: pids,
      },
      reset: RESET,
    })
  },
)
