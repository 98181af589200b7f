export {
  keyId,
  algorithmFor,
  describePublicKey,
  loadPublicKeys,
  loadSigningKey,
  generateKeyPair,
} from './keys.js'
export type { SigningAlg, PublicKeyInfo, SigningKey, KeyType } from './keys.js'
export { loadSigningKeyFile, loadPublicKeyFile, writeKeyPair } from './key-files.js'
export { TokenError, TokenRequestError, isTokenError, TOKEN_ERROR_CODES } from './errors.js'
export type { TokenErrorCode } from './errors.js'
export { EXTENDED_EXPIRATION_SECONDS, checkMaxExpirationSeconds } from './token-request.js'
export { checkIssuer } from './issuer.js'
export { parseDuration, formatDuration } from './duration.js'
export { goJson, goJsonString } from './go-json.js'
export { createTokenSigner } from './signer.js'
export type { TokenSigner, TokenSignerOptions, TokenRequestSpec } from './signer.js'
export { isVerifyAlg } from './jws.js'
export { decodeToken } from './decode.js'
export type { DecodedToken } from './decode.js'
export { createTokenKeySet, TokenKeySet } from './key-set.js'
export type { JwksInput } from './key-set.js'
export { verifyToken } from './verify.js'
export type { VerifyOptions, VerifiedToken } from './verify.js'
