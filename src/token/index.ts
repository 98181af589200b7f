export {
  keyId,
  algorithmFor,
  describePublicKey,
  loadPublicKeys,
  loadSigningKey,
  generateKeyPair,
  pemBlocks,
} from './keys.js'
export type { SigningAlg, PublicKeyInfo, SigningKey, KeyType } from './keys.js'
export { loadSigningKeyFile, loadPublicKeyFile, writeKeyPair } from './key-files.js'
export type { WrittenKeyPair, WriteKeyPairOptions } from './key-files.js'
export { TokenError, TokenRequestError, isTokenError, TOKEN_ERROR_CODES } from './errors.js'
export type { TokenErrorCode, TokenErrorDetails } from './errors.js'
export { serviceAccountSubject } from './claims.js'
export type {
  ServiceAccountTokenClaims,
  ServiceAccountTokenHeader,
  KubernetesClaims,
  ObjectRefClaim,
} from './claims.js'
export {
  MIN_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  DEFAULT_EXPIRATION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  EXTENDED_EXPIRATION_SECONDS,
  checkExpirationSeconds,
  checkMaxExpirationSeconds,
  grantExpiration,
} from './token-request.js'
export type { GrantedExpiration } from './token-request.js'
export { checkIssuer } from './issuer.js'
export { parseDuration, formatDuration } from './duration.js'
export { goJson, goJsonString } from './go-json.js'
export { createTokenSigner } from './signer.js'
export type {
  TokenSigner,
  TokenSignerOptions,
  TokenRequestSpec,
  IssuedToken,
  BoundObject,
  BoundNode,
} from './signer.js'
export { JWS_ALGS, isVerifyAlg } from './jws.js'
export type { VerifyAlg } from './jws.js'
export { decodeToken, MAX_TOKEN_LENGTH } from './decode.js'
export type { DecodedToken, JwsHeader } from './decode.js'
export { createTokenKeySet, TokenKeySet, MIN_RSA_BITS } from './key-set.js'
export type {
  JwksInput,
  KeySetInput,
  KeySetSource,
  VerificationKey,
  SkippedKey,
} from './key-set.js'
export { verifyToken, DEFAULT_CLOCK_SKEW_SECONDS } from './verify.js'
export type { VerifyOptions, VerifiedClaims, VerifiedToken } from './verify.js'
