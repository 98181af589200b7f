/**
 * The Kubernetes API of `irsa up`, started as a user starts it (`node bin/irsa.js up`, own
 * process, ports 0, a log file, every other flag at its default), driven the way kubectl
 * drives it: the client certificate, CA and server of DIR/kubeconfig's current context,
 * JSON bodies with `fieldManager=kubectl-create&fieldValidation=Strict`, keep-alive HTTPS
 * on loopback.
 *
 * - pod creation: POST /api/v1/namespaces/default/pods (generateName, ServiceAccount
 *   `default`), each admitted through the webhook's mutation and stored; target ≥ 1,000
 *   pods/s (median of ROUNDS rounds);
 * - watch delivery: a `?watch=true` stream on pods with a label while pods carrying it are
 *   created one at a time; the time from sending the write to reading its ADDED event on
 *   the stream; target p99 ≤ 10 ms.
 *
 * The first WATCH_WARMUP watched writes are not counted. Bounded: each pod round is at most ROUND_REQUESTS requests or ROUND_MS, the watch part
 * WATCH_WRITES writes or WATCH_MS. `BENCH_KUBEAPI_CPU_PROF=DIR` runs `irsa up` under
 * `--cpu-prof` and leaves the profile in DIR. Every child is killed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { Agent, request, type AgentOptions } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { load, median, percentile, type LoadSpec } from './_load.js'

const ACCOUNT = '111122223333'
const CONCURRENCY = 16
const ROUNDS = 3
const ROUND_REQUESTS = Number(process.env['BENCH_KUBEAPI_ROUND_REQUESTS'] ?? 4000)
const ROUND_MS = 4000
const WARMUP_REQUESTS = 1000
const WATCH_WRITES = 500
/** Watched writes sent before measuring (the stream's first bytes, JIT of the path). */
const WATCH_WARMUP = 20
const WATCH_MS = 15_000

const repo = fileURLToPath(
  new URL(import.meta.url.includes('/build/bench/') ? '../../' : '../', import.meta.url),
)
const cli = join(repo, 'bin', 'irsa.js')

const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve()
      return
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** Starts `irsa up` and waits (≤ 30 s) for its banner. */
function startUp(dataDir: string): Promise<ChildProcess> {
  const prof = process.env['BENCH_KUBEAPI_CPU_PROF']
  const env = { ...process.env }
  delete env['IRSA_LOG_LEVEL']
  const child = spawn(
    process.execPath,
    [
      ...(prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof]),
      cli,
      'up',
      '--data-dir',
      dataDir,
      '--aws-port',
      '0',
      '--oidc-port',
      '0',
      '--webhook-port',
      '0',
      '--kube-port',
      '0',
      '--account-id',
      ACCOUNT,
      '--log-file',
      join(dataDir, 'up.log'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  )
  children.add(child)
  child.once('exit', () => children.delete(child))
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`irsa up did not print its banner within 30 s:\n${out}\n${err}`))
    }, 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`irsa up exited (${String(code)}):\n${out}\n${err}`))
    })
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (!out.includes('Stop with Ctrl-C')) return
      clearTimeout(timer)
      resolve(child)
    })
  })
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[]
  contexts: { name: string; context: { cluster: string } }[]
  'current-context': string
}

/** The current context's server and an agent with its CA and client certificate. */
function client(path: string): { server: string; agent: Agent; tls: AgentOptions } {
  const k = parseYaml(readFileSync(path, 'utf8')) as Kubeconfig
  const ctx = k.contexts.find((c) => c.name === k['current-context'])
  const cluster = k.clusters.find((c) => c.name === ctx?.context.cluster)
  const user = k.users[0]
  if (cluster === undefined || user === undefined) throw new Error(`${path}: no current context`)
  const b = (s: string): Buffer => Buffer.from(s, 'base64')
  const tls = {
    ca: b(cluster.cluster['certificate-authority-data']),
    cert: b(user.user['client-certificate-data']),
    key: b(user.user['client-key-data']),
  }
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 2, ...tls })
  return { server: cluster.cluster.server, agent, tls }
}

const pod = (labels: Record<string, string>, name?: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...(name !== undefined ? { name } : { generateName: 'bench-' }), labels },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'public.ecr.aws/aws-cli/aws-cli:2.15.0',
            command: ['sleep', 'inf'],
          },
        ],
      },
    }),
  )

const HEADERS = { 'content-type': 'application/json', accept: 'application/json' }
const QUERY = '?fieldManager=kubectl-create&fieldValidation=Strict'

