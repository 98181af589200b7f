export { openStore, DB_FILE, DEFAULT_BUSY_TIMEOUT_MS, EXTERNAL_CHANGE_CHECK_MS } from './open.js'
export type { Store, OpenStoreOptions, StorePragmas } from './open.js'
export { MIGRATIONS, SCHEMA_VERSION } from './migrations.js'
export type { Migration } from './migrations.js'
export { APPLICATION_ID } from './migrate.js'
export type { MigrationResult } from './migrate.js'
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
export type { StoreErrorCode, StoreEntity, StoreErrorSubject, InUseReason } from './errors.js'
export { AWS_MANAGED, roleArn, policyArn, oidcProviderArn, clusterArn } from './arns.js'
export { newUniqueId, accountIdOfUniqueId, newIssuerId, isAccountId } from './ids.js'
export { DIR_MODE, FILE_MODE, writePrivateFile, readPrivateFile } from './files.js'
export { GenerationMemo, GENERATION_MEMO_MAX_ENTRIES } from './generation-memo.js'
export type { Tag } from './context.js'
export type { Account, NewAccount, AccountRepo } from './accounts.js'
export type { AccessKey, AccessKeyStatus, NewAccessKey, AccessKeyRepo } from './access-keys.js'
export type { ServerSecretRepo } from './server-secrets.js'
export type { Setting, SettingsRepo } from './settings.js'
export { DEFAULT_MAX_SESSION_DURATION } from './roles.js'
export type { Role, NewRole, RoleChanges, RoleRepo } from './roles.js'
export type {
  AttachedPolicy,
  PolicyRoleAttachment,
  InlinePolicy,
  RolePolicyDocuments,
  RolePolicyRepo,
} from './role-policies.js'
export { MAX_POLICY_VERSIONS, parseVersionId } from './policies.js'
export type { ManagedPolicy, PolicyVersion, NewPolicy, PolicyRepo } from './policies.js'
export type { OidcProvider, NewOidcProvider, OidcProviderRepo } from './oidc-providers.js'
export type {
  Cluster,
  NewCluster,
  ClusterSigningKey,
  NewClusterKey,
  ClusterRepo,
} from './clusters.js'
export { KUBE_OBJECT_KINDS } from './kube-objects.js'
export type {
  KubeObjectKind,
  KubeObjectKey,
  KubeObjectRecord,
  KubeObjectChange,
  KubeObjectPrecondition,
  KubeObjectRepo,
} from './kube-objects.js'
export type {
  DecisionOutcome,
  DecisionRecord,
  NewDecision,
  DecisionQuery,
  DecisionLog,
  DecisionLogSync,
  JsonValue,
} from './decisions.js'
