export { systemClock, manualClock, epochSeconds } from './clock.js'
export type { Clock, ManualClock } from './clock.js'
export { IrsaError, InputError, isIrsaError, describeError } from './errors.js'
export { readTextFile } from './read-file.js'
export { parseGoDurationNs } from './go-duration.js'
export { createLogger, silentLogger } from './log.js'
export { redactSecrets, SECRET_KEYS, CENSOR, MAX_REDACT_DEPTH } from './redact.js'
export type { Logger, LoggerOptions, LogFormat } from './log.js'
export { textLine } from './log-text.js'
export {
  createCertificateAuthority,
  issueIntermediateCertificate,
  issueServerCertificate,
  issueClientCertificate,
  createSelfSignedCertificate,
  ensureServingCertificate,
} from './tls/index.js'
export type {
  CertificateKeyPair,
  CertificateAuthority,
  CertificateKeyType,
  CertificateOptions,
  ServerNames,
  ClientIdentity,
  ServingCertificate,
} from './tls/index.js'
export {
  listen,
  originOf,
  readBody,
  BodyTooLargeError,
  BodyAbortedError,
  isBodyAborted,
  DEFAULT_LINGER_MS,
} from './http/index.js'
export type { Listening, ListenOptions } from './http/index.js'
