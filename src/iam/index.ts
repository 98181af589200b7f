export type { Principal, AccountRootPrincipal, RoleSessionPrincipal } from './principal.js'
export { rootPrincipal } from './principal.js'
export { createAuthorizer } from './authorizer.js'
export type { Authorizer, AuthorizeRequest, AuthorizerDeps } from './authorizer.js'
export {
  PolicyCache,
  DEFAULT_POLICY_CACHE_SIZE,
  DEFAULT_POLICY_CACHE_BYTES,
  type PolicyCacheLimits,
} from './policy-cache.js'
export { buildRequestContext } from './request-context.js'
export type { ContextFacts } from './request-context.js'
export { accessDeniedMessage, displayResource } from './access-denied.js'
export { encodeDocument } from './wire.js'
export { QUOTAS, policySize } from './rules.js'
export { createIamActions } from './actions/index.js'
export type { IamDeps } from './action-kit.js'
