import { runProcess } from './tools.js'
import { main } from '../../src/cli/index.js'
import type { Io } from '../../src/cli/index.js'
import { manualClock, systemClock, type Clock } from '../../src/core/index.js'
import { cliBin } from './paths.js'

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI in-process with captured output. */
export async function runCli(
  argv: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; clock?: Clock; stdin?: string } = {},
): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const io: Io = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    clock: opts.clock ?? systemClock,
    readStdin: () => Promise.resolve(opts.stdin ?? ''),
    untilSignal: () => new Promise(() => undefined),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

/** Runs the built `bin/irsa.js` as a child process (needs `npm run build`). */
export function runBin(
  argv: readonly string[],
  opts: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [cliBin, ...argv], {
    env: { ...process.env, ...opts.env },
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  })
}

export { manualClock }
