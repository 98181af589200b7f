import { randomUUID } from 'node:crypto'
import type { RepoContext } from './context.js'
import { StoreConflictError, StoreError } from './errors.js'
import { guarded, notFound } from './sqlite-errors.js'

/** The kinds of Kubernetes objects a local cluster keeps. */
export type KubeObjectKind =
  'Namespace' | 'ServiceAccount' | 'Pod' | 'ConfigMap' | 'Secret' | 'Event' | 'Deployment'

/** Which object: a Namespace has namespace `''`. */
interface KubeObjectKey {
  readonly kind: KubeObjectKind
  readonly namespace: string
  readonly name: string
}

/** One stored object, with the fields the API server would own. */
export interface KubeObjectRecord extends KubeObjectKey {
  readonly clusterArn: string
  /** A random UUID given at creation, kept across updates. */
  readonly uid: string
  /** The cluster's revision when the object last changed (1, 2, ...). */
  readonly resourceVersion: number
  /** Epoch milliseconds: creation, last change. */
  readonly createdAt: number
  readonly updatedAt: number
  /** The object as the caller gave it (JSON). */
  readonly object: Readonly<Record<string, unknown>>
}

/**
 * What a write expects to find: nothing (a create: an existing object is a
 * `StoreConflictError`), or an object (an update: none is a `StoreNotFoundError`), at
 * `resourceVersion` when given (another is a `StoreConflictError`).
 */
export type KubeObjectPrecondition =
  { readonly exists: false } | { readonly exists: true; readonly resourceVersion?: number }

/** What {@link KubeObjectRepo.apply} did, in `kubectl apply`'s words. */
export type KubeObjectChange = 'created' | 'configured' | 'unchanged'

/**
 * The Kubernetes objects of local clusters, by cluster ARN. Writes are create-or-replace
 * (`apply`): an object equal to the stored one (as canonical JSON) writes nothing.
 */
export interface KubeObjectRepo {
  get(clusterArn: string, key: KubeObjectKey): KubeObjectRecord | undefined
  /** The objects of one kind, in one namespace or all, by namespace then name. */
  list(clusterArn: string, kind: KubeObjectKind, namespace?: string): KubeObjectRecord[]
  /**
   * Creates the object or replaces its stored JSON; the uid and creation time stay. A
   * change takes the cluster's next revision as resourceVersion. Throws
   * `StoreNotFoundError` for an unknown cluster. With `expect`, the write happens only
   * if the object is (or is not) there as expected.
   */
  apply(
    clusterArn: string,
    input: KubeObjectKey & { readonly object: Readonly<Record<string, unknown>> },
    expect?: KubeObjectPrecondition,
  ): { readonly record: KubeObjectRecord; readonly change: KubeObjectChange }
  /** Deletes the object (a Namespace with everything in it); whether it was there. */
  delete(clusterArn: string, key: KubeObjectKey): boolean
  /** The cluster's revision: the resourceVersion of its newest change (0 before any). */
  revision(clusterArn: string): number
}

interface Row {
  cluster_arn: string
  kind: KubeObjectKind
  namespace: string
  name: string
  uid: string
  resource_version: number
  created_at: number
  updated_at: number
  object: string
}

/** JSON with object keys sorted at every level: equal objects give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}

function toRecord(r: Row): KubeObjectRecord {
  return {
    clusterArn: r.cluster_arn,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    uid: r.uid,
    resourceVersion: r.resource_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    object: JSON.parse(r.object) as Record<string, unknown>,
  }
}

function label(key: KubeObjectKey): string {
  return key.namespace === ''
    ? `${key.kind} ${key.name}`
    : `${key.kind} ${key.namespace}/${key.name}`
}

/** The schema version that brought the Kubernetes object tables. */
const KUBE_OBJECTS_SCHEMA = 2

/**
 * The repository of a store opened with an older migration list (tests of migrations
 * only): every call fails, since the tables are not there to prepare statements on.
 */
export function missingKubeObjectRepo(version: number): KubeObjectRepo {
  const fail = (): never => {
    throw new StoreError(
      'ERR_STORE_FAILED',
      `Kubernetes objects need schema version ${String(KUBE_OBJECTS_SCHEMA)}; this store has ${String(version)}`,
    )
  }
  return { get: fail, list: fail, apply: fail, delete: fail, revision: fail }
}

