import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import {
  BodyTooLargeError,
  describeError,
  isBodyAborted,
  readBody,
  type Clock,
  type Logger,
} from '../core/index.js'
import {
  AGGREGATED_DISCOVERY_TYPE,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
  wantsAggregated,
} from './discovery.js'
import { forbidden, requestAttributes, type KubeAuthorizer } from './authz.js'
import { openApiDocument, openApiRoot } from './openapi.js'
import type { KubeRegistry } from './registry.js'
import { routeOf } from './routes.js'
import { KubeApiError, kubeError, kubeStatus } from './status.js'
import { serveScale } from './scale.js'
import type { PodStreams } from './exec.js'
import { serveToken, type TokenIssuer } from './token-request.js'
import { serveVerb } from './verbs.js'
import { serveWatch } from './watch-stream.js'
import { rfc3339 } from '../local/index.js'
import type { WatchHub } from './watch.js'
import { serveWebhookConfigs } from './webhook-configs.js'

/** kube-apiserver's request body limit (`MaxRequestBodyBytes`, 3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024

/** Who made a request. */
export interface KubeUser {
  readonly username: string
  readonly groups: readonly string[]
}

/** What a cluster's Kubernetes API needs. */
export interface KubeApiAppDeps {
  readonly registry: KubeRegistry
  readonly hub: WatchHub
  readonly clock: Clock
  readonly logger: Logger
  /** The user a request authenticates as, or undefined (401 Unauthorized). */
  readonly authenticate: (
    req: IncomingMessage,
  ) => KubeUser | undefined | Promise<KubeUser | undefined>
  /** Whether the user may make a resource request (absent: every authenticated user may). */
  readonly authorize?: KubeAuthorizer
  readonly issueToken: TokenIssuer
  /** `host:port` this API is reached at (for `/api`'s serverAddressByClientCIDRs). */
  readonly serverAddress: string
  /** The pods' `exec` and `log` subresources (exec.ts); without it they are not served. */
  readonly podStreams?: Pick<PodStreams, 'serve'>
  /** Served under `/.well-known/openid-configuration` and `/openid/v1/jwks`. */
  readonly issuerDocuments?: () => { readonly discovery: unknown; readonly jwks: unknown }
}

/** A request handler for `node:https`, with the path prefix already removed. */
export type KubeApiApp = (req: IncomingMessage, res: ServerResponse, path: string) => void

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  })
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** The client certificate's identity: CN the user, each O a group (kube-apiserver's x509 authenticator). */
export function certificateUser(req: IncomingMessage): KubeUser | undefined {
  const socket = req.socket as Partial<TLSSocket>
  if (socket.authorized !== true || socket.getPeerCertificate === undefined) return undefined
  const cert = socket.getPeerCertificate()
  const cn = cert.subject.CN
  const o = cert.subject.O
  if (typeof cn !== 'string' || cn === '') return undefined
  return { username: cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] }
}

/** The cluster a verified client certificate is for (its OU), or undefined. */
export function certificateCluster(req: IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>
  if (socket.authorized !== true || socket.getPeerCertificate === undefined) return undefined
  const ou = socket.getPeerCertificate().subject.OU
  return typeof ou === 'string' && ou !== '' ? ou : undefined
}

