import { roleArn } from './arns.js'
import type { RepoContext, Tag } from './context.js'
import { StoreInUseError } from './errors.js'
import { newUniqueId } from './ids.js'
import { guarded, notFound } from './sqlite-errors.js'
import { tagStatements } from './tags.js'

/** IAM's default `MaxSessionDuration`, in seconds. */
export const DEFAULT_MAX_SESSION_DURATION = 3600

/** An IAM role, as `GetRole` describes it (documents are kept as the text given). */
export interface Role {
  readonly accountId: string
  /** As created; lookups ignore case, as IAM does. */
  readonly name: string
  readonly path: string
  /** `AROA` + 17 characters. */
  readonly roleId: string
  readonly arn: string
  readonly assumeRolePolicyDocument: string
  readonly description?: string
  /** Seconds. */
  readonly maxSessionDuration: number
  readonly permissionsBoundaryArn?: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** In the order first added. */
  readonly tags: readonly Tag[]
}

/** What {@link RoleRepo.create} needs. Validation (lengths, patterns, quotas) is IAM's. */
interface NewRole {
  readonly accountId: string
  readonly name: string
  /** Default `/`. */
  readonly path?: string
  readonly assumeRolePolicyDocument: string
  readonly description?: string
  /** Default {@link DEFAULT_MAX_SESSION_DURATION}. */
  readonly maxSessionDuration?: number
  readonly permissionsBoundaryArn?: string
  readonly tags?: readonly Tag[]
  /** Default: a new `AROA` id for the account. */
  readonly roleId?: string
}

/** What `UpdateRole` changes. `undefined` leaves a field alone; `null` clears the description. */
interface RoleChanges {
  readonly description?: string | null
  readonly maxSessionDuration?: number
}

/** IAM roles, keyed as the IAM API keys them: account and name (case-insensitive). */
export interface RoleRepo {
  /** `StoreConflictError` when the name exists in the account in any case. */
  create(input: NewRole): Role
  get(accountId: string, name: string): Role | undefined
  /** By the role's unique id (`AROA...`), as a session token names it. */
  getById(roleId: string): Role | undefined
  /** The account's roles by name, optionally only those whose path starts with `pathPrefix`. */
  list(accountId: string, options?: { readonly pathPrefix?: string }): Role[]
  count(accountId: string): number
  update(accountId: string, name: string, changes: RoleChanges): Role
  updateAssumeRolePolicy(accountId: string, name: string, document: string): Role
  /** Sets, or with `undefined` removes, the permissions boundary. */
  setPermissionsBoundary(accountId: string, name: string, policyArn: string | undefined): Role
  /**
   * Deletes the role and its tags. Refused with `StoreInUseError` (reason
   * `attached-policies` or `inline-policies`) while policies are attached or embedded,
   * as IAM refuses with `DeleteConflict`.
   */
  delete(accountId: string, name: string): void
  /** Adds tags or replaces their values; keys match case-insensitively. */
  tag(accountId: string, name: string, tags: readonly Tag[]): void
  /** Removes the keys that are present (case-insensitively); absent keys are ignored. */
  untag(accountId: string, name: string, keys: readonly string[]): void
  listTags(accountId: string, name: string): Tag[]
}

interface Row {
  pk: number
  account_id: string
  name: string
  path: string
  role_id: string
  arn: string
  assume_role_policy: string
  description: string | null
  max_session_duration: number
  permissions_boundary_arn: string | null
  created_at: number
}

interface InsertParams {
  account_id: string
  name: string
  path: string
  role_id: string
  arn: string
  assume_role_policy: string
  description: string | null
  max_session_duration: number
  permissions_boundary_arn: string | null
  created_at: number
}

