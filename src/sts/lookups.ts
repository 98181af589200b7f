import { GenerationMemo, type OidcProvider, type Role, type Store } from '../store/index.js'

/**
 * Providers by (account, URL) and roles by (account, name), read from the store once and
 * reused while {@link Store.generation} stays the same: a steady stream of assume calls
 * costs one small statement per lookup instead of a row read plus its tags, and any change
 * to the database (this process's or another's, such as `update-assume-role-policy`)
 * applies to the very next call. Only found rows are kept; each map is cleared when it
 * grows past 4,096 entries.
 *
 * One request reads the generation once ({@link StsLookups.generation}) and passes it to
 * both of its lookups: each costs a statement of its own otherwise. Rows are filed under
 * the generation the request started at, so a row read after a change is still reloaded
 * by the next request that sees the change.
 */
export class StsLookups {
  readonly #store: Store
  readonly #providers = new GenerationMemo<OidcProvider>()
  readonly #roles = new GenerationMemo<Role>()

  constructor(store: Store) {
    this.#store = store
  }

  /** The store's generation now: what a request's lookups are judged against. */
  generation(): number {
    return this.#store.generation()
  }

  provider(
    accountId: string,
    url: string,
    generation = this.#store.generation(),
  ): OidcProvider | undefined {
    return this.#providers.get(`${accountId}\n${url}`, generation, () =>
      this.#store.oidcProviders.getByUrl(accountId, url),
    )
  }

  role(accountId: string, name: string, generation = this.#store.generation()): Role | undefined {
    return this.#roles.get(`${accountId}\n${name.toLowerCase()}`, generation, () =>
      this.#store.roles.get(accountId, name),
    )
  }
}
