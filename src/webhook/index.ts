export { mutatePod } from './mutate.js'
export type { MutationOutcome, MutationResult } from './mutate.js'
export {
  createMutationConfig,
  isValidFsGroup,
  DEFAULT_CONTAINER_CREDENTIALS,
  DEFAULT_TOKEN_EXPIRATION_SECONDS,
  DEFAULT_MUTATION,
  MIN_TOKEN_EXPIRATION_SECONDS,
  MAX_FS_GROUP,
  POD_IDENTITY_JITTER_SECONDS,
  UNRESOLVED_ENV_FROM_POLICIES,
  partitionForRegion,
  IRSA_VOLUME_NAME,
  IRSA_TOKEN_PATH,
} from './config.js'
export type {
  MutationConfig,
  MutationOptions,
  ContainerCredentialsConfig,
  EnvFromResolver,
  EnvFromSourceRef,
  UnresolvedEnvFromPolicy,
  ComposeRoleArn,
} from './config.js'
export { resolveIdentity, tokenVolumeExpiration } from './resolve.js'
export type {
  IdentityMode,
  IdentityResolution,
  NoIdentityOutcome,
  ResolvedIdentity,
} from './resolve.js'
export { readPod, readServiceAccount } from './pod-view.js'
export type { PodView, ServiceAccountView, ContainerView, EnvFromView } from './pod-view.js'
export { ANNOTATIONS, POD_IDENTITY_LABEL, SKIP_POD_LABEL, annotationKey } from './annotations.js'
export { ENV } from './env-names.js'
export { applyJsonPatch, parseJsonPatch } from './json-patch.js'
export { patchedPodBytesBound, DEFAULT_MAX_PATCHED_POD_BYTES } from './patch-size.js'
export type {
  JsonPatchOperation,
  JsonPatchValueOperation,
  JsonPatchRemoveOperation,
  JsonPatchFromOperation,
} from './json-patch.js'
export { escapePointerToken, formatPointer, parsePointer } from './json-pointer.js'
export { parseGoBool, parseGoInt64, parseCsvFirstRecord } from './go-parse.js'
export { MAX_WARNING_LENGTH } from './warnings.js'
export { WebhookError, isWebhookError, WEBHOOK_ERROR_CODES } from './errors.js'
export type { WebhookErrorCode } from './errors.js'
export type {
  JsonValue,
  JsonObject,
  Pod,
  PodSpec,
  PodSecurityContext,
  ObjectMeta,
  Container,
  EnvVar,
  EnvFromSource,
  EnvFromReference,
  VolumeMount,
  Volume,
  ServiceAccount,
} from './types.js'
export { createWebhookApp, DEFAULT_MAX_BODY_BYTES, WEBHOOK_PATHS } from './server/app.js'
export type { WebhookApp, WebhookAppDeps, HttpAnswer } from './server/app.js'
export {
  startWebhookServer,
  startMetricsServer,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from './server/server.js'
export type { WebhookServer, WebhookServerOptions, MetricsServer } from './server/server.js'
export {
  checkTlsPem,
  watchCertificateFiles,
  DEFAULT_CERT_POLL_INTERVAL_MS,
} from './server/cert-reload.js'
export type {
  TlsPem,
  TlsFiles,
  CertificateWatcher,
  CertificateWatchOptions,
} from './server/cert-reload.js'
export {
  createWebhookMetrics,
  ADMISSION_OUTCOMES,
  REFERENCE_LATENCY_BUCKETS_US,
  ADMISSION_DURATION_BUCKETS_S,
} from './server/metrics.js'
export type { WebhookMetrics, AdmissionOutcome } from './server/metrics.js'
export {
  readAdmissionReview,
  renderAdmissionResponse,
  renderAdmissionDenial,
  MalformedReviewError,
  ADMISSION_API_VERSIONS,
} from './server/admission-review.js'
export type { AdmissionApiVersion, AdmissionRequestView } from './server/admission-review.js'
export { staticServiceAccountSource } from './server/service-account-source.js'
export type { ServiceAccountSource } from './server/service-account-source.js'
export { parseGoDuration } from './server/duration.js'
export {
  parsePodIdentityAssociations,
  watchPodIdentityAssociations,
} from './server/pod-identity-associations.js'
export type { PodIdentityAssociations } from './server/pod-identity-associations.js'