/** One POST; resolves its status when the answer has been read. */
function post(agent: Agent, url: URL, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...HEADERS, 'content-length': body.length } },
      (res) => {
        res.resume()
        res.on('end', () => {
          resolve(res.statusCode ?? 0)
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Watch latencies (ms): from sending each write to reading its event. */
async function watchLatencies(server: string, agent: Agent, tls: AgentOptions): Promise<number[]> {
  const watchUrl = new URL(
    `${server}/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3Dwatch&timeoutSeconds=60`,
  )
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const waiting = new Map<string, () => void>()
  const watchAgent = new Agent({ keepAlive: false, ...tls })
  const stream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(watchUrl, { agent: watchAgent, headers: { accept: 'application/json' } })
    req.on('response', resolve)
    req.on('error', reject)
    req.end()
  })
  let buffered = ''
  stream.setEncoding('utf8')
  stream.on('data', (d: string) => {
    const now = performance.now()
    buffered += d
    let nl = buffered.indexOf('\n')
    while (nl >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      nl = buffered.indexOf('\n')
      const e = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } }
      const name = e.object.metadata?.name ?? ''
      const t0 = sentAt.get(name)
      if (e.type !== 'ADDED' || t0 === undefined) continue
      latencies.push(now - t0)
      sentAt.delete(name)
      waiting.get(name)?.()
    }
  })
  const url = new URL(`${server}/api/v1/namespaces/default/pods${QUERY}`)
  const deadline = performance.now() + WATCH_MS
  try {
    for (let i = 0; i < WATCH_WARMUP + WATCH_WRITES && performance.now() < deadline; i++) {
      const name = `watched-${String(i)}`
      const seen = new Promise<void>((resolve) => waiting.set(name, resolve))
      sentAt.set(name, performance.now())
      const status = await post(agent, url, pod({ bench: 'watch' }, name))
      if (status !== 201) throw new Error(`watched pod: ${String(status)}`)
      await Promise.race([seen, new Promise((r) => setTimeout(r, 1000))])
      waiting.delete(name)
    }
  } finally {
    stream.destroy()
    watchAgent.destroy()
  }
  return latencies.slice(WATCH_WARMUP)
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits)

export async function run(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-bench-kubeapi-'))
  let up: ChildProcess | undefined
  let agent: Agent | undefined
  try {
    up = await startUp(dir)
    const c = client(join(dir, 'kubeconfig'))
    agent = c.agent
    const url = new URL(`${c.server}/api/v1/namespaces/default/pods${QUERY}`)
    const body = pod({ app: 'bench' })
    const spec: LoadSpec = {
      url,
      agent,
      headers: { ...HEADERS, 'content-length': body.length },
      body,
      concurrency: CONCURRENCY,
      check: (status, chunks) =>
        status === 201 ? undefined : `${String(status)} ${Buffer.concat(chunks).toString()}`,
    }
    await load(spec, WARMUP_REQUESTS, ROUND_MS)
    const rounds = []
    for (let i = 0; i < ROUNDS; i++) rounds.push(await load(spec, ROUND_REQUESTS, ROUND_MS))
    const rps = median(rounds.map((r) => r.rps))
    const all = Float64Array.from(rounds.flatMap((r) => r.latencies)).sort()
    const watch = Float64Array.from(await watchLatencies(c.server, agent, c.tls)).sort()
    const watchP99 = percentile(watch, 99)
    const created = WARMUP_REQUESTS + rounds.reduce((n, r) => n + r.latencies.length, 0)
    return [
      `\`irsa up\` started as a user starts it (own process, --kube-port 0, --log-file); kubectl-style JSON POSTs with DIR/kubeconfig's client certificate; ${String(CONCURRENCY)} keep-alive connections, ${String(ROUNDS)} rounds of ≤ ${String(ROUND_REQUESTS)} pods or ${String(ROUND_MS / 1000)} s after ${String(WARMUP_REQUESTS)} warm-up pods (${String(created)} pods in all)`,
      '',
      '| measured | count | rate (median round) | p50 ms | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| POST pods (admission, store) | ${String(all.length)} | ${fmt(rps)} pods/s | ${fmt(percentile(all, 50), 2)} | ${fmt(percentile(all, 99), 2)} |`,
      `| watch event after its write (1 write at a time) | ${String(watch.length)} | — | ${fmt(percentile(watch, 50), 2)} | ${fmt(watchP99, 2)} |`,
      '',
      '| target | goal | measured | result |',
      '| --- | --- | ---: | --- |',
      `| pod creation through admission | ≥ 1,000 pods/s | ${fmt(rps)} pods/s | ${rps >= 1000 ? 'PASS' : 'MISS'} |`,
      `| watch delivery after the write, p99 | ≤ 10 ms | ${fmt(watchP99, 2)} ms | ${watch.length > 0 && watchP99 <= 10 ? 'PASS' : 'MISS'} |`,
    ].join('\n')
  } finally {
    agent?.destroy()
    if (up !== undefined) await stop(up)
    rmSync(dir, { recursive: true, force: true })
  }
}
