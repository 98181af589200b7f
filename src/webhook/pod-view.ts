import { WebhookError } from './errors.js'
import { formatPointer } from './json-pointer.js'

/**
 * A read-only view of the few pod fields the mutation needs, taken defensively from an
 * untyped object: unknown fields are ignored (never copied), odd values are treated as
 * absent where that is safe, and a shape the mutation would have to write into wrongly
 * (a container that is not an object, `env` that is not a list) is an
 * `ERR_WEBHOOK_POD_SHAPE` error naming the path.
 */

type Rec = Record<string, unknown>

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function shapeError(tokens: readonly (string | number)[], what: string): WebhookError {
  return new WebhookError('ERR_WEBHOOK_POD_SHAPE', `${formatPointer(tokens)} ${what}`)
}

/** A record at `obj[key]`, `undefined` when absent or null; anything else is an error. */
function optionalRecord(obj: Rec, key: string, at: readonly (string | number)[]): Rec | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (!isRecord(v)) throw shapeError([...at, key], 'must be an object')
  return v
}

/** A list at `obj[key]`, `undefined` when absent or null; anything else is an error. */
function optionalList(
  obj: Rec,
  key: string,
  at: readonly (string | number)[],
): unknown[] | undefined {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw shapeError([...at, key], 'must be a list')
  return v as unknown[]
}

