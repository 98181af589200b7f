/**
 * Test helpers: sign requests with the AWS SDK's own signer (@smithy/signature-v4), and
 * plug an app into an SDK client without a socket.
 */
import { createHash, createHmac } from 'node:crypto'
import { Readable } from 'node:stream'
import { SignatureV4 } from '@smithy/signature-v4'
import type { HttpRequest as SmithyRequest, SourceData } from '@smithy/types'
import type { AwsApp, AwsHttpRequest, SigV4Request } from '../../../src/aws/index.js'

function bytes(d: SourceData): string | Uint8Array {
  if (typeof d === 'string') return d
  if (d instanceof ArrayBuffer) return new Uint8Array(d)
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
}

/** SHA-256 / HMAC-SHA256 in the shape the SDK signer takes. */
export class Sha256 {
  readonly #h: { update(d: string | Uint8Array): unknown; digest(): Buffer }
  constructor(secret?: SourceData) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data: SourceData): void {
    this.#h.update(bytes(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()))
  }
  reset(): void {
    /* one digest per instance */
  }
}

export interface Keys {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface SignInput {
  readonly method?: string
  /** Path and query, e.g. `/?Action=GetCallerIdentity`. */
  readonly target?: string
  readonly host?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  readonly keys: Keys
  readonly service?: string
  readonly region?: string
  readonly date: Date
  /** Presign instead of signing the header; seconds the URL lives. */
  readonly presignSeconds?: number
}

function parseTarget(target: string): { path: string; query: Record<string, string | string[]> } {
  const q = target.indexOf('?')
  const path = q === -1 ? target : target.slice(0, q)
  const query: Record<string, string | string[]> = {}
  if (q !== -1)
    for (const [k, v] of new URLSearchParams(target.slice(q + 1))) {
      const prev = query[k]
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
  return { path, query }
}

/** RFC 3986 encoding, as the SDK's query builder does. */
function enc(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** The wire query string of an SDK request. */
export function wireQuery(query: SmithyRequest['query']): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === null) parts.push(enc(k))
    else for (const one of Array.isArray(v) ? v : [v]) parts.push(`${enc(k)}=${enc(one)}`)
  }
  return parts.join('&')
}

/** Header map → lower-case name → values, as node's `headersDistinct`. */
export function distinct(
  headers: Readonly<Record<string, string | string[]>>,
): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(headers))
    (out[k.toLowerCase()] ??= []).push(...(Array.isArray(v) ? v : [v]))
  return out
}

/** Signs a request with the SDK's SigV4 signer and returns it as the app receives it. */
export async function sign(input: SignInput): Promise<AwsHttpRequest> {
  const host = input.host ?? '127.0.0.1:4566'
  const { path, query } = parseTarget(input.target ?? '/')
  const signer = new SignatureV4({
    credentials: input.keys,
    region: input.region ?? 'us-west-2',
    service: input.service ?? 'sts',
    sha256: Sha256,
  })
  const request = {
    method: input.method ?? 'POST',
    protocol: 'http:',
    hostname: host.split(':')[0] ?? host,
    path,
    query,
    headers: { host, ...input.headers },
    ...(input.body !== undefined ? { body: input.body } : {}),
  } as unknown as SmithyRequest
  const signed =
    input.presignSeconds === undefined
      ? await signer.sign(request, { signingDate: input.date })
      : await signer.presign(request, { signingDate: input.date, expiresIn: input.presignSeconds })
  const qs = wireQuery(signed.query)
  return {
    method: signed.method,
    url: qs === '' ? signed.path : `${signed.path}?${qs}`,
    headers: distinct(signed.headers),
    body: Buffer.from(input.body ?? '', 'utf8'),
    remoteAddress: '127.0.0.1',
  }
}

/** The SigV4 view of an app request. */
export function sigv4View(r: AwsHttpRequest): SigV4Request {
  const q = r.url.indexOf('?')
  return {
    method: r.method,
    path: q === -1 ? r.url : r.url.slice(0, q),
    query: q === -1 ? '' : r.url.slice(q + 1),
    headers: r.headers,
    body: r.body,
  }
}

/**
 * A request handler for an SDK client that calls `app.handle` in process: the SDK
 * serialises, signs and parses exactly as over the network, with no socket.
 */
export function inProcess(app: AwsApp): {
  handle(request: SmithyRequest): Promise<{ response: unknown }>
} {
  return {
    async handle(request: SmithyRequest) {
      const qs = wireQuery(request.query)
      const body =
        typeof request.body === 'string'
          ? Buffer.from(request.body, 'utf8')
          : request.body instanceof Uint8Array
            ? Buffer.from(request.body)
            : Buffer.alloc(0)
      const resp = await app.handle({
        method: request.method,
        url: qs === '' ? request.path : `${request.path}?${qs}`,
        headers: distinct(request.headers),
        body,
        remoteAddress: '127.0.0.1',
      })
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(resp.headers)) headers[k.toLowerCase()] = v
      return {
        response: {
          statusCode: resp.status,
          reason: '',
          headers,
          body: Readable.from([Buffer.from(resp.body, 'utf8')]),
        },
      }
    },
  }
}
