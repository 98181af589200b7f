import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import {
  BodyTooLargeError,
  describeError,
  readBody,
  type Clock,
  type Logger,
} from '../../core/index.js'
import type { MutationConfig } from '../config.js'
import { isWebhookError } from '../errors.js'
import { mutatePod } from '../mutate.js'
import { DEFAULT_MAX_PATCHED_POD_BYTES, patchedPodBytesBound } from '../patch-size.js'
import type { Pod, ServiceAccount } from '../types.js'
import {
  MalformedReviewError,
  readAdmissionReview,
  renderAdmissionDenial,
  renderAdmissionResponse,
  type AdmissionRequestView,
} from './admission-review.js'
import { createWebhookMetrics, type AdmissionOutcome, type WebhookMetrics } from './metrics.js'
import type { ServiceAccountSource } from './service-account-source.js'

/** The paths the admission server answers on its HTTPS port. */
export const WEBHOOK_PATHS = { mutate: '/mutate', healthz: '/healthz', readyz: '/readyz' } as const

/**
 * Default body limit: 3 MiB. kube-apiserver refuses objects over 1.5 MiB, and an
 * AdmissionReview carries one object (two on UPDATE) plus a little metadata.
 */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024

/** What {@link createWebhookApp} is built from. */
interface WebhookAppDeps {
  readonly config: MutationConfig
  readonly serviceAccounts: ServiceAccountSource
  readonly clock: Clock
  readonly logger: Logger
  /** Metrics to record into; a fresh set (own registry) when absent. */
  readonly metrics?: WebhookMetrics
  /** Largest accepted request body in bytes (default {@link DEFAULT_MAX_BODY_BYTES}). */
  readonly maxBodyBytes?: number
  /**
   * Largest patched pod, in bytes of JSON, the webhook sends a patch for (default
   * {@link DEFAULT_MAX_PATCHED_POD_BYTES}); `0` sets no bound. See {@link createWebhookApp}.
   */
  readonly maxPatchedPodBytes?: number
}

/** An HTTP answer, as the app computes it before any socket is involved. */
interface HttpAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

/** The admission webhook as a `node:http(s)` request handler, plus socket-less entry points. */
export interface WebhookApp {
  (req: IncomingMessage, res: ServerResponse): void
  readonly metrics: WebhookMetrics
  /** The answer to one `/mutate` request body (already read), without a socket. */
  review(body: string, contentType: string | undefined): HttpAnswer | Promise<HttpAnswer>
}

const JSON_TYPE = 'application/json'
const TEXT_TYPE = 'text/plain; charset=utf-8'

