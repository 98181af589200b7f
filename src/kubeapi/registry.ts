import type { Clock } from '../core/index.js'
import { admitPod, BUILTIN_NAMESPACES, findServiceAccount, rfc3339 } from '../local/index.js'
import {
  StoreConflictError,
  StoreNotFoundError,
  type KubeObjectKind,
  type KubeObjectPrecondition,
  type KubeObjectRecord,
  type Store,
} from '../store/index.js'
import type { JsonObject, JsonValue, MutationConfig } from '../webhook/index.js'
import { isObject, metaOf, metaString, obj, str, without } from './json.js'
import { defaultPod, simulatedPodStatus, withApiAccess } from './pods.js'
import { groupVersion, resourceAt, type ResourceInfo } from './resources.js'
import {
  deploymentStatus,
  desiredReplicas,
  ownedBy,
  podFor,
  suffix,
  templateHash,
} from './deployments.js'
import { fieldSelector, labelSelector } from './selectors.js'
import { invalid, KubeApiError, kubeError, type GroupResource } from './status.js'
import { metadataErrors } from './validation.js'
import type { WatchEvent } from './watch.js'

/** What a cluster's object registry needs. */
export interface RegistryDeps {
  readonly store: Store
  readonly clusterArn: string
  readonly clock: Clock
  /** The cluster CA (PEM), published in every namespace's `kube-root-ca.crt`. */
  readonly caPem: string
  /** Admission of pods: the webhook's mutation config. */
  readonly mutation: () => MutationConfig
  /** Told of every change this registry makes (for watches). */
  readonly onChange?: (e: WatchEvent) => void
}

/** The fields of metadata the server owns; a client's values are replaced. */
const SERVER_FIELDS = ['uid', 'resourceVersion', 'creationTimestamp'] as const

const gr = (r: ResourceInfo): GroupResource => ({ group: r.group, resource: r.resource })

/** Names tried for a `generateName` before AlreadyExists is answered. */
const GENERATE_NAME_ATTEMPTS = 8

const isAlreadyExists = (e: unknown): boolean =>
  e instanceof KubeApiError && e.status.reason === 'AlreadyExists'

/** `generateName` + five characters from the apiserver's alphabet. */
function generated(prefix: string): string {
  return prefix + suffix(5)
}

/** A stored record as the API shows it: the object with the server's metadata. */
export function toObject(record: KubeObjectRecord): JsonObject {
  const object = record.object as JsonObject
  return {
    ...object,
    metadata: {
      ...metaOf(object),
      name: record.name,
      ...(record.namespace !== '' ? { namespace: record.namespace } : {}),
      uid: record.uid,
      resourceVersion: String(record.resourceVersion),
      creationTimestamp: rfc3339(record.createdAt),
    },
  }
}

/** An object stripped of the server's metadata, as it is stored. */
function forStore(o: JsonObject): JsonObject {
  return { ...o, metadata: without(metaOf(o), SERVER_FIELDS) }
}

function served(gv: string, plural: string): ResourceInfo {
  const r = resourceAt(gv, plural)
  if (r === undefined) throw new Error(`${plural} is not served`)
  return r
}
const PODS = served('v1', 'pods')
const DEPLOYMENTS = served('apps/v1', 'deployments')

/** `next` with metadata.generation one past `old`'s when its spec changed. */
function withGeneration(next: JsonObject, old: JsonObject): JsonObject {
  const was = metaOf(old)['generation']
  const gen = typeof was === 'number' ? was : 1
  const changed = JSON.stringify(next['spec']) !== JSON.stringify(old['spec'])
  return { ...next, metadata: { ...metaOf(next), generation: changed ? gen + 1 : gen } }
}

/** Options of a list. */
export interface ListOptions {
  readonly labelSelector?: string
  readonly fieldSelector?: string
}

/**
 * The objects of one local cluster with kube-apiserver's semantics on top of the store:
 * names validated, namespaces required, server metadata (uid, resourceVersion,
 * creationTimestamp) owned by the server, optimistic concurrency on updates, pods
 * admitted through the webhook's mutation, and what a real cluster's controllers would
 * have made (the built-in namespaces, a `default` ServiceAccount and the
 * `kube-root-ca.crt` ConfigMap in every namespace).
 */
