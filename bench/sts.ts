/**
 * AssumeRoleWithWebIdentity throughput: irsa's STS with full verification (provider
 * lookup, cached JWKS, RS256 signature, claims, audience, trust policy evaluation, AEAD
 * session token, decision log row) on startAwsServer, against `moto_server` (which
 * verifies nothing), side by side in one run, driven by the same in-process load
 * generator: one keep-alive `http.Agent`, 32 concurrent request loops, a fixed request
 * count per round with a time cap. Both get the same form body (a real service-account
 * token from an HTTPS issuer on loopback). Rounds alternate between the servers; the
 * table has each server's median-round requests per second and p50/p99 latency over all
 * timed requests, and the ratios (targets: ≥ 20× moto's rps, judged on the median of the
 * per-round ratios; p99 ≤ 1/10 of moto's).
 *
 * Each server runs in its own process (irsa in a child of this one, running this very
 * module with a flag), so that neither shares a core with the load generator.
 *
 * Bounded: warm-up, then 8 rounds per server of at most 4,000 requests or 3 s each
 * (about 60 s), moto started with a 20 s readiness cap and stopped at the end.
 * Without `moto_server` on PATH the moto row says so and the ratios are left out.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { load as runLoad, median, percentile, type LoadSpec } from './_load.js'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createAwsApp, startAwsServer } from '../src/aws/index.js'
import { createLogger, systemClock } from '../src/core/index.js'
import { createAuthorizer, type Principal } from '../src/iam/index.js'
import { openStore } from '../src/store/index.js'
import {
  createCredentialLookup,
  createJwksFetcher,
  createSessionCodec,
  createStsActions,
  loadSessionSecret,
} from '../src/sts/index.js'
import { irsaTrust, startIssuer } from '../test/unit/sts/harness.js'

const CONCURRENCY = 32
const ROUNDS = 8
const ROUND_REQUESTS = 4000
const ROUND_MS = 3000
const WARMUP_REQUESTS = 2000
const ACCOUNT = '111122223333'

/** Sends the AssumeRoleWithWebIdentity form to `origin`; an answer must carry credentials. */
function load(agent: Agent, origin: string, body: Buffer, count: number, capMs: number) {
  const spec: LoadSpec = {
    url: new URL('/', origin),
    agent,
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'content-length': body.length,
    },
    body,
    concurrency: CONCURRENCY,
    check: (status, chunks) => {
      const text = Buffer.concat(chunks).toString('utf8')
      return status === 200 && text.includes('<SessionToken>')
        ? undefined
        : `${status}: ${text.slice(0, 200)}`
    },
  }
  return runLoad(spec, count, capMs)
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Starts `moto_server` on 127.0.0.1 and waits (≤ 20 s) until it answers. */
async function startMoto(): Promise<{ origin: string; child: ChildProcess } | undefined> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) return undefined
  const port = await freePort()
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  const origin = `http://127.0.0.1:${port}`
  const until = performance.now() + 20_000
  while (performance.now() < until) {
    const up = await new Promise<boolean>((resolve) => {
      const req = request(`${origin}/moto-api/`, { method: 'GET' }, (res) => {
        res.resume()
        resolve(true)
      })
      req.on('error', () => {
        resolve(false)
      })
      req.end()
    })
    if (up) return { origin, child }
    await new Promise((r) => setTimeout(r, 200))
  }
  child.kill('SIGTERM')
  throw new Error('moto_server did not answer within 20 s')
}

const SERVE_FLAG = '--irsa-sts-bench-server'

/** What the irsa child reports once it listens. */
interface Ready {
  readonly origin: string
  readonly body: string
}

/**
 * The irsa side, in the child: a store with a provider and a role trusting it, an HTTPS
 * issuer, STS on startAwsServer (logging at info into a null sink). Reports the origin
 * and the request body, then serves until told to stop.
 */
