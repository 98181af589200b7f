import type { Clock } from '../core/index.js'
import type { OidcProvider, Role, Store } from '../store/index.js'

/** By default a provider or role is read from the store on every call. */
export const DEFAULT_LOOKUP_TTL_MS = 0

interface Memo<T> {
  readonly value: T
  readonly until: number
}

/**
 * Providers by (account, URL) and roles by (account, name). With a `ttlMs` above 0 each
 * found row is reused for that long (injected clock): a steady stream of assume calls
 * then costs a few store reads per second instead of several per call, and an IAM change
 * reaches STS within `ttlMs` (AWS's IAM is eventually consistent too). The default, 0,
 * reads every time, so a changed trust policy applies to the very next call. Only found
 * rows are kept; the maps are cleared when they grow past 4,096.
 */
export class StsLookups {
  readonly #store: Store
  readonly #clock: Clock
  readonly #providers = new Map<string, Memo<OidcProvider>>()
  readonly #roles = new Map<string, Memo<Role>>()

  readonly #ttlMs: number

  constructor(store: Store, clock: Clock, ttlMs = DEFAULT_LOOKUP_TTL_MS) {
    this.#store = store
    this.#clock = clock
    this.#ttlMs = ttlMs
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
    if (this.#ttlMs <= 0) return load()
    const now = this.#clock.now()
    const hit = map.get(key)
    if (hit !== undefined && now < hit.until && now >= hit.until - this.#ttlMs) return hit.value
    const value = load()
    if (value === undefined) map.delete(key)
    else {
      if (map.size >= 4096) map.clear()
      map.set(key, { value, until: now + this.#ttlMs })
    }
    return value
  }
}
