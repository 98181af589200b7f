import type { ServiceAccount } from '../types.js'

/**
 * Where the admission server reads ServiceAccounts. The Kubernetes informer (`src/kube`)
 * is one implementation; the local stack's store-backed registry is another.
 *
 * `get` answers `undefined` when the ServiceAccount does not exist or could not be found
 * in time; it may answer asynchronously (a bounded API lookup on a cache miss). `ready`
 * is what `/readyz` reports: true once the source has its first complete view.
 */
export interface ServiceAccountSource {
  get(
    namespace: string,
    name: string,
  ): ServiceAccount | undefined | Promise<ServiceAccount | undefined>
  ready(): boolean
}

/** A fixed, always-ready source over `namespace/name` keys (for tests and static setups). */
export function staticServiceAccountSource(
  serviceAccounts: readonly ServiceAccount[],
): ServiceAccountSource {
  const byKey = new Map<string, ServiceAccount>()
  for (const sa of serviceAccounts) {
    const m = sa.metadata
    byKey.set(`${m?.namespace ?? 'default'}/${m?.name ?? ''}`, sa)
  }
  return {
    get: (namespace, name) => byKey.get(`${namespace}/${name}`),
    ready: () => true,
  }
}
