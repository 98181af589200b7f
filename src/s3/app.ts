import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  awsError,
  headerValue,
  httpDateFormatter,
  S3_ERRORS,
  scrub,
  SigningKeyCache,
  splitTarget,
  timeOrderedRequestIds,
  toAwsError,
  type AwsError,
  type Caller,
  type CredentialLookup,
  type LogFields,
  type S3Hook,
} from '../aws/index.js'
import { describeError, type Clock, type Logger } from '../core/index.js'
import { DEFAULT_HOST_SUFFIXES, resolveTarget } from './http/address.js'
import { wireBody, type WireBody } from './http/body.js'
import { resolveOperation } from './http/operation.js'
import { bodyPlan } from './http/plan.js'
import {
  HOST_ID_HEADER,
  hostId,
  parseS3Query,
  renderS3ErrorXml,
  REQUEST_ID_HEADER,
} from './http/respond.js'
import { authenticateS3 } from './sigv4.js'
import type { S3Authorize, S3Handlers, S3Operation, S3Result, S3Target } from './types.js'

/** A request S3 refused, as {@link S3AppDeps.onRefused} is told of it (the AWS app's `Refusal`, for S3). */
export interface S3Refusal<P> {
  readonly requestId: string
  /** Epoch milliseconds, from the clock. */
  readonly at: number
  readonly service: 's3'
  /** The operation, or `unknown` when the request was refused before it was resolved. */
  readonly action: string
  readonly caller: Caller<P> | undefined
  readonly status: number
  readonly errorCode: string
  readonly message: string
  readonly reason: string | undefined
}

/** What {@link createS3App} is built from. */
export interface S3AppDeps<P> {
  /** Every operation's handler (the operations layer). */
  readonly handlers: S3Handlers<P>
  /** Decides each request before its body is read (the authoriser). */
  readonly authorize: S3Authorize<P>
  /** Finds the secret and principal of a signing key (as for IAM and STS). */
  readonly credentials: CredentialLookup<P>
  readonly clock: Clock
  readonly logger: Logger
  /** The region of anonymous requests (signed ones use their credential scope's). */
  readonly defaultRegion: string
  /** Request ids; time-ordered UUIDs from `clock` by default. */
  readonly newRequestId?: () => string
  /** Derived signing keys, shared with the AWS app. */
  readonly keyCache?: SigningKeyCache
  readonly limits?: {
    /** SigV4 clock window either side of now (default and AWS: 15 minutes). */
    readonly maxSkewMs?: number
  }
  /** Hosts whose subdomains are buckets (default `s3.localhost`); `s3.*` names always are. */
  readonly hostSuffixes?: readonly string[]
  /** Told of every refused request (the stack records these in the decision log). */
  readonly onRefused?: (refusal: S3Refusal<P>) => void
}

/** The facts of one request's log line. */
type Line = Record<string, string | number | boolean | undefined>

/** The app's own log fields, which handlers cannot overwrite. */
const RESERVED = new Set([
  'requestId',
  'method',
  'path',
  'service',
  'action',
  'bucket',
  'accessKeyId',
  'status',
  'code',
  'message',
  'reason',
  'err',
  'ms',
])

/** What one request has learnt so far, for its error answer and its log line. */
interface Seen<P> {
  /** The request target's path and query string, as sent. */
  readonly path: string
  readonly rawQuery: string
  target?: S3Target
  operation?: S3Operation
  caller?: Caller<P>
  body?: WireBody
  query: ReadonlyMap<string, string>
}

/** True for the errors a socket gives when the client went away mid-request. */
function isClientGone(e: unknown, req: IncomingMessage): boolean {
  if (req.destroyed && !req.complete) return true
  const code = (e as { code?: unknown } | null)?.code
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNABORTED'
}

/** Writes a result body with backpressure; stops when the client goes away. */
async function writeBody(res: ServerResponse, body: S3Result['body']): Promise<void> {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body)
    return
  }
  for await (const chunk of body) {
    if (res.destroyed) return
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')])
  }
  res.end()
}

/** Content-Length for a body of known size, unless the handler set one. */
function lengthHeader(result: S3Result): Record<string, string> {
  const has = Object.keys(result.headers ?? {}).some((h) => h.toLowerCase() === 'content-length')
  if (has) return {}
  const { body } = result
  if (body === undefined) return { 'Content-Length': '0' }
  if (typeof body === 'string') return { 'Content-Length': String(Buffer.byteLength(body)) }
  if (body instanceof Uint8Array) return { 'Content-Length': String(body.length) }
  return {}
}

/**
 * S3 on the AWS endpoint, as a streaming hook for `createAwsApp({ s3 })`. For each
 * request it:
 *
 * 1. authenticates it (SigV4 header or presigned with S3's rules, or anonymous);
 * 2. resolves the bucket and key (path-style or virtual-hosted) and the operation;
 * 3. asks `authorize`, before any of the body is read;
 * 4. reads what the head declares of the body (`x-amz-content-sha256`, `aws-chunked`,
 *    `Content-MD5`, flexible checksums) and hands the handler an `S3Body` that checks
 *    them all as it streams;
 * 5. writes the result (streamed with backpressure; no body for HEAD) or S3's XML error,
 *    with `x-amz-request-id` and `x-amz-id-2` on every response;
 * 6. logs one line: ids, operation, bucket, status, error code and the operator-only
 *    reason, never a header value, a query string, a signature, a token or a secret.
 */
