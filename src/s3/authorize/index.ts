export { createS3Authorizer } from './authorizer.js'
export type { S3AuthorizerDeps } from './authorizer.js'
export { decideS3 } from './decide.js'
export type { S3DecisionInput, S3Requester, S3Verdict, S3PolicyType } from './decide.js'
export { S3_OPERATION_AUTH, s3ResourceArn } from './operations.js'
export type { S3OperationAuth, S3ResourceKind, S3AclNeed, S3RequestKey } from './operations.js'
export { s3ConditionKeys } from './context.js'
export {
  createS3PolicyRules,
  validateBucketPolicy,
  isPublicPolicy,
  isPublicAcl,
  S3_POLICY_MESSAGES,
} from './policy-rules.js'
export { loadS3ActionNames } from './catalog.js'
