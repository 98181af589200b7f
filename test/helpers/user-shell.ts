/**
 * A user's shell in a work folder holding `.irsa` (a stack's data directory): bash with
 * `source .irsa/env` done and `irsa` the built CLI, HOME a folder of the test's own (never
 * ~/.aws), no instance metadata and no SDK retries, as the operator e2e tests run the
 * guides' commands.
 */
import assert from 'node:assert/strict'
import { dirname, join } from 'node:path'
import { cliBin } from './paths.js'
import { runProcess, type ProcessResult } from './tools.js'

/** The environment of the user's shell in `work`. */
export function userEnv(work: string): NodeJS.ProcessEnv {
  return {
    PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
    HOME: join(work, 'home'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  }
}

/** Runs a bash script as the user, after `source .irsa/env`, with `irsa` on hand. */
export function sh(work: string, script: string): Promise<ProcessResult> {
  return runProcess(
    'bash',
    [
      '--noprofile',
      '--norc',
      '-e',
      '-c',
      `source .irsa/env\nirsa() { node '${cliBin}' "$@"; }\n${script}`,
    ],
    { cwd: work, env: userEnv(work) },
  )
}

/** The script's stdout, after asserting it succeeded. */
export async function ok(work: string, script: string): Promise<string> {
  const r = await sh(work, script)
  assert.equal(r.code, 0, `${script}\nfailed (${r.code}):\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}
