export {
  createKubeApiApp,
  certificateUser,
  certificateCluster,
  MAX_REQUEST_BODY_BYTES,
} from './app.js'
export type { KubeApiApp, KubeApiAppDeps, KubeUser } from './app.js'
export { KubeRegistry, toObject } from './registry.js'
export type { RegistryDeps, ListOptions } from './registry.js'
export { WatchHub, WATCH_POLL_MS, watchEvent } from './watch.js'
export type { WatchEvent, WatchSubscriber } from './watch.js'
export { KUBE_STATUS, KubeApiError, kubeStatus, kubeError, invalid } from './status.js'
export type { KubeStatus, KubeStatusName, StatusEntry } from './status.js'
export { RESOURCES, resourceAt, resourceOfKind, groupVersion } from './resources.js'
export type { ResourceInfo } from './resources.js'
export { DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_SECONDS } from './token-request.js'
export { decodeProtobufObject } from './protobuf.js'
export type { TokenGrant, TokenIssuer } from './token-request.js'
export { startKubeApiServer } from './server.js'
export type { KubeApiServer, KubeCluster } from './server.js'
export { SIMULATED_ANNOTATION } from './pods.js'
export { forbidden, requestAttributes, READ_VERBS } from './authz.js'
export type { KubeAuthorizer, RequestAttributes } from './authz.js'
export { createPodStreams, EXEC_PROTOCOLS } from './exec.js'
export type { PodStreams, PodStreamsDeps } from './exec.js'
