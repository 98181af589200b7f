import { request } from 'node:https'
import { TLSSocket } from 'node:tls'
import { IssuerFetchError } from './errors.js'
import { chainOf, endpointLabel, endpointOf, sha1Thumbprint, trustStore } from './tls-probe.js'

/** The largest document accepted (discovery documents and key sets are a few KB). */
const MAX_BYTES = 1024 * 1024

/** How a JSON document is fetched: trusting CAs, or pinned to a thumbprint as AWS does. */
export type FetchTrust =
  | { readonly kind: 'ca'; readonly ca: readonly string[] }
  | { readonly kind: 'thumbprint'; readonly thumbprint: string }

/**
 * GETs a JSON document over https: with `ca` trust, the certificate must verify against
 * the system CAs plus the given ones; with `thumbprint` trust, the last certificate the
 * server sends must have that SHA-1 thumbprint (how IAM accepts an issuer whose CA it
 * does not know). No redirects are followed; the body is limited to 1 MiB.
 */
export function fetchJson(url: URL, trust: FetchTrust, timeoutMs: number): Promise<unknown> {
  const ep = endpointOf(url)
  const where = url.href
  return new Promise((resolve, reject) => {
    let settled = false
    const finish = (err: IssuerFetchError | undefined, value?: unknown): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err === undefined) resolve(value)
      else {
        req.destroy()
        reject(err)
      }
    }
    const fail = (msg: string, cause?: unknown): void => {
      finish(new IssuerFetchError(`${where}: ${msg}`, { cause }))
    }
    const req = request(url, {
      method: 'GET',
      agent: false,
      headers: { Accept: 'application/json' },
      ...(ep.servername !== undefined ? { servername: ep.servername } : {}),
      ...(trust.kind === 'ca'
        ? { ca: trustStore(trust.ca), rejectUnauthorized: true }
        : { ca: [], rejectUnauthorized: false }),
    })
    // Declared after `finish`, which runs only from callbacks, never synchronously.
    const timer = setTimeout(() => {
      fail(`timed out after ${timeoutMs} ms`)
    }, timeoutMs)
    if (trust.kind === 'thumbprint')
      req.on('socket', (socket) => {
        if (!(socket instanceof TLSSocket)) {
          fail('not a TLS connection')
          return
        }
        socket.once('secureConnect', () => {
          const chain = chainOf(socket.getPeerCertificate(true))
          const last = chain[chain.length - 1]
          const got = last !== undefined ? sha1Thumbprint(last) : 'none'
          if (got !== trust.thumbprint)
            fail(`certificate thumbprint ${got} does not match ${trust.thumbprint}`)
        })
      })
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        fail(`HTTP ${res.statusCode ?? '?'}`)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (d: Buffer) => {
        size += d.length
        if (size > MAX_BYTES) fail(`response larger than ${MAX_BYTES} bytes`)
        else chunks.push(d)
      })
      res.on('end', () => {
        let value: unknown
        try {
          value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {
          fail('response is not JSON')
          return
        }
        finish(undefined, value)
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason =
        err.code === 'ECONNREFUSED'
          ? `cannot reach ${endpointLabel(ep)}: connection refused`
          : (err.code ?? err.message.split('\n')[0] ?? 'request failed')
      fail(reason, err)
    })
    req.end()
  })
}
