import { InputError } from '../core/index.js'
import { parsePort } from '../stack/index.js'
import { parseGoDuration } from '../webhook/index.js'
import type { Args } from './command.js'

/**
 * The flag readers every command shares: one rule and one message per kind of value.
 * Log flags live in log-options.ts; whole-second durations (`--since`, `--duration`)
 * are token's parseDuration.
 */

/** A port flag (0–65535, 0 = any free port), or undefined when absent. */
export function optionalPort(args: Args, flag: string): number | undefined {
  const text = args.string(flag)
  return text === undefined ? undefined : parsePort(text, `--${flag}`)
}

/** A port flag that has a default in its option spec. */
export function requiredPort(args: Args, flag: string): number {
  return parsePort(args.string(flag) ?? '', `--${flag}`)
}

/** A Go duration flag (`500ms`, `2s`, `1m`) in milliseconds; '' when absent is an error. */
export function goDurationMs(args: Args, flag: string): number {
  const text = args.string(flag) ?? ''
  const ms = parseGoDuration(text)
  if (ms === undefined)
    throw new InputError(`--${flag} must be a duration such as 500ms, 2s or 1m, got '${text}'`)
  return ms
}

export { optionalInteger } from './integer-flag.js'
