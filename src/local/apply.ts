import type { Cluster, KubeObjectChange, Store } from '../store/index.js'
import type { JsonObject, MutationConfig } from '../webhook/index.js'
import { admitPod, podServiceAccountName } from './admission.js'
import { LocalError, isLocalError } from './errors.js'
import type { Manifest } from './manifest.js'
import { requireNamespace } from './namespaces.js'
import { typeOf } from './objects.js'
import { findServiceAccount } from './service-accounts.js'

/** What applying one object did. */
type ApplyOutcome =
  | {
      readonly ok: true
      readonly manifest: Manifest
      readonly change: KubeObjectChange
      /** kubectl's line: `serviceaccount/app created`. */
      readonly line: string
      /** The webhook's warnings (pods only). */
      readonly warnings: readonly string[]
    }
  | { readonly ok: false; readonly manifest: Manifest; readonly error: LocalError }

function admit(
  store: Store,
  cluster: Cluster,
  m: Manifest,
  config: MutationConfig,
): { object: JsonObject; warnings: readonly string[] } {
  if (m.kind !== 'Pod') return { object: m.object, warnings: [] }
  const saName = podServiceAccountName(m.object)
  const sa = findServiceAccount(store, cluster.arn, m.namespace, saName, true)
  if (sa === undefined)
    throw new LocalError(
      'ERR_LOCAL_FORBIDDEN',
      `pods "${m.name}" is forbidden: error looking up service account ${m.namespace}/${saName}: serviceaccount "${saName}" not found`,
    )
  const admitted = admitPod(m.object, sa, config)
  return { object: admitted.pod, warnings: admitted.warnings }
}

/**
 * Applies one object to a local cluster, as `kubectl apply` would: its namespace must
 * exist; a pod is admitted through the webhook's mutation (its ServiceAccount must exist)
 * and stored mutated. The stored object is replaced by the manifest's (last-applied
 * semantics); uid and creation time stay.
 */
function applyManifest(
  store: Store,
  cluster: Cluster,
  m: Manifest,
  config: MutationConfig,
): ApplyOutcome {
  try {
    if (m.kind !== 'Namespace') requireNamespace(store, cluster.arn, m.namespace)
    const { object, warnings } = admit(store, cluster, m, config)
    const { change } = store.kubeObjects.apply(cluster.arn, {
      kind: m.kind,
      namespace: m.namespace,
      name: m.name,
      object,
    })
    return {
      ok: true,
      manifest: m,
      change,
      line: `${typeOf(m.kind)}/${m.name} ${change}`,
      warnings,
    }
  } catch (e) {
    if (isLocalError(e)) return { ok: false, manifest: m, error: e }
    throw e
  }
}

/** Applies objects in order (a Namespace first in the file is there for what follows). */
export function applyManifests(
  store: Store,
  cluster: Cluster,
  manifests: readonly Manifest[],
  config: MutationConfig,
): ApplyOutcome[] {
  return manifests.map((m) => applyManifest(store, cluster, m, config))
}
