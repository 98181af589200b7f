import type { Clock } from '../core/index.js'
import type { OidcProvider, Role, Store } from '../store/index.js'

/** How long a looked-up provider or role is reused (IAM changes reach STS within this). */
export const LOOKUP_TTL_MS = 1000

interface Memo<T> {
  readonly value: T
  readonly until: number
}

/**
 * Providers by (account, URL) and roles by (account, name), each reused for
 * {@link LOOKUP_TTL_MS} of the injected clock: a steady stream of assume calls costs a
 * few store reads per second instead of several per call. Only found rows are kept, so
 * a new provider or role is seen at once; a changed one within a second (AWS's IAM is
 * eventually consistent too). Bounded: the maps are cleared when they grow past 4,096.
 */
export class StsLookups {
  readonly #store: Store
  readonly #clock: Clock
  readonly #providers = new Map<string, Memo<OidcProvider>>()
  readonly #roles = new Map<string, Memo<Role>>()

  constructor(store: Store, clock: Clock) {
    this.#store = store
    this.#clock = clock
  }

  provider(accountId: string, url: string): OidcProvider | undefined {
    return this.#memo(this.#providers, `${accountId}\n${url}`, () =>
      this.#store.oidcProviders.getByUrl(accountId, url),
    )
  }

  role(accountId: string, name: string): Role | undefined {
    return this.#memo(this.#roles, `${accountId}\n${name.toLowerCase()}`, () =>
      this.#store.roles.get(accountId, name),
    )
  }

  #memo<T>(map: Map<string, Memo<T>>, key: string, load: () => T | undefined): T | undefined {
    const now = this.#clock.now()
    const hit = map.get(key)
    if (hit !== undefined && now < hit.until && now >= hit.until - LOOKUP_TTL_MS) return hit.value
    const value = load()
    if (value === undefined) map.delete(key)
    else {
      if (map.size >= 4096) map.clear()
      map.set(key, { value, until: now + LOOKUP_TTL_MS })
    }
    return value
  }
}
