import { acceptsJsonAs } from './json.js'
import { groupVersion, RESOURCES, type ResourceInfo } from './resources.js'

/**
 * Discovery as kube-apiserver serves it, in both forms kubectl reads: the legacy documents
 * (`/api` APIVersions, `/apis` APIGroupList, `/api/v1` and `/apis/apps/v1`
 * APIResourceList) and the aggregated `apidiscovery.k8s.io/v2` APIGroupDiscoveryList that
 * kubectl ≥ 1.30 asks for first (`Accept: application/json;g=apidiscovery.k8s.io;v=v2;
 * as=APIGroupDiscoveryList`), which saves it one request per group.
 */

/** The Content-Type of an aggregated discovery answer. */
export const AGGREGATED_DISCOVERY_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'

/** Whether `accept` asks for aggregated discovery (v2), as client-go sends it. */
export function wantsAggregated(accept: string | undefined): boolean {
  return acceptsJsonAs(accept, { g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' })
}

/** The version kube-apiserver reports at `/version` (the kubectl it is tested against). */
export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-irsa',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const

const groups = (): string[] => [...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== ''))]
const inGroup = (group: string): ResourceInfo[] => RESOURCES.filter((r) => r.group === group)

/** `GET /api`: the core group's versions. */
export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  }
}

/** `GET /apis`: the named groups. */
export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().map((name) => {
      const gv = { groupVersion: `${name}/v1`, version: 'v1' }
      return { name, versions: [gv], preferredVersion: gv }
    }),
  }
}

/** `GET /api/v1`, `GET /apis/apps/v1`: one group version's resources and subresources. */
export function apiResourceList(gv: string): unknown {
  const resources = RESOURCES.filter((r) => groupVersion(r) === gv)
  if (resources.length === 0) return undefined
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.flatMap((r) => [
      {
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length > 0 ? { categories: r.categories } : {}),
      },
      ...r.subresources.map((s) => ({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        ...(s.kind.group !== '' ? { group: s.kind.group, version: s.kind.version } : {}),
        kind: s.kind.kind,
        verbs: s.verbs,
      })),
    ]),
  }
}

function discoveryResource(r: ResourceInfo): unknown {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length > 0 ? { categories: r.categories } : {}),
    ...(r.subresources.length > 0
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: s.kind,
            verbs: s.verbs,
          })),
        }
      : {}),
  }
}

function discoveryGroup(name: string): unknown {
  return {
    metadata: name === '' ? { creationTimestamp: null } : { name, creationTimestamp: null },
    versions: [
      { version: 'v1', resources: inGroup(name).map(discoveryResource), freshness: 'Current' },
    ],
  }
}

/** The aggregated discovery of `/api` (the core group) or `/apis` (the named groups). */
export function aggregatedDiscovery(path: '/api' | '/apis'): unknown {
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: path === '/api' ? [discoveryGroup('')] : groups().map(discoveryGroup),
  }
}
