import type { IncomingMessage, ServerResponse } from 'node:http'
import { describeError, IrsaError, isBodyAborted, type Clock, type Logger } from '../core/index.js'
import { awsError } from './errors/aws-error.js'
import { COMMON_ERRORS } from './errors/common.js'
import { EKS_ERRORS } from './errors/eks.js'
import { toAwsError } from './errors/registry.js'
import type { Caller, LogFields, QueryAction, RestRoute } from './handlers.js'
import { DEFAULT_MAX_BODY_BYTES, readBody } from './http/body.js'
import { splitTarget } from './http/request.js'
import {
  errorResponse,
  querySuccess,
  REQUEST_ID_HEADER,
  restSuccess,
  wantsJson,
  type AwsHttpResponse,
} from './http/respond.js'
import { parseForm } from './query/form.js'
import { queryPairs } from './query/request-params.js'
import { annotate, scrub, type LogLine } from './http/log-line.js'
import { timeOrderedRequestIds } from './http/request-id.js'
import { QueryParams } from './query/params.js'
import { RestRouter } from './rest-router.js'
import { httpDateFormatter } from './http/date.js'
import { isEksPath, isS3Request, routeService, speaksAwsJson, unservedService } from './routing.js'
import { AWS_SERVICES, SERVICE_PROTOCOLS, type AwsService } from './services.js'
import type { SigV4Request } from './sigv4/authorization.js'
import type { HeaderValues } from './sigv4/canonical.js'
import { SigningKeyCache } from './sigv4/signing-key.js'
import { verifySigV4, type CredentialLookup } from './sigv4/verify.js'

/** `GET /_irsa/health`: 200 while the endpoint serves. */
const HEALTH_PATH = '/_irsa/health'

/** Bounds on what a request may be. */
interface AwsAppLimits {
  /** Largest accepted body (default 1 MiB); more is `RequestEntityTooLarge` (413). */
  readonly maxBodyBytes?: number
  /** SigV4 clock window either side of now (default and AWS: 15 minutes). */
  readonly maxSkewMs?: number
}

/** What {@link createAwsApp} is built from. */
interface AwsAppDeps<P> {
  /** The Query actions (IAM, STS) served; one per (service, action). */
  readonly actions?: readonly QueryAction<P>[]
  /** The REST-JSON operations (EKS) served; one per (method, path). */
  readonly routes?: readonly RestRoute<P>[]
  /** Finds the secret and principal of a signing key. */
  readonly credentials: CredentialLookup<P>
  readonly clock: Clock
  readonly logger: Logger
  readonly limits?: AwsAppLimits
  /** Request ids; time-ordered UUIDs (version 7, from `clock`) by default. */
  readonly newRequestId?: () => string
  /** Shared derived-key cache (one is made when absent). */
  readonly keyCache?: SigningKeyCache
  /**
   * Told of every request answered with an error once its action is known: a failed
   * authentication, a validation error, a denial. The stack records these in the
   * decision log (handlers record their own decisions; this sees what they do not).
   */
  readonly onRefused?: (refusal: Refusal<P>) => void
  /**
   * S3, served by a streaming handler injected here (the aws component does not know
   * S3): requests `isS3Request` recognises go to `serve` with their body unread.
   */
  readonly s3?: S3Hook
}

/** How the AWS endpoint hands S3 requests over (see `createS3App`). */
export interface S3Hook {
  /** Answers one S3 request; reads the body itself. Must never throw. */
  readonly serve: (req: IncomingMessage, res: ServerResponse) => void
  /** Host names whose subdomains are buckets, besides `s3.*` (e.g. `localhost.localstack.cloud`). */
  readonly hostSuffixes?: readonly string[]
}

/** A request answered with an error, as {@link AwsAppDeps.onRefused} is told of it. */
export interface Refusal<P> {
  readonly requestId: string
  /** Epoch milliseconds, from the clock. */
  readonly at: number
  readonly service: AwsService | undefined
  readonly action: string
  /** The authenticated caller, when the signature was verified. */
  readonly caller: Caller<P> | undefined
  readonly status: number
  readonly errorCode: string
  /** The message the client read. */
  readonly message: string
  /** The operator-only reason, when there is one. */
  readonly reason: string | undefined
}

