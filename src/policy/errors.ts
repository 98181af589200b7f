import { IrsaError } from '../core/index.js'
import type { PolicyIssue } from './types.js'

/**
 * A policy document IAM would reject. `code` is IAM's wire error code,
 * `MalformedPolicyDocument`, so the IAM and STS layers can return it as is; `message` is
 * IAM's message for the first issue; `issues` lists every issue found, in IAM's order.
 */
export class PolicyValidationError extends IrsaError {
  readonly issues: readonly PolicyIssue[]

  constructor(issues: readonly PolicyIssue[]) {
    super('MalformedPolicyDocument', issues[0]?.message ?? 'Syntax errors in policy.')
    this.name = 'PolicyValidationError'
    this.issues = issues
  }
}
