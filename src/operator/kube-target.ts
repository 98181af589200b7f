import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, resolve } from 'node:path'
import type { Clock } from '../core/index.js'
import {
  createKubeClient,
  kubeconfigContexts,
  loadKubeconfig,
  serviceAccountApi,
  type KubeClient,
  type ServiceAccountApi,
} from '../kube/index.js'

/** Where the Kubernetes side is reached: one kubeconfig context. */
export interface KubeTarget {
  readonly file: string
  readonly context: string | undefined
  /** Opens the client lazily (a missing kubeconfig fails only when it is needed). */
  client(): KubeClient
  serviceAccounts(): ServiceAccountApi
  close(): void
}

/** How to choose the kubeconfig and its context. */
export interface KubeTargetOptions {
  readonly kubeconfig?: string
  readonly context?: string
  readonly cluster?: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  readonly clock: Clock
}

/** The kubeconfig path: `--kubeconfig`, else the first of `$KUBECONFIG`, else `~/.kube/config`. */
export function kubeconfigPath(o: KubeTargetOptions): string {
  if (o.kubeconfig !== undefined) return resolve(o.cwd, o.kubeconfig)
  const first = (o.env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p !== '')
  if (first !== undefined) return resolve(o.cwd, first)
  return resolve(o.env['HOME'] ?? homedir(), '.kube', 'config')
}

/** True when the kubeconfig has a context named `name`. */
export function hasContext(o: KubeTargetOptions, name: string): boolean {
  const file = kubeconfigPath(o)
  if (!existsSync(file)) return false
  try {
    return kubeconfigContexts(file).names.includes(name)
  } catch {
    return false
  }
}

/**
 * The context: `--context`, else the one named after `--cluster` when it exists, else the
 * kubeconfig's current one.
 */
export function kubeTarget(o: KubeTargetOptions): KubeTarget {
  const file = kubeconfigPath(o)
  const context =
    o.context ?? (o.cluster !== undefined && hasContext(o, o.cluster) ? o.cluster : undefined)
  let client: KubeClient | undefined
  const open = (): KubeClient =>
    (client ??= createKubeClient(
      loadKubeconfig(file, {
        clock: o.clock,
        env: o.env,
        ...(context !== undefined ? { context } : {}),
      }),
    ))
  return {
    file,
    context,
    client: open,
    serviceAccounts: () => serviceAccountApi(open()),
    close: () => client?.close(),
  }
}
