import { spawn } from 'node:child_process'
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
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cliBin, ...argv], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      resolveRun({ code: code ?? -1, stdout, stderr })
    })
    child.stdin.end(opts.input ?? '')
  })
}

export { manualClock }
