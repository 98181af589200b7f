export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  createSelfSignedCertificate,
} from './certificates.js'
export type { CertificateKeyPair, CertificateAuthority } from './certificates.js'
export { ensureServingCertificate } from './serving-files.js'
