/** Credentials for one request to the API server. */
export interface KubeCredentials {
  /** Bearer token. */
  readonly token?: string
  /** Client certificate and key (PEM). */
  readonly cert?: string
  readonly key?: string
}

/** Where credentials come from; asked before every request, so it may refresh them. */
export interface CredentialSource {
  get(): KubeCredentials | Promise<KubeCredentials>
  /** The server refused the credentials (401): drop any cached ones. */
  invalidate(): void
}

/** How to reach and authenticate to an API server. */
export interface KubeConnection {
  /** `https://HOST:PORT[/prefix]` (or `http://` for a test server). */
  readonly server: string
  /** CA certificates (PEM) to trust; the system CAs when absent. */
  readonly ca?: string
  readonly insecureSkipTlsVerify: boolean
  /** SNI and certificate name to expect, when not the server's host. */
  readonly tlsServerName?: string
  readonly credentials: CredentialSource
  /** Where it came from, for messages (`kubeconfig FILE context NAME`, `in-cluster`). */
  readonly source: string
}

/** A {@link CredentialSource} that always answers the same credentials. */
export function staticCredentials(credentials: KubeCredentials): CredentialSource {
  return { get: () => credentials, invalidate: () => undefined }
}
