import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { IrsaError, type CertificateKeyPair, type Logger } from '../core/index.js'
import type { IssuerApp } from './app.js'

/** A running HTTPS issuer server. */
export interface IssuerServer {
  /** The address it listens on and the port it got (port 0 picks a free one). */
  readonly host: string
  readonly port: number
  /** `https://HOST:PORT`, with IPv6 hosts in brackets. */
  readonly origin: string
  /** Swaps the certificate and key for new connections, without a restart. */
  setTlsCertificate(pair: CertificateKeyPair): void
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

/** Starts serving `app` over HTTPS (node:https) with the given certificate and key. */
export async function startIssuerServer(o: {
  readonly app: IssuerApp
  readonly tls: CertificateKeyPair
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
}): Promise<IssuerServer> {
  const host = o.host ?? '127.0.0.1'
  const server = createServer({ cert: o.tls.certPem, key: o.tls.keyPem }, o.app)
  server.on('tlsClientError', (err) => o.logger?.debug({ err: err.message }, 'TLS client error'))
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new IrsaError(
          'ERR_LISTEN',
          `cannot listen on ${host}:${o.port ?? 0}: ${err.code ?? err.message}`,
        ),
      )
    }
    server.once('error', onError)
    server.listen(o.port ?? 0, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`
  let closed: Promise<void> | undefined
  return {
    host,
    port,
    origin,
    setTlsCertificate: (pair) => {
      server.setSecureContext({ cert: pair.certPem, key: pair.keyPem })
      o.logger?.info({ origin }, 'TLS certificate replaced')
    },
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      })
      return closed
    },
  }
}
