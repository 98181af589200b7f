import { test } from 'node:test'
import assert from 'node:assert/strict'
import { verify } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  execEnvironment,
  localMutationConfig,
  planExec,
  runWithToken,
  REFRESH_FRACTION,
  RETRY_MS,
  type Timers,
} from '../../../src/local/index.js'
import { runCli } from '../../helpers/cli.js'
import { ENDPOINT, REGION, ROLE, T0, localFixture, saYaml, type LocalFixture } from './helpers.js'

interface Report {
  env: Record<string, string>
  token: string
  fileMode: number
  dirMode: number
}

/** A child that prints its environment, its token and the token file's modes as JSON. */
const REPORT = `
const fs = require('node:fs'), path = require('node:path')
const file = process.env.AWS_WEB_IDENTITY_TOKEN_FILE
process.stdout.write(JSON.stringify({
  env: process.env,
  token: fs.readFileSync(file, 'utf8'),
  fileMode: fs.statSync(file).mode & 0o777,
  dirMode: fs.statSync(path.dirname(file)).mode & 0o777,
}))
process.exit(Number(process.argv[1] ?? 0))
`

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

function checkSignature(f: LocalFixture, token: string): void {
  const [h, p, s] = token.split('.')
  const key = f.store.clusters.signingKey(f.cluster.arn)
  assert.ok(key && h && p && s)
  assert.equal((JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string }).kid, key.kid)
  assert.ok(
    verify('sha256', Buffer.from(`${h}.${p}`), key.publicPem, Buffer.from(s, 'base64url')),
    "the token verifies with the cluster's current key",
  )
}

/** Applies ServiceAccount `default/my-sa` with {@link ROLE} and plans an exec for it. */
async function planMySa(f: LocalFixture): Promise<ReturnType<typeof planExec>> {
  await applySa(f, saYaml('my-sa', 'default', ROLE))
  return planExec(
    f.store,
    f.cluster,
    'default',
    'my-sa',
    localMutationConfig(f.store.settings),
    f.clock,
  )
}

async function applySa(f: LocalFixture, yaml: string): Promise<void> {
  const r = await runCli(['apply', '--data-dir', f.dir, '-f', '-'], { stdin: yaml, clock: f.clock })
  assert.equal(r.code, 0, r.stderr)
}

test('exec runs the command with the pod environment and a signed token; the exit code passes through', async (t) => {
  const f = localFixture(t)
  await applySa(f, saYaml('my-sa', 'default', ROLE))
  const r = await runCli(
    [
      'exec',
      '--data-dir',
      f.dir,
      '-n',
      'default',
      '--service-account',
      'my-sa',
      '--',
      process.execPath,
      '-e',
      REPORT,
      '7',
    ],
    {
      clock: f.clock,
      env: {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
        AWS_SESSION_TOKEN: 'x',
        AWS_PROFILE: 'admin',
        AWS_DEFAULT_PROFILE: 'admin',
        KEEP_ME: 'yes',
      },
    },
  )
  assert.equal(r.stderr, '')
  assert.equal(r.code, 7, 'the exit code of the command')
  const report = JSON.parse(r.stdout) as Report
  const env = report.env
  for (const gone of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
  ])
    assert.equal(env[gone], undefined, gone)
  assert.equal(env['KEEP_ME'], 'yes')
  assert.equal(env['AWS_ROLE_ARN'], ROLE)
  assert.equal(env['AWS_REGION'], REGION)
  assert.equal(env['AWS_DEFAULT_REGION'], REGION)
  assert.equal(env['AWS_STS_REGIONAL_ENDPOINTS'], 'regional')
  assert.equal(env['AWS_ENDPOINT_URL'], ENDPOINT)
  assert.equal(env['AWS_ENDPOINT_URL_STS'], ENDPOINT)
  const file = env['AWS_WEB_IDENTITY_TOKEN_FILE'] ?? ''
  assert.match(file, /irsa-exec-[^/]+\/token$/)
  assert.equal(report.fileMode, 0o600)
  assert.equal(report.dirMode, 0o700)
  assert.equal(existsSync(dirname(file)), false, 'the temporary directory is removed')

  const claims = claimsOf(report.token)
  assert.equal(claims['sub'], 'system:serviceaccount:default:my-sa')
  assert.deepEqual(claims['aud'], ['sts.amazonaws.com'])
  assert.equal(claims['iss'], f.cluster.issuerUrl)
  assert.equal(claims['iat'], T0 / 1000)
  assert.equal(claims['exp'], T0 / 1000 + 86400, "the mutation's expiration")
  const sa = f.store.kubeObjects.get(f.cluster.arn, {
    kind: 'ServiceAccount',
    namespace: 'default',
    name: 'my-sa',
  })
  assert.deepEqual((claims['kubernetes.io'] as { serviceaccount: unknown }).serviceaccount, {
    name: 'my-sa',
    uid: sa?.uid,
  })
  checkSignature(f, report.token)
})

