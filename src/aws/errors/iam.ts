import type { AwsErrorEntry } from './entry.js'

/**
 * IAM's own errors (API version 2010-05-08) for the subset irsa serves. Codes and
 * statuses are the `error` traits of AWS's IAM model (botocore
 * `data/iam/2010-05-08/service-2.json`); default messages follow the model's
 * descriptions, variants are the wordings real IAM sends for the common cases.
 */
export const IAM_ERRORS = {
  ConcurrentModification: {
    code: 'ConcurrentModification',
    status: 409,
    type: 'Sender',
    message:
      'The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.',
    when: 'Two writes raced on one entity and the store could not serialise them.',
  },
  DeleteConflict: {
    code: 'DeleteConflict',
    status: 409,
    type: 'Sender',
    message:
      'The request was rejected because it attempted to delete a resource that has attached subordinate entities.',
    variants: {
      roleAttachedPolicies: 'Cannot delete entity, must detach all policies first.',
      roleInlinePolicies: 'Cannot delete entity, must delete policies first.',
      policyAttached: 'Cannot delete a policy attached to entities.',
      defaultVersion: 'Cannot delete the default version of a policy.',
      policyVersions:
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    },
    when: 'Deleting a role that still has policies, a policy that is still attached, or a policy’s default version.',
  },
  EntityAlreadyExists: {
    code: 'EntityAlreadyExists',
    status: 409,
    type: 'Sender',
    message:
      'The request was rejected because it attempted to create a resource that already exists.',
    variants: {
      role: 'Role with name {roleName} already exists.',
      policy: 'A policy called {policyName} already exists. Duplicate names are not allowed.',
      oidcProvider: 'Provider with url {url} already exists.',
    },
    when: 'Creating a role, policy or OIDC provider whose name or URL is taken.',
  },
  InvalidInput: {
    code: 'InvalidInput',
    status: 400,
    type: 'Sender',
    message:
      'The request was rejected because an invalid or out-of-range value was supplied for an input parameter.',
    variants: {
      badArn: 'ARN {arn} is not valid.',
      marker: 'Invalid Marker.',
      duplicateTagKeys: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      thumbprints: 'Thumbprint list must contain fewer than 5 entries.',
    },
    when: 'A parameter that is well-formed but not acceptable (an ARN of the wrong kind, a bad provider URL, a bad thumbprint).',
  },
  LimitExceeded: {
    code: 'LimitExceeded',
    status: 409,
    type: 'Sender',
    message:
      'The request was rejected because it attempted to create resources beyond the current AWS account limits.',
    variants: {
      quota: 'Cannot exceed quota for {quota}: {limit}',
      policyVersions:
        'A managed policy can have up to {limit} versions. Before you create a new version, you must delete an existing version.',
      rolePolicySize: 'Maximum policy size of {limit} bytes exceeded for role {roleName}',
    },
    when: 'An account or entity quota is reached (policies per role, trust-policy size, policy versions, providers per account).',
  },
  MalformedPolicyDocument: {
    code: 'MalformedPolicyDocument',
    status: 400,
    type: 'Sender',
    message: 'Syntax errors in policy.',
    when: 'A policy or trust-policy document that does not parse or validate; the message names the problem.',
  },
  NoSuchEntity: {
    code: 'NoSuchEntity',
    status: 404,
    type: 'Sender',
    message:
      'The request was rejected because it referenced a resource entity that does not exist.',
    variants: {
      role: 'The role with name {roleName} cannot be found.',
      rolePolicy: 'The role policy with name {policyName} cannot be found.',
      policy: 'Policy {policyArn} does not exist or is not attachable.',
      policyNotFound: 'Policy {policyArn} was not found.',
      policyVersion: 'Policy {policyArn} version {versionId} does not exist or is not attachable.',
      oidcProvider: 'OpenIDConnect Provider not found for arn {arn}',
    },
    when: 'A role, policy, policy version, inline policy or OIDC provider that does not exist.',
  },
  ServiceFailure: {
    code: 'ServiceFailure',
    status: 500,
    type: 'Receiver',
    message: 'The request processing has failed because of an unknown error, exception or failure.',
    when: 'An unexpected failure inside an IAM action. Details go to the log only.',
  },
  ValidationError: {
    code: 'ValidationError',
    status: 400,
    type: 'Sender',
    message: 'The input fails to satisfy the constraints specified by an AWS service.',
    variants: {
      providerUrl: 'Invalid Open ID Connect Provider URL',
    },
    when: 'A parameter breaks its model constraint (length, pattern, range, required); the message lists each, AWS-style.',
  },
} as const satisfies Record<string, AwsErrorEntry>
