import { createServer } from 'node:https'
import { listen, type CertificateKeyPair, type Listening, type Logger } from '../core/index.js'
import type { IssuerApp } from './app.js'

/** A running HTTPS issuer server. */
export interface IssuerServer extends Listening {
  /** Swaps the certificate and key for new connections, without a restart. */
  setTlsCertificate(pair: CertificateKeyPair): void
}

/** Starts serving `app` over HTTPS (node:https) with the given certificate and key. */
export async function startIssuerServer(o: {
  readonly app: IssuerApp
  readonly tls: CertificateKeyPair
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
}): Promise<IssuerServer> {
  const server = createServer({ cert: o.tls.certPem, key: o.tls.keyPem }, o.app)
  const listening = await listen(server, {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    scheme: 'https',
    label: 'issuer',
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })
  return {
    ...listening,
    setTlsCertificate: (pair) => {
      server.setSecureContext({ cert: pair.certPem, key: pair.keyPem })
      o.logger?.info({ origin: listening.origin }, 'TLS certificate replaced')
    },
  }
}
