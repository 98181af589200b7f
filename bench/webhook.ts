/**
 * Admission throughput over HTTPS keep-alive: irsa's webhook (createWebhookApp on
 * startWebhookServer, logging at info into a null sink, metrics on) against a bare
 * `node:https` server that reads the body and returns a canned response of the same size,
 * side by side in one run, driven by the same in-process load generator (one keep-alive
 * agent, 32 concurrent requests, a fixed count per round with a time cap). The review is
 * a bare pod whose ServiceAccount has a role, so every request produces a full patch.
 * Rounds alternate between the servers; the table has the median round's requests per
 * second and the p50/p99 latency over every timed request, the overall ratios, and the
 * median of the per-round ratios (each round runs both servers back to back), which is
 * what the targets are judged on because it is robust to a shared machine's drifting load.
 *
 * Then memory: a child process runs the ServiceAccount informer against an in-process fake
 * API server holding 100,000 ServiceAccounts (1,000 namespaces, every tenth with a role, all
 * with a kubectl last-applied annotation and labels that the informer strips), and reports
 * its RSS after the first list, next to the same child with an empty cluster.
 *
 * Bounded: about 60 s (warm-up, 2 × 12 rounds of at most 3,000 requests or 2 s each, and
 * two child processes with a 120 s cap each).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, Agent } from 'node:https'
import { load as runLoad, median, percentile, type LoadSpec } from './_load.js'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  createCertificateAuthority,
  createLogger,
  issueServerCertificate,
  systemClock,
} from '../src/core/index.js'
import {
  createMutationConfig,
  createWebhookApp,
  startWebhookServer,
  staticServiceAccountSource,
} from '../src/webhook/index.js'
import { startFakeApiServer } from '../test/unit/kube/fake-api-server.js'
import { pod, review, serviceAccount } from '../test/unit/webhook-server/helpers.js'

const CONCURRENCY = 32
const ROUNDS = 12
const ROUND_REQUESTS = 3000
const ROUND_MS = 2000
const WARMUP_REQUESTS = 3000
const SERVICE_ACCOUNTS = 100_000
const NAMESPACES = 1000

/** Sends an AdmissionReview to `origin`; an answer must be 200 with `expectBytes` bytes. */
function load(
  agent: Agent,
  origin: string,
  body: Buffer,
  count: number,
  capMs: number,
  expectBytes: number,
) {
  const spec: LoadSpec = {
    url: new URL('/mutate', origin),
    agent,
    headers: { 'content-type': 'application/json', 'content-length': body.length },
    body,
    concurrency: CONCURRENCY,
    check: (status, chunks) => {
      const n = chunks.reduce((sum, c) => sum + c.length, 0)
      return status === 200 && n === expectBytes ? undefined : `${status}, ${n} bytes`
    },
  }
  return runLoad(spec, count, capMs)
}

/** RSS of a child process running the informer against `server` once it has listed. */
function informerRss(server: string): Promise<{ size: number; rssMb: number; heapMb: number }> {
  const here = fileURLToPath(new URL('.', import.meta.url))
  const pick = (rel: string): string => {
    const js = new URL(`${rel}.js`, `file://${here}`)
    return existsSync(fileURLToPath(js)) ? js.href : new URL(`${rel}.ts`, `file://${here}`).href
  }
  const script = `
const { createKubeClient, createServiceAccountInformer, staticCredentials } = await import(${JSON.stringify(pick('../src/kube/index'))})
const { silentLogger, systemClock } = await import(${JSON.stringify(pick('../src/core/index'))})
const informer = createServiceAccountInformer({
  client: createKubeClient({ server: ${JSON.stringify(server)}, insecureSkipTlsVerify: false, credentials: staticCredentials({}), source: 'bench' }),
  annotationPrefix: 'eks.amazonaws.com', clock: systemClock, logger: silentLogger(), lookup: { gracePeriodMs: 0 },
})
informer.start()
await informer.synced()
for (let i = 0; i < 3; i++) globalThis.gc()
const m = process.memoryUsage()
process.stdout.write(JSON.stringify({ size: informer.size(), rss: m.rss, heap: m.heapUsed }))
process.exit(0)
`
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, '--expose-gc', '--input-type=module', '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) {
        reject(new Error(`informer child exited with ${code}`))
        return
      }
      const r = JSON.parse(out) as { size: number; rss: number; heap: number }
      resolve({ size: r.size, rssMb: r.rss / 2 ** 20, heapMb: r.heap / 2 ** 20 })
    })
  })
}

