import type { Store } from '../store/index.js'
import { BUILTIN_NAMESPACES } from './objects.js'
import { notFound } from './errors.js'

/** Whether a namespace exists in a local cluster: a built-in one, or one applied. */
function namespaceExists(store: Store, clusterArn: string, namespace: string): boolean {
  return (
    BUILTIN_NAMESPACES.includes(namespace) ||
    store.kubeObjects.get(clusterArn, { kind: 'Namespace', namespace: '', name: namespace }) !==
      undefined
  )
}

/** Throws kubectl's `namespaces "x" not found` unless the namespace exists. */
export function requireNamespace(store: Store, clusterArn: string, namespace: string): void {
  if (!namespaceExists(store, clusterArn, namespace)) throw notFound('namespaces', namespace)
}
