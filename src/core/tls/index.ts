export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  issueClientCertificate,
  createSelfSignedCertificate,
} from './certificates.js'
export type {
  CertificateKeyPair,
  CertificateAuthority,
  CertificateKeyType,
  CertificateOptions,
  ServerNames,
  ClientIdentity,
} from './certificates.js'
export { ensureServingCertificate } from './serving-files.js'
export type { ServingCertificate } from './serving-files.js'
