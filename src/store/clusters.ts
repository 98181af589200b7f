import { join } from 'node:path'
import { clusterArn } from './arns.js'
import type { RepoContext } from './context.js'
import { StoreConflictError, StoreError, StoreInUseError, StoreInvalidError } from './errors.js'
import { readPrivateFile, removePath, writePrivateFile } from './files.js'
import { newIssuerId } from './ids.js'
import { guarded, notFound } from './sqlite-errors.js'

/** A local EKS-style cluster: a name, an OIDC issuer, and its signing keys. */
export interface Cluster {
  readonly accountId: string
  readonly region: string
  readonly name: string
  /** `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`: the key of every cluster operation here. */
  readonly arn: string
  /** 32 upper-case hex characters: the last segment of the issuer URL. */
  readonly issuerId: string
  /** `https://HOST:PORT/id/<issuerId>`, exactly the tokens' `iss`. */
  readonly issuerUrl: string
  /** Epoch milliseconds. */
  readonly createdAt: number
}

/** What {@link ClusterRepo.create} needs. */
interface NewCluster {
  readonly accountId: string
  readonly region: string
  readonly name: string
  /** Default: a new random id ({@link newIssuerId}). */
  readonly issuerId?: string
  /** The issuer URL, or a function building it from the issuer id. */
  readonly issuerUrl: string | ((issuerId: string) => string)
}

/**
 * A cluster's signing key. Its life: published (in the JWKS), then signing (the one
 * current key), then no longer signing (still published so its tokens verify), then
 * retired (removed from the JWKS; its private key file deleted). The rules for when
 * each step may happen are the OIDC component's; the store records the times.
 */
export interface ClusterSigningKey {
  readonly clusterArn: string
  /** kube-apiserver's kid: base64url SHA-256 of the public key's SPKI DER. */
  readonly kid: string
  readonly alg: string
  /** SPKI PEM. The private key is in a 0600 file, read with {@link ClusterRepo.readPrivateKey}. */
  readonly publicPem: string
  /** Epoch milliseconds, like every time below. */
  readonly publishedAt: number
  readonly signingStartedAt?: number
  readonly signingEndedAt?: number
  readonly retiredAt?: number
  /** Signs new tokens now. */
  readonly current: boolean
}

/** A key pair to add to a cluster. */
export interface NewClusterKey {
  readonly kid: string
  readonly alg: string
  readonly publicPem: string
  /** Written to a 0600 file under the data directory, never to the database. */
  readonly privatePem: string
}

/** Local clusters and their signing keys. Cluster names are unique per account and region. */
export interface ClusterRepo {
  create(input: NewCluster): Cluster
  get(accountId: string, region: string, name: string): Cluster | undefined
  getByArn(arn: string): Cluster | undefined
  getByIssuerId(issuerId: string): Cluster | undefined
  /** Every cluster, or the account's (and region's), by name. */
  list(filter?: { readonly accountId?: string; readonly region?: string }): Cluster[]
  /** Changes the issuer URL (the issuer's port moved). Tokens carry the old one; use with care. */
  setIssuerUrl(arn: string, issuerUrl: string): Cluster
  /** Deletes the cluster, its keys' rows, then its private key files. */
  delete(arn: string): void
  /**
   * Adds a key: the private PEM goes to a 0600 file (written and fsynced before the row
   * commits), the row records it as published. With `signing`, it also becomes the
   * current key (the first key of a new cluster); otherwise call {@link startSigning}.
   */
  addKey(
    arn: string,
    key: NewClusterKey,
    options?: { readonly signing?: boolean },
  ): ClusterSigningKey
  /**
   * Makes a published key the current one; the previous current key stops signing (and
   * stays published). Refused for a retired key.
   */
  startSigning(arn: string, kid: string): ClusterSigningKey
  /**
   * Removes a key from publication and deletes its private key file. Refused with
   * `StoreInUseError` (`signing-key`) for the current key.
   */
  retireKey(arn: string, kid: string): void
  /** Keys in publication order; retired ones only with `includeRetired`. */
  listKeys(arn: string, options?: { readonly includeRetired?: boolean }): ClusterSigningKey[]
  /** The key that signs now, if any. */
  signingKey(arn: string): ClusterSigningKey | undefined
  /** The private key PEM of a published key, read from its file. */
  readPrivateKey(arn: string, kid: string): string
  /** Where a key's private PEM lives (for operators and tests). */
  privateKeyPath(cluster: Cluster, kid: string): string
}

interface Row {
  pk: number
  account_id: string
  region: string
  name: string
  arn: string
  issuer_id: string
  issuer_url: string
  created_at: number
}

interface KeyRow {
  cluster_arn: string
  kid: string
  alg: string
  public_pem: string
  published_at: number
  signing_started_at: number | null
  signing_ended_at: number | null
  retired_at: number | null
}

interface InsertParams {
  account_id: string
  region: string
  name: string
  arn: string
  issuer_id: string
  issuer_url: string
  created_at: number
}

const KID_RE = /^[A-Za-z0-9_-]{1,128}$/
const ISSUER_ID_RE = /^[0-9A-F]{32}$/

