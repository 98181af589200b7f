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
