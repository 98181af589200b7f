import { createPublicKey, type KeyObject } from 'node:crypto'
import { isVerifyAlg, JWS_ALGS, type VerifyAlg } from './jws.js'
import type { PublicKeyInfo } from './keys.js'

/** A JSON Web Key Set as fetched or parsed: `{"keys": [...]}`, members not yet trusted. */
export interface JwksInput {
  readonly keys: readonly unknown[]
}

/** Verification keys from several places at once: JWKS documents and PEM-loaded keys. */
interface KeySetSource {
  readonly jwks?: JwksInput | readonly JwksInput[]
  readonly publicKeys?: readonly PublicKeyInfo[]
}

/** Anything a key set can be built from: a JWKS, PEM-loaded keys, or both. */
export type KeySetInput = JwksInput | readonly PublicKeyInfo[] | KeySetSource

/** One key a token may be verified with. */
export interface VerificationKey {
  /** The key id; `""` for a JWK without one (the legacy empty-kid key). */
  readonly kid: string
  readonly kty: 'RSA' | 'EC'
  /**
   * The one algorithm this key verifies, when its JWK names one. PEM keys name none: an
   * RSA key then verifies RS256/384/512 and an EC key the ES* of its curve.
   */
  readonly alg?: VerifyAlg
  readonly publicKey: KeyObject
  readonly source: 'jwks' | 'pem'
}

/** A key that was left out of a key set, and why (for `irsa doctor`). */
interface SkippedKey {
  readonly source: 'jwks' | 'pem'
  /** Its position among the JWKS members (across all JWKS given), or among the PEM keys. */
  readonly index: number
  readonly kid?: string
  readonly reason: string
}

/** RSA keys shorter than this are never used to verify (jose and NIST SP 800-131A agree). */
const MIN_RSA_BITS = 2048

/** Why a key cannot verify tokens, or undefined when it can. */
function weakness(key: KeyObject): string | undefined {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (key.asymmetricKeyType === 'rsa' && bits < MIN_RSA_BITS)
    return `RSA key of ${bits} bits is shorter than ${MIN_RSA_BITS}`
  return undefined
}

const CURVES: Readonly<Record<string, string>> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** Turns one JWKS member into a key, or says why it cannot verify tokens. */
function fromJwk(jwk: unknown): VerificationKey | string {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'not a JSON object'
  const m = jwk as Readonly<Record<string, unknown>>
  const kty = m['kty']
  if (kty !== 'RSA' && kty !== 'EC') return `kty ${JSON.stringify(kty ?? null)} is not RSA or EC`
  if (m['kid'] !== undefined && typeof m['kid'] !== 'string') return 'kid is not a string'
  if (m['use'] !== undefined && m['use'] !== 'sig') return 'use is not "sig"'
  const ops = m['key_ops']
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify')))
    return 'key_ops does not include "verify"'
  let alg: VerifyAlg | undefined
  if (m['alg'] !== undefined) {
    if (!isVerifyAlg(m['alg'])) return `alg ${JSON.stringify(m['alg'])} is not allowed`
    alg = m['alg']
    if (JWS_ALGS[alg].kty !== kty) return `alg ${alg} does not fit kty ${kty}`
  }
  let publicKey: KeyObject
  try {
    if (kty === 'RSA') {
      const n = str(m['n'])
      const e = str(m['e'])
      if (n === undefined || e === undefined) return 'RSA key without n and e'
      publicKey = createPublicKey({ key: { kty, n, e }, format: 'jwk' })
    } else {
      const crv = str(m['crv'])
      const x = str(m['x'])
      const y = str(m['y'])
      if (crv === undefined || CURVES[crv] === undefined)
        return 'EC key on a curve other than P-256/384/521'
      if (x === undefined || y === undefined) return 'EC key without x and y'
      if (alg !== undefined && JWS_ALGS[alg].curve !== CURVES[crv])
        return `alg ${alg} does not fit curve ${crv}`
      publicKey = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' })
    }
  } catch {
    return 'key material does not parse'
  }
  const weak = weakness(publicKey)
  if (weak !== undefined) return weak
  return {
    kid: str(m['kid']) ?? '',
    kty,
    ...(alg !== undefined ? { alg } : {}),
    publicKey,
    source: 'jwks',
  }
}

/**
 * The keys tokens are verified against, indexed by kid. Build it once per key set (JWK
 * import is the expensive part) and verify many tokens with it.
 */
export class TokenKeySet {
  readonly keys: readonly VerificationKey[]
  /** Keys that cannot verify tokens (wrong kty, `use: enc`, bad alg, bad numbers, weak RSA). */
  readonly skipped: readonly SkippedKey[]
  readonly #byKid: ReadonlyMap<string, readonly VerificationKey[]>

  constructor(keys: readonly VerificationKey[], skipped: readonly SkippedKey[] = []) {
    this.keys = keys
    this.skipped = skipped
    const byKid = new Map<string, VerificationKey[]>()
    for (const k of keys) {
      const list = byKid.get(k.kid)
      if (list === undefined) byKid.set(k.kid, [k])
      else list.push(k)
    }
    this.#byKid = byKid
  }

  /** Every key with exactly this kid (`""` selects the legacy empty-kid keys). */
  withKid(kid: string): readonly VerificationKey[] {
    return this.#byKid.get(kid) ?? []
  }
}

/**
 * Builds a {@link TokenKeySet} from JWKS documents and PEM keys. JWKS members that cannot
 * verify a token are skipped (and listed), never trusted loosely: symmetric (`oct`) keys,
 * encryption keys, keys whose `alg` is off the allow-list or does not fit the key.
 */
export function createTokenKeySet(input: KeySetInput): TokenKeySet {
  const source: KeySetSource = isPublicKeyList(input)
    ? { publicKeys: input }
    : 'keys' in input
      ? { jwks: input }
      : input
  const keys: VerificationKey[] = []
  const skipped: SkippedKey[] = []
  const sets =
    source.jwks === undefined ? [] : isJwksList(source.jwks) ? source.jwks : [source.jwks]
  let index = 0
  for (const set of sets) {
    const members: unknown = (set as { keys?: unknown }).keys
    if (!Array.isArray(members)) {
      skipped.push({ source: 'jwks', index, reason: 'not a JWKS: no "keys" array' })
      continue
    }
    for (const member of members as unknown[]) {
      const r = fromJwk(member)
      if (typeof r === 'string') {
        const kid = memberKid(member)
        skipped.push({ source: 'jwks', index, reason: r, ...(kid !== undefined ? { kid } : {}) })
      } else keys.push(r)
      index++
    }
  }
  for (const [i, k] of (source.publicKeys ?? []).entries()) {
    const weak = weakness(k.publicKey)
    if (weak !== undefined) skipped.push({ source: 'pem', index: i, kid: k.kid, reason: weak })
    else keys.push({ kid: k.kid, kty: k.kty, publicKey: k.publicKey, source: 'pem' })
  }
  return new TokenKeySet(keys, skipped)
}

function isPublicKeyList(v: KeySetInput): v is readonly PublicKeyInfo[] {
  return Array.isArray(v)
}

function isJwksList(v: JwksInput | readonly JwksInput[]): v is readonly JwksInput[] {
  return Array.isArray(v)
}

function memberKid(member: unknown): string | undefined {
  if (typeof member !== 'object' || member === null) return undefined
  return str((member as Readonly<Record<string, unknown>>)['kid'])
}
