export { mutatePod } from './mutate.js'
export type { MutationOutcome } from './mutate.js'
export {
  createMutationConfig,
  DEFAULT_CONTAINER_CREDENTIALS,
  DEFAULT_MUTATION,
  MAX_FS_GROUP,
  partitionForRegion,
  IRSA_VOLUME_NAME,
} from './config.js'
export type {
  MutationConfig,
  MutationOptions,
  ContainerCredentialsConfig,
  EnvFromSourceRef,
  UnresolvedEnvFromPolicy,
} from './config.js'
export { ANNOTATIONS, annotationKey } from './annotations.js'
export { ENV } from './env-names.js'
export { applyJsonPatch, parseJsonPatch } from './json-patch.js'
export { patchedPodBytesBound, DEFAULT_MAX_PATCHED_POD_BYTES } from './patch-size.js'
export type { JsonPatchOperation } from './json-patch.js'
export { escapePointerToken, formatPointer, parsePointer } from './json-pointer.js'
export { parseGoBool, parseGoInt64, parseCsvFirstRecord } from './go-parse.js'
export { MAX_WARNING_LENGTH } from './warnings.js'
export { isWebhookError, WEBHOOK_ERROR_CODES } from './errors.js'
export type { JsonValue, JsonObject, Pod, ServiceAccount } from './types.js'
export { createWebhookApp, DEFAULT_MAX_BODY_BYTES, WEBHOOK_PATHS } from './server/app.js'
export { startWebhookServer, startMetricsServer } from './server/server.js'
export type { WebhookServer } from './server/server.js'
export { watchCertificateFiles } from './server/cert-reload.js'
export { createWebhookMetrics } from './server/metrics.js'
export { renderAdmissionResponse } from './server/admission-review.js'
export { staticServiceAccountSource } from './server/service-account-source.js'
export type { ServiceAccountSource } from './server/service-account-source.js'
export { parseGoDuration } from './server/duration.js'
export {
  parsePodIdentityAssociations,
  watchPodIdentityAssociations,
} from './server/pod-identity-associations.js'
export type { PodIdentityAssociations } from './server/pod-identity-associations.js'
