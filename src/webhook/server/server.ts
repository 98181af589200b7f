import { readFileSync } from 'node:fs'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer } from 'node:https'
import { IrsaError, listen, type Listening, type Logger } from '../../core/index.js'
import type { WebhookApp } from './app.js'
import { checkTlsPem, watchCertificateFiles, type TlsFiles, type TlsPem } from './cert-reload.js'
import type { WebhookMetrics } from './metrics.js'

/** The reference's shutdown deadline: in-flight requests get 10 s, then connections are cut. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000

/** Options of {@link startWebhookServer}. */
interface WebhookServerOptions {
  readonly app: WebhookApp
  /** Address to listen on; Node's default (every address, IPv6 and IPv4) when absent. */
  readonly host?: string
  /** Port; 0 picks a free one. */
  readonly port: number
  /** Files (watched and reloaded on change) or PEM text (fixed). */
  readonly tls: TlsFiles | TlsPem
  readonly logger?: Logger
  /** How long {@link WebhookServer.close} lets in-flight requests finish. */
  readonly shutdownTimeoutMs?: number
  /** Stat polling interval of the certificate files (fallback to file events). */
  readonly certificatePollIntervalMs?: number
  /** Called after each certificate reload (tests wait on it). */
  readonly onCertificateReload?: () => void
}

/** A running admission server. */
export interface WebhookServer extends Listening {
  /** Reads the certificate files now; true when a new pair was loaded. */
  reloadCertificate(): Promise<boolean>
  /** Swaps in a new certificate and key for new connections. */
  setCertificate(pem: TlsPem): void
  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections, let in-flight
   * requests finish (their connections close after the response), and cut whatever is
   * left at the deadline. Resolves when every connection is gone.
   */
  close(): Promise<void>
}

function isFiles(tls: TlsFiles | TlsPem): tls is TlsFiles {
  return 'certFile' in tls
}

function readPem(files: TlsFiles): TlsPem {
  const read = (file: string, flag: string): string => {
    try {
      return readFileSync(file, 'utf8')
    } catch (e) {
      throw new IrsaError(
        'ERR_WEBHOOK_TLS',
        `${flag} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      )
    }
  }
  const pem = { cert: read(files.certFile, '--tls-cert'), key: read(files.keyFile, '--tls-key') }
  checkTlsPem(pem, `--tls-cert ${files.certFile} and --tls-key ${files.keyFile}`)
  return pem
}

/**
 * Serves the admission webhook over HTTPS. With certificate files, the pair is reloaded
 * whenever the files change (file events plus stat polling), through `setSecureContext`:
 * new TLS handshakes get the new certificate, open connections keep theirs, nothing
 * restarts. A half-written pair is ignored until it is complete.
 */
export async function startWebhookServer(o: WebhookServerOptions): Promise<WebhookServer> {
  const files = isFiles(o.tls) ? o.tls : undefined
  let pem: TlsPem
  if (files !== undefined) pem = readPem(files)
  else {
    pem = o.tls as TlsPem
    checkTlsPem(pem)
  }
  let draining = false
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (draining) res.setHeader('connection', 'close')
    o.app(req, res)
  }
  const server = createServer(
    {
      cert: pem.cert,
      key: pem.key,
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 30_000,
    },
    handler,
  )
  const listening = await listen(server, {
    ...(o.host !== undefined ? { host: o.host } : {}),
    port: o.port,
    scheme: 'https',
    label: 'webhook',
    graceMs: o.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })

  const setCertificate = (next: TlsPem): void => {
    server.setSecureContext({ cert: next.cert, key: next.key })
    pem = next
  }
  const watcher =
    files === undefined
      ? undefined
      : watchCertificateFiles({
          files,
          current: pem,
          ...(o.certificatePollIntervalMs !== undefined
            ? { pollIntervalMs: o.certificatePollIntervalMs }
            : {}),
          onChange: (next) => {
            setCertificate(next)
            o.logger?.info({ certFile: files.certFile }, 'TLS certificate reloaded')
            o.onCertificateReload?.()
          },
          onError: (message) => o.logger?.warn({ err: message }, 'TLS certificate not reloaded'),
        })

  return {
    ...listening,
    reloadCertificate: () => watcher?.check() ?? Promise.resolve(false),
    setCertificate,
    close() {
      draining = true
      watcher?.close()
      return listening.close()
    },
  }
}

/** A running plain-HTTP metrics server. */
type MetricsServer = Listening

/**
 * Serves `GET /metrics` (Prometheus text) over plain HTTP on its own port, as the
 * reference does (`--metrics-port`, default 9999). Everything else is 404.
 */
export async function startMetricsServer(o: {
  readonly metrics: WebhookMetrics
  readonly host?: string
  readonly port: number
  readonly logger?: Logger
}): Promise<MetricsServer> {
  const server = createHttpServer({ requestTimeout: 10_000 }, (req, res) => {
    req.resume()
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('not found; metrics are at GET /metrics\n')
      return
    }
    o.metrics.render().then(
      (body) => {
        res.writeHead(200, { 'content-type': o.metrics.contentType })
        res.end(body)
      },
      (e: unknown) => {
        o.logger?.error({ err: (e as Error).message }, 'metrics rendering failed')
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
        res.end('internal error\n')
      },
    )
  })
  return listen(server, {
    ...(o.host !== undefined ? { host: o.host } : {}),
    port: o.port,
    scheme: 'http',
    label: 'metrics',
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })
}