async function serveChild(): Promise<void> {
  const clock = systemClock
  const dir = mkdtempSync(join(tmpdir(), 'irsa-bench-sts-'))
  const store = openStore({ dir, clock })
  store.accounts.ensure({ id: ACCOUNT })
  const issuer = await startIssuer(clock)
  const provider = store.oidcProviders.create({
    accountId: ACCOUNT,
    url: issuer.hostPath,
    clientIds: ['sts.amazonaws.com'],
  })
  const role = store.roles.create({
    accountId: ACCOUNT,
    name: 'app',
    assumeRolePolicyDocument: irsaTrust(provider.arn, issuer.hostPath),
  })
  const logger = createLogger({ level: 'info', destination: { write: () => undefined } })
  const sessions = createSessionCodec(loadSessionSecret(store))
  const jwks = createJwksFetcher({ clock, trustedCaPems: [issuer.ca.certPem], logger })
  const app = createAwsApp<Principal>({
    actions: createStsActions({
      store,
      clock,
      sessions,
      jwks,
      authorizer: createAuthorizer({ store, clock }),
      logger,
    }),
    credentials: createCredentialLookup({ store, sessions, clock }),
    clock,
    logger,
  })
  const server = await startAwsServer({ app, port: 0 })
  const token = issuer.signer.issue({
    namespace: 'default',
    serviceAccount: { name: 'app' },
    audiences: ['sts.amazonaws.com'],
    expirationSeconds: 86400,
  }).token
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: role.arn,
    RoleSessionName: 'bench',
    WebIdentityToken: token,
  }).toString()
  const stop = async (): Promise<void> => {
    await server.close()
    await issuer.close()
    store.close()
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  }
  process.once('message', () => void stop())
  process.once('disconnect', () => void stop())
  const ready: Ready = { origin: server.origin, body }
  process.send?.(ready)
}

/** Forks this module as the irsa server (≤ 30 s to get ready). */
function startIrsa(): Promise<{ ready: Ready; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error('the irsa bench server did not start within 30 s'))
    }, 30_000)
    child.once('message', (m) => {
      clearTimeout(timer)
      resolve({ ready: m as Ready, child })
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the irsa bench server exited (${String(code)})`))
    })
  })
}

export async function run(): Promise<string> {
  const irsa = await startIrsa()
  const body = Buffer.from(irsa.ready.body)
  const moto = await startMoto()
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const targets = [
    { name: 'irsa (full verification)', origin: irsa.ready.origin },
    ...(moto ? [{ name: 'moto_server (verifies nothing)', origin: moto.origin }] : []),
  ]
  const results = new Map(
    targets.map((t) => [t.name, { rps: [] as number[], latencies: [] as number[] }]),
  )
  try {
    for (const t of targets) await load(agent, t.origin, body, WARMUP_REQUESTS, ROUND_MS)
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse()
      for (const t of order) {
        const r = await load(agent, t.origin, body, ROUND_REQUESTS, ROUND_MS)
        const acc = results.get(t.name)
        if (acc === undefined) continue
        acc.rps.push(r.rps)
        for (const l of r.latencies) acc.latencies.push(l)
      }
    }
  } finally {
    agent.destroy()
    moto?.child.kill('SIGTERM')
    irsa.child.send('stop')
    await new Promise((r) => irsa.child.once('exit', r))
  }
  const rows = targets.map((t) => {
    const acc = results.get(t.name) ?? { rps: [], latencies: [] }
    const sorted = Float64Array.from(acc.latencies).sort()
    return {
      name: t.name,
      n: acc.latencies.length,
      rps: median(acc.rps),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    }
  })
  const [ours, m] = rows
  const lines = [
    `AssumeRoleWithWebIdentity, ${CONCURRENCY} concurrent keep-alive connections, ${ROUNDS} alternating rounds of ≤ ${ROUND_REQUESTS} requests or ${ROUND_MS / 1000} s`,
    '',
    '| server | requests | rps (median round) | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.n} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
    ),
  ]
  if (m === undefined || ours === undefined)
    lines.push('| moto_server | — | skipped: moto_server is not on PATH | — | — |')
  else {
    // Each round runs both servers back to back; the median of the per-round ratios is
    // robust to a shared machine's load drifting during the run (the webhook bench's rule).
    const oursRps = results.get(ours.name)?.rps ?? []
    const motoRps = results.get(m.name)?.rps ?? []
    const rpsRatio = median(oursRps.map((r, i) => r / (motoRps[i] ?? NaN)))
    const overall = ours.rps / m.rps
    const p99Ratio = m.p99 / ours.p99
    lines.push(
      '',
      `| ratio | target | measured | met |`,
      '| --- | --- | ---: | --- |',
      `| rps irsa / moto, median of ${ROUNDS} paired rounds | ≥ 20× | ${rpsRatio.toFixed(1)}× | ${rpsRatio >= 20 ? 'yes' : 'NO'} |`,
      `| rps irsa / moto, median rounds | | ${overall.toFixed(1)}× | |`,
      `| p99 moto / irsa | ≥ 10× | ${p99Ratio.toFixed(1)}× | ${p99Ratio >= 10 ? 'yes' : 'NO'} |`,
    )
  }
  return lines.join('\n')
}

if (process.argv.includes(SERVE_FLAG)) await serveChild()