function toCluster(r: Row): Cluster {
  return {
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    arn: r.arn,
    issuerId: r.issuer_id,
    issuerUrl: r.issuer_url,
    createdAt: r.created_at,
  }
}

function toKey(k: KeyRow): ClusterSigningKey {
  return {
    clusterArn: k.cluster_arn,
    kid: k.kid,
    alg: k.alg,
    publicPem: k.public_pem,
    publishedAt: k.published_at,
    ...(k.signing_started_at === null ? {} : { signingStartedAt: k.signing_started_at }),
    ...(k.signing_ended_at === null ? {} : { signingEndedAt: k.signing_ended_at }),
    ...(k.retired_at === null ? {} : { retiredAt: k.retired_at }),
    current: k.signing_started_at !== null && k.signing_ended_at === null,
  }
}

/** Builds the cluster repository over `ctx`. */
export function createClusterRepo({ db, clock, dir }: RepoContext): ClusterRepo {
  const insert = db.prepare<InsertParams>(
    `INSERT INTO clusters (account_id, region, name, arn, issuer_id, issuer_url, created_at)
     VALUES (@account_id, @region, @name, @arn, @issuer_id, @issuer_url, @created_at)`,
  )
  const byName = db.prepare<[string, string, string], Row>(
    'SELECT * FROM clusters WHERE account_id = ? AND region = ? AND name = ?',
  )
  const byArn = db.prepare<[string], Row>('SELECT * FROM clusters WHERE arn = ?')
  const byIssuer = db.prepare<[string], Row>('SELECT * FROM clusters WHERE issuer_id = ?')
  const filtered = db.prepare<{ account: string | null; region: string | null }, Row>(
    `SELECT * FROM clusters
     WHERE (@account IS NULL OR account_id = @account) AND (@region IS NULL OR region = @region)
     ORDER BY name, account_id, region`,
  )
  const setUrl = db.prepare<[string, number]>('UPDATE clusters SET issuer_url = ? WHERE pk = ?')
  const remove = db.prepare<[number]>('DELETE FROM clusters WHERE pk = ?')
  const keyCols = `c.arn AS cluster_arn, k.kid, k.alg, k.public_pem, k.published_at,
    k.signing_started_at, k.signing_ended_at, k.retired_at
    FROM cluster_signing_keys k JOIN clusters c ON c.pk = k.cluster_pk`
  const keys = db.prepare<[number, number], KeyRow>(
    `SELECT ${keyCols} WHERE k.cluster_pk = ? AND (? = 1 OR k.retired_at IS NULL)
     ORDER BY k.published_at, k.rowid`,
  )
  const key = db.prepare<[number, string], KeyRow>(
    `SELECT ${keyCols} WHERE k.cluster_pk = ? AND k.kid = ?`,
  )
  const current = db.prepare<[number], KeyRow>(
    `SELECT ${keyCols} WHERE k.cluster_pk = ?
       AND k.signing_started_at IS NOT NULL AND k.signing_ended_at IS NULL`,
  )
  const insertKey = db.prepare<[number, string, string, string, number]>(
    `INSERT INTO cluster_signing_keys (cluster_pk, kid, alg, public_pem, published_at)
     VALUES (?, ?, ?, ?, ?)`,
  )
  const endSigning = db.prepare<[number, number]>(
    `UPDATE cluster_signing_keys SET signing_ended_at = ?
     WHERE cluster_pk = ? AND signing_started_at IS NOT NULL AND signing_ended_at IS NULL`,
  )
  const beginSigning = db.prepare<[number, number, string]>(
    `UPDATE cluster_signing_keys SET signing_started_at = ?, signing_ended_at = NULL
     WHERE cluster_pk = ? AND kid = ?`,
  )
  const retire = db.prepare<[number, number, string]>(
    'UPDATE cluster_signing_keys SET retired_at = ? WHERE cluster_pk = ? AND kid = ?',
  )

  const keyDir = (issuerId: string): string => join(dir, 'keys', 'clusters', issuerId)
  const keyPath = (issuerId: string, kid: string): string => {
    if (!KID_RE.test(kid))
      throw new StoreInvalidError(`signing key id ${kid} is not base64url`, {
        entity: 'signingKey',
        key: kid,
      })
    return join(keyDir(issuerId), `${kid}.pem`)
  }
  const row = (arn: string): Row => {
    const r = byArn.get(arn)
    if (r === undefined) throw notFound('cluster', arn)
    return r
  }
  const keyRow = (r: Row, kid: string): KeyRow => {
    const k = key.get(r.pk, kid)
    if (k === undefined) throw notFound('signingKey', kid)
    return k
  }
  const startSigningRow = (r: Row, kid: string): ClusterSigningKey => {
    const k = keyRow(r, kid)
    if (k.retired_at !== null)
      throw new StoreInvalidError(`signing key ${kid} is retired`, {
        entity: 'signingKey',
        key: kid,
      })
    if (k.signing_started_at !== null && k.signing_ended_at === null) return toKey(k)
    const now = clock.now()
    endSigning.run(now, r.pk)
    beginSigning.run(now, r.pk, kid)
    return toKey(keyRow(r, kid))
  }

  const create = db.transaction((input: NewCluster): Cluster => {
    const issuerId = input.issuerId ?? newIssuerId()
    if (!ISSUER_ID_RE.test(issuerId))
      throw new StoreInvalidError(`issuer id ${issuerId} is not 32 upper-case hex characters`, {
        entity: 'cluster',
        key: input.name,
      })
    const arn = clusterArn(input.region, input.accountId, input.name)
    insert.run({
      account_id: input.accountId,
      region: input.region,
      name: input.name,
      arn,
      issuer_id: issuerId,
      issuer_url: typeof input.issuerUrl === 'string' ? input.issuerUrl : input.issuerUrl(issuerId),
      created_at: clock.now(),
    })
    return toCluster(row(arn))
  })
  const setIssuerUrl = db.transaction((arn: string, url: string): Cluster => {
    const r = row(arn)
    setUrl.run(url, r.pk)
    return toCluster(row(arn))
  })
  const del = db.transaction((arn: string): string => {
    const r = row(arn)
    remove.run(r.pk)
    return r.issuer_id
  })
  const addKey = db.transaction(
    (arn: string, k: NewClusterKey, signing: boolean): ClusterSigningKey => {
      const r = row(arn)
      const file = keyPath(r.issuer_id, k.kid)
      if (key.get(r.pk, k.kid) !== undefined)
        throw new StoreConflictError(`signing key ${k.kid} already exists in ${r.name}`, {
          entity: 'signingKey',
          key: k.kid,
        })
      writePrivateFile(file, k.privatePem)
      insertKey.run(r.pk, k.kid, k.alg, k.publicPem, clock.now())
      return signing ? startSigningRow(r, k.kid) : toKey(keyRow(r, k.kid))
    },
  )
  const startSigning = db.transaction((arn: string, kid: string): ClusterSigningKey =>
    startSigningRow(row(arn), kid),
  )
  const retireKey = db.transaction((arn: string, kid: string): string | undefined => {
    const r = row(arn)
    const k = keyRow(r, kid)
    if (k.retired_at !== null) return undefined
    if (k.signing_started_at !== null && k.signing_ended_at === null)
      throw new StoreInUseError(`signing key ${kid} is the current key of ${r.name}`, {
        entity: 'signingKey',
        key: kid,
        reason: 'signing-key',
      })
    retire.run(clock.now(), r.pk, kid)
    return keyPath(r.issuer_id, kid)
  })

  const keyCtx = (op: 'insert' | 'update' | 'delete', kid: string) =>
    ({ entity: 'signingKey', key: kid, op }) as const

  return {
    create: (input) =>
      guarded(
        {
          entity: 'cluster',
          key: input.name,
          op: 'insert',
          parent: { entity: 'account', key: input.accountId },
        },
        () => create.immediate(input),
      ),
    get: (accountId, region, name) => {
      const r = byName.get(accountId, region, name)
      return r === undefined ? undefined : toCluster(r)
    },
    getByArn: (arn) => {
      const r = byArn.get(arn)
      return r === undefined ? undefined : toCluster(r)
    },
    getByIssuerId: (issuerId) => {
      const r = byIssuer.get(issuerId)
      return r === undefined ? undefined : toCluster(r)
    },
    list: (filter = {}) =>
      filtered
        .all({ account: filter.accountId ?? null, region: filter.region ?? null })
        .map(toCluster),
    setIssuerUrl: (arn, url) =>
      guarded({ entity: 'cluster', key: arn, op: 'update' }, () =>
        setIssuerUrl.immediate(arn, url),
      ),
    delete: (arn) => {
      const issuerId = guarded({ entity: 'cluster', key: arn, op: 'delete' }, () =>
        del.immediate(arn),
      )
      removePath(keyDir(issuerId))
    },
    addKey: (arn, k, options = {}) =>
      guarded(keyCtx('insert', k.kid), () => addKey.immediate(arn, k, options.signing === true)),
    startSigning: (arn, kid) =>
      guarded(keyCtx('update', kid), () => startSigning.immediate(arn, kid)),
    retireKey: (arn, kid) => {
      const file = guarded(keyCtx('update', kid), () => retireKey.immediate(arn, kid))
      if (file !== undefined) removePath(file)
    },
    listKeys: (arn, options = {}) =>
      keys.all(row(arn).pk, options.includeRetired === true ? 1 : 0).map(toKey),
    signingKey: (arn) => {
      const k = current.get(row(arn).pk)
      return k === undefined ? undefined : toKey(k)
    },
    readPrivateKey: (arn, kid) => {
      const r = row(arn)
      const k = keyRow(r, kid)
      if (k.retired_at !== null) throw notFound('signingKey', kid)
      const file = keyPath(r.issuer_id, kid)
      const pem = readPrivateFile(file)
      if (pem === undefined)
        throw new StoreError(
          'ERR_STORE_IO',
          `private key file of signing key ${kid} is missing: ${file}`,
          {
            entity: 'signingKey',
            key: kid,
          },
        )
      return pem
    },
    privateKeyPath: (cluster, kid) => keyPath(cluster.issuerId, kid),
  }
}
