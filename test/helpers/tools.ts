import { spawn, spawnSync } from 'node:child_process'

/**
 * Whether an external oracle (the AWS CLI, boto3, python's cryptography, openssl) is here.
 * Under CI=true a missing oracle is a failure, not a skip; elsewhere the test is skipped
 * with a loud message saying why.
 */
export function oracle(name: string, probe: readonly string[]): { skip: string | false } {
  const r = spawnSync(probe[0] ?? '', probe.slice(1), { stdio: 'ignore' })
  if (r.status === 0) return { skip: false }
  const why = `SKIPPED: interop oracle '${name}' is not available on this machine (${probe.join(' ')} failed)`
  if (process.env['CI'] === 'true') throw new Error(`${why}; it is required when CI=true`)
  console.warn(`\n*** ${why} ***\n`)
  return { skip: why }
}

export const python3 = (): { skip: string | false } =>
  oracle('python3 with cryptography and joserfc', ['python3', '-c', 'import cryptography, joserfc'])
export const openssl = (): { skip: string | false } => oracle('openssl', ['openssl', 'version'])
export const awsCli = (): { skip: string | false } => oracle('aws cli', ['aws', '--version'])
export const boto3 = (): { skip: string | false } =>
  oracle('boto3', ['python3', '-c', 'import boto3'])
export const plainPython = (): { skip: string | false } =>
  oracle('python3', ['python3', '-c', 'pass'])

/** What a child process printed and how it ended. */
export interface ProcessResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end without blocking the event loop (servers in this process answer it). */
export function runProcess(
  command: string,
  args: readonly string[],
  o: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string; readonly input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: o.env ?? process.env,
      ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      resolve({ code: code ?? -1, stdout, stderr })
    })
    // A child that exits without reading its input closes the pipe first: EPIPE here is
    // that child's choice, not a failure (its exit code and output say how it ended).
    child.stdin.on('error', () => undefined)
    child.stdin.end(o.input ?? '')
  })
}
