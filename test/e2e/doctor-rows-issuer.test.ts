/**
 * E2E: `irsa doctor` against the issuer and account rows of k8s-peers-anchor.md §4
 * (test/e2e/doctor-rows/issuer/: thumbprint, unreachable issuer, cross-account role), on one `irsa up` that serves two accounts (the cluster's, and a
 * second one for the cross-account row), plus a self-hosted issuer (`irsa oidc serve`, its
 * own CA, which STS trusts only through the provider's thumbprint) and an issuer nobody
 * serves.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { cliBin } from '../helpers/paths.js'
import { irsaPlain, startUp, stopUp, TEST_ACCOUNT_ID } from './up-process.js'
import { runRowsFile, thumbprintOf } from './doctor-rows-stack.js'

/** The second account, which holds the cross-account row's role. */
const ACCOUNT_B = '444455556666'

/** A loopback port nobody listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address !== null && typeof address === 'object')
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
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
    const timer = setTimeout(() => {
      reject(new Error(`oidc serve did not start:\n${out}`))
    }, 20_000)
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

test('irsa doctor: the issuer and account rows', { timeout: 600_000 }, (t) => {
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
  return runRowsFile(t, ['issuer'], {
    resetEachCase: true,
    // Account B first (its own admin key), then the cluster's account, served from then on.
    before: async (work, data) => {
      const b = await startUp(data, ['--account-id', ACCOUNT_B])
      await stopUp(b)
      const keysB = readFileSync(join(data, 'env'), 'utf8')
        .split('\n')
        .filter((l) => /^export AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)=/.test(l))
      assert.equal(keysB.length, 2, 'account B has an admin key in DIR/env')
      writeFileSync(join(work, 'env-b'), `${keysB.join('\n')}\n`)
    },
    vars: async ({ work }) => {
      const keys = await irsaPlain(['keys', 'generate', '--out', join(work, 'self-keys')])
      const kid = /^kid (\S+)/m.exec(keys.stdout)?.[1]
      assert.ok(kid !== undefined, keys.stdout)
      const selfIssuer = await serveSelf(work, t)
      const gone = `https://127.0.0.1:${await closedPort()}/gone`
      pids = join(work, 'pids')
      writeFileSync(pids, '')
      const url = (issuer: string): string => issuer.replace(/^https:\/\//, '')
      return {
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
      }
    },
  })
})
