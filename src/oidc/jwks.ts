import type { PublicKeyInfo, SigningAlg } from '../token/index.js'
import { toPublicJwk, type Jwks, type PublicJwk } from './jwk.js'
import { publishedKeys, signingKeyOf, type IssuerKeySet } from './key-set.js'

/** Keys to publish: a rotation-aware key set, or plain keys (the first one signs). */
export type KeySource = IssuerKeySet | readonly PublicKeyInfo[]

function isKeySet(source: KeySource): source is IssuerKeySet {
  return !Array.isArray(source)
}

/** The keys of a source in publication order, and the one that signs. */
function resolveKeys(source: KeySource): {
  keys: PublicKeyInfo[]
  signing: PublicKeyInfo | undefined
} {
  if (isKeySet(source)) return { keys: publishedKeys(source), signing: signingKeyOf(source) }
  const keys = [...source]
  return { keys, signing: keys[0] }
}

/** Options of {@link buildJwks}. */
interface JwksOptions {
  /**
   * Append a copy of the signing key with `"kid": ""`, as AWS's self-hosted guide does:
   * tokens from clusters before Kubernetes 1.16 carry no `kid`, and STS matches them only
   * against a key whose kid is empty.
   */
  readonly legacyEmptyKid?: boolean
}

/**
 * The JWKS: every published key in publication order (duplicates by kid dropped), then,
 * when asked, the legacy empty-kid copy of the signing key.
 */
export function buildJwks(source: KeySource, options: JwksOptions = {}): Jwks {
  const { keys, signing } = resolveKeys(source)
  const jwks: PublicJwk[] = []
  const seen = new Set<string>()
  for (const k of keys) {
    if (seen.has(k.kid)) continue
    seen.add(k.kid)
    jwks.push(toPublicJwk(k))
  }
  if (options.legacyEmptyKid === true && signing !== undefined) jwks.push(toPublicJwk(signing, ''))
  return { keys: jwks }
}

/** The signing algorithms of the keys: sorted and de-duplicated, as kube-apiserver lists them. */
export function signingAlgorithms(source: KeySource): SigningAlg[] {
  const algs = new Set(resolveKeys(source).keys.map((k) => k.alg))
  return [...algs].sort()
}
