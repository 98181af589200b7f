/**
 * The kinds a local cluster serves, as kube-apiserver's discovery describes them (names,
 * short names, verbs, categories and subresources of a v1.32 apiserver's `/api/v1` and
 * `/apis/apps/v1`). Discovery, routing and printing all read this one table.
 */

/** The verbs of a fully served kind, in kube-apiserver's order. */
const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
] as const

export type KubeVerb = (typeof ALL_VERBS)[number]

/** A subresource (`serviceaccounts/token`, `pods/exec`, `pods/log`, `deployments/scale`). */
export interface SubresourceInfo {
  readonly name: string
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string }
  readonly verbs: readonly string[]
}

/** One served resource. */
export interface ResourceInfo {
  readonly group: string
  readonly version: string
  readonly kind: string
  /** The plural, as in URLs: `serviceaccounts`. */
  readonly resource: string
  readonly singular: string
  readonly namespaced: boolean
  readonly shortNames: readonly string[]
  readonly categories: readonly string[]
  readonly verbs: readonly string[]
  readonly subresources: readonly SubresourceInfo[]
}

function core(
  kind: string,
  resource: string,
  o: Partial<
    Pick<ResourceInfo, 'namespaced' | 'shortNames' | 'categories' | 'verbs' | 'subresources'>
  > = {},
): ResourceInfo {
  return {
    group: '',
    version: 'v1',
    kind,
    resource,
    singular: kind.toLowerCase(),
    namespaced: o.namespaced ?? true,
    shortNames: o.shortNames ?? [],
    categories: o.categories ?? [],
    verbs: o.verbs ?? ALL_VERBS,
    subresources: o.subresources ?? [],
  }
}

/** Every resource a local cluster serves. */
export const RESOURCES: readonly ResourceInfo[] = [
  core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  core('Event', 'events', { shortNames: ['ev'] }),
  core('Namespace', 'namespaces', {
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  core('Pod', 'pods', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      {
        name: 'exec',
        kind: { group: '', version: 'v1', kind: 'PodExecOptions' },
        verbs: ['create', 'get'],
      },
      { name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
    ],
  }),
  core('Secret', 'secrets'),
  core('ServiceAccount', 'serviceaccounts', {
    shortNames: ['sa'],
    subresources: [
      {
        name: 'token',
        kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
        verbs: ['create'],
      },
    ],
  }),
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    verbs: ALL_VERBS,
    subresources: [
      {
        name: 'scale',
        kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      },
    ],
  },
  {
    // Read-only: the built-in pod identity webhook of a local cluster (webhook-configs.ts).
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kind: 'MutatingWebhookConfiguration',
    resource: 'mutatingwebhookconfigurations',
    singular: 'mutatingwebhookconfiguration',
    namespaced: false,
    shortNames: [],
    categories: ['api-extensions'],
    verbs: ['get', 'list'],
    subresources: [],
  },
]

/** The groupVersion string: `v1`, `apps/v1`. */
export function groupVersion(r: { readonly group: string; readonly version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

const byPath = new Map(RESOURCES.map((r) => [`${groupVersion(r)}/${r.resource}`, r]))
const byKind = new Map(RESOURCES.map((r) => [`${groupVersion(r)}/${r.kind}`, r]))

/** The resource served at `groupVersion` + plural, or undefined. */
export function resourceAt(gv: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${gv}/${plural}`)
}

/** The resource of `apiVersion` + `kind` (as in a manifest), or undefined. */
export function resourceOfKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`)
}
