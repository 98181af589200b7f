/**
 * E2E helpers for `irsa up`: start the built binary as a real process over a temp data
 * directory with ports 0, read its banner, stop it with a signal or kill -9, run other
 * irsa commands and the AWS CLI against it (the `irsa` profile written in the data
 * directory, HOME a temp folder, never ~/.aws), and keep every stack log line for the
 * secret sentinel.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliBin, repoPath } from '../helpers/paths.js'

/** The account the e2e tests' stacks serve (`--account-id`), unless a test opts out. */
export const TEST_ACCOUNT_ID = '111122223333'

/** A running `irsa up`. */
export interface UpProcess {
  readonly child: ChildProcess
  readonly dataDir: string
  readonly stdout: () => string
  readonly stderr: () => string
  readonly awsEndpoint: string
  readonly oidcOrigin: string
  /** The `local` cluster's issuer, as printed. */
  readonly issuer: string
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Every log line any `irsa up` of this test file wrote (stderr), for the sentinel. */
export const stackLogs: string[] = []

/** Secrets seen in this file: none may appear in {@link stackLogs}. */
export const secrets = new Set<string>()

/** A temp folder removed after the test. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'irsa-up-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** Starts `irsa up` and resolves once it prints its banner. */
export async function startUp(
  dataDir: string,
  extra: readonly string[] = [],
  o: {
    readonly freePorts?: boolean
    readonly env?: Readonly<Record<string, string>>
    /** Leave the account to `irsa up` (a random one on a new data directory). */
    readonly randomAccount?: boolean
  } = {},
): Promise<UpProcess> {
  assert.ok(
    existsSync(repoPath('dist', 'cli', 'index.js')),
    'run `npm run build` first: dist/ is missing',
  )
  const child = spawn(
    process.execPath,
    [
      cliBin,
      'up',
      '--data-dir',
      dataDir,
      ...(o.freePorts === false ? [] : ['--aws-port', '0', '--oidc-port', '0']),
      // The tests name the account they expect; a user's new data directory gets a
      // random one (docs/stack.md), which the README walkthrough test exercises.
      ...(extra.includes('--account-id') || o.randomAccount === true
        ? []
        : ['--account-id', TEST_ACCOUNT_ID]),
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, IRSA_LOG_LEVEL: 'debug', ...o.env },
    },
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      stackLogs.push(err)
      resolve({ code, signal })
    })
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`irsa up did not start within 30 s:\n${out}\n${err}`))
    }, 30_000)
    const onData = (): void => {
      if (out.includes('Stop with Ctrl-C')) {
        clearTimeout(timer)
        child.stdout.off('data', onData)
        resolve()
      }
    }
    child.stdout.on('data', onData)
    void exit.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`irsa up exited with ${code ?? 'signal'}:\n${out}\n${err}`))
    })
  })
  const awsEndpoint = /aws endpoint {2}(\S+)/.exec(out)?.[1]
  const oidcOrigin = /oidc issuers {2}(\S+)/.exec(out)?.[1]
  const issuer = /cluster {7}local {2}issuer (\S+)/.exec(out)?.[1]
  if (awsEndpoint === undefined || oidcOrigin === undefined || issuer === undefined) {
    child.kill('SIGKILL')
    throw new Error(`irsa up banner not understood:\n${out}`)
  }
  return {
    child,
    dataDir,
    stdout: () => out,
    stderr: () => err,
    awsEndpoint,
    oidcOrigin,
    issuer,
    exit,
  }
}

/** Sends `signal` and waits for the process to end (at most 20 s, then SIGKILL). */
export async function stopUp(
  up: UpProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (up.child.exitCode === null && up.child.signalCode === null) up.child.kill(signal)
  const timer = setTimeout(() => up.child.kill('SIGKILL'), 20_000)
  const r = await up.exit
  clearTimeout(timer)
  return r
}

/** A command's outcome. */
export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

function run(
  file: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { env, cwd, timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** The built irsa CLI, as is. */
export function irsaPlain(args: readonly string[]): Promise<Run> {
  return run(process.execPath, [cliBin, ...args], { PATH: process.env['PATH'] ?? '' })
}

/** The built irsa CLI with `--data-dir` of the stack. */
export function irsa(up: { dataDir: string }, args: readonly string[], cwd?: string): Promise<Run> {
  return run(
    process.execPath,
    [cliBin, ...args, '--data-dir', up.dataDir],
    {
      PATH: process.env['PATH'] ?? '',
    },
    cwd,
  )
}

/**
 * The AWS CLI as a user would run it after `irsa up`: the `irsa` profile of the data
 * directory (endpoint, region, admin key), HOME a temp folder. `creds` replaces the
 * profile's keys with temporary credentials.
 */
export function aws(
  up: { dataDir: string },
  args: readonly string[],
  opts: {
    cwd?: string
    creds?: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }
  } = {},
): Promise<Run> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: join(up.dataDir, 'home'),
    AWS_CONFIG_FILE: join(up.dataDir, 'aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(up.dataDir, 'aws', 'credentials'),
    AWS_PROFILE: 'irsa',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  }
  if (opts.creds !== undefined) {
    env['AWS_ACCESS_KEY_ID'] = opts.creds.AccessKeyId
    env['AWS_SECRET_ACCESS_KEY'] = opts.creds.SecretAccessKey
    env['AWS_SESSION_TOKEN'] = opts.creds.SessionToken
  }
  return run(
    'aws',
    [...args, ...(args.includes('--output') ? [] : ['--output', 'json'])],
    env,
    opts.cwd,
  )
}

/** A run's stdout, after asserting it succeeded (its stderr is the failure message). */
export function ok(r: Run): string {
  assert.equal(r.code, 0, r.stderr)
  return r.stdout
}

/** Asserts that no recorded secret appears in any stack log line. */
export function assertNoSecretInLogs(): void {
  assert.ok(stackLogs.length > 0, 'no stack log was recorded')
  assert.ok(secrets.size > 0, 'no secret was recorded')
  const all = stackLogs.join('\n')
  for (const s of secrets) {
    assert.ok(s.length >= 16, `secret too short to check: ${s.length}`)
    assert.equal(all.includes(s), false, `a secret (${s.slice(0, 4)}…) appears in the stack log`)
  }
}
