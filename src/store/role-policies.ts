import type { RepoContext } from './context.js'
import { guarded, notFound } from './sqlite-errors.js'

/** A managed policy attached to a role, as `ListAttachedRolePolicies` lists it. */
interface AttachedPolicy {
  readonly policyName: string
  readonly policyArn: string
}

/** A role that a managed policy is attached to (`ListEntitiesForPolicy`). */
interface PolicyRoleAttachment {
  readonly accountId: string
  readonly roleName: string
  readonly roleId: string
}

/** An inline policy embedded in a role (`GetRolePolicy`). */
interface InlinePolicy {
  readonly roleName: string
  readonly policyName: string
  readonly document: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  /** Epoch milliseconds of the last `PutRolePolicy`. */
  readonly updatedAt: number
}

/** Every identity policy document of a role, for the policy engine, read in one transaction. */
interface RolePolicyDocuments {
  readonly inline: readonly { readonly name: string; readonly document: string }[]
  /** Each attached policy's default version. */
  readonly managed: readonly {
    readonly arn: string
    readonly name: string
    readonly versionId: string
    readonly document: string
  }[]
}

/** Managed-policy attachments and inline policies of roles. */
export interface RolePolicyRepo {
  /**
   * Attaches a managed policy of the role's account (or an AWS managed one). Returns
   * false when it was already attached (IAM treats that as success). `StoreNotFoundError`
   * for a missing role, or a policy that is missing or belongs to another account.
   */
  attach(accountId: string, roleName: string, policyArn: string): boolean
  /** `StoreNotFoundError` (entity `attachment`) when the policy is not attached. */
  detach(accountId: string, roleName: string, policyArn: string): void
  /** By policy name. */
  listAttached(accountId: string, roleName: string): AttachedPolicy[]
  countAttached(accountId: string, roleName: string): number
  /** The roles a policy is attached to, by account and role name. */
  listRolesFor(policyArn: string): PolicyRoleAttachment[]
  /** Creates or replaces the inline policy `policyName` (names are case-sensitive). */
  putInline(accountId: string, roleName: string, policyName: string, document: string): InlinePolicy
  getInline(accountId: string, roleName: string, policyName: string): InlinePolicy | undefined
  /** By policy name. */
  listInline(accountId: string, roleName: string): InlinePolicy[]
  countInline(accountId: string, roleName: string): number
  /** `StoreNotFoundError` (entity `inlinePolicy`) when there is no such policy. */
  deleteInline(accountId: string, roleName: string, policyName: string): void
  /** All of a role's identity policies: inline documents and attached default versions. */
  documents(accountId: string, roleName: string): RolePolicyDocuments
}

interface RoleRef {
  pk: number
  name: string
  account_id: string
}

interface InlineRow {
  name: string
  document: string
  created_at: number
  updated_at: number
}

