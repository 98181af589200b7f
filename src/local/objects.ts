import type { KubeObjectKind, KubeObjectRecord } from '../store/index.js'
import type { JsonObject, JsonValue } from '../webhook/index.js'

/** The namespaces every cluster has, as Kubernetes creates them. */
export const BUILTIN_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
]

/** The namespace of an object that names none. */
export const DEFAULT_NAMESPACE = 'default'

/** The API server's plural resource name of a kind (`serviceaccounts`), as in its messages. */
export function resourceOf(kind: KubeObjectKind): string {
  return kind === 'Namespace' ? 'namespaces' : kind === 'Pod' ? 'pods' : 'serviceaccounts'
}

/** kubectl's lower-case type in its output lines: `serviceaccount/app`. */
export function typeOf(kind: KubeObjectKind): string {
  return kind.toLowerCase()
}

/** RFC 3339 to the second, as the API server writes `creationTimestamp`. */
function rfc3339(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * A stored object as the API server would show it: its metadata gains `uid`,
 * `resourceVersion` (a string) and `creationTimestamp`; a pod gains a `status`.
 */
export function renderObject(record: KubeObjectRecord): JsonObject {
  const object = structuredClone(record.object) as JsonObject
  const meta: JsonObject = isObject(object['metadata']) ? object['metadata'] : {}
  const rendered: JsonObject = {
    ...meta,
    creationTimestamp: rfc3339(record.createdAt),
    resourceVersion: String(record.resourceVersion),
    uid: record.uid,
  }
  const out: JsonObject = { ...object, metadata: rendered }
  if (record.kind === 'Pod') out['status'] = { phase: 'Pending' } satisfies JsonValue
  return out
}
