import { InputError } from '../core/index.js'
import { buildDiscovery, buildJwks, type DiscoveryForm } from '../oidc/index.js'
import type { Cluster, NewClusterKey, Store } from '../store/index.js'
import { checkIssuer, loadPublicKeys, loadSigningKey, type PublicKeyInfo } from '../token/index.js'

/**
 * Clusters whose issuer is hosted elsewhere (`irsa cluster create NAME --issuer URL`, e.g.
 * a public S3 bucket as in the EKS Anywhere guide): their tokens carry that `iss`, and
 * the user uploads the discovery document and JWKS there. The stack serves an issuer only
 * at `https://HOST:OIDC_PORT/id/<issuer id>`, the cluster's own random id, so an issuer
 * URL that does not end in `/id/<issuer id>` is one the stack does not serve.
 */

/** True when the stack serves `c`'s issuer itself; false for an issuer hosted elsewhere. */
export function servesIssuer(c: Cluster): boolean {
  return c.issuerUrl.endsWith(`/id/${c.issuerId}`)
}

/** Checks an issuer URL given with `--issuer` (https, no query, fragment or user). */
export function checkExternalIssuer(url: string): string {
  checkIssuer(url, '--issuer')
  if (/\/id\/[0-9A-F]{32}$/.test(url))
    throw new InputError(
      `--issuer '${url}' has the form of an issuer irsa up serves itself; leave --issuer out for that`,
    )
  return url
}

/**
 * A given private key (PEM: RSA PKCS#1 or PKCS#8, or EC P-256/384/521) in the store's
 * form: its kid as every cluster key's (SHA-256 of the public key's DER, base64url, as
 * kube-apiserver), its alg (RS256, ES256 …), the public half, the private key as PKCS#8.
 */
export function importSigningKey(pem: string, source: string): NewClusterKey {
  const key = loadSigningKey(pem, source)
  return {
    kid: key.kid,
    alg: key.alg,
    publicPem: key.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privatePem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  }
}

/** The cluster's published public keys, the signing key first. */
function publishedKeys(store: Store, c: Cluster): PublicKeyInfo[] {
  const keys = store.clusters.listKeys(c.arn)
  const ordered = [...keys.filter((k) => k.current), ...keys.filter((k) => !k.current)]
  return ordered.flatMap((k) => loadPublicKeys(k.publicPem, `signing key ${k.kid}`))
}

/** The JWKS of cluster `c` (`keys.json` for an issuer hosted elsewhere). */
export function clusterJwks(store: Store, c: Cluster): ReturnType<typeof buildJwks> {
  return buildJwks(publishedKeys(store, c))
}

/**
 * The discovery document of cluster `c`. Default form: AWS's self-hosted (S3) one,
 * `jwks_uri` `<issuer>/keys.json`, for an issuer hosted elsewhere; kube-apiserver's for
 * one the stack serves (what it serves).
 */
export function clusterDiscovery(
  store: Store,
  c: Cluster,
  o: { readonly form?: DiscoveryForm; readonly jwksUri?: string } = {},
): ReturnType<typeof buildDiscovery> {
  return buildDiscovery({
    issuer: c.issuerUrl,
    form: o.form ?? (servesIssuer(c) ? 'kube' : 'self-hosted'),
    keys: publishedKeys(store, c),
    ...(o.jwksUri !== undefined ? { jwksUri: o.jwksUri } : {}),
  })
}
