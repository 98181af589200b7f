import type { RepoContext } from './context.js'
import { guarded } from './sqlite-errors.js'

/** One setting and when it was last written. */
interface Setting {
  readonly key: string
  readonly value: string
  /** Epoch milliseconds. */
  readonly updatedAt: number
}

/**
 * Small key/value settings the stack keeps between runs (the ports it chose, the
 * default region). Values are strings; callers own their format. Not for secrets: use
 * the server secret repository.
 */
export interface SettingsRepo {
  get(key: string): string | undefined
  /** Creates or replaces the value. */
  set(key: string, value: string): void
  /** Sets several values in one transaction (all or none). */
  setMany(values: Readonly<Record<string, string>>): void
  /** Removes a key; returns whether it was there. */
  delete(key: string): boolean
  /** Every setting, by key. */
  list(): Setting[]
}

interface Row {
  key: string
  value: string
  updated_at: number
}

/** Builds the settings repository over `ctx`. */
export function createSettingsRepo({ db, clock }: RepoContext): SettingsRepo {
  const upsert = db.prepare<[string, string, number]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  )
  const byKey = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck()
  const remove = db.prepare<[string]>('DELETE FROM settings WHERE key = ?')
  const all = db.prepare<[], Row>('SELECT * FROM settings ORDER BY key')

  const setMany = db.transaction((values: Readonly<Record<string, string>>): void => {
    const now = clock.now()
    for (const [k, v] of Object.entries(values)) upsert.run(k, v, now)
  })
  const del = db.transaction((key: string): boolean => remove.run(key).changes > 0)

  return {
    get: (key) => byKey.get(key),
    set: (key, value) => {
      guarded({ entity: 'setting', key, op: 'update' }, () => {
        setMany.immediate({ [key]: value })
      })
    },
    setMany: (values) => {
      guarded({ entity: 'setting', key: Object.keys(values).join(','), op: 'update' }, () => {
        setMany.immediate(values)
      })
    },
    delete: (key) => guarded({ entity: 'setting', key, op: 'delete' }, () => del.immediate(key)),
    list: () => all.all().map((r) => ({ key: r.key, value: r.value, updatedAt: r.updated_at })),
  }
}
