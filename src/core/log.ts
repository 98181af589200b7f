import { pino, type Logger, type DestinationStream } from 'pino'
import { redactSecrets } from './redact.js'
import { textDestination } from './log-text.js'

export type { Logger }

/** How log lines are written: JSON lines (for machines, the default) or text (a person). */
export type LogFormat = 'json' | 'text'

interface LoggerOptions {
  level?: string
  /** Where lines go; defaults to stderr. Tests pass a stream to capture them. */
  destination?: DestinationStream
  /** `text` turns each line into local time, level, message and `key=value` fields. */
  format?: LogFormat
}

/**
 * Creates the process logger: JSON lines, level from options or `info`, and secrets
 * redacted by {@link redactSecrets} in every logged object and in the bindings of every
 * child logger. (pino's own `redact` with wildcard paths cost about 11 µs a line, ten
 * times the line itself; this scan of a small flat object is well under one.)
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: null,
      formatters: { log: redactSecrets },
    },
    options.format === 'text'
      ? textDestination((line) => (options.destination ?? process.stderr).write(line))
      : (options.destination ?? pino.destination(2)),
  )
  // pino formats only the root's bindings; children inherit this `child` and so have
  // theirs redacted too.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with each child as `this`
  const pinoChild = logger.child
  Object.defineProperty(logger, 'child', {
    value: function redactedChild(this: Logger, ...args: Parameters<Logger['child']>) {
      const [bindings, ...rest] = args
      return pinoChild.call(this, redactSecrets(bindings), ...rest)
    },
  })
  return logger
}

/** A logger that discards everything (for tests and quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
