export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  createSelfSignedCertificate,
} from './certificates.js'
export type {
  CertificateKeyPair,
  CertificateAuthority,
  CertificateKeyType,
  CertificateOptions,
  ServerNames,
} from './certificates.js'
export { ensureServingCertificate } from './serving-files.js'
export type { ServingCertificate } from './serving-files.js'
