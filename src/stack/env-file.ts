/** What the env file and the AWS profile carry. */
export interface StackCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
  /** `http://HOST:PORT` of the AWS endpoint. */
  readonly endpoint: string
  /** `https://HOST:PORT` of the AWS endpoint, exported as IRSA_AWS_HTTPS_URL. */
  readonly httpsEndpoint?: string
  /** The local CA's certificate (`DIR/ca.pem`), exported as IRSA_CA_BUNDLE. */
  readonly caBundle?: string
  /** The absolute data directory, exported as IRSA_DATA_DIR so irsa finds it anywhere. */
  readonly dataDir?: string
  /** The kubeconfig of the local clusters, exported as KUBECONFIG for kubectl. */
  readonly kubeconfig?: string
}

/** A value quoted for POSIX shells: single quotes, a quote inside as `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}

/**
 * The text of `DATA_DIR/env`: a file a POSIX shell can `source`, exporting the admin
 * credentials, the region (both variables the SDKs read), the endpoint (and its HTTPS
 * twin with the CA that signs it, for `aws --endpoint-url "$IRSA_AWS_HTTPS_URL"
 * --ca-bundle "$IRSA_CA_BUNDLE"`) and, with the Kubernetes API, the kubeconfig.
 */
export function envFileText(c: StackCredentials): string {
  const vars: readonly (readonly [string, string])[] = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
    ['AWS_REGION', c.region],
    ['AWS_DEFAULT_REGION', c.region],
    ['AWS_ENDPOINT_URL', c.endpoint],
    ...(c.httpsEndpoint !== undefined ? [['IRSA_AWS_HTTPS_URL', c.httpsEndpoint] as const] : []),
    ...(c.caBundle !== undefined ? [['IRSA_CA_BUNDLE', c.caBundle] as const] : []),
    ...(c.dataDir !== undefined ? [['IRSA_DATA_DIR', c.dataDir] as const] : []),
    ...(c.kubeconfig !== undefined ? [['KUBECONFIG', c.kubeconfig] as const] : []),
  ]
  return (
    '# Written by irsa up: `source` this file to point the AWS CLI and SDKs at the local stack.\n' +
    vars.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('')
  )
}