/** String values of a string map (labels, annotations, nodeSelector); others are ignored. */
function stringMap(v: unknown): ReadonlyMap<string, string> {
  const out = new Map<string, string>()
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out.set(k, x)
  return out
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** One `env` entry: its literal value, or `undefined` when it uses `valueFrom` or none. */
interface EnvEntryView {
  readonly value: string | undefined
}

/** One `envFrom` entry naming a ConfigMap or Secret. */
export interface EnvFromView {
  readonly kind: 'ConfigMap' | 'Secret'
  readonly name: string
  readonly optional: boolean
  readonly prefix: string
}

/** A container or init container, and where it sits in the pod. */
export interface ContainerView {
  readonly list: 'containers' | 'initContainers'
  readonly index: number
  readonly name: string
  /** Env entries by name; with duplicates the last one wins, as in the kubelet. */
  readonly env: ReadonlyMap<string, EnvEntryView>
  /** Whether `env` is a list (else absent or null). */
  readonly hasEnvList: boolean
  readonly envFrom: readonly EnvFromView[]
  /** Mount paths by volume name (the first mount of each volume). */
  readonly mounts: ReadonlyMap<string, string | undefined>
  /** Whether `volumeMounts` is a list (else absent or null). */
  readonly hasMountList: boolean
}

/** A pod volume: its name and whether it projects a service-account token. */
interface VolumeView {
  readonly name: string
  readonly projectsToken: boolean
}

/** What the mutation reads from a pod. */
export interface PodView {
  readonly name: string
  readonly generateName: string
  readonly namespace: string | undefined
  readonly hasMetadata: boolean
  /** `undefined` when the pod has no labels object. */
  readonly labels: ReadonlyMap<string, string> | undefined
  readonly annotations: ReadonlyMap<string, string>
  readonly serviceAccountName: string
  readonly nodeSelector: ReadonlyMap<string, string>
  readonly osName: string | undefined
  /** `undefined` when `spec.volumes` is absent or null. */
  readonly volumes: readonly VolumeView[] | undefined
  readonly hasSecurityContext: boolean
  readonly hasFsGroup: boolean
  readonly containers: readonly ContainerView[]
  readonly initContainers: readonly ContainerView[]
}

function readEnvFrom(list: unknown[] | undefined): EnvFromView[] {
  const out: EnvFromView[] = []
  for (const item of list ?? []) {
    if (!isRecord(item)) continue
    const prefix = str(item['prefix']) ?? ''
    for (const [key, kind] of [
      ['configMapRef', 'ConfigMap'],
      ['secretRef', 'Secret'],
    ] as const) {
      const ref = item[key]
      if (!isRecord(ref)) continue
      out.push({ kind, name: str(ref['name']) ?? '', optional: ref['optional'] === true, prefix })
    }
  }
  return out
}

function readContainer(raw: unknown, list: ContainerView['list'], index: number): ContainerView {
  const at = ['spec', list, index]
  if (!isRecord(raw)) throw shapeError(at, 'must be an object')
  const envList = optionalList(raw, 'env', at)
  const env = new Map<string, EnvEntryView>()
  for (const e of envList ?? []) {
    if (!isRecord(e)) continue
    const name = str(e['name'])
    if (name !== undefined) env.set(name, { value: str(e['value']) })
  }
  const mountList = optionalList(raw, 'volumeMounts', at)
  const mounts = new Map<string, string | undefined>()
  for (const m of mountList ?? []) {
    if (!isRecord(m)) continue
    const name = str(m['name'])
    if (name !== undefined && !mounts.has(name)) mounts.set(name, str(m['mountPath']))
  }
  return {
    list,
    index,
    name: str(raw['name']) ?? '',
    env,
    hasEnvList: envList !== undefined,
    envFrom: readEnvFrom(optionalList(raw, 'envFrom', at)),
    mounts,
    hasMountList: mountList !== undefined,
  }
}

function projectsToken(volume: Rec): boolean {
  const projected = volume['projected']
  if (!isRecord(projected)) return false
  const sources = projected['sources']
  return (
    Array.isArray(sources) && sources.some((s) => isRecord(s) && isRecord(s['serviceAccountToken']))
  )
}

/** Reads a pod (any JSON value) into a {@link PodView}. */
export function readPod(pod: unknown): PodView {
  if (!isRecord(pod)) throw shapeError([], 'a pod must be an object')
  const metadata = optionalRecord(pod, 'metadata', [])
  const spec = optionalRecord(pod, 'spec', [])
  if (spec === undefined) throw shapeError(['spec'], 'is missing')
  const labels =
    metadata === undefined ? undefined : optionalRecord(metadata, 'labels', ['metadata'])
  const securityContext = optionalRecord(spec, 'securityContext', ['spec'])
  const volumes = optionalList(spec, 'volumes', ['spec'])
  const fsGroup = securityContext?.['fsGroup']
  const os = spec['os']
  return {
    name: str(metadata?.['name']) ?? '',
    generateName: str(metadata?.['generateName']) ?? '',
    namespace: str(metadata?.['namespace']),
    hasMetadata: metadata !== undefined,
    labels: labels === undefined ? undefined : stringMap(labels),
    annotations: stringMap(metadata?.['annotations']),
    serviceAccountName: str(spec['serviceAccountName']) || str(spec['serviceAccount']) || 'default',
    nodeSelector: stringMap(spec['nodeSelector']),
    osName: isRecord(os) ? str(os['name']) : undefined,
    volumes: volumes?.map((v) => ({
      name: isRecord(v) ? (str(v['name']) ?? '') : '',
      projectsToken: isRecord(v) && projectsToken(v),
    })),
    hasSecurityContext: securityContext !== undefined,
    hasFsGroup: fsGroup !== undefined && fsGroup !== null,
    containers: (optionalList(spec, 'containers', ['spec']) ?? []).map((c, i) =>
      readContainer(c, 'containers', i),
    ),
    initContainers: (optionalList(spec, 'initContainers', ['spec']) ?? []).map((c, i) =>
      readContainer(c, 'initContainers', i),
    ),
  }
}

/** A ServiceAccount's namespace and string annotations. */
export interface ServiceAccountView {
  readonly name: string
  readonly namespace: string | undefined
  readonly annotations: ReadonlyMap<string, string>
}

/** Reads a ServiceAccount (any JSON value); a non-object is treated as having no metadata. */
export function readServiceAccount(sa: unknown): ServiceAccountView {
  const metadata = isRecord(sa) && isRecord(sa['metadata']) ? sa['metadata'] : undefined
  return {
    name: str(metadata?.['name']) ?? '',
    namespace: str(metadata?.['namespace']),
    annotations: stringMap(metadata?.['annotations']),
  }
}
