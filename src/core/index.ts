export { systemClock, manualClock, epochSeconds } from './clock.js'
export type { Clock, ManualClock } from './clock.js'
export { IrsaError, InputError, isIrsaError, describeError } from './errors.js'
export { readTextFile } from './read-file.js'
export { createLogger, silentLogger, REDACTED_PATHS } from './log.js'
export type { Logger, LoggerOptions } from './log.js'
export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  createSelfSignedCertificate,
  ensureServingCertificate,
} from './tls/index.js'
export type {
  CertificateKeyPair,
  CertificateAuthority,
  CertificateKeyType,
  CertificateOptions,
  ServerNames,
  ServingCertificate,
} from './tls/index.js'