export class KubeRegistry {
  readonly #d: RegistryDeps

  constructor(deps: RegistryDeps) {
    this.#d = deps
  }

  /** Makes what the controllers of a new cluster make; idempotent. */
  bootstrap(): void {
    for (const ns of BUILTIN_NAMESPACES) this.#ensureNamespace(ns)
    for (const r of this.#d.store.kubeObjects.list(this.#d.clusterArn, 'Namespace'))
      this.#namespaceContents(r.name)
  }

  /** The cluster's resourceVersion now (its newest change's). */
  resourceVersion(): string {
    return String(this.#d.store.kubeObjects.revision(this.#d.clusterArn))
  }

  /** Whether the object is there. */
  exists(r: ResourceInfo, namespace: string, name: string): boolean {
    return this.#record(r, namespace, name) !== undefined
  }

  get(r: ResourceInfo, namespace: string, name: string): JsonObject {
    const record = this.#record(r, namespace, name)
    if (record === undefined) throw kubeError('NotFound', { resource: gr(r), name })
    return toObject(record)
  }

  list(r: ResourceInfo, namespace: string | undefined, o: ListOptions = {}): JsonObject[] {
    const labels = labelSelector(o.labelSelector)
    const fields = fieldSelector(o.fieldSelector)
    return this.#d.store.kubeObjects
      .list(this.#d.clusterArn, r.kind as KubeObjectKind, r.namespaced ? namespace : undefined)
      .map(toObject)
      .filter((x) => labels(x) && fields(x))
  }

  create(r: ResourceInfo, namespace: string, body: JsonValue): JsonObject {
    const object = this.#checkBody(r, namespace, body)
    const meta = metaOf(object)
    const given = typeof meta['name'] === 'string' ? meta['name'] : ''
    const prefix = typeof meta['generateName'] === 'string' ? meta['generateName'] : ''
    if (given !== '' || prefix === '') return this.#create(r, namespace, object, given)
    // A generated name that is taken is generated again (kube-apiserver's RetryGenerateName,
    // GA in 1.32: 8 attempts in all).
    for (let attempt = 1; ; attempt++) {
      try {
        return this.#create(r, namespace, object, generated(prefix))
      } catch (e) {
        if (attempt >= GENERATE_NAME_ATTEMPTS || !isAlreadyExists(e)) throw e
      }
    }
  }

  #create(r: ResourceInfo, namespace: string, object: JsonObject, name: string): JsonObject {
    const meta = metaOf(object)
    const errors = metadataErrors(r.kind, name)
    if (errors.length > 0) throw invalid(r.kind, name, errors)
    if (r.namespaced) this.#requireNamespace(namespace)
    let stored: JsonObject = { ...object, metadata: { ...meta, name } }
    if (r.kind === 'Pod') stored = this.#admit(namespace, name, stored)
    if (r.kind === 'Namespace') stored = { ...stored, status: { phase: 'Active' } }
    if (r.kind === 'Deployment')
      stored = { ...stored, metadata: { ...metaOf(stored), generation: 1 } }
    const record = this.#write(r, namespace, name, stored, { exists: false })
    if (r.kind === 'Namespace') this.#namespaceContents(name)
    if (r.kind === 'Deployment') return this.#reconcile(toObject(record))
    return toObject(record)
  }

  update(r: ResourceInfo, namespace: string, name: string, body: JsonValue): JsonObject {
    const object = this.#checkBody(r, namespace, body)
    const meta = metaOf(object)
    if (meta['name'] !== undefined && meta['name'] !== name)
      throw kubeError('BadRequest', {
        detail: 'the name of the object does not match the name on the URL',
      })
    const rv = meta['resourceVersion']
    const expect: KubeObjectPrecondition =
      typeof rv === 'string' && rv !== ''
        ? { exists: true, resourceVersion: Number(rv) }
        : { exists: true }
    const before = this.#record(r, namespace, name)
    if (before === undefined) throw kubeError('NotFound', { resource: gr(r), name })
    let next: JsonObject = { ...object, metadata: { ...meta, name } }
    const old = before.object as JsonObject
    if (r.kind === 'Pod') next = { ...next, status: old['status'] ?? null }
    if (r.kind === 'Deployment') next = withGeneration(next, old)
    const written = toObject(this.#write(r, namespace, name, next, expect))
    return r.kind === 'Deployment' ? this.#reconcile(written) : written
  }

  /** Writes `next` (a patched object) over the current one at its resourceVersion. */
  replace(r: ResourceInfo, namespace: string, name: string, next: JsonValue): JsonObject {
    return this.update(r, namespace, name, next)
  }

  delete(r: ResourceInfo, namespace: string, name: string): JsonObject {
    const record = this.#record(r, namespace, name)
    if (record === undefined) throw kubeError('NotFound', { resource: gr(r), name })
    const gone = toObject(record)
    if (r.kind === 'Deployment')
      for (const pod of this.#podsOf(gone)) this.delete(PODS, namespace, metaString(pod, 'name'))
    this.#d.store.kubeObjects.delete(this.#d.clusterArn, this.#key(r, namespace, name))
    this.#d.onChange?.({
      type: 'DELETED',
      kind: record.kind,
      namespace: record.namespace,
      object: gone,
      resourceVersion: this.#d.store.kubeObjects.revision(this.#d.clusterArn),
    })
    return gone
  }

  #tell(type: WatchEvent['type'], record: KubeObjectRecord): void {
    this.#d.onChange?.({
      type,
      kind: record.kind,
      namespace: record.namespace,
      object: toObject(record),
      resourceVersion: record.resourceVersion,
    })
  }

  #podsOf(d: JsonObject): JsonObject[] {
    return this.list(PODS, metaString(d, 'namespace')).filter((p) => ownedBy(p, d))
  }

  /** Makes `d`'s pods match its template and replicas; writes its status. */
  #reconcile(d: JsonObject): JsonObject {
    const ns = metaString(d, 'namespace')
    const hash = templateHash(obj(d['spec'])['template'])
    const current: JsonObject[] = []
    for (const pod of this.#podsOf(d)) {
      if (obj(metaOf(pod)['labels'])['pod-template-hash'] === hash) current.push(pod)
      else this.delete(PODS, ns, metaString(pod, 'name'))
    }
    const want = desiredReplicas(d)
    for (const extra of current.splice(want)) this.delete(PODS, ns, metaString(extra, 'name'))
    let failure: string | undefined
    while (current.length < want && failure === undefined) {
      try {
        current.push(this.create(PODS, ns, podFor(d, hash)))
      } catch (e) {
        failure = e instanceof KubeApiError ? e.status.message : String(e)
      }
    }
    const status = deploymentStatus(d, current.length, rfc3339(this.#d.clock.now()), failure)
    const name = metaString(d, 'name')
    return toObject(
      this.#write(DEPLOYMENTS, ns, name, { ...forStore(d), status }, { exists: true }),
    )
  }

  #key(r: ResourceInfo, namespace: string, name: string) {
    return { kind: r.kind as KubeObjectKind, namespace: r.namespaced ? namespace : '', name }
  }

  #record(r: ResourceInfo, namespace: string, name: string): KubeObjectRecord | undefined {
    return this.#d.store.kubeObjects.get(this.#d.clusterArn, this.#key(r, namespace, name))
  }

  #write(
    r: ResourceInfo,
    namespace: string,
    name: string,
    object: JsonObject,
    expect: KubeObjectPrecondition,
  ): KubeObjectRecord {
    try {
      const { record, change } = this.#d.store.kubeObjects.apply(
        this.#d.clusterArn,
        { ...this.#key(r, namespace, name), object: forStore(object) },
        expect,
      )
      if (change !== 'unchanged') this.#tell(change === 'created' ? 'ADDED' : 'MODIFIED', record)
      return record
    } catch (e) {
      if (e instanceof StoreConflictError)
        throw expect.exists
          ? kubeError('Conflict', {
              resource: gr(r),
              name,
              detail:
                'the object has been modified; please apply your changes to the latest version and try again',
            })
          : kubeError('AlreadyExists', { resource: gr(r), name })
      if (e instanceof StoreNotFoundError) throw kubeError('NotFound', { resource: gr(r), name })
      throw e
    }
  }

  #checkBody(r: ResourceInfo, namespace: string, body: JsonValue): JsonObject {
    if (!isObject(body))
      throw kubeError('BadRequest', { detail: `the body of the request is not a ${r.kind} object` })
    const kind = body['kind']
    const apiVersion = body['apiVersion']
    if (kind !== undefined && kind !== r.kind)
      throw kubeError('BadRequest', {
        detail: `the kind in the body (${str(kind, JSON.stringify(kind))}) does not match the kind of the resource (${r.kind})`,
      })
    if (apiVersion !== undefined && apiVersion !== groupVersion(r))
      throw kubeError('BadRequest', {
        detail: `the API version in the data (${str(apiVersion, JSON.stringify(apiVersion))}) does not match the expected API version (${groupVersion(r)})`,
      })
    const meta = metaOf(body)
    if (r.namespaced && typeof meta['namespace'] === 'string' && meta['namespace'] !== namespace)
      throw kubeError('BadRequest', {
        detail:
          'the namespace of the provided object does not match the namespace sent on the request',
      })
    const withNs = r.namespaced ? { ...meta, namespace } : meta
    return { ...body, apiVersion: groupVersion(r), kind: r.kind, metadata: withNs }
  }

  #requireNamespace(namespace: string): void {
    const ns = this.#d.store.kubeObjects.get(this.#d.clusterArn, {
      kind: 'Namespace',
      namespace: '',
      name: namespace,
    })
    if (ns === undefined)
      throw kubeError('NotFound', {
        resource: { group: '', resource: 'namespaces' },
        name: namespace,
      })
  }

  #admit(namespace: string, name: string, pod: JsonObject): JsonObject {
    const defaulted = defaultPod(pod)
    const spec = isObject(defaulted['spec']) ? defaulted['spec'] : {}
    const saName =
      typeof spec['serviceAccountName'] === 'string' ? spec['serviceAccountName'] : 'default'
    const sa = findServiceAccount(this.#d.store, this.#d.clusterArn, namespace, saName, false)
    if (sa === undefined)
      throw kubeError('Forbidden', {
        resource: { group: '', resource: 'pods' },
        name,
        detail: `error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`,
      })
    const automount =
      spec['automountServiceAccountToken'] ?? sa['automountServiceAccountToken'] ?? true
    const mounted = automount === false ? defaulted : withApiAccess(defaulted, suffix(5))
    const admitted = admitPod(mounted, sa, this.#d.mutation()).pod
    return { ...admitted, status: simulatedPodStatus(admitted, this.#d.clock.now()) }
  }

  #ensureNamespace(name: string): void {
    const key = { kind: 'Namespace' as const, namespace: '', name }
    if (this.#d.store.kubeObjects.get(this.#d.clusterArn, key) !== undefined) return
    this.#d.store.kubeObjects.apply(this.#d.clusterArn, {
      ...key,
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    })
  }

  /** A namespace's `default` ServiceAccount and `kube-root-ca.crt`, if missing. */
  #namespaceContents(namespace: string): void {
    const arn = this.#d.clusterArn
    const sa = { kind: 'ServiceAccount' as const, namespace, name: 'default' }
    if (this.#d.store.kubeObjects.get(arn, sa) === undefined)
      this.#d.store.kubeObjects.apply(arn, {
        ...sa,
        object: {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'default', namespace },
        },
      })
    const cm = { kind: 'ConfigMap' as const, namespace, name: 'kube-root-ca.crt' }
    if (this.#d.store.kubeObjects.get(arn, cm) === undefined)
      this.#d.store.kubeObjects.apply(arn, {
        ...cm,
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'kube-root-ca.crt',
            namespace,
            annotations: {
              'kubernetes.io/description':
                'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
            },
          },
          data: { 'ca.crt': this.#d.caPem },
        },
      })
  }
}
