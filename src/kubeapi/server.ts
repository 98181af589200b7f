import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { createServer } from 'node:https'
import { listen, type CertificateKeyPair, type Listening, type Logger } from '../core/index.js'
import type { KubeApiApp } from './app.js'
import { kubeStatus } from './status.js'

/** One cluster behind the server: its name (the URL prefix `/clusters/NAME`) and its app. */
export interface KubeCluster {
  readonly name: string
  readonly app: KubeApiApp
  /** Answers upgrade requests (`kubectl exec`'s WebSocket), the prefix removed. */
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, path: string) => void
}

/** A running Kubernetes API server of the local clusters. */
export interface KubeApiServer extends Listening {
  /** Adds (or replaces) a cluster, served from then on. */
  addCluster(cluster: KubeCluster): void
  /** The API URL of a cluster, as a kubeconfig's `server:`. */
  serverUrl(name: string): string
}

/** The path prefix a cluster's API is served under. */
export function clusterPrefix(name: string): string {
  return `/clusters/${encodeURIComponent(name)}`
}

/**
 * Serves the Kubernetes API of every local cluster on one HTTPS port, each under
 * `/clusters/NAME` (kubectl and client-go keep a server URL's path); a cluster not added
is looked up with `resolve` on its first request. Client certificates
 * signed by `clientCa` are asked for, not required: a request without one is answered
 * by the cluster's app (401 where authentication is needed).
 */
export async function startKubeApiServer(o: {
  /**
   * The cluster a request without a `/clusters/NAME` prefix is for (`kubectl get --raw`
   * drops a server URL's path), or undefined (404).
   */
  readonly clusterOfRequest?: (req: IncomingMessage) => string | undefined
  /** A cluster not added yet, by name (one created while the server runs), or undefined. */
  readonly resolve?: (name: string) => KubeCluster | undefined
  readonly tls: CertificateKeyPair
  readonly clientCa: string
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
}): Promise<KubeApiServer> {
  const clusters = new Map<string, KubeCluster>()
  const named = (name: string): KubeCluster | undefined => {
    const known = clusters.get(name)
    if (known !== undefined) return known
    const found = o.resolve?.(name)
    if (found !== undefined) clusters.set(name, found)
    return found
  }
  const clusterOf = (req: IncomingMessage): { c: KubeCluster; path: string } | undefined => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const m = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path)
    if (m === null) {
      const name = o.clusterOfRequest?.(req)
      const c = name === undefined ? undefined : named(name)
      return c === undefined ? undefined : { c, path }
    }
    const c = named(decodeURIComponent(m[1] ?? ''))
    return c === undefined ? undefined : { c, path: m[2] ?? '/' }
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const found = clusterOf(req)
    if (found === undefined) {
      const body = JSON.stringify(kubeStatus('NoSuchResource'))
      res.writeHead(404, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      })
      res.end(body)
      return
    }
    found.c.app(req, res, found.path)
  }
  const server = createServer(
    {
      cert: o.tls.certPem,
      key: o.tls.keyPem,
      ca: [o.clientCa],
      requestCert: true,
      rejectUnauthorized: false,
    },
    handler,
  )
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const found = clusterOf(req)
    if (found?.c.upgrade !== undefined) found.c.upgrade(req, socket, head, found.path)
    else socket.destroy()
  })
  const listening = await listen(server, {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    scheme: 'https',
    label: 'kubernetes api',
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })
  return {
    ...listening,
    addCluster: (c) => {
      clusters.set(c.name, c)
    },
    serverUrl: (name) => `${listening.origin}${clusterPrefix(name)}`,
  }
}