/** What one request has learnt about its caller so far. */
interface Seen<P> {
  caller?: Caller<P>
}

/** A request as the app sees it, without a socket. */
export interface AwsHttpRequest {
  readonly method: string
  /** The request target (`/path?query`). */
  readonly url: string
  /** Header values by lower-case name (node's `headersDistinct`). */
  readonly headers: HeaderValues
  readonly body: Uint8Array
  readonly remoteAddress?: string | undefined
}

/** The AWS endpoint: a node:http handler, and the same logic without a socket. */
export interface AwsApp {
  (req: IncomingMessage, res: ServerResponse): void
  /** Answers one request whose body has been read; never rejects. */
  handle(req: AwsHttpRequest): Promise<AwsHttpResponse>
}

/** The health answer: 200 `{"status":"ok"}`. */
function health(requestId: string): AwsHttpResponse {
  const body = '{"status":"ok"}'
  return {
    status: 200,
    headers: {
      [REQUEST_ID_HEADER]: requestId,
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
    },
    body,
  }
}

/**
 * The AWS-compatible endpoint's request handler. For each request it:
 *
 * - answers `GET /_irsa/health`;
 * - hands S3 requests (see `isS3Request`) to the injected `s3` hook, body unread;
 * - reads the body within the limit, parses AWS Query parameters (query string and form
 *   body) or matches a REST-JSON route;
 * - finds the service and action (see `routeService`) and its registered handler;
 * - verifies SigV4 unless the action is unsigned, and passes the caller to the handler;
 * - renders the result or the error in XML, JSON (`Accept: application/json`) or
 *   REST-JSON, with `x-amzn-RequestId` on every response;
 * - logs one line per request: ids, route, status, error code and the operator-only
 *   reason, never a query string, header, token, secret or signature.
 *
 * Internal failures become `InternalFailure` (EKS: `ServerException`) with AWS's
 * generic message; their details go to the log only.
 */
