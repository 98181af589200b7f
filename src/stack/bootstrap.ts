import { randomBytes } from 'node:crypto'
import type { AccessKey, Cluster, Store } from '../store/index.js'
import { newSecretAccessKey } from '../sts/index.js'
import { createLocalCluster, type ClusterPlace } from './clusters.js'
import { LOCAL_CLUSTER } from './defaults.js'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** A long-term access key id in AWS's form: `AKIA` and 16 base32 characters. */
export function newAdminAccessKeyId(bytes: Uint8Array = randomBytes(16)): string {
  let id = 'AKIA'
  for (let i = 0; i < 16; i++) id += BASE32[(bytes[i] ?? 0) & 31] ?? 'A'
  return id
}

/** What {@link bootstrapAccount} found or made. */
interface Bootstrap {
  readonly adminKey: AccessKey
  /** The `local` cluster when this start created it. */
  readonly createdCluster?: Cluster
  /** True when the account did not exist before. */
  readonly firstStart: boolean
}

/**
 * First start of an account over a data directory: the account, an admin access key for
 * `arn:aws:iam::ACCOUNT:root`, and the cluster `local` with its signing key. Later starts
 * find the account and its active root key and create nothing (a deleted `local` cluster
 * stays deleted).
 */
export function bootstrapAccount(store: Store, place: ClusterPlace): Bootstrap {
  const rootArn = `arn:aws:iam::${place.accountId}:root`
  const existing = store.accounts.get(place.accountId)
  const findKey = (): AccessKey | undefined =>
    store.accessKeys
      .listForAccount(place.accountId)
      .find((k) => k.principalArn === rootArn && k.status === 'Active')
  if (existing !== undefined) {
    const key =
      findKey() ??
      store.accessKeys.create({
        accessKeyId: newAdminAccessKeyId(),
        secretAccessKey: newSecretAccessKey(),
        accountId: place.accountId,
        principalArn: rootArn,
      })
    return { adminKey: key, firstStart: false }
  }
  return store.transaction(() => {
    store.accounts.create({ id: place.accountId })
    const adminKey = store.accessKeys.create({
      accessKeyId: newAdminAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      accountId: place.accountId,
      principalArn: rootArn,
    })
    const createdCluster = createLocalCluster(store, place, LOCAL_CLUSTER)
    return { adminKey, createdCluster, firstStart: true }
  })
}
