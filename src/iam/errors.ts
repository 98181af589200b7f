import { AwsError, awsError, IAM_ERRORS, isAwsError } from '../aws/index.js'
import { PolicyValidationError } from '../policy/index.js'
import {
  isStoreError,
  StoreConflictError,
  StoreInUseError,
  StoreLimitError,
  StoreNotFoundError,
} from '../store/index.js'

/** `NoSuchEntity`: "The role with name R cannot be found." */
export function noSuchRole(roleName: string): AwsError {
  return awsError(IAM_ERRORS.NoSuchEntity, { variant: 'role', params: { roleName } })
}

/** `MalformedPolicyDocument` with the validator's message (IAM's wording for the first issue). */
function malformed(e: PolicyValidationError): AwsError {
  const first = e.issues[0]
  const where =
    first?.position === undefined ? '' : ` at ${first.position.line}:${first.position.column}`
  return awsError(IAM_ERRORS.MalformedPolicyDocument, {
    message: e.message,
    reason: `${first?.path ?? ''}${where}: ${e.message}`,
  })
}

/**
 * Turns what an IAM handler threw into the AWS error the client gets. Handlers check and
 * word the common cases themselves; this is the safety net for races (a row deleted or
 * created between the check and the write) and for infrastructure failures.
 */
export function toIamError(e: unknown): unknown {
  if (isAwsError(e)) return e
  if (e instanceof PolicyValidationError) return malformed(e)
  if (!isStoreError(e)) return e
  const reason = `${e.code}: ${e.message}`
  if (e instanceof StoreConflictError) return awsError(IAM_ERRORS.EntityAlreadyExists, { reason })
  if (e instanceof StoreNotFoundError) return awsError(IAM_ERRORS.NoSuchEntity, { reason })
  if (e instanceof StoreLimitError)
    return awsError(IAM_ERRORS.LimitExceeded, {
      variant: 'policyVersions',
      params: { limit: e.limit },
      reason,
    })
  if (e instanceof StoreInUseError) {
    const variant =
      e.reason === 'attached-policies'
        ? 'roleAttachedPolicies'
        : e.reason === 'inline-policies'
          ? 'roleInlinePolicies'
          : e.reason === 'attachments'
            ? 'policyAttached'
            : e.reason === 'default-version'
              ? 'defaultVersion'
              : e.reason === 'non-default-versions'
                ? 'policyVersions'
                : undefined
    return variant === undefined
      ? awsError(IAM_ERRORS.DeleteConflict, { reason })
      : awsError(IAM_ERRORS.DeleteConflict, { variant, reason })
  }
  return awsError(IAM_ERRORS.ServiceFailure, { reason, cause: e })
}
