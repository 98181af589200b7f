import { metaString, obj } from './json.js'
import type { KubeRegistry } from './registry.js'
import { resourceAt, type ResourceInfo } from './resources.js'
import { kubeError } from './status.js'
import type { Answer, ResourceRequest } from './verbs.js'
import { parseBody } from './verbs.js'

/**
 * The `serviceaccounts/token` subresource (TokenRequest, `authentication.k8s.io/v1`):
 * what `kubectl create token` calls (its request comes as Kubernetes protobuf: see
 * protobuf.ts).
 */

/** What the cluster's signer is asked for. */
export interface TokenGrant {
  readonly namespace: string
  readonly serviceAccount: { readonly name: string; readonly uid: string }
  readonly audiences: readonly string[]
  readonly expirationSeconds: number
  readonly boundPod?: { readonly name: string; readonly uid: string }
}

/** Signs a service-account token of the cluster. */
export type TokenIssuer = (grant: TokenGrant) => {
  readonly token: string
  readonly expiresAtMs: number
}

/** The audience of a TokenRequest that names none (EKS's API audience). */
export const DEFAULT_TOKEN_AUDIENCE = 'https://kubernetes.default.svc'
/** The lifetime of a TokenRequest that asks for none (kube-apiserver's default). */
export const DEFAULT_TOKEN_SECONDS = 3600

function serviceAccounts(): ResourceInfo {
  const r = resourceAt('v1', 'serviceaccounts')
  if (r === undefined) throw new Error('serviceaccounts is not served')
  return r
}
const SERVICE_ACCOUNTS = serviceAccounts()

/** `POST .../serviceaccounts/NAME/token`: a token of the cluster for that ServiceAccount. */
export function serveToken(
  req: ResourceRequest,
  registry: KubeRegistry,
  issue: TokenIssuer,
): Answer {
  const namespace = req.namespace ?? 'default'
  const name = req.name ?? ''
  if (req.method !== 'POST' || name === '')
    throw kubeError('MethodNotAllowed', {
      resource: { group: '', resource: 'serviceaccounts/token' },
      detail: req.method,
    })
  const sa = registry.get(SERVICE_ACCOUNTS, namespace, name)
  const spec = obj(obj(parseBody(req))['spec'])
  const audiences = Array.isArray(spec['audiences'])
    ? spec['audiences'].filter((a): a is string => typeof a === 'string')
    : []
  const expirationSeconds =
    typeof spec['expirationSeconds'] === 'number'
      ? spec['expirationSeconds']
      : DEFAULT_TOKEN_SECONDS
  if (expirationSeconds < 600)
    throw kubeError('Invalid', {
      kind: 'TokenRequest.authentication.k8s.io',
      name,
      detail: `spec.expirationSeconds: Invalid value: ${String(expirationSeconds)}: may not specify a duration less than 10 minutes`,
    })
  const ref = obj(spec['boundObjectRef'])
  const boundPod =
    ref['kind'] === 'Pod' && typeof ref['name'] === 'string' && typeof ref['uid'] === 'string'
      ? { name: ref['name'], uid: ref['uid'] }
      : undefined
  const uid = metaString(sa, 'uid')
  const issued = issue({
    namespace,
    serviceAccount: { name, uid },
    audiences: audiences.length > 0 ? audiences : [DEFAULT_TOKEN_AUDIENCE],
    expirationSeconds,
    ...(boundPod !== undefined ? { boundPod } : {}),
  })
  return {
    status: 201,
    body: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: {
        audiences: audiences.length > 0 ? audiences : [DEFAULT_TOKEN_AUDIENCE],
        expirationSeconds,
        boundObjectRef: Object.keys(ref).length > 0 ? ref : null,
      },
      status: {
        token: issued.token,
        expirationTimestamp: new Date(issued.expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
  }
}
