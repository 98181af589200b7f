/**
 * IAM's MalformedPolicyDocument messages, word for word.
 *
 * AWS does not publish this list. The wording below is what IAM returns on the wire, as
 * recorded from live IAM by two independent emulators that test against it: moto
 * (`moto/iam/policy_validation.py`) and versitygw (`iamapi/policy/*.go` and its IAM
 * integration tests), and as quoted in AWS re:Post articles (for example "Has prohibited
 * field Principal", https://repost.aws/knowledge-center/iam-principal-policy). IAM words
 * the trust-policy (AssumeRolePolicyDocument) checks differently from the permission-policy
 * checks, so there are two sets.
 */

/** Messages for identity, boundary, session and resource policies. */
export const MSG = {
  /** Not JSON, wrong JSON types, unknown elements, bad Version/Effect, both Action and NotAction... */
  syntax: 'Syntax errors in policy.',
  principalNotAllowed: 'Policy document should not specify a principal.',
  missingActions: 'Policy statement must contain actions.',
  missingResources: 'Policy statement must contain resources.',
  missingPrincipal: 'Missing required field Principal',
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  sidNotAlphanumeric:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  vendorMissing: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  vendorInvalid: (vendor: string) => `Vendor ${vendor} is not valid`,
  legacyParsing: 'The policy failed legacy parsing',
  managedVersion: 'Policy document must be version 2012-10-17 or greater.',
  resourceNotArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  partitionInvalid: (partition: string, arn: string) =>
    `Partition "${partition}" is not valid for resource "${arn}".`,
  vendorNotQualified: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string) => `Resource ${resource} can not contain region information.`,
  invalidPrincipal: (type: string, value: string) =>
    `Invalid principal in policy: "${type}":"${value}"`,
  invalidPrincipalType: (type: string) => `Invalid principal in policy: "${type}"`,
  principalEmpty: 'Missing required field Principal cannot be empty!',
} as const

/** Messages for role trust policies (CreateRole, UpdateAssumeRolePolicy). */
export const TRUST_MSG = {
  invalidJson: 'This policy contains invalid Json',
  syntax: 'Syntax error in policy.',
  version: 'The policy must contain a valid version string',
  emptyStatement: 'Could not parse the policy: Statement is empty!',
  duplicateSid: 'The Statement Ids in the policy are not unique',
  missingEffect: 'Missing required field Effect',
  invalidEffect: (effect: string) => `Invalid effect: ${effect}`,
  missingPrincipal: 'Missing required field Principal',
  principalEmpty: 'Missing required field Principal cannot be empty!',
  principalNotObject: 'Principal must be a JSON object.',
  allowNotPrincipal: 'Allow with NotPrincipal is not allowed.',
  notPrincipal: 'AssumeRole policy must not contain NotPrincipal field.',
  missingAction: 'Missing required field Action',
  nonStsAction: 'AssumeRole policy may only specify STS AssumeRole actions.',
  resource: 'Has prohibited field Resource',
  notResource: 'AssumeRole policy must not contain resources.',
} as const
