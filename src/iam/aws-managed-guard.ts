import { isAwsManagedArn } from './aws-managed.js'

/**
 * The IAM actions that change a managed policy. AWS denies them on an AWS managed policy
 * (`arn:aws:iam::aws:policy/...`) to every principal of every account, the root user and
 * `"Action": "*"` included, as an implicit deny: the policy belongs to AWS, not to the
 * caller's account. (The same list as the IAM service authorizer of cloud-copilot's
 * iam-simulate, which answers `ImplicitlyDenied` for them.)
 */
const WRITES = new Set([
  'iam:createpolicy',
  'iam:createpolicyversion',
  'iam:deletepolicy',
  'iam:deletepolicyversion',
  'iam:setdefaultpolicyversion',
  'iam:tagpolicy',
  'iam:untagpolicy',
])

/** True when `action` would change the AWS managed policy `resource`. */
export function changesAwsManagedPolicy(action: string, resource: string): boolean {
  return WRITES.has(action.toLowerCase()) && isAwsManagedArn(resource)
}
