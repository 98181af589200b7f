import {
  applyJsonPatch,
  parseJsonPatch,
  type JsonObject,
  type JsonValue,
} from '../webhook/index.js'
import { isObject, without } from './json.js'
import { kubeError } from './status.js'

/**
 * The patch types kube-apiserver accepts for built-in kinds: JSON Patch (RFC 6902), JSON
 * Merge Patch (RFC 7386) and strategic merge patch, whose lists merge by key where the
 * Go types say so (`patchMergeKey`: containers and volumes by name, env by name,
 * volumeMounts by mountPath, ports by containerPort) and whose directives kubectl sends
 * (`$patch: delete|replace|merge`, `$setElementOrder/<list>`, `$retainKeys`,
 * `$deleteFromPrimitiveList/<list>`).
 */

export const JSON_PATCH = 'application/json-patch+json'
export const MERGE_PATCH = 'application/merge-patch+json'
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'
export const APPLY_PATCH = 'application/apply-patch+yaml'
export const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const

/** Whether a PATCH is a server-side apply. */
export function isApplyPatch(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === APPLY_PATCH
}

/** RFC 7386: objects merge, `null` removes, everything else replaces. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch
  const base = isObject(target) ? target : {}
  const out: JsonObject = without(
    base,
    Object.keys(patch).filter((k) => patch[k] === null),
  )
  for (const [k, v] of Object.entries(patch)) if (v !== null) out[k] = mergePatch(out[k], v)
  return out
}

/** List fields that merge by key, by field name (the same in every served kind). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  secrets: 'name',
  ownerReferences: 'uid',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
}

/** Primitive lists that merge as sets (`patchStrategy: merge` without a key). */
const MERGED_PRIMITIVES: ReadonlySet<string> = new Set(['finalizers'])

function keyOf(item: JsonValue, key: string): JsonValue | undefined {
  return isObject(item) ? item[key] : undefined
}

function mergeKeyedList(
  target: readonly JsonValue[],
  patch: readonly JsonValue[],
  key: string,
): JsonValue[] {
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace'))
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace'))
  const out = [...target]
  for (const p of patch) {
    const k = keyOf(p, key)
    const at = out.findIndex((t) => k !== undefined && keyOf(t, key) === k)
    if (isObject(p) && p['$patch'] === 'delete') {
      if (at !== -1) out.splice(at, 1)
      continue
    }
    if (at === -1) out.push(strategicMerge(undefined, p))
    else out[at] = strategicMerge(out[at], p)
  }
  return out
}

function ordered(
  list: JsonValue[],
  order: readonly JsonValue[],
  key: string | undefined,
): JsonValue[] {
  const rank = (v: JsonValue): number => {
    const k = key === undefined ? v : keyOf(v, key)
    const i = order.findIndex((o) => (key === undefined ? o : keyOf(o, key)) === k)
    return i === -1 ? order.length : i
  }
  return list
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v)
}

function mergeField(name: string, target: JsonValue | undefined, value: JsonValue): JsonValue {
  const key = MERGE_KEYS[name]
  if (Array.isArray(value) && key !== undefined)
    return mergeKeyedList(Array.isArray(target) ? target : [], value, key)
  if (Array.isArray(value) && MERGED_PRIMITIVES.has(name))
    return [...new Set([...(Array.isArray(target) ? target : []), ...value])]
  return strategicMerge(target, value)
}

/** A strategic merge patch applied to `target`, as kube-apiserver applies it. */
export function strategicMerge(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch
  if (patch['$patch'] === 'replace') {
    return without(patch, ['$patch'])
  }
  if (patch['$patch'] === 'delete') return {}
  let out: JsonObject = isObject(target) ? { ...target } : {}
  const retain = patch['$retainKeys']
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length)
      const drop = Array.isArray(v) ? v : []
      const cur = out[field]
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !drop.includes(x))
      continue
    }
    if (v === null) out = without(out, [k])
    else out[k] = mergeField(k, out[k], v)
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue
    const field = k.slice('$setElementOrder/'.length)
    const cur = out[field]
    if (Array.isArray(cur)) out[field] = ordered(cur, order, MERGE_KEYS[field])
  }
  if (Array.isArray(retain)) {
    const keep = new Set(retain.filter((x): x is string => typeof x === 'string'))
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)))
  }
  return out
}

/** `body` parsed as the patch `contentType` names and applied to `current`. */
export function applyPatch(current: JsonObject, contentType: string, body: string): JsonValue {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  let patch: unknown
  try {
    patch = JSON.parse(body)
  } catch (e) {
    throw kubeError('BadRequest', {
      detail: `error decoding patch: ${e instanceof Error ? e.message : String(e)}`,
    })
  }
  if (type === JSON_PATCH) {
    try {
      return applyJsonPatch(current, parseJsonPatch(patch))
    } catch (e) {
      throw kubeError('Invalid', {
        kind: 'Patch',
        detail: e instanceof Error ? e.message : String(e),
      })
    }
  }
  if (!isObject(patch))
    throw kubeError('BadRequest', {
      detail: 'error decoding patch: the patch is not a JSON object',
    })
  if (type === MERGE_PATCH) return mergePatch(current, patch)
  if (type === STRATEGIC_MERGE_PATCH) return strategicMerge(current, patch)
  throw kubeError('UnsupportedMediaType', { detail: PATCH_TYPES.join(', ') })
}