test('the token expiration annotation sets the token lifetime', async (t) => {
  const f = localFixture(t)
  await applySa(
    f,
    saYaml('short', 'default', ROLE).replace(
      'annotations:\n',
      "annotations:\n    eks.amazonaws.com/token-expiration: '3600'\n    eks.amazonaws.com/audience: my-aud\n",
    ),
  )
  const r = await runCli(
    [
      'exec',
      '--data-dir',
      f.dir,
      '--service-account',
      'short',
      '--',
      process.execPath,
      '-e',
      REPORT,
    ],
    { clock: f.clock },
  )
  assert.equal(r.code, 0, r.stderr)
  const claims = claimsOf((JSON.parse(r.stdout) as Report).token)
  assert.equal(Number(claims['exp']) - Number(claims['iat']), 3600)
  assert.deepEqual(claims['aud'], ['my-aud'])
})

test('a ServiceAccount without a role, a missing one and a missing namespace are one-line errors', async (t) => {
  const f = localFixture(t)
  await applySa(f, saYaml('plain'))
  const run = (sa: string, ns = 'default') =>
    runCli(
      [
        'exec',
        '--data-dir',
        f.dir,
        '-n',
        ns,
        '--service-account',
        sa,
        '--',
        process.execPath,
        '-e',
        '',
      ],
      {
        clock: f.clock,
      },
    )
  assert.deepEqual(await run('plain'), {
    code: 2,
    stdout: '',
    stderr:
      'irsa: serviceaccount default/plain has no eks.amazonaws.com/role-arn annotation: annotate it with the IAM role to assume\n',
  })
  assert.deepEqual(await run('ghost'), {
    code: 2,
    stdout: '',
    stderr: 'irsa: serviceaccounts "ghost" not found\n',
  })
  assert.equal((await run('plain', 'nowhere')).stderr, 'irsa: namespaces "nowhere" not found\n')
  const noCommand = await runCli(['exec', '--data-dir', f.dir, '--service-account', 'plain'], {
    clock: f.clock,
  })
  assert.match(noCommand.stderr, /^irsa: no command to run: give it after --/)
  const noSa = await runCli(['exec', '--data-dir', f.dir, '--', 'true'], { clock: f.clock })
  assert.equal(noSa.stderr, 'irsa: --service-account is required\n')
})

test('a command that does not exist is a one-line error and leaves no directory', async (t) => {
  const f = localFixture(t)
  const plan = await planMySa(f)
  let dir = ''
  await assert.rejects(
    runWithToken({
      command: ['/nonexistent/irsa-test-command'],
      env: (file) => execEnvironment({}, plan, file, ENDPOINT),
      tokenFileName: plan.tokenFileName,
      sign: plan.sign,
      stdout: () => undefined,
      stderr: () => undefined,
      stdin: 'ignore',
      onTempDir: (d) => (dir = d),
    }),
    /^LocalError: cannot run \/nonexistent\/irsa-test-command: command not found$/,
  )
  assert.notEqual(dir, '')
  assert.equal(existsSync(dir), false)
})

/** Timers that keep the refresh callbacks for the test to fire, and record every delay. */
function manualTimers(): {
  timers: Timers
  delays: number[]
  pending: (() => void)[]
  cleared: number
} {
  const state = {
    timers: undefined as unknown as Timers,
    delays: [] as number[],
    pending: [] as (() => void)[],
    cleared: 0,
  }
  state.timers = {
    set: (fn, ms) => {
      state.delays.push(ms)
      state.pending.push(fn)
      return { unref: () => undefined }
    },
    clear: () => {
      state.cleared++
    },
  }
  return state
}

/**
 * A child that prints its first token and a newline, then waits (bounded) until the file
 * changes and prints the new token.
 */
const WATCH = `
const fs = require('node:fs')
const file = process.env.AWS_WEB_IDENTITY_TOKEN_FILE
const first = fs.readFileSync(file, 'utf8')
process.stdout.write(first + '\\n')
let tries = 0
const poll = () => {
  const now = fs.readFileSync(file, 'utf8')
  if (now !== first) { process.stdout.write(now); return }
  if (++tries > 500) process.exit(3)
  setTimeout(poll, 10)
}
poll()
`

