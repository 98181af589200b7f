/**
 * What kube-apiserver's authorizers are asked (`authorizer.Attributes`: verb, API group,
 * resource, subresource, namespace, name) and the Forbidden Status a refusal answers as,
 * worded as `pkg/registry/rbac/validation` and apimachinery's `NewForbidden` word it.
 */
import type { KubeUser } from './app.js'
import type { Route } from './routes.js'
import { KubeApiError, kubeStatus, qualified } from './status.js'

/** The attributes of a resource request, as an authorizer sees them. */
export interface RequestAttributes {
  /** get, list, watch, create, update, patch, delete. */
  readonly verb: string
  readonly group: string
  /** The plural: `secrets`, `deployments`. */
  readonly resource: string
  readonly subresource: string | undefined
  /** Undefined: cluster-scoped, or across namespaces. */
  readonly namespace: string | undefined
  readonly name: string | undefined
}

/** Decides whether `user` may do what `attributes` say. */
export type KubeAuthorizer = (user: KubeUser, attributes: RequestAttributes) => boolean

/** The verbs that only read. */
export const READ_VERBS: readonly string[] = ['get', 'list', 'watch']

const WRITE_VERBS: Readonly<Record<string, string>> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
}

/** The authorizer attributes of a resource route (kube-apiserver's `RequestInfoFactory`). */
export function requestAttributes(
  route: Extract<Route, { type: 'resource' }>,
  method: string,
  query: URLSearchParams,
): RequestAttributes {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1'
  const verb =
    method === 'GET' || method === 'HEAD'
      ? watch
        ? 'watch'
        : route.name === undefined
          ? 'list'
          : 'get'
      : (WRITE_VERBS[method] ?? method.toLowerCase())
  return {
    verb,
    group: route.resource.group,
    resource: route.resource.resource,
    subresource: route.subresource,
    namespace: route.namespace,
    name: route.name,
  }
}

/**
 * The 403 of a refused request: `secrets is forbidden: User "system:serviceaccount:default:app"
 * cannot list resource "secrets" in API group "" in the namespace "kube-system"`.
 */
export function forbidden(user: KubeUser, a: RequestAttributes): KubeApiError {
  const gr = { group: a.group, resource: a.resource }
  const resource = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`
  const scope =
    a.namespace === undefined ? 'at the cluster scope' : `in the namespace "${a.namespace}"`
  const detail = `User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`
  const status = kubeStatus('Forbidden', {
    resource: gr,
    ...(a.name !== undefined ? { name: a.name } : {}),
    detail,
  })
  const message =
    a.name === undefined
      ? `${qualified(gr)} is forbidden: ${detail}`
      : `${qualified(gr)} "${a.name}" is forbidden: ${detail}`
  return new KubeApiError({ ...status, message })
}
