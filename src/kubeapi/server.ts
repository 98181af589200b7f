import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import { listen, type CertificateKeyPair, type Listening, type Logger } from '../core/index.js'
import type { KubeApiApp } from './app.js'
import { kubeStatus } from './status.js'

/** One cluster behind the server: its name (the URL prefix `/clusters/NAME`) and its app. */
export interface KubeCluster {
  readonly name: string
  readonly app: KubeApiApp
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
  /** A cluster not added yet, by name (one created while the server runs), or undefined. */
  readonly resolve?: (name: string) => KubeApiApp | undefined
  readonly tls: CertificateKeyPair
  readonly clientCa: string
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
}): Promise<KubeApiServer> {
  const clusters = new Map<string, KubeApiApp>()
  const clusterApp = (name: string): KubeApiApp | undefined => {
    const known = clusters.get(name)
    if (known !== undefined) return known
    const found = o.resolve?.(name)
    if (found !== undefined) clusters.set(name, found)
    return found
  }
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const m = /^\/clusters\/([^/]+)(\/.*)?$/.exec(path)
    const app = m === null ? undefined : clusterApp(decodeURIComponent(m[1] ?? ''))
    if (m === null || app === undefined) {
      const body = JSON.stringify(kubeStatus('NoSuchResource'))
      res.writeHead(404, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      })
      res.end(body)
      return
    }
    app(req, res, m[2] ?? '/')
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
      clusters.set(c.name, c.app)
    },
    serverUrl: (name) => `${listening.origin}${clusterPrefix(name)}`,
  }
}
