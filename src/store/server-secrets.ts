import { randomBytes } from 'node:crypto'
import type { RepoContext } from './context.js'
import { StoreInvalidError } from './errors.js'
import { guarded } from './sqlite-errors.js'

/**
 * Secrets the server itself holds, generated once per data directory and never
 * replaced behind its back: the session-token encryption key, for example. Kept in the
 * database (mode 0600), so a restart on the same directory keeps verifying the
 * sessions it issued. Values are random bytes and never appear in messages.
 */
export interface ServerSecretRepo {
  /**
   * The secret called `name`, generated from `bytes` random bytes (default 32) the first
   * time anyone asks. Atomic: two callers racing get the same value.
   */
  getOrCreate(name: string, bytes?: number): Buffer
  /** The secret, or `undefined` when it was never generated. */
  get(name: string): Buffer | undefined
  /**
   * Replaces the secret with fresh random bytes (a deliberate rotation: everything the
   * old value protected stops verifying). Returns the new value.
   */
  rotate(name: string, bytes?: number): Buffer
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/

function check(name: string, bytes: number): void {
  if (!NAME_RE.test(name))
    throw new StoreInvalidError(`server secret name ${name} is not valid`, {
      entity: 'serverSecret',
      key: name,
    })
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024)
    throw new StoreInvalidError(`server secret ${name}: size ${bytes} is not 16 to 1024 bytes`, {
      entity: 'serverSecret',
      key: name,
    })
}

/** Builds the server secret repository over `ctx`. */
export function createServerSecretRepo({ db, clock }: RepoContext): ServerSecretRepo {
  const insertIfMissing = db.prepare<[string, Buffer, number]>(
    'INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
  )
  const upsert = db.prepare<[string, Buffer, number]>(
    `INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
  )
  const byName = db
    .prepare<[string], Buffer>('SELECT value FROM server_secrets WHERE name = ?')
    .pluck()

  const getOrCreate = db.transaction((name: string, bytes: number): Buffer => {
    insertIfMissing.run(name, randomBytes(bytes), clock.now())
    const v = byName.get(name)
    if (v === undefined) throw new Error(`server secret ${name} vanished`)
    return v
  })
  const rotate = db.transaction((name: string, bytes: number): Buffer => {
    const v = randomBytes(bytes)
    upsert.run(name, v, clock.now())
    return v
  })

  return {
    getOrCreate: (name, bytes = 32) => {
      check(name, bytes)
      return guarded({ entity: 'serverSecret', key: name, op: 'insert' }, () =>
        getOrCreate.immediate(name, bytes),
      )
    },
    get: (name) => byName.get(name),
    rotate: (name, bytes = 32) => {
      check(name, bytes)
      return guarded({ entity: 'serverSecret', key: name, op: 'update' }, () =>
        rotate.immediate(name, bytes),
      )
    },
  }
}
