export { createStsActions } from './actions.js'
export type { StsDeps } from './actions.js'
export {
  createSessionCodec,
  SESSION_TOKEN_VERSION,
  MAX_SESSION_TOKEN_LENGTH,
} from './session-codec.js'
export type { SessionCodec, IssuedCredentials, OpenedSession } from './session-codec.js'
export { loadSessionSecret, SESSION_SECRET_NAME } from './session-secret.js'
export { createCredentialLookup } from './credential-lookup.js'
export type { CredentialLookupDeps } from './credential-lookup.js'
export {
  createJwksFetcher,
  DEFAULT_JWKS_TIMEOUT_MS,
  DEFAULT_JWKS_TTL_SECONDS,
  MIN_JWKS_TTL_SECONDS,
  MAX_JWKS_TTL_SECONDS,
  DEFAULT_REFETCH_INTERVAL_SECONDS,
} from './jwks-fetcher.js'
export type { JwksFetcher, JwksFetcherOptions, JwksRequest } from './jwks-fetcher.js'
export { maxAgeOf } from '../oidc/index.js'
export { JwksFetchError } from './errors.js'
export type { JwksFailure } from './errors.js'
export {
  newSessionAccessKeyId,
  newSecretAccessKey,
  isSessionAccessKeyId,
  SESSION_KEY_PREFIX,
} from './credentials.js'
export { providerUrlOf, WEB_IDENTITY_SKEW_SECONDS } from './web-identity-checks.js'
export { ROLE_CHAINING_MAX_SECONDS } from './assume-role.js'
export { StsLookups } from './lookups.js'
export { DEFAULT_DECISION_FLUSH_MS } from './decisions.js'
export { TokenMemo, TOKEN_MEMO_SIZE, TOKEN_MEMO_MAX_LENGTH } from './token-memo.js'
export { TAGS_CLAIM, SOURCE_IDENTITY_CLAIM, MAX_SESSION_TAGS } from './session-tags.js'
export { parseRoleArn, SESSION_NAME_PATTERN, DEFAULT_DURATION_SECONDS } from './params.js'
