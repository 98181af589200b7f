import { sign, verify, type KeyObject } from 'node:crypto'

/** The JWS algorithms irsa verifies: what AWS STS accepts (RS256/384/512, ES256/384/512). */
export type VerifyAlg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512'

interface AlgSpec {
  readonly kty: 'RSA' | 'EC'
  readonly hash: 'sha256' | 'sha384' | 'sha512'
  /** EC only: the curve as Node names it, and the size of r and of s in bytes. */
  readonly curve?: string
  readonly size?: number
}

/** Each allowed algorithm with the key it needs. Nothing else is ever verified. */
export const JWS_ALGS: Readonly<Record<VerifyAlg, AlgSpec>> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  ES256: { kty: 'EC', hash: 'sha256', curve: 'prime256v1', size: 32 },
  ES384: { kty: 'EC', hash: 'sha384', curve: 'secp384r1', size: 48 },
  ES512: { kty: 'EC', hash: 'sha512', curve: 'secp521r1', size: 66 },
}

/** True for an algorithm on the allow-list (an own key of {@link JWS_ALGS}). */
export function isVerifyAlg(alg: unknown): alg is VerifyAlg {
  return typeof alg === 'string' && Object.hasOwn(JWS_ALGS, alg)
}

/** True when `key` is the kind of key `alg` needs (RSA for RS*, the matching curve for ES*). */
export function keyFitsAlg(key: KeyObject, alg: VerifyAlg): boolean {
  const spec = JWS_ALGS[alg]
  if (spec.kty === 'RSA') return key.asymmetricKeyType === 'rsa'
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === spec.curve
}

/** Unpadded base64url of UTF-8 text or bytes. */
export function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url')
}

/**
 * Signs `header.payload` (both already base64url) and returns the compact JWS. ECDSA
 * signatures are the raw `r || s` of RFC 7518 §3.4 (`ieee-p1363`), not DER.
 */
export function signCompact(
  encodedHeader: string,
  encodedPayload: string,
  alg: VerifyAlg,
  privateKey: KeyObject,
): string {
  const input = `${encodedHeader}.${encodedPayload}`
  const spec = JWS_ALGS[alg]
  const signature =
    spec.kty === 'EC'
      ? sign(spec.hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(spec.hash, Buffer.from(input), privateKey)
  return `${input}.${signature.toString('base64url')}`
}

/**
 * Checks a JWS signature over `signingInput` (ASCII). The caller has already checked that
 * `key` fits `alg`. An ECDSA signature must be exactly `r || s` for the curve.
 */
export function verifySignature(
  signingInput: string,
  signature: Buffer,
  alg: VerifyAlg,
  key: KeyObject,
): boolean {
  const spec = JWS_ALGS[alg]
  try {
    if (spec.kty === 'EC') {
      if (signature.length !== 2 * (spec.size ?? 0)) return false
      return verify(
        spec.hash,
        Buffer.from(signingInput),
        { key, dsaEncoding: 'ieee-p1363' },
        signature,
      )
    }
    return verify(spec.hash, Buffer.from(signingInput), key, signature)
  } catch {
    return false
  }
}
