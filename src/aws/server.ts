import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { IrsaError, type Logger } from '../core/index.js'
import type { AwsApp } from './app.js'

/** A running AWS endpoint. */
export interface AwsServer {
  readonly host: string
  /** The port it got (port 0 picks a free one). */
  readonly port: number
  /** `http://HOST:PORT`, IPv6 hosts in brackets: what `--endpoint-url` takes. */
  readonly origin: string
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

/**
 * Serves `app` over plain HTTP (node:http). The endpoint is meant for loopback
 * (127.0.0.1, the default, or ::1): SigV4 protects integrity, not secrecy, and
 * AssumeRoleWithWebIdentity responses carry credentials.
 */
export async function startAwsServer(o: {
  readonly app: AwsApp
  readonly host?: string
  readonly port?: number
  readonly logger?: Logger
}): Promise<AwsServer> {
  const host = o.host ?? '127.0.0.1'
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, o.app)
  server.on('clientError', (err, socket) => {
    o.logger?.debug({ err: err.message }, 'aws client error')
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
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
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  o.logger?.info({ origin }, 'aws endpoint listening')
  let closed: Promise<void> | undefined
  return {
    host,
    port,
    origin,
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
