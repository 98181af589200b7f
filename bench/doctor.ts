/**
 * `irsa doctor` on a healthy setup against the local stack, as a user starts it: the built
 * CLI in its own process (`node bin/irsa.js doctor …`, after `source .irsa/env`), timed from
 * spawn to exit, for the three cluster-free and cluster starting points, next to
 * `irsa --version` (the CLI's own start-up, the floor every command pays) and to the same
 * doctor run in-process (gather + checks, modules already loaded). The budget is 500 ms for
 * the process. Setup: `irsa up` (ports 0, a fixed account), the OIDC provider and
 * `irsa create iamserviceaccount` for default/app, a pod of that ServiceAccount, a token.
 */
import { CreatePolicyCommand, IAMClient } from '@aws-sdk/client-iam'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { systemClock } from '../src/core/index.js'
import { gatherFacts, runChecks } from '../src/doctor/index.js'
import { startUp, stopUp } from '../test/e2e/up-process.js'
import { median } from './_load.js'

const ACCOUNT = '111122223333'
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/irsa-local-default-app`
const RUNS = Number(process.env['BENCH_DOCTOR_RUNS'] ?? 15)
const BUDGET_MS = 500

const repo = fileURLToPath(
  new URL(import.meta.url.includes('/build/bench/') ? '../../' : '../', import.meta.url),
)
const cli = join(repo, 'bin', 'irsa.js')

/** The variables `DATA/env` exports, as `source .irsa/env` sets them. */
function envFile(dataDir: string, home: string): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
  }
  for (const m of readFileSync(join(dataDir, 'env'), 'utf8').matchAll(/^export (\w+)='(.*)'$/gm))
    vars[m[1] ?? ''] = (m[2] ?? '').replace(/'\\''/g, "'")
  return vars
}

function run(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number; ms: number; stdout: string }> {
  const started = performance.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, cwd }, (err, stdout) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, ms: performance.now() - started, stdout })
    })
  })
}

async function must(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  const r = await run(args, env, cwd)
  if (r.code !== 0) throw new Error(`irsa ${args.join(' ')} exited ${r.code}:\n${r.stdout}`)
  return r.stdout
}

interface Row {
  readonly scenario: string
  readonly samples: readonly number[]
  readonly budget: boolean
}

function p90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(0.9 * s.length))] ?? NaN
}

function table(rows: readonly Row[]): string {
  const lines = [
    '| scenario | runs | median ms | p90 ms | min ms | budget |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ]
  for (const r of rows) {
    const m = median(r.samples)
    const verdict = r.budget
      ? m < BUDGET_MS
        ? `< ${BUDGET_MS} ms: ok`
        : `< ${BUDGET_MS} ms: OVER`
      : '—'
    lines.push(
      `| ${r.scenario} | ${r.samples.length} | ${m.toFixed(0)} | ${p90(r.samples).toFixed(0)} | ${Math.min(...r.samples).toFixed(0)} | ${verdict} |`,
    )
  }
  return lines.join('\n')
}

async function times(n: number, f: () => Promise<number>): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push(await f())
  return out
}

/** Runs the bench and returns its table. */
export async function run_(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'irsa-bench-doctor-'))
  mkdirSync(join(work, 'home'))
  const up = await startUp(join(work, '.irsa'), ['--account-id', ACCOUNT])
  try {
    const env = envFile(up.dataDir, join(work, 'home'))
    await must(
      ['utils', 'associate-iam-oidc-provider', '--cluster', 'local', '--approve'],
      env,
      work,
    )
    for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
    await new IAMClient({}).send(
      new CreatePolicyCommand({
        PolicyName: 's3-read',
        PolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
      }),
    )
    const policy = `arn:aws:iam::${ACCOUNT}:policy/s3-read`
    await must(
      [
        'create',
        'iamserviceaccount',
        '--cluster',
        'local',
        '--name',
        'app',
        '--attach-policy-arn',
        policy,
        '--approve',
      ],
      env,
      work,
    )
    writeFileSync(
      join(work, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: default\nspec:\n  serviceAccountName: app\n  containers:\n    - name: main\n      image: amazon/aws-cli\n',
    )
    await must(['apply', '-f', 'pod.yaml', '--cluster', 'local'], env, work)
    writeFileSync(
      join(work, 'tok'),
      await must(['create', 'token', 'app', '-n', 'default', '--cluster', 'local'], env, work),
    )
    const scenarios: [string, string[]][] = [
      [
        'irsa doctor -n default --service-account app',
        ['doctor', '-n', 'default', '--service-account', 'app'],
      ],
      ['irsa doctor -n default --pod web', ['doctor', '-n', 'default', '--pod', 'web']],
      [
        'irsa doctor --token tok --role-arn ARN',
        ['doctor', '--token', 'tok', '--role-arn', ROLE_ARN],
      ],
    ]
    const rows: Row[] = [
      {
        scenario: 'irsa --version (CLI start-up floor)',
        samples: await times(RUNS, async () => (await run(['--version'], env, work)).ms),
        budget: false,
      },
    ]
    for (const [label, args] of scenarios) {
      const first = await run(args, env, work)
      if (first.code !== 0)
        throw new Error(`${label} is not healthy (exit ${first.code}):\n${first.stdout}`)
      rows.push({
        scenario: label,
        samples: await times(RUNS, async () => (await run(args, env, work)).ms),
        budget: true,
      })
    }
    const ca = [readFileSync(join(up.dataDir, 'ca.pem'), 'utf8')]
    rows.push({
      scenario: 'in-process gather + checks (--service-account)',
      samples: await times(RUNS, async () => {
        const t = performance.now()
        const facts = await gatherFacts({
          start: { kind: 'serviceAccount', namespace: 'default', serviceAccount: 'app' },
          clock: systemClock,
          env,
          cwd: work,
          live: false,
          ca,
        })
        if (!runChecks(facts).healthy) throw new Error('in-process doctor is not healthy')
        return performance.now() - t
      }),
      budget: false,
    })
    return table(rows)
  } finally {
    await stopUp(up, 'SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
}

export { run_ as run }