export function createS3App<P>(deps: S3AppDeps<P>): S3Hook {
  const { clock, logger } = deps
  const newRequestId = deps.newRequestId ?? timeOrderedRequestIds(clock)
  const keyCache = deps.keyCache ?? new SigningKeyCache()
  const hostSuffixes = deps.hostSuffixes ?? DEFAULT_HOST_SUFFIXES
  const httpDate = httpDateFormatter()

  const tellRefused = (r: S3Refusal<P>): void => {
    try {
      deps.onRefused?.(r)
    } catch (e) {
      logger.error({ requestId: r.requestId, err: scrub(describeError(e)) }, 'refusal not recorded')
    }
  }

  async function answer(
    req: IncomingMessage,
    requestId: string,
    nowMs: number,
    line: Line,
    seen: Seen<P>,
  ): Promise<S3Result> {
    const { path, rawQuery } = seen
    const headers = req.headersDistinct
    const method = (req.method ?? 'GET').toUpperCase()
    const auth = await authenticateS3(
      { method, path, query: rawQuery, headers },
      {
        credentials: deps.credentials,
        clock,
        keyCache,
        maxSkewMs: deps.limits?.maxSkewMs,
      },
    )
    if (auth.kind !== 'anonymous') {
      seen.caller = auth.caller
      line.accessKeyId = auth.caller.accessKeyId
    }
    const caller = seen.caller
    const target = resolveTarget(path, headerValue(headers, 'host'), hostSuffixes)
    seen.target = target
    if (target.bucket !== undefined) line.bucket = target.bucket
    const query = seen.query
    const operation = resolveOperation({
      method,
      bucket: target.bucket,
      key: target.key,
      query,
      copySource: headerValue(headers, 'x-amz-copy-source') !== undefined,
    })
    seen.operation = operation
    line.action = operation
    const base = {
      requestId,
      caller,
      headers,
      query,
      sourceIp: req.socket.remoteAddress,
      secure: 'encrypted' in req.socket && req.socket.encrypted === true,
      nowMs,
    }
    deps.authorize({ ...base, operation, target })
    const body = wireBody(req, bodyPlan(operation, headers, auth))
    seen.body = body
    return deps.handlers[operation]({
      ...base,
      operation,
      target,
      body,
      region: caller?.region ?? deps.defaultRegion,
      authorize: (q) => {
        deps.authorize({ ...base, ...q })
      },
      annotate: (fields: LogFields) => {
        for (const [k, v] of Object.entries(fields)) if (!RESERVED.has(k)) line[k] = v
      },
    })
  }

  function errorResult(error: AwsError, requestId: string, seen: Seen<P>): S3Result {
    const body = renderS3ErrorXml({ error, requestId, target: seen.target, query: seen.query })
    return { status: error.status, headers: { 'Content-Type': 'application/xml' }, body }
  }

  async function write(
    req: IncomingMessage,
    res: ServerResponse,
    result: S3Result,
    requestId: string,
    seen: Seen<P>,
  ): Promise<void> {
    const head = req.method === 'HEAD'
    // A body left unread (a refusal before or while reading it) is discarded and the
    // connection closed, so the next request on it does not start mid-body.
    const unread = seen.body?.finished !== true && hasBody(req)
    if (unread) req.resume()
    res.writeHead(result.status, {
      ...result.headers,
      ...lengthHeader(result),
      [REQUEST_ID_HEADER]: requestId,
      [HOST_ID_HEADER]: hostId(requestId),
      Date: httpDate(clock.now()),
      Server: 'AmazonS3',
      ...(unread ? { Connection: 'close' } : {}),
    })
    if (head) {
      res.end()
      return
    }
    await writeBody(res, result.body)
  }

  async function run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const requestId = newRequestId()
    const nowMs = clock.now()
    const { path, query } = splitTarget(req.url)
    const line: Line = { requestId, method: req.method ?? 'GET', path, service: 's3' }
    const seen: Seen<P> = { path, rawQuery: query, query: parseS3Query(query) }
    let result: S3Result
    let error: AwsError | undefined
    try {
      result = await answer(req, requestId, nowMs, line, seen)
    } catch (e) {
      if (isClientGone(e, req)) {
        line.ms = Math.round((performance.now() - started) * 1000) / 1000
        logger.info(line, 's3 request aborted')
        res.destroy()
        return
      }
      error = toS3Error(e)
      result = errorResult(error, requestId, seen)
      line.code = error.code
      line.message = error.message
      if (error.reason !== undefined) line.reason = error.reason
      if (error.cause !== undefined) line.err = scrub(describeError(error.cause))
    }
    line.status = result.status
    await write(req, res, result, requestId, seen)
    line.ms = Math.round((performance.now() - started) * 1000) / 1000
    if (result.status >= 500) logger.error(line, 's3 request')
    else logger.info(line, 's3 request')
    if (error !== undefined)
      tellRefused({
        requestId,
        at: nowMs,
        service: 's3',
        action: seen.operation ?? 'unknown',
        caller: seen.caller,
        status: error.status,
        errorCode: error.code,
        message: error.message,
        reason: error.reason,
      })
  }

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    run(req, res).catch((e: unknown) => {
      if (isClientGone(e, req))
        logger.info({ path: splitTarget(req.url).path }, 's3 response aborted')
      else logger.error({ err: scrub(describeError(e)) }, 's3 request failed to complete')
      res.destroy()
    })
  }
  return { serve, hostSuffixes }
}

/** Whether a request has a body to read (a length over zero, or chunked transfer). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

/** Any thrown value as S3's error: S3's own pass; others become `InternalError`. */
function toS3Error(e: unknown): AwsError {
  const error = toAwsError(e)
  if (error.code !== 'InternalFailure') return error
  return awsError(S3_ERRORS.InternalError, { reason: error.reason, cause: error.cause })
}
