import { resourceAt, type ResourceInfo } from './resources.js'

/**
 * What a request path names, as kube-apiserver's router reads it:
 * `/api/v1/namespaces/NS/pods/NAME/exec`, `/apis/apps/v1/deployments`, `/api`, `/version`.
 */
export type Route =
  | { readonly type: 'discovery'; readonly path: '/api' | '/apis' }
  | { readonly type: 'group'; readonly group: string }
  | { readonly type: 'resources'; readonly groupVersion: string }
  | {
      readonly type: 'resource'
      readonly resource: ResourceInfo
      /** Undefined: across namespaces (a list) or a cluster-scoped resource. */
      readonly namespace: string | undefined
      readonly name: string | undefined
      readonly subresource: string | undefined
    }
  | { readonly type: 'unknown' }

const UNKNOWN: Route = { type: 'unknown' }

function resourceRoute(gv: string, parts: readonly string[]): Route {
  // [namespaces, NS, RES, NAME?, SUB?] or [RES, NAME?, SUB?]
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const r = resourceAt(gv, parts[2] ?? '')
    if (r === undefined || !r.namespaced || parts.length > 5) return UNKNOWN
    return {
      type: 'resource',
      resource: r,
      namespace: parts[1],
      name: parts[3],
      subresource: parts[4],
    }
  }
  const r = resourceAt(gv, parts[0] ?? '')
  if (r === undefined || parts.length > 3) return UNKNOWN
  if (r.namespaced && parts.length > 1) return UNKNOWN
  return {
    type: 'resource',
    resource: r,
    namespace: undefined,
    name: parts[1],
    subresource: parts[2],
  }
}

/** The route of `path` (already without any `/clusters/NAME` prefix and query). */
export function routeOf(path: string): Route {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent)
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'discovery', path: '/api' }
    if (parts[1] !== 'v1') return UNKNOWN
    if (parts.length === 2) return { type: 'resources', groupVersion: 'v1' }
    return resourceRoute('v1', parts.slice(2))
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'discovery', path: '/apis' }
    const group = parts[1] ?? ''
    if (parts.length === 2) return { type: 'group', group }
    const gv = `${group}/${parts[2] ?? ''}`
    if (parts.length === 3) return { type: 'resources', groupVersion: gv }
    return resourceRoute(gv, parts.slice(3))
  }
  return UNKNOWN
}
