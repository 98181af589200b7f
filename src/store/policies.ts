import { AWS_MANAGED, policyArn } from './arns.js'
import type { RepoContext, Tag } from './context.js'
import { StoreInUseError, StoreLimitError } from './errors.js'
import { newUniqueId } from './ids.js'
import { guarded, notFound } from './sqlite-errors.js'
import { tagStatements } from './tags.js'

/** IAM keeps at most five versions of a managed policy (a hard limit, not adjustable). */
export const MAX_POLICY_VERSIONS = 5

/** A managed policy, as `GetPolicy` describes it. */
export interface ManagedPolicy {
  /** The owning account, or {@link AWS_MANAGED} (`aws`) for an AWS managed policy. */
  readonly accountId: string
  readonly name: string
  readonly path: string
  /** `ANPA` + 17 characters. */
  readonly policyId: string
  readonly arn: string
  readonly description?: string
  /** `v1`, `v2`, ... */
  readonly defaultVersionId: string
  /** Roles the policy is attached to. */
  readonly attachmentCount: number
  /** Roles that use it as their permissions boundary. */
  readonly permissionsBoundaryUsageCount: number
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds: when the newest existing version was created. */
  readonly updatedAt: number
  readonly tags: readonly Tag[]
}

/** One version of a managed policy, as `GetPolicyVersion` describes it. */
export interface PolicyVersion {
  readonly policyArn: string
  /** `v1`, `v2`, ... Never reused after a version is deleted. */
  readonly versionId: string
  readonly document: string
  readonly isDefaultVersion: boolean
  /** Epoch milliseconds. */
  readonly createdAt: number
}

/** What {@link PolicyRepo.create} needs. Validation and quotas are IAM's. */
interface NewPolicy {
  /** A 12-digit account, or {@link AWS_MANAGED} to seed an AWS managed policy. */
  readonly accountId: string
  readonly name: string
  /** Default `/`. */
  readonly path?: string
  /** The document of `v1`, the default version. */
  readonly document: string
  readonly description?: string
  readonly tags?: readonly Tag[]
  /** Default: a new `ANPA` id. */
  readonly policyId?: string
}

/** Managed policies and their versions, keyed by ARN as the IAM API keys them. */
export interface PolicyRepo {
  /** Creates the policy with `v1` as its default version. Names are unique per account, any case. */
  create(input: NewPolicy): ManagedPolicy
  get(arn: string): ManagedPolicy | undefined
  /** The account's (or `aws`'s) policies by name. */
  list(
    accountId: string,
    options?: { readonly pathPrefix?: string; readonly onlyAttached?: boolean },
  ): ManagedPolicy[]
  count(accountId: string): number
  /**
   * Deletes the policy, its default version and tags. Refused with `StoreInUseError` while
   * it is attached (`attachments`) or has other versions (`non-default-versions`), as IAM.
   */
  delete(arn: string): void
  /**
   * Adds the next version (`vN`, N one above the highest ever created). Refused with
   * `StoreLimitError` when the policy already has {@link MAX_POLICY_VERSIONS} versions.
   */
  createVersion(
    arn: string,
    document: string,
    options?: { readonly setAsDefault?: boolean },
  ): PolicyVersion
  getVersion(arn: string, versionId: string): PolicyVersion | undefined
  /** Newest first. */
  listVersions(arn: string): PolicyVersion[]
  countVersions(arn: string): number
  /** Refused with `StoreInUseError` (`default-version`) for the default version. */
  deleteVersion(arn: string, versionId: string): void
  setDefaultVersion(arn: string, versionId: string): ManagedPolicy
  /** Adds tags or replaces values; keys are case-sensitive. */
  tag(arn: string, tags: readonly Tag[]): void
  untag(arn: string, keys: readonly string[]): void
  listTags(arn: string): Tag[]
}

interface Row {
  pk: number
  account_id: string | null
  name: string
  path: string
  policy_id: string
  arn: string
  description: string | null
  default_version: number
  next_version: number
  created_at: number
  updated_at: number
  attachment_count: number
  boundary_count: number
}

interface VersionRow {
  arn: string
  version: number
  document: string
  default_version: number
  created_at: number
}

interface InsertParams {
  account_id: string | null
  name: string
  path: string
  policy_id: string
  arn: string
  description: string | null
  created_at: number
}

const VERSION_RE = /^v([1-9]\d{0,8})$/

