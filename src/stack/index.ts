export { startStack } from './start.js'
export type { Stack } from './start.js'
export {
  randomAccountId,
  DEFAULT_REGION,
  DEFAULT_HOST,
  LOCAL_CLUSTER,
  SETTINGS,
} from './defaults.js'
export { envFileText } from './env-file.js'
export { awsConfigText, awsCredentialsText, upsertIniSection } from './aws-profile.js'
export { parsePort, choosePort } from './ports.js'
export { certificateNames } from './local-ca.js'
export { checkClusterName, createLocalCluster, findCluster, rotateClusterKeys } from './clusters.js'
export {
  checkExternalIssuer,
  clusterDiscovery,
  clusterJwks,
  importSigningKey,
  servesIssuer,
} from './external-issuer.js'
export { bootstrapAccount, newAdminAccessKeyId } from './bootstrap.js'
export {
  resolveDataDir,
  issuerUrlFor,
  stackPlace,
  openStackStore,
  kubeServerUrl,
} from './stack-settings.js'
export { addKubeconfigContext } from './kube-api.js'
export { mergeUserProfile } from './stack-files.js'
export { startBanner } from './next-steps.js'
export { decisionJson, formatDecisions } from './decision-text.js'