/** Creates the Kubernetes API of one local cluster. */
export function createKubeApiApp(deps: KubeApiAppDeps): KubeApiApp {
  const { registry, logger } = deps
  const startedAt = rfc3339(deps.clock.now())

  function unauthenticated(res: ServerResponse, path: string): boolean {
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      sendText(res, 200, 'ok')
      return true
    }
    if (path === '/version') {
      send(res, 200, SERVER_VERSION)
      return true
    }
    const docs = deps.issuerDocuments?.()
    if (docs !== undefined && path === '/.well-known/openid-configuration') {
      send(res, 200, docs.discovery)
      return true
    }
    if (docs !== undefined && path === '/openid/v1/jwks') {
      send(res, 200, docs.jwks, 'application/jwk-set+json')
      return true
    }
    return false
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const method = req.method ?? 'GET'
    const accept = req.headers.accept
    if (unauthenticated(res, path)) return
    const user = await deps.authenticate(req)
    if (user === undefined) {
      send(res, 401, kubeStatus('Unauthorized'))
      return
    }
    if (path === '/openapi/v3') {
      send(res, 200, openApiRoot())
      return
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiDocument(path.slice('/openapi/v3/'.length))
      if (doc === undefined) throw kubeError('NoSuchResource')
      {
        send(res, 200, doc)
        return
      }
    }
    const route = routeOf(path)
    if (route.type === 'discovery') {
      if (wantsAggregated(accept)) {
        send(res, 200, aggregatedDiscovery(route.path), AGGREGATED_DISCOVERY_TYPE)
        return
      }
      send(res, 200, route.path === '/api' ? apiVersions(deps.serverAddress) : apiGroupList())
      return
    }
    if (route.type === 'resources') {
      const list = apiResourceList(route.groupVersion)
      if (list === undefined) throw kubeError('NoSuchResource')
      {
        send(res, 200, list)
        return
      }
    }
    if (route.type !== 'resource') throw kubeError('NoSuchResource')
    const attributes = requestAttributes(route, method, query)
    if (deps.authorize !== undefined && !deps.authorize(user, attributes))
      throw forbidden(user, attributes)
    if (deps.podStreams !== undefined && route.resource.kind === 'Pod')
      if (route.subresource === 'exec' || route.subresource === 'log') {
        deps.podStreams.serve(req, res, route, query)
        return
      }
    const nowMs = deps.clock.now()
    if (route.resource.kind === 'MutatingWebhookConfiguration' && route.subresource === undefined) {
      const a = serveWebhookConfigs(
        { method, resource: route.resource, name: route.name, accept, nowMs },
        startedAt,
      )
      send(res, a.status, a.body)
      return
    }
    if (method === 'GET' && (query.get('watch') === 'true' || query.get('watch') === '1')) {
      serveWatch(req, res, {
        route,
        query,
        accept,
        hub: deps.hub,
        registry,
        nowMs: () => deps.clock.now(),
      })
      return
    }
    const raw =
      method === 'GET' || method === 'DELETE'
        ? Buffer.alloc(0)
        : await readBody(req, MAX_REQUEST_BODY_BYTES)
    const base = {
      method,
      resource: route.resource,
      namespace: route.namespace,
      name: route.name,
      query,
      accept,
      contentType: req.headers['content-type'],
      raw,
      nowMs,
    }
    if (route.subresource === 'token' && route.resource.kind === 'ServiceAccount') {
      const a = serveToken(base, registry, deps.issueToken)
      {
        send(res, a.status, a.body)
        return
      }
    }
    if (route.subresource === 'scale' && route.resource.kind === 'Deployment') {
      const a = serveScale(base, registry)
      send(res, a.status, a.body)
      return
    }
    if (route.subresource !== undefined) throw kubeError('NoSuchResource')
    const answer = serveVerb(base, registry)
    if (answer.warnings !== undefined) res.setHeader('Warning', [...answer.warnings])
    send(res, answer.status, answer.body)
  }

  return (req, res, path) => {
    const url = new URL(req.url ?? '/', 'https://kubernetes')
    serve(req, res, path, url.searchParams).catch((e: unknown) => {
      if (isBodyAborted(e)) {
        res.destroy()
        return
      }
      if (e instanceof BodyTooLargeError) {
        res.setHeader('Connection', 'close')
        send(
          res,
          413,
          kubeStatus('RequestEntityTooLarge', {
            detail: `limit is ${String(MAX_REQUEST_BODY_BYTES)}`,
          }),
        )
        return
      }
      if (e instanceof KubeApiError) {
        logger.debug({ method: req.method, path, reason: e.status.reason }, 'kube request refused')
        send(res, e.status.code, e.status)
        return
      }
      logger.error({ method: req.method, path, err: describeError(e) }, 'kube request failed')
      if (!res.headersSent)
        send(res, 500, kubeStatus('InternalError', { detail: 'the server failed to answer' }))
      else res.destroy()
    })
  }
}
