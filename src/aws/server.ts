import { createServer } from 'node:http'
import { listen, type Listening, type Logger } from '../core/index.js'
import type { AwsApp } from './app.js'

/** A running AWS endpoint; its `origin` (`http://HOST:PORT`) is what `--endpoint-url` takes. */
export type AwsServer = Listening

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
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, o.app)
  const listening = await listen(server, {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    scheme: 'http',
    label: 'aws endpoint',
    ...(o.logger !== undefined ? { logger: o.logger } : {}),
  })
  o.logger?.info({ origin: listening.origin }, 'aws endpoint listening')
  return listening
}
