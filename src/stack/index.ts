export { startStack, STACK_JWKS_REFETCH_SECONDS } from './start.js'
export type { Stack, StackOptions } from './start.js'
export {
  DEFAULT_ACCOUNT_ID,
  randomAccountId,
  DEFAULT_REGION,
  DEFAULT_HOST,
  DEFAULT_DATA_DIR,
  DATA_DIR_ENV,
  LOCAL_CLUSTER,
  PROFILE_NAME,
  SETTINGS,
  STACK_FILES,
} from './defaults.js'
export { envFileText, shellQuote } from './env-file.js'
export type { StackCredentials } from './env-file.js'
export {
  awsConfigText,
  awsCredentialsText,
  upsertIniSection,
  profileHeader,
} from './aws-profile.js'
export { parsePort, choosePort, hostPort } from './ports.js'
export { ensureLocalCa, certificateNames, servingCertificate } from './local-ca.js'
export type { LocalCa } from './local-ca.js'
export {
  checkClusterName,
  createLocalCluster,
  findCluster,
  rotateClusterKeys,
  KEEP_OLD_KEYS_MS,
} from './clusters.js'
export type { ClusterPlace, Rotation } from './clusters.js'
export { bootstrapAccount, newAdminAccessKeyId } from './bootstrap.js'
export type { Bootstrap } from './bootstrap.js'
export { createClusterIssuers } from './cluster-issuers.js'
export {
  readStackSettings,
  resolveDataDir,
  publicHost,
  issuerUrlFor,
  stackPlace,
  openStackStore,
} from './stack-settings.js'
export type { SavedStack } from './stack-settings.js'
export { stackFiles, writeStackFiles, mergeUserProfile } from './stack-files.js'
export type { StackFiles } from './stack-files.js'
export { startBanner } from './next-steps.js'
export type { Banner } from './next-steps.js'
export { decisionJson, formatDecisions } from './decision-text.js'
