import { IrsaError } from '../core/index.js'

/**
 * Why the Kubernetes client could not do its job. Stable codes:
 *
 * - `ERR_KUBE_CONFIG`: the kubeconfig is missing, unreadable, or names something absent
 *   (context, cluster, user, file) or unsupported (auth-provider, basic auth, proxy-url).
 * - `ERR_KUBE_IN_CLUSTER`: in-cluster configuration was asked for outside a pod.
 * - `ERR_KUBE_EXEC`: an exec credential plugin failed or printed no valid ExecCredential.
 * - `ERR_KUBE_API`: the API server answered with an error status, or could not be reached.
 */
type KubeErrorCode = 'ERR_KUBE_CONFIG' | 'ERR_KUBE_IN_CLUSTER' | 'ERR_KUBE_EXEC' | 'ERR_KUBE_API'

/** Every {@link KubeErrorCode}. */
export const KUBE_ERROR_CODES: readonly KubeErrorCode[] = [
  'ERR_KUBE_CONFIG',
  'ERR_KUBE_IN_CLUSTER',
  'ERR_KUBE_EXEC',
  'ERR_KUBE_API',
]

/** An error of the Kubernetes client; the message is one line and never holds a credential. */
export class KubeError extends IrsaError {
  declare readonly code: KubeErrorCode
  /** The HTTP status for `ERR_KUBE_API` answers (0 when the server was not reached). */
  readonly status: number

  constructor(code: KubeErrorCode, message: string, status = 0) {
    super(code, message)
    this.name = 'KubeError'
    this.status = status
  }
}

/** True when `e` is a {@link KubeError}, optionally with the given HTTP status. */
export function isKubeError(e: unknown, status?: number): e is KubeError {
  return e instanceof KubeError && (status === undefined || e.status === status)
}
