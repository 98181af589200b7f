export { systemClock, manualClock, epochSeconds } from './clock.js'
export type { Clock, ManualClock } from './clock.js'
export { IrsaError, InputError, isIrsaError, describeError } from './errors.js'
export { readTextFile } from './read-file.js'
export { parseGoDurationNs } from './go-duration.js'
export { createLogger, silentLogger } from './log.js'
export { batchedWriter, LOG_BATCH_MAX_CHARS } from './log-batch.js'
export type { BatchedWriter } from './log-batch.js'
export { redactSecrets, CENSOR, MAX_REDACT_DEPTH } from './redact.js'
export type { Logger, LogFormat } from './log.js'
export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  issueClientCertificate,
  createSelfSignedCertificate,
  ensureServingCertificate,
} from './tls/index.js'
export type { CertificateKeyPair, CertificateAuthority, ClientIdentity } from './tls/index.js'
export {
  listen,
  readBody,
  BodyTooLargeError,
  BodyAbortedError,
  isBodyAborted,
} from './http/index.js'
export type { Listening } from './http/index.js'
