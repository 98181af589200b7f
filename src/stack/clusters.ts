import { InputError, type Clock } from '../core/index.js'
import type { Cluster, ClusterSigningKey, NewClusterKey, Store } from '../store/index.js'
import { generateKeyPair, loadSigningKey } from '../token/index.js'

/** EKS's cluster name rule: a letter or digit, then letters, digits, `-` and `_`; 1–100. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/

/** Checks a cluster name as EKS does; InputError otherwise. */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name))
    throw new InputError(
      `cluster name '${name}' must start with a letter or digit and hold only letters, digits, - and _ (at most 100)`,
    )
  return name
}

/** Where a cluster lives and how its issuer URL is made from its issuer id. */
export interface ClusterPlace {
  readonly accountId: string
  readonly region: string
  readonly issuerUrlOf: (issuerId: string) => string
}

/** A new RSA signing key in the store's form: kube-apiserver's kid and alg. */
function newClusterKey(): { kid: string; alg: string; publicPem: string; privatePem: string } {
  const pair = generateKeyPair('rsa')
  const key = loadSigningKey(pair.privatePem, 'new cluster key')
  return { kid: key.kid, alg: key.alg, publicPem: pair.publicPem, privatePem: pair.privatePem }
}

/** What a cluster may be created with instead of the stack's own issuer and a new key. */
interface ClusterOrigin {
  /** An issuer hosted elsewhere, already checked (see `checkExternalIssuer`). */
  readonly issuerUrl?: string
  /** The first signing key, given (see `importSigningKey`). */
  readonly key?: NewClusterKey
}

/**
 * Creates a local cluster with a new RSA-2048 signing key (or the given one), issuer
 * `https://HOST:PORT/id/<issuer id>` (or the given one, which the stack does not serve),
 * in one transaction: the cluster and its first (current) key exist together or not at
 * all. InputError when the name is taken or malformed.
 */
export function createLocalCluster(
  store: Store,
  place: ClusterPlace,
  name: string,
  origin: ClusterOrigin = {},
): Cluster {
  checkClusterName(name)
  if (store.clusters.get(place.accountId, place.region, name) !== undefined)
    throw new InputError(`cluster ${name} already exists in ${place.accountId} ${place.region}`)
  const key = origin.key ?? newClusterKey()
  return store.transaction(() => {
    const cluster = store.clusters.create({
      accountId: place.accountId,
      region: place.region,
      name,
      issuerUrl: origin.issuerUrl ?? place.issuerUrlOf,
    })
    store.clusters.addKey(cluster.arn, key, { signing: true })
    return cluster
  })
}

/** A cluster by name in the stack's account and region; InputError naming the known ones. */
export function findCluster(
  store: Store,
  place: Omit<ClusterPlace, 'issuerUrlOf'>,
  name: string,
): Cluster {
  const c = store.clusters.get(place.accountId, place.region, name)
  if (c === undefined) {
    const known = store.clusters.list(place).map((k) => k.name)
    throw new InputError(
      `no cluster named ${name} in ${place.accountId} ${place.region}` +
        (known.length > 0 ? ` (clusters: ${known.join(', ')})` : ''),
    )
  }
  return c
}

/** How long a key stays published after it stopped signing: the longest token lifetime here. */
const KEEP_OLD_KEYS_MS = 86_400_000

/** What a rotation did. */
interface Rotation {
  readonly signing: ClusterSigningKey
  readonly previousKid?: string
  readonly retired: readonly string[]
}

/**
 * Rotates a cluster's signing key: a new key is published and signs from now on; the
 * previous one stays published so the tokens it signed keep verifying (STS re-fetches the
 * JWKS when it meets an unknown kid); keys that stopped signing more than a day ago are
 * retired. The running stack serves the new JWKS on its next request.
 */
export function rotateClusterKeys(store: Store, cluster: Cluster, clock: Clock): Rotation {
  const previous = store.clusters.signingKey(cluster.arn)
  const key = newClusterKey()
  const signing = store.clusters.addKey(cluster.arn, key, { signing: true })
  const now = clock.now()
  const retired: string[] = []
  for (const k of store.clusters.listKeys(cluster.arn)) {
    if (k.current || k.signingEndedAt === undefined) continue
    if (now - k.signingEndedAt > KEEP_OLD_KEYS_MS) {
      store.clusters.retireKey(cluster.arn, k.kid)
      retired.push(k.kid)
    }
  }
  return { signing, ...(previous !== undefined ? { previousKid: previous.kid } : {}), retired }
}