test('the token is rewritten at 80% of its lifetime while the command runs, with a new iat', async (t) => {
  const f = localFixture(t)
  const plan = await planMySa(f)
  const fake = manualTimers()
  let out = ''
  let fired = false
  const code = await runWithToken({
    command: [process.execPath, '-e', WATCH],
    env: (file) => execEnvironment({}, plan, file, ENDPOINT),
    tokenFileName: plan.tokenFileName,
    sign: plan.sign,
    timers: fake.timers,
    stdout: (s) => {
      out += s
      // The child has read its first token: 80% of a day passes, the timer fires.
      if (!fired && out.includes('\n')) {
        fired = true
        f.clock.advance(69_120_000)
        fake.pending[0]?.()
      }
    },
    stderr: (s) => (out += s),
    stdin: 'ignore',
  })
  assert.equal(code, 0, out)
  const [first = '', second = ''] = out.split('\n')
  assert.equal(claimsOf(first)['iat'], T0 / 1000)
  assert.equal(claimsOf(second)['iat'], T0 / 1000 + 69_120)
  assert.equal(claimsOf(second)['exp'], T0 / 1000 + 69_120 + 86_400)
  checkSignature(f, second)
  assert.deepEqual(fake.delays, [86_400_000 * REFRESH_FRACTION, 86_400_000 * REFRESH_FRACTION])
  assert.equal(fake.cleared, 1, 'the pending refresh is cancelled when the command ends')
})

test('a failed refresh says so on stderr, keeps the old token and retries in a minute', async (t) => {
  const f = localFixture(t)
  const plan = await planMySa(f)
  const fake = manualTimers()
  let calls = 0
  let first = ''
  let err = ''
  const code = await runWithToken({
    command: [process.execPath, '-e', "process.stdout.write('ready\\n')"],
    env: (file) => execEnvironment({}, plan, file, ENDPOINT),
    tokenFileName: plan.tokenFileName,
    sign: () => {
      calls++
      if (calls > 1) throw new Error('the key file is gone')
      const t0 = plan.sign()
      first = t0.token
      return t0
    },
    timers: fake.timers,
    stdout: () => {
      fake.pending[0]?.()
    },
    stderr: (s) => (err += s),
    stdin: 'ignore',
  })
  assert.equal(code, 0)
  assert.equal(err, 'irsa: could not refresh the token: the key file is gone\n')
  assert.ok(!err.includes(first.slice(0, 20)))
  assert.deepEqual(fake.delays, [86_400_000 * REFRESH_FRACTION, RETRY_MS])
})

test('signals are passed to the command; its death by signal is 128 + n', async (t) => {
  const f = localFixture(t)
  const plan = await planMySa(f)
  let unsubscribed = false
  const code = await runWithToken({
    // Prints once it is running, then waits (bounded) to be signalled.
    command: [
      process.execPath,
      '-e',
      "process.stdout.write('up'); setTimeout(() => process.exit(9), 20000)",
    ],
    env: (file) => execEnvironment({}, plan, file, ENDPOINT),
    tokenFileName: plan.tokenFileName,
    sign: plan.sign,
    stdout: () => undefined,
    stderr: () => undefined,
    stdin: 'ignore',
    onSignal: (forward) => {
      const timer = setImmediate(() => {
        forward('SIGTERM')
      })
      return () => {
        clearImmediate(timer)
        unsubscribed = true
      }
    },
  })
  assert.equal(code, 128 + 15)
  assert.equal(unsubscribed, true)
})

test('irsa exec passes the signals irsa receives to the command', async (t) => {
  const f = localFixture(t)
  await applySa(f, saYaml('my-sa', 'default', ROLE))
  // The command signals irsa itself (this test process: runCli runs irsa in-process).
  // irsa's handler passes SIGHUP on; without it, SIGHUP would end this test process.
  const r = await runCli(
    [
      'exec',
      '--data-dir',
      f.dir,
      '--service-account',
      'my-sa',
      '--',
      process.execPath,
      '-e',
      "process.kill(process.ppid, 'SIGHUP'); setTimeout(() => process.exit(9), 20000)",
    ],
    { clock: f.clock },
  )
  assert.equal(r.code, 128 + 1, r.stderr)
  assert.equal(process.listenerCount('SIGHUP'), 0, 'the handlers are removed afterwards')
})

test('exec --help documents its flags and the example', async () => {
  const r = await runCli(['exec', '--help'])
  assert.equal(r.code, 0)
  for (const s of [
    '--service-account NAME',
    '-n, --namespace NS',
    '--cluster NAME',
    '--data-dir DIR',
    'aws sts get-caller-identity',
  ])
    assert.ok(r.stdout.includes(s), s)
})
