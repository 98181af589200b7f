import { randomUUID } from 'node:crypto'
import { relaxedCommitter, type RepoContext } from './context.js'
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

/** How many changes of a cluster the change log keeps (older ones are pruned). */
export const KUBE_CHANGES_KEPT = 10_000

/**
 * One entry of a cluster's change log: what happened at `record.resourceVersion` (the
 * cluster's revision then). A DELETED record is the object as it was when deleted.
 */
export interface KubeObjectChangeRecord {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'
  readonly record: KubeObjectRecord
}

/** The changes after a revision, and the floor of the log (older revisions are gone). */
export interface KubeObjectChanges {
  /** Changes at revisions up to this one were pruned: a reader from before it missed some. */
  readonly floor: number
  /** Oldest first; empty when `after` is below `floor`. */
  readonly changes: KubeObjectChangeRecord[]
}

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
  /**
   * The change log after revision `after` (at most `limit` changes, oldest first). Every
   * write and delete adds one change per revision in its own transaction; the log keeps
   * the last {@link KUBE_CHANGES_KEPT} of each cluster.
   */
  changes(clusterArn: string, after: number, limit?: number): KubeObjectChanges
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

/** The schema version that brought the Kubernetes object tables (with their change log). */
const KUBE_OBJECTS_SCHEMA = 4

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
  return { get: fail, list: fail, apply: fail, delete: fail, revision: fail, changes: fail }
}

/**
 * How object writes outside a transaction commit: `normal` (the default) commits with
 * `synchronous=NORMAL`, as the decision log does — a write survives a crash of the
 * process, and after a power loss only those since the last FULL commit or checkpoint can
 * be lost (the WAL is append-only: what survives is a prefix, revisions stay consistent);
 * `full` fsyncs each one.
 */
export type KubeObjectSync = 'normal' | 'full'

/** Builds the Kubernetes object repository over `ctx`. */
export function createKubeObjectRepo(
  { db, clock }: RepoContext,
  sync: KubeObjectSync = 'normal',
): KubeObjectRepo {
  const relaxedCommit = relaxedCommitter(db, sync)
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
  const bumpRevision = db.prepare<[number], { revision: number; compacted: number }>(
    `INSERT INTO kube_revisions (cluster_pk, revision, compacted) VALUES (?, 1, 0)
     ON CONFLICT (cluster_pk) DO UPDATE
       SET revision = revision + 1, compacted = max(compacted, revision + 1 - ${String(KUBE_CHANGES_KEPT)})
     RETURNING revision, compacted`,
  )
  const logChange = db.prepare<
    [number, number, string, string, string, string, string, number, number, string]
  >(
    `INSERT INTO kube_changes
       (cluster_pk, revision, type, kind, namespace, name, uid, created_at, updated_at, object)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const prune = db.prepare<[number, number]>(
    'DELETE FROM kube_changes WHERE cluster_pk = ? AND revision <= ?',
  )
  const pruned = new Map<number, number>()
  /** The cluster's next revision, with the log pruned to its bound. */
  const bump = (pk: number): number => {
    const r = bumpRevision.get(pk)
    if (r === undefined) throw notFound('cluster', String(pk))
    if (r.compacted > (pruned.get(pk) ?? -1)) {
      prune.run(pk, r.compacted)
      pruned.set(pk, r.compacted)
    }
    return r.revision
  }
  const changeRows = db.prepare<
    [string, number, number],
    Row & { type: KubeObjectChangeRecord['type']; revision: number }
  >(
    `SELECT c.arn AS cluster_arn, k.type, k.revision, k.kind, k.namespace, k.name, k.uid,
       k.revision AS resource_version, k.created_at, k.updated_at, k.object
     FROM kube_changes k JOIN clusters c ON c.pk = k.cluster_pk
     WHERE c.arn = ? AND k.revision > ? ORDER BY k.revision LIMIT ?`,
  )
  const floorOf = db
    .prepare<[string], number>(
      'SELECT r.compacted FROM kube_revisions r JOIN clusters c ON c.pk = r.cluster_pk WHERE c.arn = ?',
    )
    .pluck()
  const rowOf = db.prepare<[number, string, string, string], Omit<Row, 'cluster_arn'>>(
    `SELECT kind, namespace, name, uid, resource_version, created_at, updated_at, object
     FROM kube_objects WHERE cluster_pk = ? AND kind = ? AND namespace = ? AND name = ?`,
  )
  const namespaced = db.prepare<[number, string], Omit<Row, 'cluster_arn'>>(
    `SELECT kind, namespace, name, uid, resource_version, created_at, updated_at, object
     FROM kube_objects WHERE cluster_pk = ? AND kind <> 'Namespace' AND namespace = ?
     ORDER BY kind, name`,
  )
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
      const revision = bump(pk)
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
      logChange.run(
        pk,
        revision,
        before === undefined ? 'ADDED' : 'MODIFIED',
        record.kind,
        record.namespace,
        record.name,
        record.uid,
        record.createdAt,
        record.updatedAt,
        text,
      )
      return { record, change: before === undefined ? 'created' : 'configured' }
    },
  )
  /** Deletes one stored row at the next revision and logs it as DELETED. */
  const remove = (pk: number, r: Omit<Row, 'cluster_arn'>): void => {
    removeOne.run(pk, r.kind, r.namespace, r.name)
    const revision = bump(pk)
    logChange.run(
      pk,
      revision,
      'DELETED',
      r.kind,
      r.namespace,
      r.name,
      r.uid,
      r.created_at,
      clock.now(),
      r.object,
    )
  }
  const del = db.transaction((arn: string, key: KubeObjectKey): boolean => {
    const pk = pkOf(arn)
    const row = rowOf.get(pk, key.kind, key.namespace, key.name)
    if (row === undefined) return false
    if (key.kind === 'Namespace') for (const r of namespaced.all(pk, key.name)) remove(pk, r)
    remove(pk, row)
    return true
  })

  return {
    get: read,
    revision: (arn) => revisionOf.get(arn) ?? 0,
    changes: (arn, after, limit = KUBE_CHANGES_KEPT) => {
      const floor = floorOf.get(arn) ?? 0
      if (after < floor) return { floor, changes: [] }
      return {
        floor,
        changes: changeRows.all(arn, after, limit).map((r) => ({
          type: r.type,
          record: toRecord(r),
        })),
      }
    },
    list: (arn, kind, namespace) => some.all({ arn, kind, ns: namespace ?? null }).map(toRecord),
    apply: (arn, input, expect) =>
      guarded(
        {
          entity: 'kubeObject',
          key: label(input),
          op: 'insert',
          parent: { entity: 'cluster', key: arn },
        },
        () => relaxedCommit(() => apply.immediate(arn, input, expect)),
      ),
    delete: (arn, key) =>
      guarded({ entity: 'kubeObject', key: label(key), op: 'delete' }, () =>
        relaxedCommit(() => del.immediate(arn, key)),
      ),
  }
}
