export { createKubeClient } from './client.js'
export type { KubeClient, KubeResponse, WatchEvent } from './client.js'
export { staticCredentials } from './connection.js'
export type { CredentialSource, KubeConnection, KubeCredentials } from './connection.js'
export { KubeError, isKubeError, KUBE_ERROR_CODES } from './errors.js'
export type { KubeErrorCode } from './errors.js'
export { execCredentials, parseExecCredential, EXEC_API_VERSIONS } from './exec-credential.js'
export type { ExecConfig, ExecClusterInfo, ExecCredentialOptions } from './exec-credential.js'
export {
  inClusterConnection,
  tokenFileCredentials,
  IN_CLUSTER_DIR,
  TOKEN_REREAD_MS,
} from './in-cluster.js'
export { loadKubeconfig, parseKubeconfig } from './kubeconfig.js'
export type { KubeconfigOptions } from './kubeconfig.js'
export { createServiceAccountInformer } from './informer.js'
export type {
  ServiceAccountInformer,
  ServiceAccountInformerOptions,
  InformerStats,
  LookupOptions,
} from './informer.js'
export { stripServiceAccount } from './service-accounts.js'
export type { StrippedServiceAccount } from './service-accounts.js'
export { createBackoff } from './backoff.js'
export type { Backoff } from './backoff.js'
export { createRateLimiter } from './rate-limit.js'
export type { RateLimiter } from './rate-limit.js'