function text(status: number, body: string): HttpAnswer {
  return { status, contentType: TEXT_TYPE, body: body + '\n' }
}

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
function isJsonContentType(value: string | undefined): boolean {
  if (value === JSON_TYPE) return true
  if (value === undefined) return false
  const semi = value.indexOf(';')
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase()
  return type === JSON_TYPE
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function'
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function stringField(o: unknown, key: string): string | undefined {
  if (!isRecord(o)) return undefined
  const v = o[key]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** The pod with `metadata.namespace` filled from the request when the pod names none. */
function withNamespace(pod: Pod, namespace: string | undefined): Pod {
  const metadata: unknown = pod.metadata
  if (namespace === undefined || !isRecord(metadata)) return pod
  if (stringField(metadata, 'namespace') !== undefined) return pod
  return { ...pod, metadata: { ...metadata, namespace } }
}

/** `spec.serviceAccountName` (or the deprecated `spec.serviceAccount`), else `default`. */
function serviceAccountName(pod: Pod): string {
  const spec: unknown = pod.spec
  return stringField(spec, 'serviceAccountName') ?? stringField(spec, 'serviceAccount') ?? 'default'
}

/**
 * Creates the admission webhook: `POST /mutate` (AdmissionReview `admission.k8s.io/v1`
 * and `v1beta1`), `GET /healthz` (`ok`) and `GET /readyz` (200 once the ServiceAccount
 * source is ready, 503 before). A review is answered `allowed: true`: the webhook adds an
 * identity or leaves the pod alone. A body that is not a review gets a one-line HTTP 400,
 * a wrong Content-Type 415, an oversized body 413.
 *
 * The one denial: a pod whose JSON the patch would grow past `maxPatchedPodBytes`
 * (default 3 MiB, kube-apiserver's own request limit; etcd stores 1.5 MiB by default) is
 * answered `allowed: false` with a 413 `RequestEntityTooLarge` status naming the limit.
 * The reference always patches, but such a pod cannot be stored: the API server would
 * take a response tens of times its limits (40 MB for 60,000 containers) only to fail in
 * etcd with a message naming neither the webhook nor the cause. `0` removes the bound.
 *
 * @example
 * const app = createWebhookApp({ config: createMutationConfig(), serviceAccounts, clock, logger })
 * const server = await startWebhookServer({ app, port: 8443, tls: { certFile, keyFile } })
 */
export function createWebhookApp(deps: WebhookAppDeps): WebhookApp {
  const { config, serviceAccounts, logger } = deps
  const metrics = deps.metrics ?? createWebhookMetrics()
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const maxPatchedPodBytes = deps.maxPatchedPodBytes ?? DEFAULT_MAX_PATCHED_POD_BYTES

  function finish(
    req: AdmissionRequestView,
    pod: Pod,
    sa: ServiceAccount | undefined,
    started: number,
    requestBytes: number,
  ): HttpAnswer {
    let outcome: AdmissionOutcome
    let body: string
    let mode
    const metadata: unknown = pod.metadata
    const podName = (): string =>
      stringField(metadata, 'name') ?? stringField(metadata, 'generateName') ?? ''
    if (sa === undefined) metrics.missingServiceAccount()
    try {
      const result = mutatePod(pod, sa, config)
      outcome = result.outcome
      mode = result.mode
      // The request body holds the pod, so it stands in for the pod's size; only a pod near
      // the bound pays for its exact size. Both stop once past the bound.
      const over = (podBytes: number): number | undefined => {
        const bound = patchedPodBytesBound(podBytes, result.patch, maxPatchedPodBytes)
        return bound > maxPatchedPodBytes ? bound : undefined
      }
      if (
        maxPatchedPodBytes > 0 &&
        over(requestBytes) !== undefined &&
        over(Buffer.byteLength(JSON.stringify(pod))) !== undefined
      ) {
        outcome = 'too-large'
        const message =
          `pod identity webhook: the pod was not mutated: with its identity ` +
          `(${result.patch.length} patch operations) it would be more than the ` +
          `${maxPatchedPodBytes} bytes of JSON the API server can store; split its containers ` +
          `across pods, or raise --max-patched-pod-bytes if the cluster stores larger objects`
        logger.warn(
          { uid: req.uid, pod: podName(), operations: result.patch.length },
          'admission denied: the patched pod would be too large',
        )
        body = renderAdmissionDenial(req.apiVersion, req.uid, {
          code: 413,
          reason: 'RequestEntityTooLarge',
          message,
        })
        metrics.observeAdmission(outcome, mode, (performance.now() - started) / 1000)
        return { status: 200, contentType: JSON_TYPE, body }
      }
      body = renderAdmissionResponse(req.apiVersion, req.uid, result.patch, result.warnings)
      // One line per admission with something to act on (warnings) at info; the routine
      // ones at debug, so the hot path does not pay for a log line per pod.
      if (result.warnings.length > 0) {
        logger.info(
          {
            uid: req.uid,
            namespace: stringField(metadata, 'namespace'),
            pod: podName(),
            outcome,
            mode,
            operations: result.patch.length,
            warnings: result.warnings,
          },
          'admission',
        )
      } else if (logger.isLevelEnabled('debug')) {
        logger.debug(
          {
            uid: req.uid,
            namespace: stringField(metadata, 'namespace'),
            pod: podName(),
            outcome,
            mode,
            operations: result.patch.length,
          },
          'admission',
        )
      }
    } catch (e) {
      if (!isWebhookError(e)) throw e
      outcome = 'invalid-pod'
      const warning = `pod identity webhook: the pod was not changed: ${e.message}`
      logger.warn({ uid: req.uid, pod: podName(), code: e.code, err: e.message }, 'admission')
      body = renderAdmissionResponse(req.apiVersion, req.uid, [], [warning])
    }
    metrics.observeAdmission(outcome, mode, (performance.now() - started) / 1000)
    return { status: 200, contentType: JSON_TYPE, body }
  }

  function review(
    bodyText: string,
    contentType: string | undefined,
  ): HttpAnswer | Promise<HttpAnswer> {
    const started = performance.now()
    if (!isJsonContentType(contentType)) {
      return text(
        415,
        `unsupported Content-Type ${JSON.stringify(contentType ?? '')}; send application/json`,
      )
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(bodyText)
    } catch {
      return text(400, 'malformed AdmissionReview: the body is not valid JSON')
    }
    let req: AdmissionRequestView
    try {
      req = readAdmissionReview(parsed)
    } catch (e) {
      if (e instanceof MalformedReviewError)
        return text(400, `malformed AdmissionReview: ${e.message}`)
      throw e
    }
    const object = req.object
    if (
      object === undefined ||
      (req.operation !== undefined && req.operation !== 'CREATE') ||
      (req.kind !== undefined && req.kind !== 'Pod')
    ) {
      metrics.observeAdmission('skipped', undefined, (performance.now() - started) / 1000)
      return {
        status: 200,
        contentType: JSON_TYPE,
        body: renderAdmissionResponse(req.apiVersion, req.uid, [], []),
      }
    }
    const pod = withNamespace(object, req.namespace)
    const requestBytes = Buffer.byteLength(bodyText)
    const namespace = stringField(pod.metadata, 'namespace') ?? req.namespace ?? 'default'
    const name = serviceAccountName(pod)
    let found
    try {
      found = serviceAccounts.get(namespace, name)
    } catch (e) {
      logger.warn(
        { namespace, serviceAccount: name, err: describeError(e) },
        'ServiceAccount lookup failed',
      )
      found = undefined
    }
    if (!isPromise(found)) return finish(req, pod, found, started, requestBytes)
    return found.then(
      (sa) => finish(req, pod, sa, started, requestBytes),
      (e: unknown) => {
        logger.warn(
          { namespace, serviceAccount: name, err: describeError(e) },
          'ServiceAccount lookup failed',
        )
        return finish(req, pod, undefined, started, requestBytes)
      },
    )
  }

  function send(res: ServerResponse, answer: HttpAnswer): void {
    if (res.headersSent || res.destroyed) return
    res.writeHead(answer.status, {
      'content-type': answer.contentType,
      'content-length': Buffer.byteLength(answer.body),
    })
    res.end(answer.body)
  }

  function mutate(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now()
    const respond = (answer: HttpAnswer): void => {
      send(res, answer)
      metrics.observeRequest(
        'POST',
        WEBHOOK_PATHS.mutate,
        answer.status,
        (performance.now() - started) / 1000,
      )
    }
    const fail = (e: unknown): void => {
      logger.error({ err: describeError(e) }, 'admission failed')
      respond(text(500, 'internal error'))
    }
    readBody(req, maxBodyBytes).then(
      (body) => {
        let answer
        try {
          answer = review(body.toString('utf8'), req.headers['content-type'])
        } catch (e) {
          fail(e)
          return
        }
        if (isPromise(answer)) answer.then(respond, fail)
        else respond(answer)
      },
      (e: unknown) => {
        if (e instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close')
          respond(text(413, `request body is larger than ${maxBodyBytes} bytes`))
        } else {
          logger.debug({ err: describeError(e) }, 'admission request aborted by the client')
          res.destroy()
        }
      },
    )
  }

  const app = ((req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    if (path === WEBHOOK_PATHS.mutate) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST')
        send(res, text(405, 'use POST for /mutate'))
        req.resume()
        return
      }
      mutate(req, res)
      return
    }
    req.resume()
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      send(res, text(405, `use GET for ${path}`))
      return
    }
    if (path === WEBHOOK_PATHS.healthz)
      send(res, { status: 200, contentType: TEXT_TYPE, body: 'ok' })
    else if (path === WEBHOOK_PATHS.readyz) {
      send(
        res,
        serviceAccounts.ready()
          ? { status: 200, contentType: TEXT_TYPE, body: 'ok' }
          : text(503, 'not ready: the ServiceAccount cache has not synced'),
      )
    } else
      send(res, text(404, `not found: ${path.length > 100 ? path.slice(0, 100) + '...' : path}`))
  }) as WebhookApp
  Object.defineProperty(app, 'metrics', { value: metrics, enumerable: true })
  Object.defineProperty(app, 'review', { value: review, enumerable: true })
  return app
}
