import { stringify } from 'yaml'
import type { KubeObjectKind, KubeObjectRecord, Store } from '../store/index.js'
import type { JsonObject } from '../webhook/index.js'
import { humanDuration } from './age.js'
import { LocalError, notFound } from './errors.js'
import { renderObject, resourceOf } from './objects.js'

const NAMES: Readonly<Record<string, KubeObjectKind>> = {
  serviceaccounts: 'ServiceAccount',
  serviceaccount: 'ServiceAccount',
  sa: 'ServiceAccount',
  pods: 'Pod',
  pod: 'Pod',
  po: 'Pod',
}

/** The kind a resource word names (`sa`, `pods`, ...); one-line error otherwise. */
export function kindOfResource(word: string): KubeObjectKind {
  const kind = NAMES[word.toLowerCase()]
  if (kind === undefined)
    throw new LocalError(
      'ERR_LOCAL_MANIFEST',
      `the server doesn't have a resource type "${word}" (irsa get takes serviceaccounts (sa) and pods (po))`,
    )
  return kind
}

/** What to list: one namespace (default `default`) or all of them, and maybe one name. */
interface GetQuery {
  readonly kind: KubeObjectKind
  readonly namespace: string
  readonly allNamespaces?: boolean
  readonly name?: string
}

/**
 * The objects a `get` shows. A named object that is not there is kubectl's NotFound
 * (`pods "x" not found`).
 */
export function getObjects(store: Store, clusterArn: string, q: GetQuery): KubeObjectRecord[] {
  if (q.name !== undefined) {
    const r = store.kubeObjects.get(clusterArn, {
      kind: q.kind,
      namespace: q.namespace,
      name: q.name,
    })
    if (r === undefined) throw notFound(resourceOf(q.kind), q.name)
    return [r]
  }
  return store.kubeObjects.list(
    clusterArn,
    q.kind,
    q.allNamespaces === true ? undefined : q.namespace,
  )
}

function containerCount(object: Readonly<Record<string, unknown>>): number {
  const spec = object['spec']
  if (typeof spec !== 'object' || spec === null) return 0
  const containers = (spec as Record<string, unknown>)['containers']
  return Array.isArray(containers) ? containers.length : 0
}

function secretCount(object: Readonly<Record<string, unknown>>): number {
  const secrets = object['secrets']
  return Array.isArray(secrets) ? secrets.length : 0
}

/** Columns padded as kubectl's tabwriter pads them: three spaces between. */
function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3)))
        .join(''),
    )
    .join('\n')
    .concat('\n')
}

/**
 * kubectl's default table: `NAME SECRETS AGE` for ServiceAccounts, `NAME READY STATUS
 * RESTARTS AGE` for pods (a local pod is a record of admission and never runs: `0/N`,
 * `Pending`), with `NAMESPACE` first for all namespaces. `now` is epoch milliseconds.
 */
export function formatTable(
  kind: KubeObjectKind,
  records: readonly KubeObjectRecord[],
  now: number,
  allNamespaces = false,
): string {
  const header =
    kind === 'Pod' ? ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'] : ['NAME', 'SECRETS', 'AGE']
  const rows = records.map((r) => {
    const age = humanDuration(now - r.createdAt)
    const cells =
      kind === 'Pod'
        ? [r.name, `0/${String(containerCount(r.object))}`, 'Pending', '0', age]
        : [r.name, String(secretCount(r.object)), age]
    return allNamespaces ? [r.namespace, ...cells] : cells
  })
  return columns([allNamespaces ? ['NAMESPACE', ...header] : header, ...rows])
}

/** kubectl's message when a list is empty. */
export function noResources(namespace: string, allNamespaces = false): string {
  return allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`
}

/**
 * `-o json` / `-o yaml`: one object as itself, several (or a list query) as a v1 List,
 * as kubectl prints them.
 */
export function formatObjects(
  records: readonly KubeObjectRecord[],
  format: 'json' | 'yaml',
  single: boolean,
): string {
  const rendered = records.map(renderObject)
  const value: JsonObject =
    single && rendered[0] !== undefined
      ? rendered[0]
      : { apiVersion: 'v1', items: rendered, kind: 'List', metadata: { resourceVersion: '' } }
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : stringify(value)
}
