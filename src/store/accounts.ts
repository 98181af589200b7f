import type { RepoContext } from './context.js'
import { StoreInvalidError } from './errors.js'
import { isAccountId } from './ids.js'
import { guarded, notFound } from './sqlite-errors.js'

/** An AWS account the local endpoint serves. */
interface Account {
  /** 12 digits. */
  readonly id: string
  readonly alias?: string
  /** Epoch milliseconds. */
  readonly createdAt: number
}

/** What {@link AccountRepo.create} needs. */
interface NewAccount {
  readonly id: string
  readonly alias?: string
}

/** Accounts: the first key of every IAM, STS and EKS row. */
export interface AccountRepo {
  /** Creates an account; `StoreConflictError` when the id (or alias) exists. */
  create(input: NewAccount): Account
  /** The account, creating it when missing (first start of `irsa up`). */
  ensure(input: NewAccount): Account
  get(id: string): Account | undefined
  /** Every account, by id. */
  list(): Account[]
  /** Sets or clears (`undefined`) the alias; `StoreNotFoundError` for an unknown account. */
  setAlias(id: string, alias: string | undefined): Account
}

interface Row {
  id: string
  alias: string | null
  created_at: number
}

function toAccount(r: Row): Account {
  return { id: r.id, ...(r.alias === null ? {} : { alias: r.alias }), createdAt: r.created_at }
}

function checkId(id: string): void {
  if (!isAccountId(id))
    throw new StoreInvalidError(`account id ${id} is not 12 digits`, { entity: 'account', key: id })
}

/** Builds the account repository over `ctx`. */
export function createAccountRepo({ db, clock }: RepoContext): AccountRepo {
  const insert = db.prepare<[string, string | null, number]>(
    'INSERT INTO accounts (id, alias, created_at) VALUES (?, ?, ?)',
  )
  const byId = db.prepare<[string], Row>('SELECT * FROM accounts WHERE id = ?')
  const all = db.prepare<[], Row>('SELECT * FROM accounts ORDER BY id')
  const alias = db.prepare<[string | null, string]>('UPDATE accounts SET alias = ? WHERE id = ?')

  const create = db.transaction((input: NewAccount): Account => {
    checkId(input.id)
    insert.run(input.id, input.alias ?? null, clock.now())
    const row = byId.get(input.id)
    if (row === undefined) throw notFound('account', input.id)
    return toAccount(row)
  })
  const ensure = db.transaction((input: NewAccount): Account => {
    const row = byId.get(input.id)
    return row === undefined ? create(input) : toAccount(row)
  })
  const setAlias = db.transaction((id: string, value: string | undefined): Account => {
    if (alias.run(value ?? null, id).changes === 0) throw notFound('account', id)
    const row = byId.get(id)
    if (row === undefined) throw notFound('account', id)
    return toAccount(row)
  })

  return {
    create: (input) =>
      guarded({ entity: 'account', key: input.id, op: 'insert' }, () => create.immediate(input)),
    ensure: (input) =>
      guarded({ entity: 'account', key: input.id, op: 'insert' }, () => ensure.immediate(input)),
    get: (id) => {
      const row = byId.get(id)
      return row === undefined ? undefined : toAccount(row)
    },
    list: () => all.all().map(toAccount),
    setAlias: (id, value) =>
      guarded({ entity: 'account', key: id, op: 'update' }, () => setAlias.immediate(id, value)),
  }
}
