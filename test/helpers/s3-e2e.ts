/**
 * TEST-ONLY helpers for the S3 e2e files: the stack's keys and endpoints from `DIR/env`,
 * raw S3 requests signed (or presigned) by the AWS SDK's own signer (@smithy/signature-v4)
 * and sent over a plain socket, so a test can send what no client would (a wrong
 * checksum, a body cut off mid-way), and S3's error document read back.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest as SmithyRequest } from '@smithy/types'
import { Sha256, wireQuery, type Keys } from '../unit/aws/signing.js'

/** What `DIR/env` exports, as a shell that sources it sees it. */
export interface StackEnv {
  readonly keys: Keys
  readonly region: string
  /** `AWS_ENDPOINT_URL`: the endpoint over HTTP. */
  readonly endpoint: string
  /** `IRSA_AWS_HTTPS_URL`. */
  readonly httpsUrl: string
  /** `IRSA_CA_BUNDLE`. */
  readonly caBundle: string
}

/** Reads `DIR/env` through `sh`, as a user's `source` would. */
export function stackEnv(dataDir: string): StackEnv {
  const r = spawnSync('sh', ['-c', `. "${dataDir}/env"; env`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '' },
  })
  if (r.status !== 0) throw new Error(`sourcing ${dataDir}/env failed: ${r.stderr}`)
  const vars = new Map(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  )
  const v = (name: string): string => {
    const value = vars.get(name)
    if (value === undefined || value === '') throw new Error(`${name} is not in ${dataDir}/env`)
    return value
  }
  return {
    keys: { accessKeyId: v('AWS_ACCESS_KEY_ID'), secretAccessKey: v('AWS_SECRET_ACCESS_KEY') },
    region: v('AWS_REGION'),
    endpoint: v('AWS_ENDPOINT_URL'),
    httpsUrl: v('IRSA_AWS_HTTPS_URL'),
    caBundle: v('IRSA_CA_BUNDLE'),
  }
}

/** One raw S3 request. */
export interface RawS3Request {
  /** `http://HOST:PORT` or `https://HOST:PORT`. */
  readonly origin: string
  readonly method: string
  /** The path as sent (already percent-encoded), e.g. `/bucket/key`. */
  readonly path: string
  readonly query?: Readonly<Record<string, string>>
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Buffer | string
  /** Sign with these; absent: anonymous. */
  readonly keys?: Keys
  readonly region?: string
  /** `x-amz-content-sha256`: the body's hex SHA-256 unless given. */
  readonly payloadHash?: string
  /** PEM of the CA to trust over HTTPS. */
  readonly ca?: string
}

/** A request's outcome. */
export interface RawS3Response {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** The signed head of a request: path with query, and headers. */
export interface SignedHead {
  readonly target: string
  readonly headers: Record<string, string>
}

function signer(keys: Keys, region: string): SignatureV4 {
  return new SignatureV4({
    credentials: keys,
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  })
}

function smithyRequest(r: RawS3Request, headers: Record<string, string>): SmithyRequest {
  const u = new URL(r.origin)
  return {
    method: r.method,
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: r.path,
    query: { ...r.query },
    headers: { host: u.host, ...headers },
  }
}

function bodyBytes(r: RawS3Request): Buffer {
  return r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body)
}

/** Signs a request's head (SigV4 in the Authorization header), as the SDK would. */
export async function signHead(r: RawS3Request): Promise<SignedHead> {
  const u = new URL(r.origin)
  const base: Record<string, string> = {
    ...r.headers,
    'x-amz-content-sha256':
      r.payloadHash ?? createHash('sha256').update(bodyBytes(r)).digest('hex'),
  }
  const query = wireQuery({ ...r.query })
  if (r.keys === undefined)
    return { target: r.path + (query ? `?${query}` : ''), headers: { host: u.host, ...r.headers } }
  const signed = await signer(r.keys, r.region ?? 'us-east-1').sign(smithyRequest(r, base))
  const q = wireQuery(signed.query)
  return { target: signed.path + (q ? `?${q}` : ''), headers: { ...signed.headers } }
}

/** A presigned URL (UNSIGNED-PAYLOAD, as @aws-sdk/s3-request-presigner makes them). */
export async function presignUrl(
  r: RawS3Request & { readonly keys: Keys },
  expiresIn: number,
  signingDate: Date = new Date(),
): Promise<string> {
  const signed = await signer(r.keys, r.region ?? 'us-east-1').presign(
    smithyRequest(r, { ...r.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
    { expiresIn, signingDate, unsignableHeaders: new Set(['x-amz-content-sha256']) },
  )
  return `${r.origin}${signed.path}?${wireQuery(signed.query)}`
}

function open(
  origin: string,
  method: string,
  target: string,
  headers: Record<string, string>,
  ca: string | undefined,
  onResponse: (res: RawS3Response) => void,
  onError: (e: Error) => void,
): ReturnType<typeof httpRequest> {
  const u = new URL(origin)
  const make = u.protocol === 'https:' ? httpsRequest : httpRequest
  const req = make(
    {
      host: u.hostname,
      port: Number(u.port),
      method,
      path: target,
      headers,
      agent: false,
      ...(ca !== undefined ? { ca } : {}),
    },
    (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => {
        onResponse({ status: res.statusCode ?? 0, headers: res.headers, body })
      })
      res.on('error', onError)
    },
  )
  req.on('error', onError)
  return req
}

/** Sends a raw S3 request (signed when `keys` is given) and reads the whole answer. */
export async function sendS3(r: RawS3Request): Promise<RawS3Response> {
  const head = await signHead(r)
  const body = bodyBytes(r)
  return new Promise((resolve, reject) => {
    const req = open(
      r.origin,
      r.method,
      head.target,
      { ...head.headers, 'content-length': String(body.length) },
      r.ca,
      resolve,
      reject,
    )
    req.end(body)
  })
}

/** GETs a URL as is (a presigned URL, an anonymous object URL). */
export function fetchRaw(url: string, ca?: string): Promise<RawS3Response> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    open(u.origin, 'GET', u.pathname + u.search, {}, ca, resolve, reject).end()
  })
}

/**
 * Sends the head of a signed PUT declaring `declared` bytes, then `sent` bytes of body,
 * then destroys the socket: a client that hangs up mid-body.
 */
export async function putThenHangUp(
  r: RawS3Request,
  declared: number,
  sent: Buffer,
): Promise<void> {
  const head = await signHead({ ...r, method: 'PUT', payloadHash: 'UNSIGNED-PAYLOAD' })
  await new Promise<void>((resolve) => {
    const req = open(
      r.origin,
      'PUT',
      head.target,
      { ...head.headers, 'content-length': String(declared) },
      r.ca,
      () => {
        resolve()
      },
      () => {
        resolve()
      },
    )
    req.flushHeaders()
    req.write(sent, () => {
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 100)
    })
  })
}

/** S3's error document: its Code and Message (undefined when the body is not one). */
export function s3Error(body: string): { code: string; message: string } | undefined {
  if (!body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) return undefined
  const code = /<Error><Code>([^<]*)<\/Code>/.exec(body)?.[1]
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1]
  return code === undefined || message === undefined ? undefined : { code, message }
}
