import { resolve } from 'node:path'
import { InputError, type Clock } from '../core/index.js'
import { isStoreError, openStore, type Store } from '../store/index.js'
import type { ClusterPlace } from './clusters.js'
import { DATA_DIR_ENV, DEFAULT_DATA_DIR, SETTINGS } from './defaults.js'
import { hostPort } from './ports.js'

/** What a previous `irsa up` saved in the store's settings. */
interface SavedStack {
  readonly host?: string
  readonly awsPort?: string
  readonly awsHttpsPort?: string
  readonly oidcPort?: string
  readonly webhookPort?: string
  readonly kubePort?: string
  readonly awsEndpoint?: string
  readonly accountId?: string
  readonly region?: string
}

/** The stack settings found in the store (absent ones left out). */
export function readStackSettings(store: Store): SavedStack {
  const out: Record<string, string> = {}
  for (const [field, key] of Object.entries(SETTINGS)) {
    const v = store.settings.get(key)
    if (v !== undefined) out[field] = v
  }
  return out
}

/** The data directory: `--data-dir`, else `IRSA_DATA_DIR`, else `./.irsa`, from `cwd`. */
export function resolveDataDir(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const given = flag ?? env[DATA_DIR_ENV]
  return resolve(cwd, given === undefined || given === '' ? DEFAULT_DATA_DIR : given)
}

/** The host a URL names for a listen address: a wildcard address is reached on loopback. */
function publicHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
}

/** The Kubernetes API URL of cluster `name`, when `irsa up` has served the API here. */
export function kubeServerUrl(store: Store, name: string): string | undefined {
  const s = readStackSettings(store)
  if (s.host === undefined || s.kubePort === undefined) return undefined
  return `https://${hostPort(publicHost(s.host), Number(s.kubePort))}/clusters/${encodeURIComponent(name)}`
}

/** A local cluster's issuer URL: `https://HOST:PORT/id/<issuer id>` (EKS's form). */
export function issuerUrlFor(host: string, oidcPort: number): (issuerId: string) => string {
  const origin = `https://${hostPort(publicHost(host), oidcPort)}`
  return (issuerId) => `${origin}/id/${issuerId}`
}

/**
 * Where clusters of an initialised data directory live (the account and region `irsa up`
 * serves) and their issuer URLs. InputError when `irsa up` never ran on it.
 */
export function stackPlace(store: Store): ClusterPlace {
  const s = readStackSettings(store)
  if (
    s.accountId === undefined ||
    s.region === undefined ||
    s.host === undefined ||
    s.oidcPort === undefined
  )
    throw new InputError(
      `${store.dir} has no local stack yet: run 'irsa up --data-dir ${store.dir}' once first`,
    )
  return {
    accountId: s.accountId,
    region: s.region,
    issuerUrlOf: issuerUrlFor(s.host, Number(s.oidcPort)),
  }
}

/**
 * Opens the store of an existing data directory (for `irsa cluster`, `irsa logs`,
 * `irsa create token --cluster`); InputError when there is none. Works whether or not
 * `irsa up` is running on it (SQLite WAL: one writer at a time, readers alongside).
 */
export function openStackStore(dataDir: string, clock: Clock): Store {
  try {
    return openStore({ dir: dataDir, clock, mustExist: true })
  } catch (e) {
    if (isStoreError(e) && e.code === 'ERR_STORE_MISSING')
      throw new InputError(
        `no local stack in ${dataDir}: run 'irsa up --data-dir ${dataDir}' first`,
      )
    throw e
  }
}
