import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from '../core/index.js'
import { buildDiscovery } from './discovery.js'
import { IssuerConflictError } from './errors.js'
import {
  issuerBase,
  parseIssuer,
  parseJwksUri,
  DISCOVERY_PATH,
  type DiscoveryForm,
} from './issuer-url.js'
import { buildJwks, type KeySource } from './jwks.js'
import { JWKS_CACHE_SECONDS } from './key-set.js'

/** One issuer the server publishes. */
interface IssuerConfig {
  /** The issuer URL as tokens carry it; its path is where the documents are served. */
  readonly issuer: string
  readonly keys: KeySource
  /** Defaults as {@link buildDiscovery}; served here only when on the issuer's origin. */
  readonly jwksUri?: string
  /** `kube` (default) or `self-hosted`. */
  readonly form?: DiscoveryForm
  /** Append the legacy empty-kid copy of the signing key to the JWKS. */
  readonly legacyEmptyKid?: boolean
}

/** A document the server answers with. */
interface Resource {
  readonly issuer: string
  readonly body: Buffer
  readonly contentType: string
  readonly etag: string
}

/** The issuer server's request handler, with issuers that can change while it runs. */
export interface IssuerApp {
  (req: IncomingMessage, res: ServerResponse): void
  /** Adds an issuer, or replaces the one with the same issuer URL (new keys, rotation). */
  setIssuer(config: IssuerConfig): void
  /** Stops serving an issuer; false when it was not served. */
  removeIssuer(issuer: string): boolean
  /** The paths served, each with its issuer. */
  routes(): { path: string; issuer: string }[]
}

/** Content types: kube-apiserver's, for the discovery document and the key set. */
const CONTENT_TYPE = {
  discovery: 'application/json',
  jwks: 'application/jwk-set+json',
} as const

const CACHE_CONTROL = `public, max-age=${JWKS_CACHE_SECONDS}`

function resource(issuer: string, doc: unknown, contentType: string): Resource {
  const body = Buffer.from(JSON.stringify(doc), 'utf8')
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  return { issuer, body, contentType, etag }
}

/** The paths and documents of one issuer. */
function issuerResources(c: IssuerConfig): Map<string, Resource> {
  const discovery = buildDiscovery({
    issuer: c.issuer,
    keys: c.keys,
    ...(c.jwksUri !== undefined ? { jwksUri: c.jwksUri } : {}),
    ...(c.form !== undefined ? { form: c.form } : {}),
  })
  const issuerUrl = parseIssuer(c.issuer)
  const jwksUrl = parseJwksUri(discovery.jwks_uri)
  const base = issuerBase(issuerUrl.pathname)
  const out = new Map<string, Resource>()
  out.set(base + DISCOVERY_PATH, resource(c.issuer, discovery, CONTENT_TYPE.discovery))
  if (jwksUrl.origin === issuerUrl.origin) {
    const jwks = buildJwks(c.keys, { legacyEmptyKid: c.legacyEmptyKid === true })
    out.set(jwksUrl.pathname, resource(c.issuer, jwks, CONTENT_TYPE.jwks))
  }
  return out
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | undefined,
): void {
  res.writeHead(status, headers)
  res.end(body)
}

function errorBody(error: string): { headers: Record<string, string>; body: Buffer } {
  const body = Buffer.from(JSON.stringify({ error }), 'utf8')
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
    },
  }
}

/**
 * The OIDC issuer's request handler: for each issuer, `GET`/`HEAD` of
 * `<issuer path>/.well-known/openid-configuration` (`application/json`) and of the
 * jwks_uri path (`application/jwk-set+json`), both `Cache-Control: public, max-age=3600`
 * with an ETag. Several issuers share one server by path; unknown paths get a 404 JSON
 * body, other methods a 405. Documents are rendered when an issuer is set, so a request
 * does no work but a lookup.
 */
export function createIssuerApp(deps: {
  readonly issuers?: readonly IssuerConfig[]
  readonly logger: Logger
}): IssuerApp {
  const { logger } = deps
  let byPath = new Map<string, Resource>()
  const issuers = new Set<string>()

  function setIssuer(config: IssuerConfig): void {
    const fresh = issuerResources(config)
    for (const path of fresh.keys()) {
      const held = byPath.get(path)
      if (held !== undefined && held.issuer !== config.issuer)
        throw new IssuerConflictError(
          `path ${path} of issuer ${config.issuer} is already served for issuer ${held.issuer}`,
        )
    }
    const next = new Map([...byPath].filter(([, r]) => r.issuer !== config.issuer))
    for (const [path, r] of fresh) next.set(path, r)
    byPath = next
    issuers.add(config.issuer)
    logger.info({ issuer: config.issuer, paths: [...fresh.keys()] }, 'issuer published')
  }

  function removeIssuer(issuer: string): boolean {
    if (!issuers.delete(issuer)) return false
    byPath = new Map([...byPath].filter(([, r]) => r.issuer !== issuer))
    logger.info({ issuer }, 'issuer removed')
    return true
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q)
    const r = byPath.get(path)
    let status: number
    if (r === undefined) {
      status = 404
      const e = errorBody('not found')
      send(res, status, e.headers, req.method === 'HEAD' ? undefined : e.body)
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405
      const e = errorBody('method not allowed')
      send(res, status, { ...e.headers, Allow: 'GET, HEAD' }, e.body)
    } else {
      const headers = {
        'Content-Type': r.contentType,
        'Cache-Control': CACHE_CONTROL,
        ETag: r.etag,
      }
      if (req.headers['if-none-match'] === r.etag) {
        status = 304
        send(res, status, headers, undefined)
      } else {
        status = 200
        send(
          res,
          status,
          { ...headers, 'Content-Length': String(r.body.length) },
          req.method === 'HEAD' ? undefined : r.body,
        )
      }
    }
    logger.debug({ method: req.method, path, status }, 'oidc request')
  }

  for (const c of deps.issuers ?? []) setIssuer(c)
  return Object.assign(handler, {
    setIssuer,
    removeIssuer,
    routes: () => [...byPath].map(([path, r]) => ({ path, issuer: r.issuer })),
  })
}
