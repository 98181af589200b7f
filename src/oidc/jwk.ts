import type { PublicKeyInfo, SigningAlg } from '../token/index.js'

/** An RSA public key in the JWKS, fields in go-jose's order (`use, kty, kid, alg, n, e`). */
interface RsaPublicJwk {
  readonly use: 'sig'
  readonly kty: 'RSA'
  readonly kid: string
  readonly alg: SigningAlg
  readonly n: string
  readonly e: string
}

/** An EC public key in the JWKS, fields in go-jose's order (`use, kty, kid, crv, alg, x, y`). */
interface EcPublicJwk {
  readonly use: 'sig'
  readonly kty: 'EC'
  readonly kid: string
  readonly crv: 'P-256' | 'P-384' | 'P-521'
  readonly alg: SigningAlg
  readonly x: string
  readonly y: string
}

/** One published verification key. */
export type PublicJwk = RsaPublicJwk | EcPublicJwk

/** A JSON Web Key Set as kube-apiserver and the self-hosted setup publish it. */
export interface Jwks {
  readonly keys: readonly PublicJwk[]
}

interface ExportedJwk {
  n?: string
  e?: string
  crv?: string
  x?: string
  y?: string
}

/**
 * The JWK kube-apiserver publishes for a key (`use: "sig"`, its `kid` and `alg`), with
 * n/e or x/y as unpadded base64url (x and y padded to the curve size, as go-jose does).
 * `kid` overrides the key's own id (the legacy empty-kid duplicate passes `""`).
 */
export function toPublicJwk(key: PublicKeyInfo, kid: string = key.kid): PublicJwk {
  const jwk = key.publicKey.export({ format: 'jwk' }) as ExportedJwk
  if (key.kty === 'RSA')
    return { use: 'sig', kty: 'RSA', kid, alg: key.alg, n: jwk.n ?? '', e: jwk.e ?? '' }
  const crv = jwk.crv
  if (crv !== 'P-256' && crv !== 'P-384' && crv !== 'P-521')
    throw new RangeError(`unsupported curve ${crv ?? 'unknown'}`)
  return { use: 'sig', kty: 'EC', kid, crv, alg: key.alg, x: jwk.x ?? '', y: jwk.y ?? '' }
}
