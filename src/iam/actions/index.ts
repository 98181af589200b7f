import type { QueryAction } from '../../aws/index.js'
import { toQueryActions, type IamDeps } from '../action-kit.js'
import { PolicyCache } from '../policy-cache.js'
import type { Principal } from '../principal.js'
import { oidcProviderActions } from './oidc-providers.js'
import { policyActions } from './policies.js'
import { rolePolicyActions } from './role-policies.js'
import { roleActions } from './roles.js'
import { simulateActions } from './simulate.js'

/**
 * Every IAM action irsa serves (docs/iam.md#actions), as signed Query actions for
 * `createAwsApp`: OIDC providers, roles, managed policies and versions, attachments,
 * inline role policies and the policy simulator. Each validates its parameters as IAM's
 * model does, asks the authoriser with the action and resource ARN of AWS's service
 * authorisation reference, and answers with IAM's result shape and errors. To add one,
 * see docs/architecture.md#add-an-aws-action.
 */
export function createIamActions(deps: IamDeps): readonly QueryAction<Principal>[] {
  const cache = deps.cache ?? new PolicyCache()
  return toQueryActions(deps, [
    ...oidcProviderActions(deps.store),
    ...roleActions(deps.store),
    ...policyActions(deps.store),
    ...rolePolicyActions(deps.store),
    ...simulateActions(deps.store, cache),
  ])
}
