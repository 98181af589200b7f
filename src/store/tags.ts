import type Database from 'better-sqlite3'
import type { Tag } from './context.js'

/** The three tag tables. Their names are constants here, never input. */
type TagTable = 'role_tags' | 'policy_tags' | 'oidc_provider_tags'

/** Prepared statements over one tag table, keyed by the owner's row id. */
interface TagStatements {
  /** Adds a tag or replaces the value (and, for role tags, the key's case) of an existing one. */
  put(ownerPk: number, tag: Tag): void
  /** Removes a key; returns whether it was there. */
  remove(ownerPk: number, key: string): boolean
  /** Tags in the order they were first added. */
  list(ownerPk: number): Tag[]
  count(ownerPk: number): number
}

/**
 * Tag keys of roles are case-insensitive with case preserved (tagging `department` on a
 * role that has `Department` replaces it); those of policies and OIDC providers are
 * case-sensitive, as IAM documents. The table's unique index carries the rule; the
 * upsert targets that index.
 */
export function tagStatements(db: Database.Database, table: TagTable): TagStatements {
  const nocase = table === 'role_tags' ? ' COLLATE NOCASE' : ''
  const put = db.prepare<[number, string, string]>(
    `INSERT INTO ${table} (owner_pk, key, value) VALUES (?, ?, ?)
     ON CONFLICT (owner_pk, key${nocase}) DO UPDATE SET key = excluded.key, value = excluded.value`,
  )
  const remove = db.prepare<[number, string]>(
    `DELETE FROM ${table} WHERE owner_pk = ? AND key = ?${nocase}`,
  )
  const list = db.prepare<[number], Tag>(
    `SELECT key, value FROM ${table} WHERE owner_pk = ? ORDER BY seq`,
  )
  const count = db
    .prepare<[number], number>(`SELECT count(*) FROM ${table} WHERE owner_pk = ?`)
    .pluck()
  return {
    put: (ownerPk, tag) => {
      put.run(ownerPk, tag.key, tag.value)
    },
    remove: (ownerPk, key) => remove.run(ownerPk, key).changes > 0,
    list: (ownerPk) => list.all(ownerPk).map((t) => ({ key: t.key, value: t.value })),
    count: (ownerPk) => count.get(ownerPk) ?? 0,
  }
}