export function createAwsApp<P>(deps: AwsAppDeps<P>): AwsApp {
  const { clock, logger } = deps
  const maxBody = deps.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const newRequestId = deps.newRequestId ?? timeOrderedRequestIds(clock)
  const keyCache = deps.keyCache ?? new SigningKeyCache()
  const actions = new Map<string, QueryAction<P>>()
  const owners = new Map<string, AwsService[]>()
  for (const a of deps.actions ?? []) {
    const key = `${a.service}:${a.action}`
    if (actions.has(key)) throw new IrsaError('ERR_AWS_ROUTE_CONFLICT', `two handlers for ${key}`)
    actions.set(key, a)
    owners.set(a.action, [...(owners.get(a.action) ?? []), a.service])
  }
  const router = new RestRouter(deps.routes ?? [])
  const httpDate = httpDateFormatter()
  const servicesFor = (action: string): readonly AwsService[] => owners.get(action) ?? []
  const tellRefused = (r: Refusal<P>): void => {
    try {
      deps.onRefused?.(r)
    } catch (e) {
      logger.error({ requestId: r.requestId, err: scrub(describeError(e)) }, 'refusal not recorded')
    }
  }

  async function authenticate(
    sig: SigV4Request,
    service: AwsService,
    line: LogLine,
    seen: Seen<P>,
  ): Promise<Caller<P>> {
    const id = await verifySigV4(sig, deps.credentials, clock, {
      service,
      keyCache,
      ...(deps.limits?.maxSkewMs !== undefined ? { maxSkewMs: deps.limits.maxSkewMs } : {}),
    })
    line.accessKeyId = id.accessKeyId
    seen.caller = {
      accessKeyId: id.accessKeyId,
      region: id.region,
      principal: id.principal,
      withSessionToken: id.withSessionToken,
      presigned: id.presigned,
    }
    return seen.caller
  }

  async function serveRest(
    req: AwsHttpRequest,
    sig: SigV4Request,
    rawQuery: string,
    line: LogLine,
    seen: Seen<P>,
    requestId: string,
    nowMs: number,
  ): Promise<AwsHttpResponse> {
    const match = router.match(req.method, sig.path)
    if (match === undefined)
      throw awsError(EKS_ERRORS.NotFoundException, {
        reason: `no EKS operation for ${req.method} ${sig.path}`,
      })
    const { route } = match
    line.action = route.operation
    const caller = route.auth === 'sigv4' ? await authenticate(sig, 'eks', line, seen) : undefined
    const result = await route.handle({
      requestId,
      service: 'eks',
      operation: route.operation,
      pathParams: match.pathParams,
      query: QueryParams.from(parseForm(rawQuery)),
      body: req.body,
      caller,
      sourceIp: req.remoteAddress,
      nowMs,
      annotate: (f: LogFields) => {
        annotate(line, f)
      },
    })
    return restSuccess({ status: result.status ?? 200, result: result.body, requestId })
  }

  async function serveQuery(
    req: AwsHttpRequest,
    sig: SigV4Request,
    rawQuery: string,
    line: LogLine,
    seen: Seen<P>,
    requestId: string,
    nowMs: number,
    json: boolean,
  ): Promise<AwsHttpResponse> {
    const params = QueryParams.from(queryPairs(rawQuery, req.headers, req.body))
    const route = routeService({
      path: sig.path,
      rawQuery,
      headers: req.headers,
      action: params.action,
      version: params.version,
      servicesFor,
    })
    if (route !== undefined) {
      line.service = route.service
      line.routedBy = route.by
    }
    const action = params.action
    if (action === undefined)
      throw awsError(COMMON_ERRORS.MissingAction, { reason: 'the request has no Action' })
    line.action = action
    const service = route?.service
    const handler =
      service === undefined || service === 'eks' ? undefined : actions.get(`${service}:${action}`)
    if (handler === undefined || service === undefined || service === 'eks')
      throw awsError(COMMON_ERRORS.InvalidAction, {
        params: {
          action,
          version:
            params.version ??
            (service === undefined ? 'unknown' : SERVICE_PROTOCOLS[service].version),
        },
        reason:
          service === undefined
            ? 'no service implements this action'
            : `${service} has no handler for this action`,
      })
    const caller =
      handler.auth === 'sigv4' ? await authenticate(sig, service, line, seen) : undefined
    const result = await handler.handle({
      requestId,
      service,
      action,
      params,
      caller,
      sourceIp: req.remoteAddress,
      nowMs,
      annotate: (f: LogFields) => {
        annotate(line, f)
      },
    })
    return querySuccess({ service, action, result, requestId, json })
  }

  async function serve(req: AwsHttpRequest, bodyError: unknown): Promise<AwsHttpResponse> {
    const started = performance.now()
    const requestId = newRequestId()
    const nowMs = clock.now()
    const { path, query } = splitTarget(req.url)
    const line: LogLine = { requestId, method: req.method, path }
    const seen: Seen<P> = {}
    const sig: SigV4Request = {
      method: req.method,
      path,
      query,
      headers: req.headers,
      body: req.body,
    }
    const early = routeService({ path, rawQuery: query, headers: req.headers })
    const rest = early?.service === 'eks' || (early === undefined && isEksPath(path))
    const json = !rest && wantsJson(req.headers)
    const service: AwsService | undefined = rest ? 'eks' : early?.service
    let quiet = false
    const failed = (e: unknown): AwsHttpResponse => {
      const error = toAwsError(e)
      line.code = error.code
      line.message = error.message
      if (error.reason !== undefined) line.reason = error.reason
      if (error.cause !== undefined) line.err = scrub(describeError(error.cause))
      return errorResponse({ error, service: line.service ?? service, requestId, json })
    }
    const unserved = unservedService(req.headers, query, deps.s3 === undefined ? [] : ['s3'])
    let resp: AwsHttpResponse
    if (unserved !== undefined) resp = notServed(unserved, req.headers, line, requestId)
    else if (bodyError !== undefined) resp = failed(bodyError)
    else if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      quiet = true
      resp = health(requestId)
    } else {
      try {
        if (rest) {
          line.service = 'eks'
          line.routedBy = early?.by ?? 'path'
          resp = await serveRest(req, sig, query, line, seen, requestId, nowMs)
        } else resp = await serveQuery(req, sig, query, line, seen, requestId, nowMs, json)
      } catch (e) {
        resp = failed(e)
      }
    }
    resp = { ...resp, headers: { ...resp.headers, Date: httpDate(clock.now()) } }
    line.status = resp.status
    line.ms = Math.round((performance.now() - started) * 1000) / 1000
    if (resp.status >= 500) logger.error(line, 'aws request')
    else if (quiet) logger.debug(line, 'aws request')
    else logger.info(line, 'aws request')
    if (resp.status >= 400 && line.action !== undefined && line.code !== undefined)
      tellRefused({
        requestId,
        at: nowMs,
        service: line.service ?? service,
        action: line.action,
        caller: seen.caller,
        status: resp.status,
        errorCode: line.code,
        message: line.message ?? '',
        reason: line.reason,
      })
    return resp
  }

  /** The answer to a request for a service irsa does not serve, in the client's protocol. */
  function notServed(
    name: string,
    headers: HeaderValues,
    line: LogLine,
    requestId: string,
  ): AwsHttpResponse {
    const error = awsError(COMMON_ERRORS.NotImplemented, {
      params: { service: name, served: AWS_SERVICES.join(', ') },
      reason: `a request for ${name}`,
    })
    line.code = error.code
    line.message = error.message
    const awsJson = speaksAwsJson(headers)
    return errorResponse({ error, service: undefined, requestId, json: false, awsJson })
  }

  function write(res: ServerResponse, resp: AwsHttpResponse, close: boolean, head: boolean): void {
    res.writeHead(resp.status, close ? { ...resp.headers, Connection: 'close' } : resp.headers)
    res.end(head ? undefined : resp.body)
  }

  /** True when the S3 hook takes this request (decided from its head, body unread). */
  function forS3(req: IncomingMessage, method: string): boolean {
    if (deps.s3 === undefined) return false
    const { path, query } = splitTarget(req.url ?? '/')
    if (path === HEALTH_PATH) return false
    return isS3Request({
      method,
      path,
      rawQuery: query,
      headers: req.headersDistinct,
      ...(deps.s3.hostSuffixes !== undefined ? { hostSuffixes: deps.s3.hostSuffixes } : {}),
    })
  }

  async function run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    if (deps.s3 !== undefined && forS3(req, method)) {
      deps.s3.serve(req, res)
      return
    }
    let body: Uint8Array = new Uint8Array(0)
    let bodyError: unknown
    try {
      body = await readBody(req, maxBody)
    } catch (e) {
      if (isBodyAborted(e)) {
        // The client hung up mid-body: nobody reads an answer, and nothing failed here.
        logger.info({ method, path: splitTarget(req.url ?? '/').path }, 'aws request aborted')
        res.destroy()
        return
      }
      bodyError = e
    }
    const resp = await serve(
      {
        method,
        url: req.url ?? '/',
        headers: req.headersDistinct,
        body,
        remoteAddress: req.socket.remoteAddress,
      },
      bodyError,
    )
    write(res, resp, bodyError !== undefined, method === 'HEAD')
  }

  const app = (req: IncomingMessage, res: ServerResponse): void => {
    run(req, res).catch((e: unknown) => {
      logger.error({ err: scrub(describeError(e)) }, 'aws request failed to complete')
      res.destroy()
    })
  }
  return Object.assign(app, { handle: (req: AwsHttpRequest) => serve(req, undefined) })
}
