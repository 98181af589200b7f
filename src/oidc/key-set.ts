import type { PublicKeyInfo } from '../token/index.js'
import { KeyRotationError } from './errors.js'

/** How long verifiers may cache the JWKS: the `max-age` the issuer sends, in seconds. */
export const JWKS_CACHE_SECONDS = 3600

/**
 * How long a key stays published after it stopped signing, by default: the IRSA
 * webhook's default token lifetime (86400 s), which is longer than the JWKS cache.
 */
export const DEFAULT_KEEP_SECONDS = 86_400

/** A published key and when it was published (and stopped signing, if it did). */
interface PublishedKey {
  readonly key: PublicKeyInfo
  /** Epoch milliseconds. */
  readonly publishedAt: number
  /** Epoch milliseconds when another key took over signing; absent while it never stopped. */
  readonly signingEndedAt?: number
}

/**
 * The keys an issuer publishes, in publication order, and the one key that signs. A new
 * key is published before it signs ({@link publishKey}, then {@link startSigningWith});
 * a key that stopped signing stays published until its tokens can no longer be valid
 * ({@link retireKey}). Values are immutable: every step returns a new set.
 */
export interface IssuerKeySet {
  readonly keys: readonly PublishedKey[]
  readonly signingKid: string
}

/**
 * A key set from keys in publication order, duplicates (same kid) dropped. The signing
 * key is `signingKid`, or the first key.
 */
export function createKeySet(
  keys: readonly PublicKeyInfo[],
  options: { readonly signingKid?: string; readonly now?: number } = {},
): IssuerKeySet {
  const seen = new Set<string>()
  const published: PublishedKey[] = []
  for (const key of keys) {
    if (seen.has(key.kid)) continue
    seen.add(key.kid)
    published.push({ key, publishedAt: options.now ?? 0 })
  }
  const first = published[0]
  if (first === undefined) throw new KeyRotationError('a key set needs at least one key')
  const signingKid = options.signingKid ?? first.key.kid
  if (!seen.has(signingKid))
    throw new KeyRotationError(`signing key ${signingKid} is not among the published keys`)
  return { keys: published, signingKid }
}

/** The public keys of a set, in publication order. */
export function publishedKeys(set: IssuerKeySet): PublicKeyInfo[] {
  return set.keys.map((k) => k.key)
}

/** The key that signs new tokens. */
export function signingKeyOf(set: IssuerKeySet): PublicKeyInfo {
  const k = set.keys.find((p) => p.key.kid === set.signingKid)
  if (k === undefined) throw new KeyRotationError(`signing key ${set.signingKid} is not published`)
  return k.key
}

/** Publishes a key (appended, not signing). Publishing a key already there changes nothing. */
export function publishKey(set: IssuerKeySet, key: PublicKeyInfo, now: number): IssuerKeySet {
  if (set.keys.some((k) => k.key.kid === key.kid)) return set
  return { ...set, keys: [...set.keys, { key, publishedAt: now }] }
}

/**
 * Makes a published key the signing key. Refused until the key has been published for
 * `minPublishedSeconds` (default {@link JWKS_CACHE_SECONDS}): verifiers holding a cached
 * JWKS would not know it yet. Pass 0 where no verifier caches (tests, a fresh issuer).
 */
export function startSigningWith(
  set: IssuerKeySet,
  kid: string,
  o: { readonly now: number; readonly minPublishedSeconds?: number },
): IssuerKeySet {
  if (kid === set.signingKid) return set
  const next = set.keys.find((k) => k.key.kid === kid)
  if (next === undefined)
    throw new KeyRotationError(`key ${kid} is not published; publish it first`)
  const wait = (o.minPublishedSeconds ?? JWKS_CACHE_SECONDS) * 1000
  const ready = next.publishedAt + wait
  if (o.now < ready)
    throw new KeyRotationError(
      `key ${kid} was published ${Math.floor((o.now - next.publishedAt) / 1000)} s ago; ` +
        `it may sign after ${wait / 1000} s, when cached key sets have expired`,
    )
  return {
    keys: set.keys.map((k) => (k.key.kid === set.signingKid ? { ...k, signingEndedAt: o.now } : k)),
    signingKid: kid,
  }
}

/**
 * Removes a key that no longer signs. Refused for the signing key, and until `keepSeconds`
 * (default {@link DEFAULT_KEEP_SECONDS}) have passed since it stopped signing: tokens it
 * signed must stay verifiable until they expire. Pass the longest token lifetime you issue.
 */
export function retireKey(
  set: IssuerKeySet,
  kid: string,
  o: { readonly now: number; readonly keepSeconds?: number },
): IssuerKeySet {
  if (kid === set.signingKid)
    throw new KeyRotationError(`key ${kid} is the signing key; sign with another key first`)
  const k = set.keys.find((p) => p.key.kid === kid)
  if (k === undefined) return set
  const keep = (o.keepSeconds ?? DEFAULT_KEEP_SECONDS) * 1000
  const since = k.signingEndedAt ?? k.publishedAt
  if (k.signingEndedAt !== undefined && o.now < since + keep)
    throw new KeyRotationError(
      `key ${kid} stopped signing ${Math.floor((o.now - since) / 1000)} s ago; ` +
        `keep it published for ${keep / 1000} s so the tokens it signed still verify`,
    )
  return { ...set, keys: set.keys.filter((p) => p.key.kid !== kid) }
}
