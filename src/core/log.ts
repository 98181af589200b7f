import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger }

/**
 * Every field that may carry a credential, wherever it appears in a log object.
 * Secrets never reach a log line: pino replaces these values with `[redacted]`.
 */
export const REDACTED_PATHS: readonly string[] = [
  'token',
  '*.token',
  'WebIdentityToken',
  '*.WebIdentityToken',
  'webIdentityToken',
  '*.webIdentityToken',
  'SessionToken',
  '*.SessionToken',
  'sessionToken',
  '*.sessionToken',
  'SecretAccessKey',
  '*.SecretAccessKey',
  'secretAccessKey',
  '*.secretAccessKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'headers["x-amz-security-token"]',
  'req.headers["x-amz-security-token"]',
  'privateKey',
  '*.privateKey',
]

export interface LoggerOptions {
  level?: string
  /** Where lines go; defaults to stderr. Tests pass a stream to capture them. */
  destination?: DestinationStream
}

/** Creates the process logger: JSON lines, redacted, level from options or `info`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: null,
    },
    options.destination ?? pino.destination(2),
  )
}

/** A logger that discards everything (for tests and quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
