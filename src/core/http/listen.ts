import type { Server as HttpServer } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { IrsaError } from '../errors.js'
import type { Logger } from '../log.js'

/** A server that listens: its address, the origin clients use, and how to stop it. */
export interface Listening {
  /** The address it listens on, as the socket reports it. */
  readonly host: string
  /** The port it got (port 0 picks a free one). */
  readonly port: number
  /** `SCHEME://HOST:PORT`, IPv6 hosts in brackets. */
  readonly origin: string
  /**
   * Stops accepting, closes idle keep-alive connections, lets in-flight requests finish
   * within the grace period, then cuts what is left. Resolves when every connection is
   * gone. Idempotent.
   */
  close(): Promise<void>
}

/** How {@link listen} binds and stops a server. */
interface ListenOptions {
  /** Address to listen on; Node's default (every address) when absent. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port: number
  readonly scheme: 'http' | 'https'
  /** How long in-flight requests may finish on close (default 0: cut at once). */
  readonly graceMs?: number
  readonly logger?: Logger
  /** Names the server in log lines (`aws endpoint`, `webhook`). */
  readonly label: string
}

/** An origin for a listen address: `SCHEME://HOST:PORT`, IPv6 in brackets. */
function originOf(scheme: string, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * Answers a request the HTTP parser refused (a malformed request line or header, a
 * header too large) with a bare 400 and closes, and logs TLS handshake failures at
 * debug: neither is an error of the server's.
 */
function guardClientErrors(server: HttpServer | HttpsServer, o: ListenOptions): void {
  server.on('clientError', (err: Error, socket) => {
    o.logger?.debug({ err: err.message }, `${o.label} client error`)
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })
  if (o.scheme === 'https')
    server.on('tlsClientError', (err: Error) => {
      o.logger?.debug({ err: err.message }, `${o.label} TLS client error`)
    })
}

function bind(server: HttpServer | HttpsServer, o: ListenOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new IrsaError(
          'ERR_LISTEN',
          `cannot listen on ${o.host ?? '*'}:${o.port}: ${err.code ?? err.message}`,
        ),
      )
    }
    server.once('error', onError)
    const done = (): void => {
      server.off('error', onError)
      resolve()
    }
    if (o.host === undefined) server.listen(o.port, done)
    else server.listen(o.port, o.host, done)
  })
}

function closer(server: HttpServer | HttpsServer, o: ListenOptions): () => Promise<void> {
  let closed: Promise<void> | undefined
  return () => {
    closed ??= new Promise<void>((resolve) => {
      const graceMs = o.graceMs ?? 0
      const deadline =
        graceMs > 0
          ? setTimeout(() => {
              o.logger?.warn(`${o.label} shutdown deadline: closing the remaining connections`)
              server.closeAllConnections()
            }, graceMs)
          : undefined
      deadline?.unref()
      server.close(() => {
        clearTimeout(deadline)
        resolve()
      })
      if (graceMs > 0) server.closeIdleConnections()
      else server.closeAllConnections()
    })
    return closed
  }
}

/**
 * Binds `server` and returns where it listens and how to stop it: the one listen/close
 * of every irsa server (the AWS endpoint, the issuers, the webhook and its metrics).
 * A port in use or a bad address is `ERR_LISTEN` with the system's code.
 */
export async function listen(
  server: HttpServer | HttpsServer,
  o: ListenOptions,
): Promise<Listening> {
  guardClientErrors(server, o)
  await bind(server, o)
  const address = server.address() as AddressInfo
  return {
    host: address.address,
    port: address.port,
    origin: originOf(o.scheme, o.host ?? address.address, address.port),
    close: closer(server, o),
  }
}
