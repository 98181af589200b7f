/**
 * The load generator the HTTP benchmarks share: `concurrency` loops, each sending one request
 * at a time on a keep-alive agent, until `count` requests were sent or `capMs` passed.
 * Every answer is checked before its latency counts. (The `_` keeps bench/index.ts from
 * running this file as a benchmark.)
 */
import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http'
import { request as httpRequest } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import { request as httpsRequest } from 'node:https'
import { performance } from 'node:perf_hooks'

/** One round's throughput and the latency (ms) of every accepted answer. */
export interface Round {
  readonly rps: number
  readonly latencies: number[]
}

/** What to send, and how to judge an answer (a message when it is wrong). */
export interface LoadSpec {
  readonly url: URL
  /** The method (default POST). */
  readonly method?: string
  /** Each request's URL, when they differ (default: `url` every time). */
  readonly nextUrl?: () => URL
  readonly agent: HttpAgent | HttpsAgent
  readonly headers: Readonly<Record<string, string | number>>
  readonly body: Buffer
  readonly concurrency: number
  readonly check: (status: number, chunks: readonly Buffer[]) => string | undefined
}

/** Sends `count` requests (or until `capMs`) with `spec.concurrency` in flight. */
export async function load(spec: LoadSpec, count: number, capMs: number): Promise<Round> {
  const { url, body, check } = spec
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const options: RequestOptions = {
    method: spec.method ?? 'POST',
    agent: spec.agent,
    headers: spec.headers,
  }
  const latencies: number[] = []
  let sent = 0
  const start = performance.now()
  const deadline = start + capMs
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now()
      const req = send(spec.nextUrl?.() ?? url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => {
          const wrong = check(res.statusCode ?? 0, chunks)
          if (wrong !== undefined) {
            reject(new Error(`unexpected answer: ${wrong}`))
            return
          }
          latencies.push(performance.now() - t0)
          resolve()
        })
      })
      req.on('error', reject)
      req.end(body)
    })
  const worker = async (): Promise<void> => {
    while (sent < count && performance.now() < deadline) {
      sent++
      await one()
    }
  }
  await Promise.all(Array.from({ length: spec.concurrency }, worker))
  return { rps: latencies.length / ((performance.now() - start) / 1000), latencies }
}

/** The `p`th percentile of ascending `sorted` values. */
export function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

/** The median (upper middle for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}
