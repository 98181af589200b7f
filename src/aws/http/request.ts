import type { IncomingMessage } from 'node:http'
import type { SigV4Request } from '../sigv4/authorization.js'
import type { HeaderValues } from '../sigv4/canonical.js'

/** The request target split as SigV4 and routing need it: raw path and raw query. */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const target = url ?? '/'
  const q = target.indexOf('?')
  const hash = target.indexOf('#')
  const end = hash === -1 ? target.length : hash
  if (q === -1 || q > end) return { path: target.slice(0, end) || '/', query: '' }
  return { path: target.slice(0, q) || '/', query: target.slice(q + 1, end) }
}

/** Every header of a node:http request by lower-case name, repeated ones kept in order. */
export function headerValues(req: IncomingMessage): HeaderValues {
  return req.headersDistinct
}

/** The facts SigV4 verification needs, from a node:http request and its body. */
export function toSigV4Request(
  req: IncomingMessage,
  target: { path: string; query: string },
  body: Uint8Array,
): SigV4Request {
  return {
    method: req.method ?? 'GET',
    path: target.path,
    query: target.query,
    headers: headerValues(req),
    body,
  }
}