/** Builds the role policy repository over `ctx`. */
export function createRolePolicyRepo({ db, clock }: RepoContext): RolePolicyRepo {
  const role = db.prepare<[string, string], RoleRef>(
    'SELECT pk, name, account_id FROM roles WHERE account_id = ? AND name = ? COLLATE NOCASE',
  )
  const policy = db.prepare<[string, string], { pk: number }>(
    'SELECT pk FROM policies WHERE arn = ? AND (account_id IS NULL OR account_id = ?)',
  )
  const attach = db.prepare<[number, number, number]>(
    `INSERT INTO role_policy_attachments (role_pk, policy_pk, attached_at) VALUES (?, ?, ?)
     ON CONFLICT DO NOTHING`,
  )
  const detach = db.prepare<[number, string]>(
    `DELETE FROM role_policy_attachments
     WHERE role_pk = ? AND policy_pk = (SELECT pk FROM policies WHERE arn = ?)`,
  )
  const attached = db.prepare<[number], AttachedPolicy>(
    `SELECT p.name AS policyName, p.arn AS policyArn
     FROM role_policy_attachments a JOIN policies p ON p.pk = a.policy_pk
     WHERE a.role_pk = ? ORDER BY p.name COLLATE NOCASE, p.name`,
  )
  const attachedCount = db
    .prepare<[number], number>('SELECT count(*) FROM role_policy_attachments WHERE role_pk = ?')
    .pluck()
  const rolesFor = db.prepare<[string], PolicyRoleAttachment>(
    `SELECT r.account_id AS accountId, r.name AS roleName, r.role_id AS roleId
     FROM role_policy_attachments a
       JOIN roles r ON r.pk = a.role_pk
       JOIN policies p ON p.pk = a.policy_pk
     WHERE p.arn = ? ORDER BY r.account_id, r.name COLLATE NOCASE`,
  )
  const managedDocs = db.prepare<
    [number],
    { arn: string; name: string; version: number; document: string }
  >(
    `SELECT p.arn, p.name, v.version, v.document
     FROM role_policy_attachments a
       JOIN policies p ON p.pk = a.policy_pk
       JOIN policy_versions v ON v.policy_pk = p.pk AND v.version = p.default_version
     WHERE a.role_pk = ? ORDER BY p.name COLLATE NOCASE, p.name`,
  )
  const putInline = db.prepare<{ role: number; name: string; document: string; now: number }>(
    `INSERT INTO role_inline_policies (role_pk, name, document, created_at, updated_at)
     VALUES (@role, @name, @document, @now, @now)
     ON CONFLICT (role_pk, name) DO UPDATE SET document = excluded.document,
       updated_at = excluded.updated_at`,
  )
  const inline = db.prepare<[number, string], InlineRow>(
    'SELECT name, document, created_at, updated_at FROM role_inline_policies WHERE role_pk = ? AND name = ?',
  )
  const inlineAll = db.prepare<[number], InlineRow>(
    'SELECT name, document, created_at, updated_at FROM role_inline_policies WHERE role_pk = ? ORDER BY name',
  )
  const inlineCount = db
    .prepare<[number], number>('SELECT count(*) FROM role_inline_policies WHERE role_pk = ?')
    .pluck()
  const deleteInline = db.prepare<[number, string]>(
    'DELETE FROM role_inline_policies WHERE role_pk = ? AND name = ?',
  )

  const roleRow = (accountId: string, name: string): RoleRef => {
    const r = role.get(accountId, name)
    if (r === undefined) throw notFound('role', name)
    return r
  }
  const toInline = (r: RoleRef, i: InlineRow): InlinePolicy => ({
    roleName: r.name,
    policyName: i.name,
    document: i.document,
    createdAt: i.created_at,
    updatedAt: i.updated_at,
  })

  const attachTx = db.transaction((accountId: string, roleName: string, arn: string): boolean => {
    const r = roleRow(accountId, roleName)
    const p = policy.get(arn, r.account_id)
    if (p === undefined) throw notFound('policy', arn)
    return attach.run(r.pk, p.pk, clock.now()).changes > 0
  })
  const detachTx = db.transaction((accountId: string, roleName: string, arn: string): void => {
    const r = roleRow(accountId, roleName)
    if (detach.run(r.pk, arn).changes === 0) throw notFound('attachment', arn)
  })
  const putTx = db.transaction(
    (accountId: string, roleName: string, name: string, doc: string): InlinePolicy => {
      const r = roleRow(accountId, roleName)
      putInline.run({ role: r.pk, name, document: doc, now: clock.now() })
      const i = inline.get(r.pk, name)
      if (i === undefined) throw notFound('inlinePolicy', name)
      return toInline(r, i)
    },
  )
  const deleteTx = db.transaction((accountId: string, roleName: string, name: string): void => {
    const r = roleRow(accountId, roleName)
    if (deleteInline.run(r.pk, name).changes === 0) throw notFound('inlinePolicy', name)
  })
  const documentsTx = db.transaction((accountId: string, roleName: string): RolePolicyDocuments => {
    const r = roleRow(accountId, roleName)
    return {
      inline: inlineAll.all(r.pk).map((i) => ({ name: i.name, document: i.document })),
      managed: managedDocs.all(r.pk).map((m) => ({
        arn: m.arn,
        name: m.name,
        versionId: `v${String(m.version)}`,
        document: m.document,
      })),
    }
  })

  return {
    attach: (accountId, roleName, arn) =>
      guarded({ entity: 'attachment', key: arn, op: 'insert' }, () =>
        attachTx.immediate(accountId, roleName, arn),
      ),
    detach: (accountId, roleName, arn) => {
      guarded({ entity: 'attachment', key: arn, op: 'delete' }, () => {
        detachTx.immediate(accountId, roleName, arn)
      })
    },
    listAttached: (accountId, roleName) => attached.all(roleRow(accountId, roleName).pk),
    countAttached: (accountId, roleName) => attachedCount.get(roleRow(accountId, roleName).pk) ?? 0,
    listRolesFor: (arn) => rolesFor.all(arn),
    putInline: (accountId, roleName, name, doc) =>
      guarded({ entity: 'inlinePolicy', key: name, op: 'insert' }, () =>
        putTx.immediate(accountId, roleName, name, doc),
      ),
    getInline: (accountId, roleName, name) => {
      const r = role.get(accountId, roleName)
      const i = r === undefined ? undefined : inline.get(r.pk, name)
      return r === undefined || i === undefined ? undefined : toInline(r, i)
    },
    listInline: (accountId, roleName) => {
      const r = roleRow(accountId, roleName)
      return inlineAll.all(r.pk).map((i) => toInline(r, i))
    },
    countInline: (accountId, roleName) => inlineCount.get(roleRow(accountId, roleName).pk) ?? 0,
    deleteInline: (accountId, roleName, name) => {
      guarded({ entity: 'inlinePolicy', key: name, op: 'delete' }, () => {
        deleteTx.immediate(accountId, roleName, name)
      })
    },
    documents: (accountId, roleName) => documentsTx.deferred(accountId, roleName),
  }
}
