export { awsClients, callerAccount } from './aws.js'
export type { AwsClients } from './aws.js'
export { OperatorError } from './errors.js'
export { kubeTarget } from './kube-target.js'
export type { KubeTarget, KubeTargetOptions } from './kube-target.js'
export { providerId, resolveIssuer } from './issuer.js'
export type { ResolvedIssuer } from './issuer.js'
export { formatPlan, runPlan } from './plan.js'
export type { Step } from './plan.js'
export { associateProviderPlan, providerArn, STS_AUDIENCE } from './provider.js'
export {
  checkCreateInputs,
  checkNames,
  createIamServiceAccountPlan,
  defaultRoleName,
  deleteIamServiceAccountPlan,
  listIamServiceAccounts,
  requireProvider,
  statementSid,
  trustAdmits,
  trustStatement,
  ROLE_ANNOTATION,
  MANAGED_BY_LABEL,
  TRUST_POLICY_QUOTA,
} from './iamserviceaccount.js'
export type { IamServiceAccountRow } from './iamserviceaccount.js'
export { parseClusterConfig } from './cluster-config.js'
export type { ClusterConfigSpec, ServiceAccountSpec } from './cluster-config.js'
