import type { IncomingMessage } from 'node:http'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { listen, type CertificateKeyPair, type Listening, type Logger } from '../core/index.js'
import type { AwsApp } from './app.js'

/** A running AWS endpoint; its `origin` (`http://HOST:PORT`) is what `--endpoint-url` takes. */
export type AwsServer = Listening

const TIMEOUTS = { requestTimeout: 30_000, headersTimeout: 10_000 } as const

/**
 * Serves `app` over plain HTTP (node:http), or over HTTPS (node:https) when `tls` is
 * given: the same handler either way, so a request over TLS differs only by its socket
 * (see {@link isSecureTransport}). The endpoint is meant for loopback (127.0.0.1, the
 * default, or ::1): SigV4 protects integrity, not secrecy, and AssumeRoleWithWebIdentity
 * responses carry credentials.
 */
export async function startAwsServer(o: {
  readonly app: AwsApp
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
  /** Serve HTTPS with this certificate chain and key. */
  readonly tls?: CertificateKeyPair
}): Promise<AwsServer> {
  const server =
    o.tls === undefined
      ? createServer(TIMEOUTS, o.app)
      : createHttpsServer({ ...TIMEOUTS, cert: o.tls.certPem, key: o.tls.keyPem }, o.app)
  const listening = await listen(server, {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    scheme: o.tls === undefined ? 'http' : 'https',
    label: o.tls === undefined ? 'aws endpoint' : 'aws endpoint (https)',
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })
  o.logger?.info({ origin: listening.origin }, 'aws endpoint listening')
  return listening
}

/**
 * True when `req` came over TLS (the HTTPS port): its socket is a `tls.TLSSocket`, whose
 * `encrypted` is true. What `aws:SecureTransport` is made from.
 */
export function isSecureTransport(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true
}
