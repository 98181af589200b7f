import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { checkServerIdentity, TLSSocket } from 'node:tls'
import { IssuerFetchError, type IssuerFetchFailure } from './errors.js'
import { chainOf, endpointOf, reachReason, sha1Thumbprint, trustStore } from './tls-probe.js'

/**
 * The largest discovery document or key set accepted. Both are a few KB; a key set of a
 * hundred RSA-4096 keys is under 100 KB.
 */
const MAX_ISSUER_DOCUMENT_BYTES = 512 * 1024

/**
 * How an issuer's certificate is trusted:
 * - `ca`: its chain verifies for the host name against the system CAs plus `ca`;
 * - `thumbprint`: the last certificate it sends has this SHA-1 thumbprint (how IAM pins an
 *   issuer whose CA it does not know; nothing else is trusted);
 * - `sts`: STS's rule, `ca` trust, or else any certificate it sends is on `thumbprints`.
 */
export type FetchTrust =
  | { readonly kind: 'ca'; readonly ca: readonly string[] }
  | { readonly kind: 'thumbprint'; readonly thumbprint: string }
  | {
      readonly kind: 'sts'
      readonly ca: readonly string[]
      readonly thumbprints: readonly string[]
    }

/** A fetched JSON document and its `Cache-Control: max-age`, if any. */
export interface FetchedJson {
  readonly value: unknown
  readonly maxAgeSeconds: number | undefined
}

/** `max-age` of a Cache-Control header (0 for `no-store`/`no-cache`), or undefined. */
export function maxAgeOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const h = header.toLowerCase()
  if (/(^|[\s,])(no-store|no-cache)([\s,=]|$)/.test(h)) return 0
  const m = /(?:^|[\s,])max-age\s*=\s*"?(\d{1,10})"?/.exec(h)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

/** Why a TLS peer is not trusted under `trust` for `host`, or undefined when it is. */
function distrust(socket: TLSSocket, host: string, trust: FetchTrust): string | undefined {
  const chain = chainOf(socket.getPeerCertificate(true))
  if (trust.kind === 'thumbprint') {
    const last = chain[chain.length - 1]
    const got = last !== undefined ? sha1Thumbprint(last) : 'none'
    return got === trust.thumbprint
      ? undefined
      : `certificate thumbprint ${got} does not match ${trust.thumbprint}`
  }
  const identity = checkServerIdentity(host, socket.getPeerCertificate())
  if (socket.authorized && identity === undefined) return undefined
  const why = socket.authorized
    ? (identity?.message ?? 'host name mismatch')
    : String(socket.authorizationError)
  if (trust.kind === 'ca') return `certificate not trusted (${why})`
  const wanted = new Set(trust.thumbprints.map((t) => t.toLowerCase()))
  if (chain.some((c) => wanted.has(sha1Thumbprint(c)))) return undefined
  return `certificate not trusted (${why}) and no thumbprint of the ${chain.length} certificate(s) sent is on the provider's list`
}

function open(url: URL, trust: FetchTrust): ClientRequest {
  const common = { method: 'GET', agent: false, headers: { accept: 'application/json' } } as const
  if (url.protocol === 'http:') return httpRequest(url, common)
  const servername = endpointOf(url).servername
  return httpsRequest(url, {
    ...common,
    ...(servername !== undefined ? { servername } : {}),
    // A pinned fetch trusts no store, so the chain is only what the server sent.
    ca: trust.kind === 'thumbprint' ? [] : trustStore(trust.ca),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  })
}

/**
 * GETs one JSON document from an issuer (discovery, key set) within `timeoutMs`
 * milliseconds: over https with the certificate checked by `trust`, or over plain http
 * when the URL says so (the caller decides whether that is allowed). One connection, no
 * redirects, no keep-alive, at most {@link MAX_ISSUER_DOCUMENT_BYTES}. Fails with an
 * {@link IssuerFetchError} naming the URL (without its query) and the reason.
 */
export function fetchIssuerDocument(
  url: URL,
  trust: FetchTrust,
  timeoutMs: number,
): Promise<FetchedJson> {
  const where = `${url.origin}${url.pathname}`
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (failure: IssuerFetchFailure, why: string, cause?: unknown): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.destroy()
      reject(new IssuerFetchError(`${where}: ${why}`, { failure, cause }))
    }
    const succeed = (value: FetchedJson): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(value)
    }
    const req = open(url, trust)
    // Declared after `fail`, which runs only from callbacks, never synchronously.
    const timer = setTimeout(() => {
      fail('unreachable', `timed out after ${timeoutMs} ms`)
    }, timeoutMs)
    req.on('socket', (socket) => {
      if (url.protocol === 'http:') return
      if (!(socket instanceof TLSSocket)) {
        fail('unreachable', 'not a TLS connection')
        return
      }
      socket.once('secureConnect', () => {
        const why = distrust(socket, endpointOf(url).host, trust)
        if (why !== undefined) fail('untrusted', why)
      })
    })
    req.on('response', (res) => {
      readJson(res, fail, succeed)
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail('unreachable', reachReason(err), err)
    })
    req.end()
  })
}

function readJson(
  res: IncomingMessage,
  fail: (failure: IssuerFetchFailure, why: string, cause?: unknown) => void,
  succeed: (value: FetchedJson) => void,
): void {
  if (res.statusCode !== 200) {
    res.resume()
    fail('unreachable', `HTTP ${String(res.statusCode ?? '?')}`)
    return
  }
  const chunks: Buffer[] = []
  let size = 0
  res.on('data', (d: Buffer) => {
    size += d.length
    if (size > MAX_ISSUER_DOCUMENT_BYTES)
      fail('invalid', `response larger than ${MAX_ISSUER_DOCUMENT_BYTES} bytes`)
    else chunks.push(d)
  })
  res.on('end', () => {
    let value: unknown
    try {
      value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      fail('invalid', 'response is not JSON')
      return
    }
    succeed({ value, maxAgeSeconds: maxAgeOf(res.headers['cache-control']) })
  })
  res.on('error', (e) => {
    fail('unreachable', 'response interrupted', e)
  })
}

/** The document alone, for callers that do not cache it (see {@link fetchIssuerDocument}). */
export async function fetchJson(url: URL, trust: FetchTrust, timeoutMs: number): Promise<unknown> {
  return (await fetchIssuerDocument(url, trust, timeoutMs)).value
}
