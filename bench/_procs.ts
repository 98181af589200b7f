/**
 * What the HTTP benchmarks share besides the load generator: the children they start
 * (killed at the end, also on error), a free port, `moto_server`, one request, and the
 * alternating-rounds comparison. (The `_` keeps bench/index.ts from running this file.)
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { createServer, type AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { load as runLoad, median, percentile, type LoadSpec, type Round } from './_load.js'

/** Every child this run started, killed in `finally` (and on exit, as a last resort). */
const children = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

export function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) {
            resolve()
            return
          }
          const timer = setTimeout(() => c.kill('SIGKILL'), 10_000)
          c.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          c.kill('SIGTERM')
        }),
    ),
  )
}

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Starts `moto_server` on 127.0.0.1 (≤ 20 s to answer); undefined when not on PATH. */
export async function startMoto(): Promise<string | undefined> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0) return undefined
  const port = await freePort()
  track(spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' }))
  const origin = `http://127.0.0.1:${port}`
  const until = performance.now() + 20_000
  while (performance.now() < until) {
    try {
      await once(new HttpAgent(), new URL('/moto-api/', origin), 'GET', Buffer.alloc(0), {})
      return origin
    } catch {
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  throw new Error('moto_server did not answer within 20 s')
}

export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: Buffer
}

/** One request; its status, content type and body. */
export function once(
  agent: HttpAgent | HttpsAgent,
  url: URL,
  method: string,
  body: Buffer,
  headers: Record<string, string | number>,
): Promise<Answer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => chunks.push(d))
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          body: Buffer.concat(chunks),
        })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

export interface Stats {
  readonly n: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly rounds: number[]
}

/** Alternating rounds over `specs` (after a warm-up of each); per-target stats. */
export async function compare(
  specs: readonly LoadSpec[],
  o: {
    readonly warmup: number
    /** The warm-up's time cap (default `ms`). */
    readonly warmupMs?: number
    readonly rounds: number
    readonly requests: number
    readonly ms: number
  },
): Promise<Stats[]> {
  for (const s of specs) await runLoad(s, o.warmup, o.warmupMs ?? o.ms)
  const acc = specs.map(() => ({ rps: [] as number[], lat: [] as number[] }))
  for (let round = 0; round < o.rounds; round++) {
    const order = specs.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const r: Round = await runLoad(specs[i]!, o.requests, o.ms)
      acc[i]!.rps.push(r.rps)
      for (const l of r.latencies) acc[i]!.lat.push(l)
    }
  }
  return acc.map((a) => {
    const sorted = Float64Array.from(a.lat).sort()
    return {
      n: a.lat.length,
      rps: median(a.rps),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rounds: a.rps,
    }
  })
}

/** The median of the per-round ratios a/b. */
export function pairedRatio(a: Stats, b: Stats): number {
  return median(a.rounds.map((r, i) => r / (b.rounds[i] ?? NaN)))
}

/** The built CLI (`bin/irsa.js` of this checkout). */
export const irsaBin = fileURLToPath(
  new URL(
    import.meta.url.includes('/build/bench/') ? '../../bin/irsa.js' : '../bin/irsa.js',
    import.meta.url,
  ),
)

/** Runs the built CLI to completion (≤ 60 s); its stdout, or an error with stderr. */
export function irsa(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [irsaBin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout)
      else reject(new Error(`irsa ${args.join(' ')}: ${err.message}\n${stderr}`))
    })
  })
}

/** The variables `DIR/env` exports. */
export function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const m of readFileSync(file, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm))
    env[m[1]!] = m[2]!
  return env
}

/** One measured row of a benchmark table. */
export function row(name: string, s: Stats): string {
  return `| ${name} | ${s.n} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`
}

/** One target row: the goal, the measured value and PASS or MISS. */
export function target(
  name: string,
  goal: string,
  value: number,
  met: boolean,
  unit = '×',
): string {
  return `| ${name} | ${goal} | ${value.toFixed(2)}${unit} | ${met ? 'PASS' : 'MISS'} |`
}
