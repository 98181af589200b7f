import type { SigningAlg } from '../token/index.js'
import { defaultJwksUri, parseIssuer, parseJwksUri, type DiscoveryForm } from './issuer-url.js'
import { signingAlgorithms, type KeySource } from './jwks.js'

/** The discovery document kube-apiserver serves at `/.well-known/openid-configuration`. */
interface KubeDiscoveryDocument {
  readonly issuer: string
  readonly jwks_uri: string
  readonly response_types_supported: readonly ['id_token']
  readonly subject_types_supported: readonly ['public']
  readonly id_token_signing_alg_values_supported: readonly SigningAlg[]
}

/** The discovery document of AWS's self-hosted (S3) setup. */
interface SelfHostedDiscoveryDocument {
  readonly issuer: string
  readonly jwks_uri: string
  readonly authorization_endpoint: 'urn:kubernetes:programmatic_authorization'
  readonly response_types_supported: readonly ['id_token']
  readonly subject_types_supported: readonly ['public']
  readonly id_token_signing_alg_values_supported: readonly SigningAlg[]
  readonly claims_supported: readonly ['sub', 'iss']
}

/** Either discovery document. */
type DiscoveryDocument = KubeDiscoveryDocument | SelfHostedDiscoveryDocument

/** What a discovery document is made from. */
interface DiscoveryOptions {
  /** The issuer URL, exactly as tokens carry it in `iss`. */
  readonly issuer: string
  /** Defaults to `<issuer>/openid/v1/jwks` (kube) or `<issuer>/keys.json` (self-hosted). */
  readonly jwksUri?: string
  /** `kube` (default) or `self-hosted`. */
  readonly form?: DiscoveryForm
  /** The published keys; their algorithms are listed. RS256 when there are none. */
  readonly keys?: KeySource
}

/**
 * The discovery document. Checks the issuer (https, no query, no fragment) and the
 * jwks_uri (https), as kube-apiserver does at startup; throws InputError otherwise.
 */
export function buildDiscovery(o: DiscoveryOptions): DiscoveryDocument {
  parseIssuer(o.issuer)
  const form = o.form ?? 'kube'
  const jwksUri = o.jwksUri ?? defaultJwksUri(o.issuer, form)
  parseJwksUri(jwksUri)
  const found = o.keys !== undefined ? signingAlgorithms(o.keys) : []
  const algs: SigningAlg[] = found.length > 0 ? found : ['RS256']
  if (form === 'kube')
    return {
      issuer: o.issuer,
      jwks_uri: jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
    }
  return {
    issuer: o.issuer,
    jwks_uri: jwksUri,
    authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
    claims_supported: ['sub', 'iss'],
  }
}