/** `v3` → 3; `undefined` for anything else. */
export function parseVersionId(versionId: string): number | undefined {
  const m = VERSION_RE.exec(versionId)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

const SELECT = `
  SELECT p.*,
    (SELECT count(*) FROM role_policy_attachments a WHERE a.policy_pk = p.pk) AS attachment_count,
    (SELECT count(*) FROM roles r WHERE r.permissions_boundary_arn = p.arn) AS boundary_count,
    (SELECT max(v.created_at) FROM policy_versions v WHERE v.policy_pk = p.pk) AS updated_at
  FROM policies p`

/** Builds the managed policy repository over `ctx`. */
export function createPolicyRepo({ db, clock }: RepoContext): PolicyRepo {
  const tags = tagStatements(db, 'policy_tags')
  const owner = (accountId: string): string | null => (accountId === AWS_MANAGED ? null : accountId)
  const insert = db.prepare<InsertParams>(
    `INSERT INTO policies (account_id, name, path, policy_id, arn, description,
                           default_version, next_version, created_at)
     VALUES (@account_id, @name, @path, @policy_id, @arn, @description, 1, 2, @created_at)`,
  )
  const insertVersion = db.prepare<[number, number, string, number]>(
    'INSERT INTO policy_versions (policy_pk, version, document, created_at) VALUES (?, ?, ?, ?)',
  )
  const byArn = db.prepare<[string], Row>(`${SELECT} WHERE p.arn = ?`)
  const byAccount = db.prepare<{ account: string | null; prefix: string; attached: number }, Row>(
    `${SELECT} WHERE p.account_id IS @account AND substr(p.path, 1, length(@prefix)) = @prefix
       AND (@attached = 0 OR EXISTS (SELECT 1 FROM role_policy_attachments a WHERE a.policy_pk = p.pk))
     ORDER BY p.name COLLATE NOCASE, p.name`,
  )
  const count = db
    .prepare<[string | null], number>('SELECT count(*) FROM policies WHERE account_id IS ?')
    .pluck()
  const versionCount = db
    .prepare<[number], number>('SELECT count(*) FROM policy_versions WHERE policy_pk = ?')
    .pluck()
  const versions = db.prepare<[number], VersionRow>(
    `SELECT p.arn, v.version, v.document, p.default_version, v.created_at
     FROM policy_versions v JOIN policies p ON p.pk = v.policy_pk
     WHERE v.policy_pk = ? ORDER BY v.version DESC`,
  )
  const version = db.prepare<[number, number], VersionRow>(
    `SELECT p.arn, v.version, v.document, p.default_version, v.created_at
     FROM policy_versions v JOIN policies p ON p.pk = v.policy_pk
     WHERE v.policy_pk = ? AND v.version = ?`,
  )
  const bumpNext = db.prepare<[number, number]>('UPDATE policies SET next_version = ? WHERE pk = ?')
  const setDefault = db.prepare<[number, number]>(
    'UPDATE policies SET default_version = ? WHERE pk = ?',
  )
  const removeVersion = db.prepare<[number, number]>(
    'DELETE FROM policy_versions WHERE policy_pk = ? AND version = ?',
  )
  const remove = db.prepare<[number]>('DELETE FROM policies WHERE pk = ?')

  const toPolicy = (r: Row): ManagedPolicy => ({
    accountId: r.account_id ?? AWS_MANAGED,
    name: r.name,
    path: r.path,
    policyId: r.policy_id,
    arn: r.arn,
    ...(r.description === null ? {} : { description: r.description }),
    defaultVersionId: `v${String(r.default_version)}`,
    attachmentCount: r.attachment_count,
    permissionsBoundaryUsageCount: r.boundary_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    tags: tags.list(r.pk),
  })
  const toVersion = (v: VersionRow): PolicyVersion => ({
    policyArn: v.arn,
    versionId: `v${String(v.version)}`,
    document: v.document,
    isDefaultVersion: v.version === v.default_version,
    createdAt: v.created_at,
  })
  const row = (arn: string): Row => {
    const r = byArn.get(arn)
    if (r === undefined) throw notFound('policy', arn)
    return r
  }
  const versionOf = (r: Row, versionId: string): VersionRow => {
    const n = parseVersionId(versionId)
    const v = n === undefined ? undefined : version.get(r.pk, n)
    if (v === undefined) throw notFound('policyVersion', `${r.arn} ${versionId}`)
    return v
  }

  const create = db.transaction((input: NewPolicy): ManagedPolicy => {
    const path = input.path ?? '/'
    const arn = policyArn(input.accountId, path, input.name)
    const now = clock.now()
    const idAccount = input.accountId === AWS_MANAGED ? '000000000000' : input.accountId
    const { lastInsertRowid } = insert.run({
      account_id: owner(input.accountId),
      name: input.name,
      path,
      policy_id: input.policyId ?? newUniqueId('ANPA', idAccount),
      arn,
      description: input.description ?? null,
      created_at: now,
    })
    const pk = Number(lastInsertRowid)
    insertVersion.run(pk, 1, input.document, now)
    for (const t of input.tags ?? []) tags.put(pk, t)
    return toPolicy(row(arn))
  })
  const del = db.transaction((arn: string): void => {
    const r = row(arn)
    if (r.attachment_count > 0)
      throw new StoreInUseError(
        `policy ${arn} is attached to ${String(r.attachment_count)} roles`,
        {
          entity: 'policy',
          key: arn,
          reason: 'attachments',
        },
      )
    if ((versionCount.get(r.pk) ?? 0) > 1)
      throw new StoreInUseError(`policy ${arn} has versions other than the default`, {
        entity: 'policy',
        key: arn,
        reason: 'non-default-versions',
      })
    remove.run(r.pk)
  })
  const createVersion = db.transaction(
    (arn: string, document: string, setAsDefault: boolean): PolicyVersion => {
      const r = row(arn)
      if ((versionCount.get(r.pk) ?? 0) >= MAX_POLICY_VERSIONS)
        throw new StoreLimitError(
          `policy ${arn} already has ${String(MAX_POLICY_VERSIONS)} versions`,
          { entity: 'policyVersion', key: arn, limit: MAX_POLICY_VERSIONS },
        )
      const n = r.next_version
      insertVersion.run(r.pk, n, document, clock.now())
      bumpNext.run(n + 1, r.pk)
      if (setAsDefault) setDefault.run(n, r.pk)
      return toVersion(versionOf(r, `v${String(n)}`))
    },
  )
  const deleteVersion = db.transaction((arn: string, versionId: string): void => {
    const r = row(arn)
    const v = versionOf(r, versionId)
    if (v.version === r.default_version)
      throw new StoreInUseError(`${versionId} is the default version of policy ${arn}`, {
        entity: 'policyVersion',
        key: `${arn} ${versionId}`,
        reason: 'default-version',
      })
    removeVersion.run(r.pk, v.version)
  })
  const setDefaultVersion = db.transaction((arn: string, versionId: string): ManagedPolicy => {
    const r = row(arn)
    setDefault.run(versionOf(r, versionId).version, r.pk)
    return toPolicy(row(arn))
  })
  const tag = db.transaction((arn: string, list: readonly Tag[]): void => {
    const r = row(arn)
    for (const t of list) tags.put(r.pk, t)
  })
  const untag = db.transaction((arn: string, keys: readonly string[]): void => {
    const r = row(arn)
    for (const k of keys) tags.remove(r.pk, k)
  })

  const ctx = (op: 'insert' | 'update' | 'delete', key: string) =>
    ({ entity: 'policy', key, op }) as const

  return {
    create: (input) =>
      guarded(
        {
          entity: 'policy',
          key: input.name,
          op: 'insert',
          parent: { entity: 'account', key: input.accountId },
        },
        () => create.immediate(input),
      ),
    get: (arn) => {
      const r = byArn.get(arn)
      return r === undefined ? undefined : toPolicy(r)
    },
    list: (accountId, options = {}) =>
      byAccount
        .all({
          account: owner(accountId),
          prefix: options.pathPrefix ?? '',
          attached: options.onlyAttached === true ? 1 : 0,
        })
        .map(toPolicy),
    count: (accountId) => count.get(owner(accountId)) ?? 0,
    delete: (arn) => {
      guarded(ctx('delete', arn), () => {
        del.immediate(arn)
      })
    },
    createVersion: (arn, document, options = {}) =>
      guarded({ entity: 'policyVersion', key: arn, op: 'insert' }, () =>
        createVersion.immediate(arn, document, options.setAsDefault === true),
      ),
    getVersion: (arn, versionId) => {
      const r = byArn.get(arn)
      const n = parseVersionId(versionId)
      if (r === undefined || n === undefined) return undefined
      const v = version.get(r.pk, n)
      return v === undefined ? undefined : toVersion(v)
    },
    listVersions: (arn) => versions.all(row(arn).pk).map(toVersion),
    countVersions: (arn) => versionCount.get(row(arn).pk) ?? 0,
    deleteVersion: (arn, versionId) => {
      guarded({ entity: 'policyVersion', key: `${arn} ${versionId}`, op: 'delete' }, () => {
        deleteVersion.immediate(arn, versionId)
      })
    },
    setDefaultVersion: (arn, versionId) =>
      guarded(ctx('update', arn), () => setDefaultVersion.immediate(arn, versionId)),
    tag: (arn, list) => {
      guarded(ctx('update', arn), () => {
        tag.immediate(arn, list)
      })
    },
    untag: (arn, keys) => {
      guarded(ctx('update', arn), () => {
        untag.immediate(arn, keys)
      })
    },
    listTags: (arn) => tags.list(row(arn).pk),
  }
}
