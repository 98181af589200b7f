import { createWriteStream } from 'node:fs'
import { resolve } from 'node:path'
import {
  batchedWriter,
  createLogger,
  InputError,
  type LogFormat,
  type Logger,
} from '../core/index.js'
import type { Args, Io, OptionSpec } from './command.js'

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/** The `--log-level` and `--log-format` flags of every command that serves. */
export const LOG_OPTIONS: Readonly<Record<'log-level' | 'log-format', OptionSpec>> = {
  'log-level': {
    type: 'string',
    valueName: 'LEVEL',
    description: 'trace, debug, info, warn or error (default: $IRSA_LOG_LEVEL, else info)',
  },
  'log-format': {
    type: 'string',
    valueName: 'FORMAT',
    description: 'text (lines for a person) or json (JSON lines); default: text on a terminal',
  },
}

/** The `--log-file` flag of `irsa up`. */
export const LOG_FILE_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'F',
  description: 'append JSON log lines to F instead of stderr',
}

/** A command's logger and how to flush it before exit. */
interface CommandLogger {
  readonly log: Logger
  readonly done: () => Promise<void>
}

function levelOf(args: Args, io: Io, fallback: string): string {
  const level = args.string('log-level') ?? io.env['IRSA_LOG_LEVEL'] ?? fallback
  if (!LEVELS.includes(level))
    throw new InputError(`--log-level must be trace, debug, info, warn or error, got '${level}'`)
  return level
}

function formatOf(args: Args, toTerminal: boolean): LogFormat {
  const given = args.string('log-format')
  if (given === undefined) return toTerminal ? 'text' : 'json'
  if (given !== 'json' && given !== 'text')
    throw new InputError(`--log-format must be json or text, got '${given}'`)
  return given
}

/**
 * The logger of a serving command, from its flags: the level from `--log-level` (else
 * `IRSA_LOG_LEVEL`, else `fallbackLevel`); lines to `--log-file` when the command has
 * one (appended, mode 0600), else to stderr (the lines of one turn of the event loop in
 * one write: see `batchedWriter`); as text for a person when they go to a
 * terminal, JSON lines otherwise, unless `--log-format` says which.
 */
export function commandLogger(args: Args, io: Io, fallbackLevel = 'info'): CommandLogger {
  const level = levelOf(args, io, fallbackLevel)
  const file = args.string('log-file')
  const format = formatOf(args, file === undefined && io.stderrIsTerminal === true)
  if (file === undefined) {
    const stderr = batchedWriter((text) => {
      io.stderr(text)
    })
    return {
      log: createLogger({ level, format, destination: stderr }),
      done: () => {
        stderr.flush()
        return Promise.resolve()
      },
    }
  }
  const stream = createWriteStream(resolve(io.cwd, file), { flags: 'a', mode: 0o600 })
  return {
    log: createLogger({ level, format, destination: stream }),
    done: () =>
      new Promise((r) => {
        stream.end(r)
      }),
  }
}
