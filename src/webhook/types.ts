/**
 * The Kubernetes objects the mutation reads, as structural types of our own.
 *
 * They are deliberately permissive: every object carries an index signature, so a field
 * this code does not know (a sidecar's `restartPolicy`, anything a future Kubernetes
 * adds) is simply carried along. The mutation never rebuilds these objects; it reads the
 * few fields it needs and answers with JSON Patch operations at precise paths, so what it
 * does not know it cannot drop.
 */

/** A JSON value, as it travels in an AdmissionReview. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue
}

/** `metadata` of a Pod or ServiceAccount (only the fields the webhook reads are named). */
interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  [key: string]: unknown
}

/** One `env` entry of a container. */
interface EnvVar {
  name: string
  value?: string
  valueFrom?: unknown
  [key: string]: unknown
}

/** A reference to a ConfigMap or Secret in `envFrom`. */
interface EnvFromReference {
  name?: string
  optional?: boolean
  [key: string]: unknown
}

/** One `envFrom` entry of a container. */
interface EnvFromSource {
  prefix?: string
  configMapRef?: EnvFromReference
  secretRef?: EnvFromReference
  [key: string]: unknown
}

/** One `volumeMounts` entry of a container. */
interface VolumeMount {
  name: string
  mountPath?: string
  readOnly?: boolean
  [key: string]: unknown
}

/** A container or init container. */
interface Container {
  name: string
  env?: EnvVar[]
  envFrom?: EnvFromSource[]
  volumeMounts?: VolumeMount[]
  [key: string]: unknown
}

/** A pod volume. */
interface Volume {
  name: string
  [key: string]: unknown
}

/** `spec.securityContext` of a pod. */
interface PodSecurityContext {
  fsGroup?: number
  [key: string]: unknown
}

/** `spec` of a pod. */
interface PodSpec {
  serviceAccountName?: string
  containers?: Container[]
  initContainers?: Container[]
  volumes?: Volume[]
  nodeSelector?: Record<string, string>
  os?: { name?: string; [key: string]: unknown }
  securityContext?: PodSecurityContext
  [key: string]: unknown
}

/** A Pod as the API server sends it in an AdmissionReview. */
export interface Pod {
  apiVersion?: string
  kind?: string
  metadata?: ObjectMeta
  spec?: PodSpec
  [key: string]: unknown
}

/** A ServiceAccount; only its metadata (name, namespace, annotations) matters here. */
export interface ServiceAccount {
  apiVersion?: string
  kind?: string
  metadata?: ObjectMeta
  [key: string]: unknown
}
