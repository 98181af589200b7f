import type { Clock } from '../core/index.js'
import { InputError } from '../core/index.js'

/** One flag of a command, as `node:util` parseArgs takes it, plus its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly multiple?: boolean
  readonly default?: string | boolean
  /** Shown in `--help` after the flag, e.g. `URL` in `--issuer URL`. */
  readonly valueName?: string
  readonly description: string
}

/** What a command may touch of the outside world. Tests pass their own. */
export interface Io {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** True when stderr is a terminal (log lines for a person there). */
  readonly stderrIsTerminal?: boolean
  readonly cwd: string
  readonly clock: Clock
  /** Reads all of standard input (for `-f -`). */
  readonly readStdin: () => Promise<string>
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); servers wait on it. */
  readonly untilSignal: () => Promise<string>
}

/** The parsed flags and positionals of one invocation, with typed accessors. */
export class Args {
  readonly #values: Readonly<Record<string, unknown>>
  readonly positionals: readonly string[]

  constructor(values: Readonly<Record<string, unknown>>, positionals: readonly string[]) {
    this.#values = values
    this.positionals = positionals
  }

  /** The value of a string flag, or undefined when absent. */
  string(name: string): string | undefined {
    const v = this.#values[name]
    if (Array.isArray(v)) return v.length > 0 ? String(v[v.length - 1]) : undefined
    return typeof v === 'string' ? v : undefined
  }

  /** The value of a string flag that must be given. */
  requireString(name: string): string {
    const v = this.string(name)
    if (v === undefined || v === '') throw new InputError(`--${name} is required`)
    return v
  }

  /** Every value of a repeatable string flag, in order. */
  strings(name: string): string[] {
    const v = this.#values[name]
    if (Array.isArray(v)) return v.map(String)
    return typeof v === 'string' ? [v] : []
  }

  /** A boolean flag: true when given. */
  boolean(name: string): boolean {
    return this.#values[name] === true
  }

  /** The positional at `index`, or undefined. */
  positional(index: number): string | undefined {
    return this.positionals[index]
  }

  /** The positional at `index`, which must be given; `what` names it in the error. */
  requirePositional(index: number, what: string): string {
    const v = this.positionals[index]
    if (v === undefined || v === '') throw new InputError(`${what} is required`)
    return v
  }
}

/** A leaf command such as `irsa oidc keys`. */
export interface Command {
  /** The words after `irsa`, e.g. `['oidc', 'keys']`. */
  readonly path: readonly string[]
  /** One line for the parent's command list. */
  readonly summary: string
  /** The synopsis line, e.g. `irsa oidc keys --key PUB [--key PUB ...] [--legacy-empty-kid]`. */
  readonly usage: string
  /** Paragraphs shown in `--help` after the synopsis. */
  readonly description?: string
  readonly options: Readonly<Record<string, OptionSpec>>
  /** How many positionals the command takes; default none. */
  readonly positionals?: { readonly min: number; readonly max: number }
  /** Returns the process exit code: 0 success, 1 a negative answer, 2 an error. */
  run(args: Args, io: Io): Promise<number>
}

/** Exit codes every command shares, so scripts can rely on them. */
export const EXIT = { ok: 0, negative: 1, error: 2 } as const
