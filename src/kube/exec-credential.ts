import { execFile } from 'node:child_process'
import type { Clock } from '../core/index.js'
import type { CredentialSource, KubeCredentials } from './connection.js'
import { KubeError } from './errors.js'

/** The ExecCredential API versions understood. */
export const EXEC_API_VERSIONS = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const

/** A kubeconfig `user.exec` stanza. */
export interface ExecConfig {
  readonly apiVersion: (typeof EXEC_API_VERSIONS)[number]
  /** The command; a relative path with a slash is resolved against the kubeconfig's folder. */
  readonly command: string
  readonly args: readonly string[]
  readonly env: readonly { readonly name: string; readonly value: string }[]
  readonly provideClusterInfo: boolean
  /** `Never`, `IfAvailable` or `Always`; a server has no terminal, so it is never interactive. */
  readonly interactiveMode: string
}

/** The cluster, as `spec.cluster` gives it to a plugin with `provideClusterInfo`. */
interface ExecClusterInfo {
  readonly server: string
  readonly 'certificate-authority-data'?: string
  readonly 'insecure-skip-tls-verify'?: boolean
  readonly 'tls-server-name'?: string
}

/** Options of {@link execCredentials}. */
interface ExecCredentialOptions {
  readonly clock: Clock
  readonly cluster?: ExecClusterInfo
  /** The environment the plugin inherits (the process's by default). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** How long the plugin may run (default 30 s). */
  readonly timeoutMs?: number
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Reads a plugin's stdout as an ExecCredential of `apiVersion`. Throws `ERR_KUBE_EXEC`;
 * the message never quotes the output (it holds credentials).
 */
function parseExecCredential(
  stdout: string,
  apiVersion: string,
): { credentials: KubeCredentials; expiresAt: number | undefined } {
  let doc: unknown
  try {
    doc = JSON.parse(stdout)
  } catch {
    throw new KubeError('ERR_KUBE_EXEC', 'the exec plugin did not print JSON')
  }
  if (!isRecord(doc) || doc['kind'] !== 'ExecCredential')
    throw new KubeError('ERR_KUBE_EXEC', 'the exec plugin did not print an ExecCredential')
  if (doc['apiVersion'] !== apiVersion) {
    throw new KubeError(
      'ERR_KUBE_EXEC',
      `the exec plugin printed apiVersion ${JSON.stringify(doc['apiVersion'])}; the kubeconfig asks for ${apiVersion}`,
    )
  }
  const status = doc['status']
  if (!isRecord(status)) throw new KubeError('ERR_KUBE_EXEC', 'the ExecCredential has no status')
  const token =
    typeof status['token'] === 'string' && status['token'] !== '' ? status['token'] : undefined
  const cert =
    typeof status['clientCertificateData'] === 'string'
      ? status['clientCertificateData']
      : undefined
  const key = typeof status['clientKeyData'] === 'string' ? status['clientKeyData'] : undefined
  if ((cert === undefined) !== (key === undefined))
    throw new KubeError(
      'ERR_KUBE_EXEC',
      'the ExecCredential has a client certificate without its key, or a key without its certificate',
    )
  if (token === undefined && cert === undefined)
    throw new KubeError(
      'ERR_KUBE_EXEC',
      'the ExecCredential has neither a token nor a client certificate',
    )
  let expiresAt: number | undefined
  const exp = status['expirationTimestamp']
  if (exp !== undefined && exp !== null) {
    expiresAt = typeof exp === 'string' ? Date.parse(exp) : NaN
    if (Number.isNaN(expiresAt))
      throw new KubeError('ERR_KUBE_EXEC', 'the ExecCredential has an invalid expirationTimestamp')
  }
  return {
    credentials: {
      ...(token !== undefined ? { token } : {}),
      ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    },
    expiresAt,
  }
}

/**
 * Credentials from an exec plugin (`client.authentication.k8s.io/v1` or `v1beta1`): runs
 * the command with `KUBERNETES_EXEC_INFO`, parses the ExecCredential it prints, and reuses
 * it until its `expirationTimestamp` (or, without one, until the server answers 401).
 * Concurrent requests share one run.
 */
export function execCredentials(exec: ExecConfig, o: ExecCredentialOptions): CredentialSource {
  let cached: { credentials: KubeCredentials; expiresAt: number | undefined } | undefined
  let running: Promise<KubeCredentials> | undefined

  const info = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo && o.cluster !== undefined ? { cluster: o.cluster } : {}),
    },
  })

  function run(): Promise<KubeCredentials> {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(o.env ?? process.env)) if (v !== undefined) env[k] = v
    for (const e of exec.env) env[e.name] = e.value
    env['KUBERNETES_EXEC_INFO'] = info
    return new Promise((resolve, reject) => {
      execFile(
        exec.command,
        [...exec.args],
        { env, timeout: o.timeoutMs ?? 30_000, maxBuffer: 1024 * 1024, windowsHide: true },
        (err, stdout) => {
          if (err !== null) {
            const e = err as { code?: unknown; killed?: boolean }
            const why =
              e.code === 'ENOENT'
                ? 'not found'
                : e.killed === true
                  ? 'timed out'
                  : typeof e.code === 'number'
                    ? `exited with status ${e.code}`
                    : typeof e.code === 'string'
                      ? e.code
                      : 'failed'
            reject(new KubeError('ERR_KUBE_EXEC', `exec plugin ${exec.command}: ${why}`))
            return
          }
          try {
            const parsed = parseExecCredential(stdout, exec.apiVersion)
            cached = parsed
            resolve(parsed.credentials)
          } catch (e2) {
            reject(e2 instanceof Error ? e2 : new Error(String(e2)))
          }
        },
      )
    })
  }

  return {
    get() {
      if (
        cached !== undefined &&
        (cached.expiresAt === undefined || o.clock.now() < cached.expiresAt)
      )
        return cached.credentials
      running ??= run().finally(() => {
        running = undefined
      })
      return running
    },
    invalidate() {
      cached = undefined
    },
  }
}