/** Builds the Kubernetes object repository over `ctx`. */
export function createKubeObjectRepo({ db, clock }: RepoContext): KubeObjectRepo {
  const cols = `c.arn AS cluster_arn, o.kind, o.namespace, o.name, o.uid, o.resource_version,
    o.created_at, o.updated_at, o.object FROM kube_objects o JOIN clusters c ON c.pk = o.cluster_pk`
  const clusterPk = db.prepare<[string], number>('SELECT pk FROM clusters WHERE arn = ?').pluck()
  const one = db.prepare<[string, string, string, string], Row>(
    `SELECT ${cols} WHERE c.arn = ? AND o.kind = ? AND o.namespace = ? AND o.name = ?`,
  )
  const some = db.prepare<{ arn: string; kind: string; ns: string | null }, Row>(
    `SELECT ${cols} WHERE c.arn = @arn AND o.kind = @kind AND (@ns IS NULL OR o.namespace = @ns)
     ORDER BY o.namespace, o.name`,
  )
  const bump = db
    .prepare<[number], number>(
      `INSERT INTO kube_revisions (cluster_pk, revision) VALUES (?, 1)
       ON CONFLICT (cluster_pk) DO UPDATE SET revision = revision + 1 RETURNING revision`,
    )
    .pluck()
  const insert = db.prepare<
    [number, string, string, string, string, number, number, number, string]
  >(
    `INSERT INTO kube_objects
       (cluster_pk, kind, namespace, name, uid, resource_version, created_at, updated_at, object)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const update = db.prepare<[number, number, string, number, string, string, string]>(
    `UPDATE kube_objects SET resource_version = ?, updated_at = ?, object = ?
     WHERE cluster_pk = ? AND kind = ? AND namespace = ? AND name = ?`,
  )
  const current = db
    .prepare<[number, string, string, string], string>(
      'SELECT object FROM kube_objects WHERE cluster_pk = ? AND kind = ? AND namespace = ? AND name = ?',
    )
    .pluck()
  const removeOne = db.prepare<[number, string, string, string]>(
    'DELETE FROM kube_objects WHERE cluster_pk = ? AND kind = ? AND namespace = ? AND name = ?',
  )
  const removeNamespaced = db.prepare<[number, string]>(
    "DELETE FROM kube_objects WHERE cluster_pk = ? AND kind <> 'Namespace' AND namespace = ?",
  )

  const revisionOf = db
    .prepare<[string], number>(
      'SELECT r.revision FROM kube_revisions r JOIN clusters c ON c.pk = r.cluster_pk WHERE c.arn = ?',
    )
    .pluck()
  const pkOf = (arn: string): number => {
    const pk = clusterPk.get(arn)
    if (pk === undefined) throw notFound('cluster', arn)
    return pk
  }
  const read = (arn: string, key: KubeObjectKey): KubeObjectRecord | undefined => {
    const r = one.get(arn, key.kind, key.namespace, key.name)
    return r === undefined ? undefined : toRecord(r)
  }

  const currentVersion = db
    .prepare<[number, string, string, string], number>(
      'SELECT resource_version FROM kube_objects WHERE cluster_pk = ? AND kind = ? AND namespace = ? AND name = ?',
    )
    .pluck()
  const check = (
    pk: number,
    key: KubeObjectKey,
    expect: KubeObjectPrecondition | undefined,
  ): void => {
    if (expect === undefined) return
    const version = currentVersion.get(pk, key.kind, key.namespace, key.name)
    if (!expect.exists && version !== undefined)
      throw new StoreConflictError(`${label(key)} already exists`, {
        entity: 'kubeObject',
        key: label(key),
      })
    if (expect.exists && version === undefined) throw notFound('kubeObject', label(key))
    if (expect.exists && expect.resourceVersion !== undefined && expect.resourceVersion !== version)
      throw new StoreConflictError(
        `${label(key)} is at resourceVersion ${String(version)}, not ${String(expect.resourceVersion)}`,
        { entity: 'kubeObject', key: label(key) },
      )
  }

  const apply = db.transaction(
    (
      arn: string,
      input: KubeObjectKey & { readonly object: Readonly<Record<string, unknown>> },
      expect: KubeObjectPrecondition | undefined,
    ): { record: KubeObjectRecord; change: KubeObjectChange } => {
      const pk = pkOf(arn)
      check(pk, input, expect)
      const text = canonicalJson(input.object)
      const before = current.get(pk, input.kind, input.namespace, input.name)
      if (before === text) {
        const record = read(arn, input)
        if (record !== undefined) return { record, change: 'unchanged' }
      }
      const revision = bump.get(pk) ?? 1
      const now = clock.now()
      if (before === undefined) {
        insert.run(
          pk,
          input.kind,
          input.namespace,
          input.name,
          randomUUID(),
          revision,
          now,
          now,
          text,
        )
      } else {
        update.run(revision, now, text, pk, input.kind, input.namespace, input.name)
      }
      const record = read(arn, input)
      if (record === undefined) throw notFound('kubeObject', label(input))
      return { record, change: before === undefined ? 'created' : 'configured' }
    },
  )
  const del = db.transaction((arn: string, key: KubeObjectKey): boolean => {
    const pk = pkOf(arn)
    const gone = removeOne.run(pk, key.kind, key.namespace, key.name).changes > 0
    if (gone && key.kind === 'Namespace') removeNamespaced.run(pk, key.name)
    if (gone) bump.get(pk)
    return gone
  })

  return {
    get: read,
    revision: (arn) => revisionOf.get(arn) ?? 0,
    list: (arn, kind, namespace) => some.all({ arn, kind, ns: namespace ?? null }).map(toRecord),
    apply: (arn, input, expect) =>
      guarded(
        {
          entity: 'kubeObject',
          key: label(input),
          op: 'insert',
          parent: { entity: 'cluster', key: arn },
        },
        () => apply.immediate(arn, input, expect),
      ),
    delete: (arn, key) =>
      guarded({ entity: 'kubeObject', key: label(key), op: 'delete' }, () =>
        del.immediate(arn, key),
      ),
  }
}
