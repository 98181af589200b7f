import { randomUUID as cryptoRandomUUID } from 'node:crypto'
import { epochSeconds, type Clock } from '../core/index.js'
import {
  refClaim,
  serviceAccountSubject,
  type KubernetesClaims,
  type ServiceAccountTokenClaims,
  type ServiceAccountTokenHeader,
} from './claims.js'
import { TokenRequestError } from './errors.js'
import { goJson } from './go-json.js'
import { checkIssuer } from './issuer.js'
import { base64url, signCompact } from './jws.js'
import type { SigningKey } from './keys.js'
import { checkNamespaceName, checkObjectName } from './names.js'
import {
  checkMaxExpirationSeconds,
  DEFAULT_EXPIRATION_SECONDS,
  EXTENDED_EXPIRATION_SECONDS,
  grantExpiration,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
} from './token-request.js'

/** A pod or secret a token is bound to: both name and uid are needed. */
interface BoundObject {
  readonly name: string
  readonly uid: string
}

/** A node a token names: the uid is left out of the token when unknown. */
interface BoundNode {
  readonly name: string
  readonly uid?: string
}

/** What a TokenRequest asks for (`POST .../serviceaccounts/NAME/token`). */
export interface TokenRequestSpec {
  readonly namespace: string
  /** The ServiceAccount; its uid is left out of the token when empty. */
  readonly serviceAccount: { readonly name: string; readonly uid?: string }
  /** `spec.audiences`; empty means the signer's API audiences, as kube-apiserver does. */
  readonly audiences?: readonly string[]
  /** `spec.expirationSeconds`; default 3600. Under 600 or over 2^32 is refused. */
  readonly expirationSeconds?: number
  /** `boundObjectRef` of kind Pod. */
  readonly boundPod?: BoundObject
  /** With `boundPod`: the pod's node. Alone: a node-bound token (kind Node). */
  readonly boundNode?: BoundNode
  /** `boundObjectRef` of kind Secret (cannot be combined with a pod or node). */
  readonly boundSecret?: BoundObject
}

/** A signed token and what TokenRequest's status and warnings would say about it. */
interface IssuedToken {
  readonly token: string
  readonly header: ServiceAccountTokenHeader
  readonly claims: ServiceAccountTokenClaims
  /** The lifetime granted (after the maximum), as the request sees it. */
  readonly expirationSeconds: number
  /** `status.expirationTimestamp` as epoch seconds: the token's `exp`. */
  readonly expiresAt: number
  /** Warnings kube-apiserver would return (a shortened lifetime). */
  readonly warnings: readonly string[]
}

/** How a signer is set up: kube-apiserver's service-account flags. */
export interface TokenSignerOptions {
  /** `--service-account-signing-key-file`. */
  readonly key: SigningKey
  /** `--service-account-issuer` (the first one): https, no query, no fragment. */
  readonly issuer: string
  readonly clock: Clock
  /** Source of `jti`; default `crypto.randomUUID`. */
  readonly randomUUID?: () => string
  /** `--service-account-max-token-expiration` (1 h to 2^32 s): longer requests are shortened. */
  readonly maxExpirationSeconds?: number
  /** `--api-audiences`: used when a request names no audience. Default: the issuer. */
  readonly apiAudiences?: readonly string[]
  /**
   * `--service-account-extend-token-expiration`: a pod-bound request for exactly 3607 s
   * whose audiences are all API audiences gets a one-year token with `warnafter`.
   * Off unless asked for (kube-apiserver's default is on); tokens for STS never qualify.
   */
  readonly extendExpiration?: boolean
}

/** Issues service-account tokens with one key and issuer, as kube-apiserver's TokenRequest does. */
export interface TokenSigner {
  readonly issuer: string
  readonly kid: string
  readonly alg: string
  /** Validates the request with TokenRequest's rules and signs the token. */
  issue(request: TokenRequestSpec): IssuedToken
}

function checkBinding(request: TokenRequestSpec): void {
  const { boundPod, boundNode, boundSecret } = request
  if (boundSecret !== undefined && (boundPod !== undefined || boundNode !== undefined))
    throw new TokenRequestError('a token can only be bound to one object type')
  for (const [kind, ref] of [
    ['pod', boundPod],
    ['secret', boundSecret],
  ] as const) {
    if (ref === undefined) continue
    checkObjectName(ref.name, `bound ${kind} name`)
    if (ref.uid === '') throw new TokenRequestError(`bound ${kind} '${ref.name}' needs a uid`)
  }
  if (boundNode !== undefined) checkObjectName(boundNode.name, 'bound node name')
}

/**
 * Creates a {@link TokenSigner}. The header is fixed per key: `{"alg":…,"kid":…}`. Claims
 * are written as go-jose writes them (keys sorted at every level), so a token is
 * byte-for-byte what kube-apiserver would sign at the same instant with the same jti.
 */
export function createTokenSigner(options: TokenSignerOptions): TokenSigner {
  const { key, issuer, clock } = options
  checkIssuer(issuer)
  if (options.maxExpirationSeconds !== undefined)
    checkMaxExpirationSeconds(options.maxExpirationSeconds)
  const newJti = options.randomUUID ?? cryptoRandomUUID
  const apiAudiences = options.apiAudiences ?? [issuer]
  const header: ServiceAccountTokenHeader = { alg: key.alg, kid: key.kid }
  const encodedHeader = base64url(goJson(header))

  function issue(request: TokenRequestSpec): IssuedToken {
    const { namespace, serviceAccount } = request
    checkNamespaceName(namespace)
    checkObjectName(serviceAccount.name, 'service account name')
    checkBinding(request)
    const requested = request.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS
    const granted = grantExpiration(requested, options.maxExpirationSeconds)
    const audiences =
      request.audiences === undefined || request.audiences.length === 0
        ? apiAudiences
        : request.audiences
    let lifetime = granted.expirationSeconds
    let warnAfter: number | undefined
    if (
      options.extendExpiration === true &&
      request.boundPod !== undefined &&
      lifetime === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
      audiences.every((a) => apiAudiences.includes(a))
    ) {
      warnAfter = lifetime
      lifetime = EXTENDED_EXPIRATION_SECONDS
    }
    const iat = epochSeconds(clock)
    const kube: KubernetesClaims = {
      namespace,
      ...(request.boundNode !== undefined
        ? { node: refClaim(request.boundNode.name, request.boundNode.uid) }
        : {}),
      ...(request.boundPod !== undefined
        ? { pod: refClaim(request.boundPod.name, request.boundPod.uid) }
        : {}),
      ...(request.boundSecret !== undefined
        ? { secret: refClaim(request.boundSecret.name, request.boundSecret.uid) }
        : {}),
      serviceaccount: refClaim(serviceAccount.name, serviceAccount.uid),
      ...(warnAfter !== undefined ? { warnafter: iat + warnAfter } : {}),
    }
    const claims: ServiceAccountTokenClaims = {
      aud: [...audiences],
      exp: iat + lifetime,
      iat,
      iss: issuer,
      jti: newJti(),
      'kubernetes.io': kube,
      nbf: iat,
      sub: serviceAccountSubject(namespace, serviceAccount.name),
    }
    const payload = base64url(goJson(claims))
    return {
      token: signCompact(encodedHeader, payload, key.alg, key.privateKey),
      header,
      claims,
      expirationSeconds: granted.expirationSeconds,
      expiresAt: claims.exp,
      warnings: granted.warnings,
    }
  }

  return { issuer, kid: key.kid, alg: key.alg, issue }
}
