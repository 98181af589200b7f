export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  issueClientCertificate,
  createSelfSignedCertificate,
} from './certificates.js'
export type { CertificateKeyPair, CertificateAuthority, ClientIdentity } from './certificates.js'
export { ensureServingCertificate } from './serving-files.js'
