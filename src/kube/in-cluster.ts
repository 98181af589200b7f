import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../core/index.js'
import type { CredentialSource, KubeConnection } from './connection.js'
import { KubeError } from './errors.js'

/** Where a pod finds its ServiceAccount token and the cluster CA. */
const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** How often the projected token file is read again (client-go: once a minute). */
const TOKEN_REREAD_MS = 60_000

/**
 * A bearer token read from a file, read again when it is older than `rereadMs`, so a
 * rotated projected token is picked up. An unreadable file keeps the last token.
 */
export function tokenFileCredentials(
  file: string,
  clock: Clock,
  rereadMs = TOKEN_REREAD_MS,
): CredentialSource {
  let token: string | undefined
  let readAt = -Infinity
  const read = (): void => {
    try {
      token = readFileSync(file, 'utf8').trim()
      readAt = clock.now()
    } catch (e) {
      if (token === undefined) {
        throw new KubeError(
          'ERR_KUBE_CONFIG',
          `token file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        )
      }
    }
  }
  return {
    get() {
      if (token === undefined || clock.now() - readAt >= rereadMs) read()
      return token === undefined || token === '' ? {} : { token }
    },
    invalidate() {
      readAt = -Infinity
    },
  }
}

/**
 * The in-cluster connection: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
 * the CA in `ca.crt` and the token in `token` of {@link IN_CLUSTER_DIR} (read again every
 * minute). `ERR_KUBE_IN_CLUSTER` outside a pod.
 */
export function inClusterConnection(o: {
  readonly clock: Clock
  readonly env?: Readonly<Record<string, string | undefined>>
  /** The folder with `token` and `ca.crt` (default {@link IN_CLUSTER_DIR}). */
  readonly dir?: string
}): KubeConnection {
  const env = o.env ?? process.env
  const host = env['KUBERNETES_SERVICE_HOST']
  const port = env['KUBERNETES_SERVICE_PORT']
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeError(
      'ERR_KUBE_IN_CLUSTER',
      'not running in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; use --kubeconfig',
    )
  }
  const dir = o.dir ?? IN_CLUSTER_DIR
  let ca: string
  try {
    ca = readFileSync(join(dir, 'ca.crt'), 'utf8')
  } catch (e) {
    throw new KubeError(
      'ERR_KUBE_IN_CLUSTER',
      `${join(dir, 'ca.crt')}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
  const credentials = tokenFileCredentials(join(dir, 'token'), o.clock)
  void credentials.get() // fails now, with its message, when the token cannot be read
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca,
    insecureSkipTlsVerify: false,
    credentials,
    source: 'in-cluster',
  }
}
