export { openStore, DB_FILE, EXTERNAL_CHANGE_CHECK_MS } from './open.js'
export { CHECKPOINT_INTERVAL_MS } from './checkpointer.js'
export type { Store, OpenStoreOptions } from './open.js'
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js'
export type { Migration } from './migrations.js'
export {
  StoreError,
  StoreConflictError,
  StoreNotFoundError,
  StoreInUseError,
  StoreLimitError,
  StoreInvalidError,
  StoreVersionError,
  isStoreError,
  STORE_ERROR_CODES,
} from './errors.js'
export { AWS_MANAGED, roleArn, policyArn, oidcProviderArn, clusterArn } from './arns.js'
export { newUniqueId, accountIdOfUniqueId, newIssuerId, isAccountId } from './ids.js'
export { writePrivateFile, readPrivateFile } from './files.js'
export { GenerationMemo } from './generation-memo.js'
export type { Tag } from './context.js'
export type { AccessKey } from './access-keys.js'
export type { SettingsRepo } from './settings.js'
export { DEFAULT_MAX_SESSION_DURATION } from './roles.js'
export type { Role } from './roles.js'
export { MAX_POLICY_VERSIONS, parseVersionId } from './policies.js'
export type { ManagedPolicy, PolicyVersion, PolicyRepo } from './policies.js'
export type { OidcProvider, OidcProviderRepo } from './oidc-providers.js'
export type { Cluster, ClusterSigningKey, NewClusterKey, ClusterRepo } from './clusters.js'
export type {
  KubeObjectKind,
  KubeObjectRecord,
  KubeObjectChange,
  KubeObjectPrecondition,
  KubeObjectRepo,
  KubeObjectChangeRecord,
  KubeObjectChanges,
  KubeObjectSync,
} from './kube-objects.js'
export { KUBE_CHANGES_KEPT } from './kube-objects.js'
export type {
  DecisionOutcome,
  DecisionRecord,
  NewDecision,
  DecisionLog,
  DecisionLogSync,
} from './decisions.js'
export type { S3BucketRecord, S3BucketChanges, S3BucketRepo } from './s3-buckets.js'
export type {
  S3StoredChecksum,
  S3ObjectRecord,
  S3UploadRecord,
  S3PartRecord,
  S3ObjectRepo,
} from './s3-objects.js'
