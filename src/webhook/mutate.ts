import { POD_IDENTITY_LABEL } from './annotations.js'
import type { MutationConfig } from './config.js'
import { planContainer } from './container-plan.js'
import { escapePointerToken } from './json-pointer.js'
import type { JsonPatchOperation } from './json-patch.js'
import { readPod, readServiceAccount } from './pod-view.js'
import type { PodView } from './pod-view.js'
import { resolveIdentity, tokenVolumeExpiration } from './resolve.js'
import type { IdentityMode, NoIdentityOutcome, ResolvedIdentity } from './resolve.js'
import { sessionNameEntry } from './session-name.js'
import type { JsonObject, Pod, ServiceAccount } from './types.js'
import { capWarning, quote } from './warnings.js'

/**
 * - `mutated`: the patch is not empty.
 * - `unchanged`: the pod gets an identity but already has everything (a reinvocation,
 *   or a pod that sets it all itself); the patch is empty.
 * - `no-identity`: the ServiceAccount names no role and has no Pod Identity association.
 * - `service-account-missing`: the ServiceAccount does not exist (or was not found).
 */
export type MutationOutcome = 'mutated' | 'unchanged' | NoIdentityOutcome

/** What {@link mutatePod} answers. */
interface MutationResult {
  /** JSON Patch operations for the AdmissionResponse; empty when nothing changes. */
  readonly patch: JsonPatchOperation[]
  /** One line each, for the AdmissionResponse `warnings` (and the logs). */
  readonly warnings: string[]
  readonly outcome: MutationOutcome
  /** How the pod gets its identity; absent for `no-identity` and `service-account-missing`. */
  readonly mode?: IdentityMode
}

function labelOps(pod: PodView): JsonPatchOperation[] {
  if (!pod.hasMetadata) {
    return [
      { op: 'add', path: '/metadata', value: { labels: { [POD_IDENTITY_LABEL]: 'enabled' } } },
    ]
  }
  if (pod.labels === undefined) {
    return [{ op: 'add', path: '/metadata/labels', value: { [POD_IDENTITY_LABEL]: 'enabled' } }]
  }
  if (pod.labels.get(POD_IDENTITY_LABEL) === 'enabled') return []
  return [
    {
      op: 'add',
      path: `/metadata/labels/${escapePointerToken(POD_IDENTITY_LABEL)}`,
      value: 'enabled',
    },
  ]
}

function tokenVolume(id: ResolvedIdentity, config: MutationConfig): JsonObject {
  return {
    name: id.volumeName,
    projected: {
      sources: [
        {
          serviceAccountToken: {
            audience: id.audience,
            expirationSeconds: tokenVolumeExpiration(id, config),
            path: id.tokenPath,
          },
        },
      ],
    },
  }
}

function volumeOps(
  pod: PodView,
  id: ResolvedIdentity,
  config: MutationConfig,
  warnings: string[],
): JsonPatchOperation[] {
  const existing = pod.volumes?.find((v) => v.name === id.volumeName)
  if (existing !== undefined) {
    if (!existing.projectsToken) {
      warnings.push(
        `pod volume ${id.volumeName} is not a projected service-account token; it was kept, and the token will not be in it`,
      )
    }
    return []
  }
  // Like the reference: create the list, or put the token volume first.
  return pod.volumes === undefined
    ? [{ op: 'add', path: '/spec/volumes', value: [tokenVolume(id, config)] }]
    : [{ op: 'add', path: '/spec/volumes/0', value: tokenVolume(id, config) }]
}

function fsGroupOps(pod: PodView, id: ResolvedIdentity): JsonPatchOperation[] {
  if (id.fsGroup === undefined || pod.hasFsGroup) return []
  return pod.hasSecurityContext
    ? [{ op: 'add', path: '/spec/securityContext/fsGroup', value: id.fsGroup }]
    : [{ op: 'add', path: '/spec/securityContext', value: { fsGroup: id.fsGroup } }]
}

/**
 * The pod identity webhook's mutation: given a pod, its ServiceAccount (`undefined` when
 * it does not exist) and the configuration, the JSON Patch that gives the pod its AWS
 * identity, with warnings for what a user would want to know.
 *
 * Pure: no I/O, no clock; randomness (Pod Identity jitter) comes from `config.random`.
 * The patch only adds, at precise paths (`/spec/containers/1/env/-`, …), so it keeps every
 * field it does not know, and it is empty when the pod already has everything: applying
 * it and mutating again yields no operations, and a container another webhook added in
 * between is mutated on reinvocation. The pod's namespace is `metadata.namespace` (the
 * server fills it from the AdmissionRequest when the pod has none).
 *
 * @example
 * const config = createMutationConfig({ defaultRegion: 'eu-west-1' })
 * const { patch, warnings } = mutatePod(pod, serviceAccount, config)
 */
export function mutatePod(
  pod: Pod,
  serviceAccount: ServiceAccount | undefined,
  config: MutationConfig,
): MutationResult {
  const view = readPod(pod)
  const sa = serviceAccount === undefined ? undefined : readServiceAccount(serviceAccount)
  const resolution = resolveIdentity(view, sa, config)
  const id = resolution.identity
  if (id === undefined) {
    return { patch: [], warnings: resolution.warnings.map(capWarning), outcome: resolution.outcome }
  }

  const warnings = [...resolution.warnings]
  const patch: JsonPatchOperation[] = []
  if (id.mode === 'pod-identity') patch.push(...labelOps(view))
  patch.push(...volumeOps(view, id, config, warnings))
  patch.push(...fsGroupOps(view, id))

  const session = id.roleSessionName ? sessionNameEntry(view) : undefined
  let sessionInjected = false
  const names = new Set([...view.containers, ...view.initContainers].map((c) => c.name))
  for (const skipped of id.skipContainers) {
    if (!names.has(skipped)) {
      warnings.push(
        `pod skip-containers names ${quote(skipped)}, which is not a container of this pod`,
      )
    }
  }
  for (const container of [...view.containers, ...view.initContainers]) {
    if (id.skipContainers.has(container.name)) continue
    const plan = planContainer(container, id, config, session?.entry)
    patch.push(...plan.ops)
    warnings.push(...plan.warnings)
    sessionInjected ||= plan.injectedIdentity
  }
  if (sessionInjected && session?.warning !== undefined) warnings.push(session.warning)

  return {
    patch,
    warnings: warnings.map(capWarning),
    outcome: patch.length > 0 ? 'mutated' : 'unchanged',
    mode: id.mode,
  }
}
