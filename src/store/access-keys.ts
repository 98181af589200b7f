import type { RepoContext } from './context.js'
import { guarded, notFound } from './sqlite-errors.js'

/** `Active` keys sign requests; `Inactive` ones are refused (IAM's two states). */
type AccessKeyStatus = 'Active' | 'Inactive'

/**
 * A long-term access key (the admin credentials `irsa up` writes). The secret is kept
 * as is: SigV4 verification needs it in the clear (an HMAC key cannot be hashed away),
 * and the database file is mode 0600 in a 0700 directory; see docs/store.md.
 */
export interface AccessKey {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly accountId: string
  readonly status: AccessKeyStatus
  /** Who signs with this key: `arn:aws:iam::ACCOUNT:root` or a user/role ARN. */
  readonly principalArn: string
  /** Epoch milliseconds. */
  readonly createdAt: number
}

/** What {@link AccessKeyRepo.create} needs. */
interface NewAccessKey {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly accountId: string
  readonly principalArn: string
  readonly status?: AccessKeyStatus
}

/** Long-term access keys, looked up by id on every signed request. */
export interface AccessKeyRepo {
  create(input: NewAccessKey): AccessKey
  get(accessKeyId: string): AccessKey | undefined
  listForAccount(accountId: string): AccessKey[]
  setStatus(accessKeyId: string, status: AccessKeyStatus): AccessKey
  /** `StoreNotFoundError` when the key does not exist. */
  delete(accessKeyId: string): void
}

interface Row {
  access_key_id: string
  account_id: string
  secret_access_key: string
  status: AccessKeyStatus
  principal_arn: string
  created_at: number
}

function toKey(r: Row): AccessKey {
  return {
    accessKeyId: r.access_key_id,
    secretAccessKey: r.secret_access_key,
    accountId: r.account_id,
    status: r.status,
    principalArn: r.principal_arn,
    createdAt: r.created_at,
  }
}

/** Builds the access key repository over `ctx`. */
export function createAccessKeyRepo({ db, clock }: RepoContext): AccessKeyRepo {
  const insert = db.prepare<[string, string, string, string, string, number]>(
    `INSERT INTO access_keys
       (access_key_id, account_id, secret_access_key, status, principal_arn, created_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  )
  const byId = db.prepare<[string], Row>('SELECT * FROM access_keys WHERE access_key_id = ?')
  const byAccount = db.prepare<[string], Row>(
    'SELECT * FROM access_keys WHERE account_id = ? ORDER BY created_at, access_key_id',
  )
  const status = db.prepare<[string, string]>(
    'UPDATE access_keys SET status = ? WHERE access_key_id = ?',
  )
  const remove = db.prepare<[string]>('DELETE FROM access_keys WHERE access_key_id = ?')

  const read = (id: string): AccessKey => {
    const row = byId.get(id)
    if (row === undefined) throw notFound('accessKey', id)
    return toKey(row)
  }
  const create = db.transaction((k: NewAccessKey): AccessKey => {
    insert.run(
      k.accessKeyId,
      k.accountId,
      k.secretAccessKey,
      k.status ?? 'Active',
      k.principalArn,
      clock.now(),
    )
    return read(k.accessKeyId)
  })
  const setStatus = db.transaction((id: string, s: AccessKeyStatus): AccessKey => {
    if (status.run(s, id).changes === 0) throw notFound('accessKey', id)
    return read(id)
  })
  const del = db.transaction((id: string): void => {
    if (remove.run(id).changes === 0) throw notFound('accessKey', id)
  })

  return {
    create: (k) =>
      guarded(
        {
          entity: 'accessKey',
          key: k.accessKeyId,
          op: 'insert',
          parent: { entity: 'account', key: k.accountId },
        },
        () => create.immediate(k),
      ),
    get: (id) => {
      const row = byId.get(id)
      return row === undefined ? undefined : toKey(row)
    },
    listForAccount: (accountId) => byAccount.all(accountId).map(toKey),
    setStatus: (id, s) =>
      guarded({ entity: 'accessKey', key: id, op: 'update' }, () => setStatus.immediate(id, s)),
    delete: (id) => {
      guarded({ entity: 'accessKey', key: id, op: 'delete' }, () => {
        del.immediate(id)
      })
    },
  }
}
