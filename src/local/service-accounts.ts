import { GenerationMemo, type Store } from '../store/index.js'
import type { ServiceAccount, ServiceAccountSource } from '../webhook/index.js'
import { renderObject } from './objects.js'

/**
 * A ServiceAccount of a local cluster as the API server would return it, or `undefined`.
 * A namespace's `default` ServiceAccount exists without being applied (Kubernetes
 * creates one in every namespace); an applied one replaces it.
 */
export function findServiceAccount(
  store: Store,
  clusterArn: string,
  namespace: string,
  name: string,
  namespaceExists: boolean,
): ServiceAccount | undefined {
  const record = store.kubeObjects.get(clusterArn, { kind: 'ServiceAccount', namespace, name })
  if (record !== undefined) return renderObject(record)
  if (name === 'default' && namespaceExists)
    return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }
  return undefined
}

/**
 * The webhook's ServiceAccount source over a local cluster's registry in the store:
 * always ready (the store is the whole truth). Lookups are memoised on the store's
 * generation, so a stream of admission reviews reads each ServiceAccount once and sees
 * any change (an `irsa apply`, another process's write) on its next review.
 */
export function createStoreServiceAccountSource(
  store: Store,
  clusterArn: string,
): ServiceAccountSource {
  const memo = new GenerationMemo<ServiceAccount>()
  return {
    get: (namespace, name) =>
      memo.get(`${namespace}\n${name}`, store.generation(), () =>
        findServiceAccount(store, clusterArn, namespace, name, true),
      ),
    ready: () => true,
  }
}