async function memory(): Promise<string[]> {
  const rows: string[] = []
  for (const n of [0, SERVICE_ACCOUNTS]) {
    const fake = await startFakeApiServer()
    try {
      const lastApplied = JSON.stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'x'.repeat(20), namespace: 'y'.repeat(12), labels: { team: 'z' } },
      })
      for (let i = 0; i < n; i++) {
        const annotations: Record<string, string> = {
          'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
        }
        if (i % 10 === 0)
          annotations['eks.amazonaws.com/role-arn'] = `arn:aws:iam::111122223333:role/app-${i}`
        fake.add(`team-${i % NAMESPACES}`, `sa-${i}`, annotations)
      }
      const r = await informerRss(fake.origin)
      if (r.size !== n) throw new Error(`the informer cached ${r.size} ServiceAccounts, not ${n}`)
      rows.push(
        `| informer, ${n.toLocaleString('en-US')} ServiceAccounts | ${r.rssMb.toFixed(1)} MB | ${r.heapMb.toFixed(1)} MB |`,
      )
    } finally {
      await fake.close()
    }
  }
  return rows
}

export async function run(): Promise<string> {
  const ca = createCertificateAuthority({ commonName: 'bench CA', clock: systemClock })
  const tls = issueServerCertificate(ca, { ipAddresses: ['127.0.0.1'], clock: systemClock })
  const app = createWebhookApp({
    config: createMutationConfig({ defaultRegion: 'us-west-2' }),
    serviceAccounts: staticServiceAccountSource([
      serviceAccount('default', 'default', {
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/s3-reader',
      }),
    ]),
    clock: systemClock,
    logger: createLogger({ level: 'info', destination: { write: () => undefined } }),
  })
  const body = Buffer.from(JSON.stringify(review(pod())))
  const canned = await app.review(body.toString('utf8'), 'application/json')
  if (canned.status !== 200 || !canned.body.includes('"patch"'))
    throw new Error('no patch to bench')
  const cannedBytes = Buffer.from(canned.body)

  const ours = await startWebhookServer({
    app,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: tls.certPem, key: tls.keyPem },
  })
  const bare = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    req.on('data', () => undefined)
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': cannedBytes.length,
      })
      res.end(cannedBytes)
    })
  })
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve))
  const bareOrigin = `https://127.0.0.1:${(bare.address() as AddressInfo).port}`
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: ca.certPem })
  const targets = [
    { name: 'irsa webhook', origin: ours.origin },
    { name: 'bare node:https', origin: bareOrigin },
  ] as const
  const results = new Map<string, { rps: number[]; p99: number[]; latencies: number[] }>(
    targets.map((t) => [t.name, { rps: [], p99: [], latencies: [] }]),
  )
  try {
    for (const t of targets)
      await load(agent, t.origin, body, WARMUP_REQUESTS, ROUND_MS, cannedBytes.length)
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse()
      for (const t of order) {
        const r = await load(agent, t.origin, body, ROUND_REQUESTS, ROUND_MS, cannedBytes.length)
        const acc = results.get(t.name)!
        acc.rps.push(r.rps)
        acc.p99.push(percentile(Float64Array.from(r.latencies).sort(), 99))
        for (const l of r.latencies) acc.latencies.push(l)
      }
    }
  } finally {
    agent.destroy()
    await ours.close()
    await new Promise<void>((resolve) => {
      bare.close(() => {
        resolve()
      })
      bare.closeAllConnections()
    })
  }
  const summary = targets.map((t) => {
    const acc = results.get(t.name)!
    const sorted = Float64Array.from(acc.latencies).sort()
    return {
      name: t.name,
      rps: median(acc.rps),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      n: sorted.length,
    }
  })
  const [o, b] = summary as [(typeof summary)[0], (typeof summary)[0]]
  // Each round pairs the two servers back to back; the median of the per-round ratios is
  // robust to the background load of a shared machine drifting during the run.
  const oursAcc = results.get(targets[0].name)!
  const bareAcc = results.get(targets[1].name)!
  const rpsRatio = median(oursAcc.rps.map((r, i) => r / bareAcc.rps[i]!))
  const p99Ratio = median(oursAcc.p99.map((p, i) => p / bareAcc.p99[i]!))
  const lines = [
    `AdmissionReview (bare pod, full patch; response ${cannedBytes.length} bytes, request ${body.length} bytes), HTTPS keep-alive, ${CONCURRENCY} concurrent, ${ROUNDS} alternating rounds of up to ${ROUND_REQUESTS} requests or ${ROUND_MS / 1000} s`,
    '',
    '| server | requests | rps (median round) | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
    ...summary.map(
      (s) =>
        `| ${s.name} | ${s.n} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`,
    ),
    `| ratio irsa / bare, overall | | ${(o.rps / b.rps).toFixed(2)}× | ${(o.p50 / b.p50).toFixed(2)}× | ${(o.p99 / b.p99).toFixed(2)}× |`,
    `| **ratio irsa / bare, median of ${ROUNDS} paired rounds** | | **${rpsRatio.toFixed(2)}×** (target ≥ 0.70) | | **${p99Ratio.toFixed(2)}×** (target ≤ 1.50) |`,
    '',
    '| memory | RSS | heap used |',
    '|---|---:|---:|',
    ...(await memory()),
    '',
    'RSS target: < 150 MB with 100,000 ServiceAccounts cached.',
  ]
  return lines.join('\n')
}
