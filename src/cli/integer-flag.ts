import { InputError } from '../core/index.js'
import type { Args } from './command.js'

/**
 * A whole-number flag, or undefined when absent. Its own module (re-exported by flags.ts):
 * a command that needs only this does not load the port and duration parsers' components.
 */
/** A whole-number flag, or undefined when absent. */
export function optionalInteger(args: Args, flag: string): number | undefined {
  const text = args.string(flag)
  if (text === undefined) return undefined
  if (!/^-?\d+$/.test(text)) throw new InputError(`--${flag} must be a whole number, got '${text}'`)
  return Number(text)
}
