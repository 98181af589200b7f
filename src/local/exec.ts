import { spawn } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants } from 'node:os'
import type { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { describeError } from '../core/index.js'
import { LocalError } from './errors.js'
import type { SignedToken } from './exec-plan.js'

/** The share of a token's lifetime after which `irsa exec` writes a new one (kubelet's rule). */
export const REFRESH_FRACTION = 0.8

/** How long a failed refresh waits before the next try (the old token keeps working). */
export const RETRY_MS = 60_000

/** A timer handle as Node's are: it may be unref'd. */
interface TimerHandle {
  unref?(): unknown
}

/** Timers, injected so tests fire a refresh without waiting. */
export interface Timers {
  set(fn: () => void, ms: number): TimerHandle
  clear(handle: TimerHandle): void
}

/** Node's own timers. */
const nodeTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

/** Everything {@link runWithToken} needs. */
interface RunWithTokenOptions {
  /** The program and its arguments. */
  readonly command: readonly string[]
  /** The environment, given the token file's path. */
  readonly env: (tokenFile: string) => Record<string, string>
  /** The token file's name inside the private directory (`token`). */
  readonly tokenFileName: string
  /** Signs a new token (called at start and at each refresh). */
  readonly sign: () => SignedToken
  /** Where the private directory is made; default the system's temp directory. */
  readonly tempRoot?: string
  readonly timers?: Timers
  /** The command's output, as text. */
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /**
   * The command's standard input: the caller's (`inherit`), none, or a pipe handed to
   * {@link RunWithTokenOptions.onStdin}. Default `inherit`.
   */
  readonly stdin?: 'inherit' | 'ignore' | 'pipe'
  /** With `stdin: 'pipe'`: the command's standard input, once it runs. */
  readonly onStdin?: (stdin: Writable) => void
  /**
   * Subscribes to the signals to pass to the command (SIGINT, SIGTERM, ...); returns
   * the unsubscribe function. Default: none.
   */
  readonly onSignal?: (forward: (signal: NodeJS.Signals) => void) => () => void
  /** Called with the directory once it exists (tests). */
  readonly onTempDir?: (dir: string) => void
}

/** Writes the token so that a reader never sees half of it: a 0600 temp file renamed over. */
function writeToken(file: string, token: string): void {
  const tmp = `${file}.tmp`
  writeFileSync(tmp, token, { mode: 0o600, flag: 'w' })
  renameSync(tmp, file)
}

/** The exit code a shell gives a process killed by `signal`: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
  const n = (constants.signals as Readonly<Record<string, number | undefined>>)[signal]
  return 128 + (n ?? 0)
}

/**
 * Runs a command with a web identity token: the token is signed and written to a new
 * private directory (0700, file 0600), rewritten at {@link REFRESH_FRACTION} of its
 * lifetime while the command runs (the timer never keeps the process alive), signals are
 * passed through, and the directory is removed when the command ends. Resolves with the
 * command's exit code (128 + n when a signal ended it).
 */
export async function runWithToken(options: RunWithTokenOptions): Promise<number> {
  const [program, ...args] = options.command
  if (program === undefined || program === '')
    throw new LocalError('ERR_LOCAL_EXEC', 'no command to run: give it after --')
  const timers = options.timers ?? nodeTimers
  const dir = mkdtempSync(join(options.tempRoot ?? tmpdir(), 'irsa-exec-'))
  const tokenFile = join(dir, options.tokenFileName)
  let timer: TimerHandle | undefined
  let unsubscribe: (() => void) | undefined
  try {
    const schedule = (ms: number): void => {
      timer = timers.set(refresh, ms)
      timer.unref?.()
    }
    const refreshDelay = (lifetimeSeconds: number): number =>
      Math.floor(lifetimeSeconds * 1000 * REFRESH_FRACTION)
    const refresh = (): void => {
      try {
        const t = options.sign()
        writeToken(tokenFile, t.token)
        schedule(refreshDelay(t.lifetimeSeconds))
      } catch (e) {
        options.stderr(`irsa: could not refresh the token: ${describeError(e)}\n`)
        schedule(RETRY_MS)
      }
    }
    options.onTempDir?.(dir)
    const first = options.sign()
    writeToken(tokenFile, first.token)
    const child = spawn(program, args, {
      env: options.env(tokenFile),
      stdio: [options.stdin ?? 'inherit', 'pipe', 'pipe'],
    })
    const pipe = (stream: NodeJS.ReadableStream, write: (t: string) => void): void => {
      const decoder = new StringDecoder('utf8')
      stream.on('data', (chunk: Buffer) => {
        write(decoder.write(chunk))
      })
      stream.on('end', () => {
        const rest = decoder.end()
        if (rest !== '') write(rest)
      })
    }
    if (child.stdin !== null) {
      child.stdin.on('error', () => undefined)
      options.onStdin?.(child.stdin)
    }
    if (child.stdout !== null) pipe(child.stdout, options.stdout)
    if (child.stderr !== null) pipe(child.stderr, options.stderr)
    schedule(refreshDelay(first.lifetimeSeconds))
    unsubscribe = options.onSignal?.((signal) => {
      child.kill(signal)
    })
    return await new Promise<number>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'ENOENT' ? 'command not found' : describeError(e)
        reject(new LocalError('ERR_LOCAL_EXEC', `cannot run ${program}: ${why}`, { cause: e }))
      })
      child.on('close', (code, signal) => {
        resolve(code ?? (signal === null ? 1 : signalExitCode(signal)))
      })
    })
  } finally {
    if (timer !== undefined) timers.clear(timer)
    unsubscribe?.()
    rmSync(dir, { recursive: true, force: true })
  }
}
