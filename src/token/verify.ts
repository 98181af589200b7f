import { epochSeconds, type Clock } from '../core/index.js'
import { decodeToken, type JwsHeader } from './decode.js'
import { TokenError } from './errors.js'
import { isVerifyAlg, JWS_ALGS, keyFitsAlg, verifySignature, type VerifyAlg } from './jws.js'
import {
  createTokenKeySet,
  TokenKeySet,
  type KeySetInput,
  type VerificationKey,
} from './key-set.js'

/** AWS accepts a token for 5 minutes after its `exp`; the same allowance applies to `nbf`. */
const DEFAULT_CLOCK_SKEW_SECONDS = 300

/** How {@link verifyToken} judges a token. */
export interface VerifyOptions {
  readonly clock: Clock
  /** Seconds of allowance after `exp` and before `nbf`; default 300. */
  readonly clockSkewSeconds?: number
  /** When given, `iss` must equal it exactly. */
  readonly expectedIssuer?: string
  /** When given, at least one `aud` value must be one of these. */
  readonly audiences?: readonly string[]
}

/** The claims every verified token has, with anything else it carries. */
interface VerifiedClaims {
  readonly iss: string
  readonly sub: string
  /** As the token has it: a string or an array of strings. */
  readonly aud: string | readonly string[]
  readonly exp: number
  readonly nbf?: number
  readonly iat?: number
  readonly [claim: string]: unknown
}

/** A token whose signature and claims passed. */
export interface VerifiedToken {
  readonly header: JwsHeader
  readonly claims: VerifiedClaims
  /** `aud` as a list. */
  readonly audiences: readonly string[]
  /** The key that verified the signature. */
  readonly key: VerificationKey
  readonly alg: VerifyAlg
}

const ALLOWED = Object.keys(JWS_ALGS).join(', ')

function fail(
  code: TokenError['code'],
  message: string,
  details: TokenError['details'] = {},
): TokenError {
  return new TokenError(code, message, details)
}

/** Whether this key may verify a token signed with `alg`. */
function keyAccepts(key: VerificationKey, alg: VerifyAlg): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false
  return keyFitsAlg(key.publicKey, alg)
}

function selectKeys(
  keySet: TokenKeySet,
  header: JwsHeader,
  alg: VerifyAlg,
): readonly VerificationKey[] {
  const kid = header.kid ?? ''
  const withKid = keySet.withKid(kid)
  const details = () => ({ alg, ...(header.kid !== undefined ? { kid: header.kid } : {}) })
  if (withKid.length === 0)
    throw fail(
      'ERR_TOKEN_NO_KEY',
      kid === ''
        ? 'token has no key id and no verification key has an empty kid'
        : "no verification key has the token's key id",
      details(),
    )
  const usable = withKid.filter((k) => keyAccepts(k, alg))
  if (usable.length === 0)
    throw fail(
      'ERR_TOKEN_NO_KEY',
      "the verification key with the token's key id does not fit the token's algorithm",
      details(),
    )
  return usable
}

function requireString(claims: Readonly<Record<string, unknown>>, name: string): string {
  const v = claims[name]
  if (v === undefined)
    throw fail('ERR_TOKEN_MISSING_CLAIM', `token has no "${name}" claim`, { claim: name })
  if (typeof v !== 'string' || v === '')
    throw fail('ERR_TOKEN_INVALID_CLAIM', `token claim "${name}" is not a non-empty string`, {
      claim: name,
    })
  return v
}

