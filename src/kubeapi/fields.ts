import type { JsonObject, JsonValue } from '../webhook/index.js'
import { isObject } from './json.js'
import { kubeError, type KubeApiError } from './status.js'

/**
 * Server-side field validation (`?fieldValidation=`), as kube-apiserver does it when it
 * decodes a request body into the Go types: a field those types do not have is unknown.
 * `Strict` refuses the request (400 BadRequest, `<Kind> in version "<v>" cannot be handled
 * as a <Kind>: strict decoding error: unknown field "spec.foo", unknown field "bar"`:
 * apiserver's transformDecodeError around apimachinery's strictDecodingError); `Warn`
 * (the default) drops the fields and sends a `Warning: 299 - "unknown field \"spec.foo\""`
 * header for each; `Ignore` drops them silently. The fields known here are each served
 * kind's top level, `metadata` (ObjectMeta), and for Pods and Deployments their spec's
 * top level (PodSpec, DeploymentSpec, and the template's metadata and PodSpec); deeper
 * levels are not checked.
 */

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

/** The directive of a request: `Warn` unless it names another. */
export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation')
  return v === 'Strict' || v === 'Ignore' ? v : 'Warn'
}

/** ObjectMeta's JSON names (k8s.io/apimachinery/pkg/apis/meta/v1 types.go). */
const OBJECT_META = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]

/** PodSpec's JSON names (k8s.io/api/core/v1 types.go, 1.32). */
const POD_SPEC = [
  'volumes',
  'initContainers',
  'containers',
  'ephemeralContainers',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'nodeSelector',
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
  'nodeName',
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'shareProcessNamespace',
  'securityContext',
  'imagePullSecrets',
  'hostname',
  'subdomain',
  'affinity',
  'schedulerName',
  'tolerations',
  'hostAliases',
  'priorityClassName',
  'priority',
  'dnsConfig',
  'readinessGates',
  'runtimeClassName',
  'enableServiceLinks',
  'preemptionPolicy',
  'overhead',
  'topologySpreadConstraints',
  'setHostnameAsFQDN',
  'os',
  'hostUsers',
  'schedulingGates',
  'resourceClaims',
  'resources',
]

/** DeploymentSpec's JSON names (k8s.io/api/apps/v1 types.go). */
const DEPLOYMENT_SPEC = [
  'replicas',
  'selector',
  'template',
  'strategy',
  'minReadySeconds',
  'revisionHistoryLimit',
  'paused',
  'progressDeadlineSeconds',
]

/** What is known at one level: field names, and the levels below some of them. */
interface Level {
  readonly fields: ReadonlySet<string>
  readonly below?: Readonly<Record<string, Level>>
}

const level = (fields: readonly string[], below?: Record<string, Level>): Level => ({
  fields: new Set(fields),
  ...(below !== undefined ? { below } : {}),
})

const META = level(OBJECT_META)
const TOP = ['apiVersion', 'kind', 'metadata']
const POD_TEMPLATE = level(['metadata', 'spec'], { metadata: META, spec: level(POD_SPEC) })

/** The known fields of each served kind (the Go type's JSON names). */
export const KNOWN_FIELDS: Readonly<Record<string, Level>> = {
  Namespace: level([...TOP, 'spec', 'status'], { metadata: META }),
  ServiceAccount: level([...TOP, 'secrets', 'imagePullSecrets', 'automountServiceAccountToken'], {
    metadata: META,
  }),
  Pod: level([...TOP, 'spec', 'status'], { metadata: META, spec: level(POD_SPEC) }),
  ConfigMap: level([...TOP, 'data', 'binaryData', 'immutable'], { metadata: META }),
  Secret: level([...TOP, 'data', 'stringData', 'type', 'immutable'], { metadata: META }),
  Event: level(
    [
      ...TOP,
      'involvedObject',
      'reason',
      'message',
      'source',
      'firstTimestamp',
      'lastTimestamp',
      'count',
      'type',
      'eventTime',
      'series',
      'action',
      'related',
      'reportingComponent',
      'reportingInstance',
    ],
    { metadata: META },
  ),
  Deployment: level([...TOP, 'spec', 'status'], {
    metadata: META,
    spec: level(DEPLOYMENT_SPEC, { template: POD_TEMPLATE }),
  }),
}

/** The unknown fields of `o` as a `kind`, as dotted paths in the order they appear. */
export function unknownFields(kind: string, o: JsonValue): string[] {
  const top = KNOWN_FIELDS[kind]
  const found: string[] = []
  const walk = (v: JsonValue | undefined, at: Level, prefix: string): void => {
    if (v === undefined || !isObject(v)) return
    for (const [k, child] of Object.entries(v)) {
      if (!at.fields.has(k)) {
        found.push(prefix + k)
        continue
      }
      const below = at.below?.[k]
      if (below !== undefined) walk(child, below, `${prefix}${k}.`)
    }
  }
  if (top !== undefined) walk(o, top, '')
  return found
}

/** `o` without the fields at `paths` (dotted, as {@link unknownFields} gives them). */
export function withoutFields(o: JsonObject, paths: readonly string[]): JsonObject {
  if (paths.length === 0) return o
  const drop = (v: JsonObject, path: readonly string[]): JsonObject => {
    const [head, ...rest] = path
    if (head === undefined || !(head in v)) return v
    if (rest.length === 0) {
      const copy: JsonObject = { ...v }
      Reflect.deleteProperty(copy, head)
      return copy
    }
    const child = v[head]
    return isObject(child) ? { ...v, [head]: drop(child, rest) } : v
  }
  return paths.reduce((acc, p) => drop(acc, p.split('.')), o)
}

/** The Strict refusal of `fields` in a `kind` of `version` (`v1`). */
export function strictDecodingError(
  kind: string,
  version: string,
  fields: readonly string[],
): KubeApiError {
  const errors = fields.map((f) => `unknown field "${f}"`).join(', ')
  return kubeError('BadRequest', {
    detail: `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${errors}`,
  })
}

/** A `Warning` header value (apimachinery's NewWarningHeader: code 299, agent `-`). */
export function warningHeader(text: string): string {
  return `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/**
 * Applies the request's directive to a decoded body: throws the Strict refusal, or
 * returns the body without its unknown fields and the warnings to send (Warn). With
 * `ignore`, fields unknown there too (already in the stored object) are let be.
 */
export function validateFields(
  kind: string,
  version: string,
  body: JsonValue,
  directive: FieldValidation,
  ignore: readonly string[] = [],
): { readonly body: JsonValue; readonly warnings: readonly string[] } {
  const unknown = unknownFields(kind, body).filter((f) => !ignore.includes(f))
  if (unknown.length === 0 || !isObject(body)) return { body, warnings: [] }
  if (directive === 'Strict') throw strictDecodingError(kind, version, unknown)
  return {
    body: withoutFields(body, unknown),
    warnings: directive === 'Warn' ? unknown.map((f) => warningHeader(`unknown field "${f}"`)) : [],
  }
}