/** Builds the role repository over `ctx`. */
export function createRoleRepo({ db, clock }: RepoContext): RoleRepo {
  const tags = tagStatements(db, 'role_tags')
  const insert = db.prepare<InsertParams>(
    `INSERT INTO roles (account_id, name, path, role_id, arn, assume_role_policy, description,
                        max_session_duration, permissions_boundary_arn, created_at)
     VALUES (@account_id, @name, @path, @role_id, @arn, @assume_role_policy, @description,
             @max_session_duration, @permissions_boundary_arn, @created_at)`,
  )
  const byName = db.prepare<[string, string], Row>(
    'SELECT * FROM roles WHERE account_id = ? AND name = ? COLLATE NOCASE',
  )
  const byId = db.prepare<[string], Row>('SELECT * FROM roles WHERE role_id = ?')
  const byAccount = db.prepare<{ account: string; prefix: string }, Row>(
    `SELECT * FROM roles WHERE account_id = @account AND substr(path, 1, length(@prefix)) = @prefix
     ORDER BY name COLLATE NOCASE, name`,
  )
  const count = db
    .prepare<[string], number>('SELECT count(*) FROM roles WHERE account_id = ?')
    .pluck()
  const setDescription = db.prepare<[string | null, number]>(
    'UPDATE roles SET description = ? WHERE pk = ?',
  )
  const setMaxSession = db.prepare<[number, number]>(
    'UPDATE roles SET max_session_duration = ? WHERE pk = ?',
  )
  const setTrust = db.prepare<[string, number]>(
    'UPDATE roles SET assume_role_policy = ? WHERE pk = ?',
  )
  const setBoundary = db.prepare<[string | null, number]>(
    'UPDATE roles SET permissions_boundary_arn = ? WHERE pk = ?',
  )
  const attachedCount = db
    .prepare<[number], number>('SELECT count(*) FROM role_policy_attachments WHERE role_pk = ?')
    .pluck()
  const inlineCount = db
    .prepare<[number], number>('SELECT count(*) FROM role_inline_policies WHERE role_pk = ?')
    .pluck()
  const remove = db.prepare<[number]>('DELETE FROM roles WHERE pk = ?')

  const toRole = (r: Row): Role => ({
    accountId: r.account_id,
    name: r.name,
    path: r.path,
    roleId: r.role_id,
    arn: r.arn,
    assumeRolePolicyDocument: r.assume_role_policy,
    ...(r.description === null ? {} : { description: r.description }),
    maxSessionDuration: r.max_session_duration,
    ...(r.permissions_boundary_arn === null
      ? {}
      : { permissionsBoundaryArn: r.permissions_boundary_arn }),
    createdAt: r.created_at,
    tags: tags.list(r.pk),
  })
  const row = (accountId: string, name: string): Row => {
    const r = byName.get(accountId, name)
    if (r === undefined) throw notFound('role', name)
    return r
  }
  const reread = (r: Row): Role => toRole(row(r.account_id, r.name))

  const create = db.transaction((input: NewRole): Role => {
    const path = input.path ?? '/'
    insert.run({
      account_id: input.accountId,
      name: input.name,
      path,
      role_id: input.roleId ?? newUniqueId('AROA', input.accountId),
      arn: roleArn(input.accountId, path, input.name),
      assume_role_policy: input.assumeRolePolicyDocument,
      description: input.description ?? null,
      max_session_duration: input.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
      permissions_boundary_arn: input.permissionsBoundaryArn ?? null,
      created_at: clock.now(),
    })
    const r = row(input.accountId, input.name)
    for (const t of input.tags ?? []) tags.put(r.pk, t)
    return toRole(r)
  })
  const update = db.transaction((accountId: string, name: string, c: RoleChanges): Role => {
    const r = row(accountId, name)
    if (c.description !== undefined) setDescription.run(c.description, r.pk)
    if (c.maxSessionDuration !== undefined) setMaxSession.run(c.maxSessionDuration, r.pk)
    return reread(r)
  })
  const updateTrust = db.transaction((accountId: string, name: string, doc: string): Role => {
    const r = row(accountId, name)
    setTrust.run(doc, r.pk)
    return reread(r)
  })
  const boundary = db.transaction(
    (accountId: string, name: string, arn: string | undefined): Role => {
      const r = row(accountId, name)
      setBoundary.run(arn ?? null, r.pk)
      return reread(r)
    },
  )
  const del = db.transaction((accountId: string, name: string): void => {
    const r = row(accountId, name)
    const subject = { entity: 'role' as const, key: r.name }
    if ((attachedCount.get(r.pk) ?? 0) > 0)
      throw new StoreInUseError(`role ${r.name} has attached managed policies`, {
        ...subject,
        reason: 'attached-policies',
      })
    if ((inlineCount.get(r.pk) ?? 0) > 0)
      throw new StoreInUseError(`role ${r.name} has inline policies`, {
        ...subject,
        reason: 'inline-policies',
      })
    remove.run(r.pk)
  })
  const tag = db.transaction((accountId: string, name: string, list: readonly Tag[]): void => {
    const r = row(accountId, name)
    for (const t of list) tags.put(r.pk, t)
  })
  const untag = db.transaction((accountId: string, name: string, keys: readonly string[]): void => {
    const r = row(accountId, name)
    for (const k of keys) tags.remove(r.pk, k)
  })

  const ctx = (op: 'insert' | 'update' | 'delete', accountId: string, name: string) =>
    ({
      entity: 'role',
      key: name,
      op,
      parent: { entity: 'account', key: accountId },
    }) as const

  return {
    create: (input) =>
      guarded(ctx('insert', input.accountId, input.name), () => create.immediate(input)),
    get: (accountId, name) => {
      const r = byName.get(accountId, name)
      return r === undefined ? undefined : toRole(r)
    },
    getById: (roleId) => {
      const r = byId.get(roleId)
      return r === undefined ? undefined : toRole(r)
    },
    list: (accountId, options = {}) =>
      byAccount.all({ account: accountId, prefix: options.pathPrefix ?? '' }).map(toRole),
    count: (accountId) => count.get(accountId) ?? 0,
    update: (accountId, name, changes) =>
      guarded(ctx('update', accountId, name), () => update.immediate(accountId, name, changes)),
    updateAssumeRolePolicy: (accountId, name, doc) =>
      guarded(ctx('update', accountId, name), () => updateTrust.immediate(accountId, name, doc)),
    setPermissionsBoundary: (accountId, name, arn) =>
      guarded(ctx('update', accountId, name), () => boundary.immediate(accountId, name, arn)),
    delete: (accountId, name) => {
      guarded(ctx('delete', accountId, name), () => {
        del.immediate(accountId, name)
      })
    },
    tag: (accountId, name, list) => {
      guarded(ctx('update', accountId, name), () => {
        tag.immediate(accountId, name, list)
      })
    },
    untag: (accountId, name, keys) => {
      guarded(ctx('update', accountId, name), () => {
        untag.immediate(accountId, name, keys)
      })
    },
    listTags: (accountId, name) => tags.list(row(accountId, name).pk),
  }
}
