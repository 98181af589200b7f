export { createStsActions } from './actions.js'
export {
  createSessionCodec,
  MAX_SESSION_TOKEN_LENGTH,
  OPENED_SESSIONS_KEPT,
} from './session-codec.js'
export type { SessionCodec } from './session-codec.js'
export { loadSessionSecret } from './session-secret.js'
export { createCredentialLookup } from './credential-lookup.js'
export { createJwksFetcher } from './jwks-fetcher.js'
export type { JwksFetcher, JwksFetcherOptions } from './jwks-fetcher.js'
export { maxAgeOf } from '../oidc/index.js'
export { JwksFetchError } from './errors.js'
export { newSessionAccessKeyId, newSecretAccessKey, isSessionAccessKeyId } from './credentials.js'
export { providerUrlOf, WEB_IDENTITY_SKEW_SECONDS } from './web-identity-checks.js'
export { StsLookups } from './lookups.js'
export { webIdentityTrustRequest } from './trust-replay.js'
export type { TrustReplay, TrustReplayInput } from './trust-replay.js'
