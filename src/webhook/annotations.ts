/**
 * Annotation names, without the prefix (`--annotation-prefix`, `eks.amazonaws.com` by
 * default). The first five are the reference webhook's; the last three are irsa's own.
 */
export const ANNOTATIONS = {
  /** ServiceAccount: the IAM role; turns IRSA on. */
  roleArn: 'role-arn',
  /** ServiceAccount: the token audience (else `--token-audience`). */
  audience: 'audience',
  /** ServiceAccount: `true`/`false`, inject `AWS_STS_REGIONAL_ENDPOINTS=regional`. */
  stsRegionalEndpoints: 'sts-regional-endpoints',
  /** ServiceAccount and Pod: token lifetime in seconds (at least 600). */
  tokenExpiration: 'token-expiration',
  /** Pod: CSV of container names the webhook leaves alone. */
  skipContainers: 'skip-containers',
  /** ServiceAccount (irsa's own): the region to inject (else `--aws-default-region`). */
  region: 'region',
  /** ServiceAccount and Pod (irsa's own): `true`/`false`, inject `AWS_ROLE_SESSION_NAME`. */
  roleSessionName: 'role-session-name',
  /** ServiceAccount and Pod (irsa's own): the `fsGroup` to set on a mutated pod that sets none. */
  fsGroup: 'fs-group',
} as const

/**
 * The label the reference puts on pods mutated for EKS Pod Identity. It is always under
 * `eks.amazonaws.com`, whatever the annotation prefix.
 */
export const POD_IDENTITY_LABEL = 'eks.amazonaws.com/pod-identity'

// The keys of the last prefix asked for: a webhook asks for the same handful on every
// admission, and a key built once is hashed once by the Maps it is looked up in.
let keysPrefix: string | undefined
let keys = new Map<string, string>()

/** `<prefix>/<name>`. */
export function annotationKey(prefix: string, name: string): string {
  if (prefix !== keysPrefix || keys.size > 64) {
    keysPrefix = prefix
    keys = new Map()
  }
  let key = keys.get(name)
  if (key === undefined) {
    key = `${prefix}/${name}`
    keys.set(name, key)
  }
  return key
}