function numericDate(
  claims: Readonly<Record<string, unknown>>,
  name: string,
  required: boolean,
): number | undefined {
  const v = claims[name]
  if (v === undefined) {
    if (required)
      throw fail('ERR_TOKEN_MISSING_CLAIM', `token has no "${name}" claim`, { claim: name })
    return undefined
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw fail('ERR_TOKEN_INVALID_CLAIM', `token claim "${name}" is not an integer NumericDate`, {
      claim: name,
    })
  return v
}

function audienceList(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const v = claims['aud']
  if (v === undefined)
    throw fail('ERR_TOKEN_MISSING_CLAIM', 'token has no "aud" claim', { claim: 'aud' })
  if (typeof v === 'string' && v !== '') return [v]
  if (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string' && a !== ''))
    return v as string[]
  throw fail(
    'ERR_TOKEN_INVALID_CLAIM',
    'token claim "aud" is not a string or a non-empty array of strings',
    { claim: 'aud' },
  )
}

/**
 * Verifies a service-account (or any OIDC) token as AWS STS does, and returns its header
 * and claims. `keys` is a JWKS (`{"keys": [...]}`, e.g. as fetched), a list of PEM-loaded
 * keys, both ({@link KeySetSource}), or a prepared {@link TokenKeySet} (fastest). Only RS256/384/512 and ES256/384/512 are accepted; `jku`, `x5u`, `jwk` and
 * `x5c` headers are never followed; the key is chosen by `kid` from `keys` alone (a token
 * without `kid` uses the key published with `"kid": ""`), and must fit the algorithm.
 * Then `iss`, `sub`, `aud` and `exp` must be present; `exp` and `nbf` are checked with the
 * clock skew allowance; `iss` and `aud` against the options when given.
 *
 * Throws {@link TokenError}; its message never contains the token or any part of it.
 */
export function verifyToken(
  token: string,
  keys: TokenKeySet | KeySetInput,
  options: VerifyOptions,
): VerifiedToken {
  const { header, payload, signingInput, signature } = decodeToken(token)
  const alg = header.alg
  if (!isVerifyAlg(alg))
    throw fail('ERR_TOKEN_UNSUPPORTED_ALG', `token algorithm is not allowed (only ${ALLOWED})`, {
      alg,
    })
  if (header['crit'] !== undefined)
    throw fail(
      'ERR_TOKEN_MALFORMED',
      'token header names critical extensions, which are not supported',
    )
  const keySet = keys instanceof TokenKeySet ? keys : createTokenKeySet(keys)
  const candidates = selectKeys(keySet, header, alg)
  const key = candidates.find((k) => verifySignature(signingInput, signature, alg, k.publicKey))
  if (key === undefined)
    throw fail('ERR_TOKEN_BAD_SIGNATURE', 'token signature does not verify', {
      alg,
      ...(header.kid !== undefined ? { kid: header.kid } : {}),
    })

  const iss = requireString(payload, 'iss')
  requireString(payload, 'sub')
  const audiences = audienceList(payload)
  const exp = numericDate(payload, 'exp', true) ?? 0
  const nbf = numericDate(payload, 'nbf', false)
  numericDate(payload, 'iat', false)

  if (options.expectedIssuer !== undefined && iss !== options.expectedIssuer)
    throw fail('ERR_TOKEN_ISSUER_MISMATCH', `token issuer is not ${options.expectedIssuer}`, {
      claim: 'iss',
    })
  const now = epochSeconds(options.clock)
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS
  if (now >= exp + skew)
    throw fail('ERR_TOKEN_EXPIRED', `token has expired (allowing ${skew} s of clock skew)`, {
      claim: 'exp',
      exp,
      now,
    })
  if (nbf !== undefined && nbf > now + skew)
    throw fail(
      'ERR_TOKEN_NOT_YET_VALID',
      `token is not valid yet (nbf is more than ${skew} s ahead)`,
      { claim: 'nbf', nbf, now },
    )
  const wanted = options.audiences
  if (wanted !== undefined && !audiences.some((a) => wanted.includes(a)))
    throw fail(
      'ERR_TOKEN_AUDIENCE_MISMATCH',
      `token audience is not one of: ${wanted.join(', ')}`,
      {
        claim: 'aud',
      },
    )
  return { header, claims: payload as VerifiedClaims, audiences, key, alg }
}
