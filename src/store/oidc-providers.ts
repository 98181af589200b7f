import { oidcProviderArn } from './arns.js'
import type { RepoContext, Tag } from './context.js'
import { guarded, notFound } from './sqlite-errors.js'
import { tagStatements } from './tags.js'

/** An IAM OIDC identity provider, as `GetOpenIDConnectProvider` describes it. */
export interface OidcProvider {
  readonly accountId: string
  readonly arn: string
  /** The issuer without `https://` (host, optional port, path): the ARN's suffix. */
  readonly url: string
  /** In the order given; no duplicates. */
  readonly clientIds: readonly string[]
  readonly thumbprints: readonly string[]
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly tags: readonly Tag[]
}

/** What {@link OidcProviderRepo.create} needs. Validation and quotas are IAM's. */
interface NewOidcProvider {
  readonly accountId: string
  /** Without `https://`; case-sensitive, as IAM keeps it. */
  readonly url: string
  readonly clientIds?: readonly string[]
  readonly thumbprints?: readonly string[]
  readonly tags?: readonly Tag[]
}

/** IAM OIDC providers, keyed by ARN as the IAM API keys them; STS finds them by URL. */
export interface OidcProviderRepo {
  /** `StoreConflictError` when the account has a provider for the URL. */
  create(input: NewOidcProvider): OidcProvider
  get(arn: string): OidcProvider | undefined
  /** The account's provider for an issuer URL without `https://` (STS's lookup by `iss`). */
  getByUrl(accountId: string, url: string): OidcProvider | undefined
  /** By URL. */
  list(accountId: string): OidcProvider[]
  count(accountId: string): number
  delete(arn: string): void
  /** Adds a client id; false when it was already there (IAM: success, nothing changes). */
  addClientId(arn: string, clientId: string): boolean
  /** Removes a client id; false when it was not there (IAM: success, nothing changes). */
  removeClientId(arn: string, clientId: string): boolean
  /** Replaces the whole thumbprint list. */
  setThumbprints(arn: string, thumbprints: readonly string[]): OidcProvider
  /** Adds tags or replaces values; keys are case-sensitive. */
  tag(arn: string, tags: readonly Tag[]): void
  untag(arn: string, keys: readonly string[]): void
  listTags(arn: string): Tag[]
}

interface Row {
  pk: number
  account_id: string
  url: string
  arn: string
  client_ids: string
  thumbprints: string
  created_at: number
}

interface InsertParams {
  account_id: string
  url: string
  arn: string
  client_ids: string
  thumbprints: string
  created_at: number
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)]
}

function parseList(json: string): string[] {
  const v: unknown = JSON.parse(json)
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

/** Builds the OIDC provider repository over `ctx`. */
export function createOidcProviderRepo({ db, clock }: RepoContext): OidcProviderRepo {
  const tags = tagStatements(db, 'oidc_provider_tags')
  const insert = db.prepare<InsertParams>(
    `INSERT INTO oidc_providers (account_id, url, arn, client_ids, thumbprints, created_at)
     VALUES (@account_id, @url, @arn, @client_ids, @thumbprints, @created_at)`,
  )
  const byArn = db.prepare<[string], Row>('SELECT * FROM oidc_providers WHERE arn = ?')
  const byUrl = db.prepare<[string, string], Row>(
    'SELECT * FROM oidc_providers WHERE account_id = ? AND url = ?',
  )
  const byAccount = db.prepare<[string], Row>(
    'SELECT * FROM oidc_providers WHERE account_id = ? ORDER BY url',
  )
  const count = db
    .prepare<[string], number>('SELECT count(*) FROM oidc_providers WHERE account_id = ?')
    .pluck()
  const setClientIds = db.prepare<[string, number]>(
    'UPDATE oidc_providers SET client_ids = ? WHERE pk = ?',
  )
  const setThumbprints = db.prepare<[string, number]>(
    'UPDATE oidc_providers SET thumbprints = ? WHERE pk = ?',
  )
  const remove = db.prepare<[number]>('DELETE FROM oidc_providers WHERE pk = ?')

  const toProvider = (r: Row): OidcProvider => ({
    accountId: r.account_id,
    arn: r.arn,
    url: r.url,
    clientIds: parseList(r.client_ids),
    thumbprints: parseList(r.thumbprints),
    createdAt: r.created_at,
    tags: tags.list(r.pk),
  })
  const row = (arn: string): Row => {
    const r = byArn.get(arn)
    if (r === undefined) throw notFound('oidcProvider', arn)
    return r
  }

  const create = db.transaction((input: NewOidcProvider): OidcProvider => {
    const arn = oidcProviderArn(input.accountId, input.url)
    const { lastInsertRowid } = insert.run({
      account_id: input.accountId,
      url: input.url,
      arn,
      client_ids: JSON.stringify(unique(input.clientIds ?? [])),
      thumbprints: JSON.stringify(unique(input.thumbprints ?? [])),
      created_at: clock.now(),
    })
    for (const t of input.tags ?? []) tags.put(Number(lastInsertRowid), t)
    return toProvider(row(arn))
  })
  const del = db.transaction((arn: string): void => {
    remove.run(row(arn).pk)
  })
  const editClientIds = db.transaction((arn: string, id: string, add: boolean): boolean => {
    const r = row(arn)
    const ids = parseList(r.client_ids)
    const has = ids.includes(id)
    if (has === add) return false
    setClientIds.run(JSON.stringify(add ? [...ids, id] : ids.filter((x) => x !== id)), r.pk)
    return true
  })
  const thumbprints = db.transaction((arn: string, list: readonly string[]): OidcProvider => {
    const r = row(arn)
    setThumbprints.run(JSON.stringify(unique(list)), r.pk)
    return toProvider(row(arn))
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
    ({ entity: 'oidcProvider', key, op }) as const

  return {
    create: (input) =>
      guarded(
        {
          entity: 'oidcProvider',
          key: oidcProviderArn(input.accountId, input.url),
          op: 'insert',
          parent: { entity: 'account', key: input.accountId },
        },
        () => create.immediate(input),
      ),
    get: (arn) => {
      const r = byArn.get(arn)
      return r === undefined ? undefined : toProvider(r)
    },
    getByUrl: (accountId, url) => {
      const r = byUrl.get(accountId, url)
      return r === undefined ? undefined : toProvider(r)
    },
    list: (accountId) => byAccount.all(accountId).map(toProvider),
    count: (accountId) => count.get(accountId) ?? 0,
    delete: (arn) => {
      guarded(ctx('delete', arn), () => {
        del.immediate(arn)
      })
    },
    addClientId: (arn, id) =>
      guarded(ctx('update', arn), () => editClientIds.immediate(arn, id, true)),
    removeClientId: (arn, id) =>
      guarded(ctx('update', arn), () => editClientIds.immediate(arn, id, false)),
    setThumbprints: (arn, list) =>
      guarded(ctx('update', arn), () => thumbprints.immediate(arn, list)),
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
