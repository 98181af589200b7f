import {
  applyJsonPatch,
  mutatePod,
  type JsonObject,
  type MutationConfig,
  type MutationOutcome,
  type ServiceAccount,
} from '../webhook/index.js'

/** A pod after admission: as the webhook left it, and what it said. */
interface AdmittedPod {
  readonly pod: JsonObject
  readonly warnings: readonly string[]
  readonly outcome: MutationOutcome
}

/**
 * Admits a pod as `irsa up`'s webhook would: the pure mutation, its JSON Patch applied.
 * `pod` must carry its namespace in `metadata.namespace`.
 */
export function admitPod(
  pod: JsonObject,
  serviceAccount: ServiceAccount | undefined,
  config: MutationConfig,
): AdmittedPod {
  const result = mutatePod(pod, serviceAccount, config)
  const mutated =
    result.patch.length === 0 ? pod : (applyJsonPatch(pod, result.patch) as JsonObject)
  return { pod: mutated, warnings: result.warnings, outcome: result.outcome }
}

/** The ServiceAccount a pod runs as: `spec.serviceAccountName`, else `default`. */
export function podServiceAccountName(pod: JsonObject): string {
  const spec = pod['spec']
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    const name = spec['serviceAccountName'] ?? spec['serviceAccount']
    if (typeof name === 'string' && name !== '') return name
  }
  return 'default'
}
