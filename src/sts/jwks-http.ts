import { X509Certificate } from 'node:crypto'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { checkServerIdentity, rootCertificates, TLSSocket } from 'node:tls'
import { endpointOf, sha1Thumbprint } from '../oidc/index.js'
import { JwksFetchError } from './errors.js'

/** The largest discovery document or key set accepted. */
const MAX_BYTES = 512 * 1024

/** How one document is fetched and trusted. */
export interface GetJsonOptions {
  /** PEM CAs trusted besides the system's. */
  readonly ca: readonly string[]
  /** The provider's thumbprints: a certificate no CA vouches for is accepted when one matches. */
  readonly thumbprints: readonly string[]
  /** Epoch ms (wall clock of the timer) by which the whole fetch must be done. */
  readonly timeoutMs: number
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

/** The certificates the peer sent, leaf first, following Node's issuer links. */
function sentChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = []
  const seen = new Set<string>()
  let c: Partial<ReturnType<TLSSocket['getPeerCertificate']>> | undefined =
    socket.getPeerCertificate(true)
  for (let i = 0; i < 16 && c?.raw !== undefined; i++) {
    const fp = c.fingerprint256 ?? ''
    if (seen.has(fp)) break
    seen.add(fp)
    out.push(new X509Certificate(c.raw))
    c = (c as { issuerCertificate?: typeof c }).issuerCertificate
  }
  return out
}

/**
 * Decides whether a TLS peer is trusted as STS trusts an issuer: its chain verifies
 * against the system CAs plus `ca` for the host name; or else one of the certificates
 * it sent has a SHA-1 thumbprint on the provider's list. Undefined when trusted, else why not.
 */
function distrust(
  socket: TLSSocket,
  host: string,
  thumbprints: readonly string[],
): string | undefined {
  const identity = checkServerIdentity(host, socket.getPeerCertificate())
  if (socket.authorized && identity === undefined) return undefined
  const chain = sentChain(socket)
  const wanted = new Set(thumbprints.map((t) => t.toLowerCase()))
  if (chain.some((c) => wanted.has(sha1Thumbprint(c)))) return undefined
  const why = socket.authorized
    ? (identity?.message ?? 'host name mismatch')
    : String(socket.authorizationError)
  return `certificate not trusted (${why}) and no thumbprint of the ${chain.length} certificate(s) sent is on the provider's list`
}

/**
 * GETs one JSON document from an issuer: https with STS's trust rule (CAs, else the
 * provider's thumbprints), or plain http when the caller has allowed it. One connection,
 * no redirects, no keep-alive, a body limit, and a deadline.
 */
export function getJson(url: URL, o: GetJsonOptions): Promise<FetchedJson> {
  const where = `${url.origin}${url.pathname}`
  return new Promise((resolve, reject) => {
    let settled = false
    const done = (err: JwksFetchError | undefined, value?: FetchedJson): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err !== undefined) {
        req.destroy()
        reject(err)
      } else if (value !== undefined) resolve(value)
    }
    const fail = (
      failure: 'unreachable' | 'untrusted' | 'invalid',
      why: string,
      cause?: unknown,
    ): void => {
      done(new JwksFetchError(failure, `${where}: ${why}`, { cause }))
    }
    const secure = url.protocol === 'https:'
    const ep = secure ? endpointOf(url) : undefined
    const onResponse = (res: IncomingMessage): void => {
      if (res.statusCode !== 200) {
        res.resume()
        fail('unreachable', `HTTP ${String(res.statusCode ?? '?')}`)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (d: Buffer) => {
        size += d.length
        if (size > MAX_BYTES) fail('invalid', `response larger than ${MAX_BYTES} bytes`)
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
        const cc = res.headers['cache-control']
        done(undefined, { value, maxAgeSeconds: maxAgeOf(cc) })
      })
      res.on('error', (e) => {
        fail('unreachable', 'response interrupted', e)
      })
    }
    const req = secure
      ? httpsRequest(url, {
          method: 'GET',
          agent: false,
          headers: { accept: 'application/json' },
          ...(ep?.servername !== undefined ? { servername: ep.servername } : {}),
          ca: o.ca.length === 0 ? undefined : [...rootCertificates, ...o.ca],
          rejectUnauthorized: false,
          minVersion: 'TLSv1.2',
        })
      : httpRequest(url, { method: 'GET', agent: false, headers: { accept: 'application/json' } })
    const timer = setTimeout(() => {
      fail('unreachable', `no answer within ${o.timeoutMs} ms`)
    }, o.timeoutMs)
    req.on('socket', (socket) => {
      if (!secure) return
      if (!(socket instanceof TLSSocket)) {
        fail('unreachable', 'not a TLS connection')
        return
      }
      socket.once('secureConnect', () => {
        const why = distrust(socket, ep?.host ?? url.hostname, o.thumbprints)
        if (why !== undefined) fail('untrusted', why)
      })
    })
    req.on('response', onResponse)
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail('unreachable', err.code ?? err.message.split('\n')[0] ?? 'request failed', err)
    })
    req.end()
  })
}
