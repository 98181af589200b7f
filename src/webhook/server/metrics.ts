import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { IdentityMode } from '../resolve.js'

/**
 * What an admission ended in, for `irsa_webhook_mutations_total{outcome}`: the mutation's
 * own outcomes, plus `skipped` (not a pod CREATE), `invalid-pod` (a pod the mutation
 * could not read) and `too-large` (denied: the patched pod would exceed the bound).
 */
export type AdmissionOutcome =
  | 'mutated'
  | 'unchanged'
  | 'no-identity'
  | 'service-account-missing'
  | 'skipped'
  | 'invalid-pod'
  | 'too-large'

/** Every {@link AdmissionOutcome}. */
const ADMISSION_OUTCOMES: readonly AdmissionOutcome[] = [
  'mutated',
  'unchanged',
  'no-identity',
  'service-account-missing',
  'skipped',
  'invalid-pod',
  'too-large',
]

/** The reference's `http_request_latencies` buckets: 7 buckets from 125000 µs, doubling. */
const REFERENCE_LATENCY_BUCKETS_US: readonly number[] = [
  125000, 250000, 500000, 1000000, 2000000, 4000000, 8000000,
]

/** Buckets of `irsa_webhook_admission_duration_seconds`, from 100 µs to 2.5 s. */
const ADMISSION_DURATION_BUCKETS_S: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
]

/**
 * The webhook's metrics, in their own prom-client registry (never the global one), so two
 * apps in one process, or two tests, do not share counters.
 */
export interface WebhookMetrics {
  readonly registry: Registry
  /** Records one HTTP request to `/mutate`: method, status and duration in seconds. */
  observeRequest(verb: string, path: string, code: number, seconds: number): void
  /** Records one admission's outcome and, when it got an identity, its mode. */
  observeAdmission(outcome: AdmissionOutcome, mode: IdentityMode | undefined, seconds: number): void
  /** Counts a pod whose ServiceAccount was not found (`pod_identity_webhook_missing_sa_count`). */
  missingServiceAccount(): void
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>
  /** The Content-Type of {@link render}'s text. */
  readonly contentType: string
}

const METHOD_LABEL: Readonly<Record<IdentityMode, string>> = {
  irsa: 'sts_web_identity',
  'pod-identity': 'container_credentials',
}

/** Creates the metrics of one webhook app, with the reference's names and irsa's own. */
export function createWebhookMetrics(): WebhookMetrics {
  const registry = new Registry()
  const registers = [registry]
  // Counters are tallied in plain numbers on the hot path and handed to prom-client when
  // /metrics is scraped (its `collect` hook), so a request pays no label hashing for them.
  const requestTallies = new Map<
    string,
    { labels: [string, string, string]; n: number; sent: number }
  >()
  const outcomeTallies = new Map<AdmissionOutcome, { n: number; sent: number }>(
    ADMISSION_OUTCOMES.map((o) => [o, { n: 0, sent: 0 }]),
  )
  const methodTallies = new Map<IdentityMode, { n: number; sent: number }>(
    (Object.keys(METHOD_LABEL) as IdentityMode[]).map((m) => [m, { n: 0, sent: 0 }]),
  )
  new Counter({
    name: 'http_request_count',
    help: 'Number of HTTP requests to the webhook, by verb, path and status code',
    labelNames: ['verb', 'path', 'code'] as const,
    registers,
    collect() {
      for (const t of requestTallies.values()) {
        const [verb, path, code] = t.labels
        if (t.n > t.sent) this.inc({ verb, path, code }, t.n - t.sent)
        t.sent = t.n
      }
    },
  })
  const requestLatency = new Histogram({
    name: 'http_request_latencies',
    help: 'Response latency of webhook HTTP requests, in microseconds',
    labelNames: ['verb', 'path'] as const,
    buckets: [...REFERENCE_LATENCY_BUCKETS_US],
    registers,
  })
  new Counter({
    name: 'pod_identity_webhook_pod_count',
    help: 'Number of pods mutated, by identity method (sts_web_identity, container_credentials)',
    labelNames: ['method'] as const,
    registers,
    collect() {
      for (const [mode, t] of methodTallies) {
        this.inc({ method: METHOD_LABEL[mode] }, t.n - t.sent)
        t.sent = t.n
      }
    },
  })
  const missingSa = new Counter({
    name: 'pod_identity_webhook_missing_sa_count',
    help: 'Number of pods whose ServiceAccount was not found',
    registers,
  })
  const used = new Gauge({
    name: 'pod_identity_webhook_used',
    help: '1 once the webhook has given any pod an identity',
    registers,
  })
  new Counter({
    name: 'irsa_webhook_mutations_total',
    help: 'Admission reviews answered, by outcome',
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      for (const [outcome, t] of outcomeTallies) {
        this.inc({ outcome }, t.n - t.sent)
        t.sent = t.n
      }
    },
  })
  const duration = new Histogram({
    name: 'irsa_webhook_admission_duration_seconds',
    help: 'Time from the end of the request body to the AdmissionReview response, in seconds',
    buckets: [...ADMISSION_DURATION_BUCKETS_S],
    registers,
  })
  used.set(0)
  missingSa.inc(0)
  const latencyChildren = new Map<string, { observe(v: number): void }>()
  let isUsed = false

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(verb, path, code, seconds) {
      const countKey = `${verb} ${path} ${code}`
      let c = requestTallies.get(countKey)
      if (c === undefined) {
        c = { labels: [verb, path, String(code)], n: 0, sent: 0 }
        requestTallies.set(countKey, c)
      }
      c.n++
      const latencyKey = `${verb} ${path}`
      let l = latencyChildren.get(latencyKey)
      if (l === undefined) {
        l = requestLatency.labels(verb, path)
        latencyChildren.set(latencyKey, l)
      }
      l.observe(seconds * 1e6)
    },
    observeAdmission(outcome, mode, seconds) {
      const t = outcomeTallies.get(outcome)
      if (t !== undefined) t.n++
      duration.observe(seconds)
      if (mode !== undefined && outcome === 'mutated') {
        const m = methodTallies.get(mode)
        if (m !== undefined) m.n++
      }
      if (mode !== undefined && !isUsed) {
        isUsed = true
        used.set(1)
      }
    },
    missingServiceAccount() {
      missingSa.inc()
    },
    render: () => registry.metrics(),
  }
}
