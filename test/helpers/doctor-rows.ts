/**
 * The runner of the `irsa doctor` failure-row cases (test/e2e/doctor-rows/**): one YAML
 * file per broken setup of k8s-peers-anchor.md §4, run against an `irsa up` stack with the
 * real AWS CLI and kubectl through bash after `source .irsa/env`, as a user types them.
 *
 * Each case: a healthy baseline (Namespace, annotated ServiceAccount, role with the
 * eksctl-shaped trust policy, optionally a pod) proven healthy with a real
 * AssumeRoleWithWebIdentity; the break; the proof that it is broken where the real world
 * shows it (the command fails with the row's error); `irsa doctor --output json` names the
 * expected first failing check with both values in its evidence; the fix it printed, run
 * as printed; doctor again, healthy; and the real world agrees (the proof now succeeds).
 *
 * A case file: `row` and `cause` (the table's row and sub-cause), `baseline` (`pod`,
 * `annotate`, `role`), `break` (bash), `prove` (`run`, a script that must fail, and `says`,
 * what its output must contain), `doctor` (its arguments), `first` (the first failing
 * check), `evidence` (label: value shown, `''` for any value), `alsoFails`, `heal`
 * (`fix: printed|none`, `before`, `after`, `as`, `doctor`, `expect`), `healed` (the
 * real-world check after the fix), and `skip` / `skipHeal` (why doctor, as built, gets the
 * row or its fix wrong). Scripts get the variables of {@link caseVars} and the functions of
 * `FUNCTIONS`. DOCTOR_ROWS_DUMP=DIR writes every doctor run's output there.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'
import { cliBin } from './paths.js'
import { runProcess, type ProcessResult } from './tools.js'

/** How the case proves the break the way the real world shows it: `run` fails, saying each of `says`. */
interface Proof {
  readonly run: string
  readonly says: readonly string[]
}

/** What the second doctor run must show after the fix. */
interface Heal {
  /** Extra steps before the fix (what the user must do that no command of doctor's can). */
  readonly before?: string
  /** What the printed fix says to do next in words (`# then create it again`). */
  readonly after?: string
  /** Doctor's arguments after the fix, when the starting point changed (a new pod). */
  readonly doctor?: string
  /** `printed` (run the first failing check's fix) or `none` (doctor must print none: no command can). */
  readonly fix: 'printed' | 'none'
  /** A line run before the fix and the second doctor (the role account's credentials). */
  readonly as?: string
  /** `healthy` (exit 0) or `check` (only the row's check passes: the row cannot heal locally). */
  readonly expect: 'healthy' | 'check'
  /** Why `check` and not `healthy`, or why `before` is needed. */
  readonly why?: string
}

/** One failure row's case, as its YAML file says. */
export interface RowCase {
  readonly id: string
  readonly row: string
  readonly cause: string
  readonly baseline: { readonly pod: boolean; readonly annotate: boolean; readonly role: boolean }
  readonly break: string
  readonly prove: Proof
  /** What shows the setup healed after the fix (default: `prove.run`, which must now succeed). */
  readonly healed?: string
  readonly doctor: string
  readonly first: string
  /** Evidence of the first failing check: label → a value (or substring) it must show. */
  readonly evidence: Readonly<Record<string, string>>
  /** Other checks that must fail too, each with the values its evidence must show. */
  readonly alsoFails: Readonly<Record<string, readonly string[]>>
  readonly heal: Heal
  /** Set when doctor (as built) gets this row wrong: its doctor half is skipped with this reason. */
  readonly skip?: string
  /** Set when doctor diagnoses the row right but its fix does not heal it: that half is skipped. */
  readonly skipHeal?: string
}

const str = (v: unknown, what: string): string => {
  assert.equal(typeof v, 'string', `${what} must be a string`)
  return v as string
}

function parseCase(id: string, text: string): RowCase {
  const y = parse(text) as Record<string, any>
  const base = (y['baseline'] ?? {}) as Record<string, unknown>
  const prove = y['prove'] as Record<string, unknown>
  const heal = (y['heal'] ?? { expect: 'healthy' }) as Record<string, unknown>
  const evidence = y['evidence'] as Record<string, unknown>
  assert.ok(Object.keys(evidence).length >= 1, `${id}: evidence names the values`)
  return {
    id,
    row: str(y['row'], `${id}: row`),
    cause: str(y['cause'], `${id}: cause`),
    baseline: {
      pod: base['pod'] === true,
      annotate: base['annotate'] !== false,
      role: base['role'] !== false,
    },
    break: str(y['break'], `${id}: break`),
    prove: {
      run: str(prove['run'], `${id}: prove.run`),
      says: (prove['says'] as unknown[]).map((s) => str(s, `${id}: prove.says`)),
    },
    doctor: str(y['doctor'], `${id}: doctor`),
    first: str(y['first'], `${id}: first`),
    evidence: Object.fromEntries(
      Object.entries(evidence).map(([k, v]) => [k, str(v, `${id}: evidence.${k}`)]),
    ),
    alsoFails: Object.fromEntries(
      Object.entries((y['alsoFails'] ?? {}) as Record<string, unknown[]>).map(([k, v]) => [
        k,
        v.map((s) => str(s, `${id}: alsoFails.${k}`)),
      ]),
    ),
    heal: {
      expect: heal['expect'] === 'check' ? 'check' : 'healthy',
      fix: heal['fix'] === 'none' ? 'none' : 'printed',
      ...(typeof heal['as'] === 'string' ? { as: heal['as'] } : {}),
      ...(typeof heal['before'] === 'string' ? { before: heal['before'] } : {}),
      ...(typeof heal['after'] === 'string' ? { after: heal['after'] } : {}),
      ...(typeof heal['doctor'] === 'string' ? { doctor: heal['doctor'] } : {}),
      ...(typeof heal['why'] === 'string' ? { why: heal['why'] } : {}),
    },
    ...(typeof y['healed'] === 'string' ? { healed: y['healed'] } : {}),
    ...(typeof y['skip'] === 'string' ? { skip: y['skip'] } : {}),
    ...(typeof y['skipHeal'] === 'string' ? { skipHeal: y['skipHeal'] } : {}),
  }
}

/** Every case of `folder` (`*.yaml`), sorted by name; an empty folder is a failure. */
export function loadRows(folder: string): RowCase[] {
  const names = readdirSync(folder)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
  assert.ok(names.length > 0, `no doctor-row case (*.yaml) in ${folder}`)
  return names.map((n) => parseCase(n.slice(0, -5), readFileSync(join(folder, n), 'utf8')))
}

/** The stack and the place the cases run in. */
export interface RowStack {
  /** The folder holding `.irsa` (the cwd of every script). */
  readonly work: string
  readonly accountId: string
  /** The `local` cluster's issuer. */
  readonly issuer: string
  /** Extra shell variables every script gets (other issuers, other accounts). */
  readonly vars?: Readonly<Record<string, string>>
  /** A script run before each case: the shared state every case starts from. */
  readonly reset?: string
}

/** The shell variables of a case, also used to expand its evidence strings. */
export function caseVars(stack: RowStack, c: RowCase | string): Record<string, string> {
  const id = typeof c === 'string' ? c : c.id
  const provider = stack.issuer.replace(/^https:\/\//, '')
  const ns = `row-${id}`.toLowerCase().slice(0, 63)
  const role = `row-${id}`.slice(0, 64)
  return {
    ACCOUNT: stack.accountId,
    ISSUER: stack.issuer,
    PROVIDER: provider,
    PROVIDER_ARN: `arn:aws:iam::${stack.accountId}:oidc-provider/${provider}`,
    NS: ns,
    SA: 'app',
    ROLE: role,
    ROLE_ARN: `arn:aws:iam::${stack.accountId}:role/${role}`,
    CASE_DIR: join(stack.work, 'cases', id),
    IRSA_BIN: cliBin,
    ...stack.vars,
  }
}

/** `$NAME` and `${NAME}` of `vars` in `s`. */
export function expand(s: string, vars: Readonly<Record<string, string>>): string {
  return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => vars[a ?? b ?? ''] ?? m)
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Shell functions the cases' scripts use: `trust_doc` (the eksctl-shaped trust policy;
 * SUB, AUD, OP, KEY and FEDERATED override its parts), `set_trust`, `sa_token FILE`,
 * `assume FILE` (AssumeRoleWithWebIdentity of ROLE_ARN with that token) and `pod_aws POD`
 * (`kubectl exec POD -- aws sts get-caller-identity`, as the pod's SDK would run) and
 * `api_pod` (the pod of Deployment `api` in NS).
 */
const FUNCTIONS = `
trust_doc() {
  local sub=\${SUB-system:serviceaccount:$NS:$SA} aud=\${AUD-sts.amazonaws.com}
  local op=\${OP-StringEquals} key=\${KEY-$PROVIDER} fed=\${FEDERATED-$PROVIDER_ARN}
  printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"%s"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"%s":{"%s:sub":"%s","%s:aud":"%s"}}}]}' \\
    "$fed" "$op" "$key" "$sub" "$key" "$aud"
}
set_trust() { aws iam update-assume-role-policy --role-name "$ROLE" --policy-document "\${1-$(trust_doc)}"; }
sa_token() { kubectl create token "$SA" -n "$NS" --audience "\${2-sts.amazonaws.com}" > "\${1-token}"; }
assume() {
  aws sts assume-role-with-web-identity --role-arn "\${2-$ROLE_ARN}" --role-session-name doctor-row \\
    --web-identity-token "file://\${1-token}" --query AssumedRoleUser.Arn --output text
}
api_pod() { kubectl -n "$NS" get pods -l app=api -o jsonpath='{.items[0].metadata.name}'; }
pod_aws() { kubectl -n "$NS" exec "\${1-web}" -- aws sts get-caller-identity --query Arn --output text; }
`

function baselineScript(c: RowCase): string {
  const annotation = c.baseline.annotate
    ? `\n  annotations:\n    eks.amazonaws.com/role-arn: $ROLE_ARN`
    : ''
  const pod = c.baseline.pod
    ? `\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: $NS\nspec:\n  serviceAccountName: $SA\n  containers:\n  - name: app\n    image: public.ecr.aws/aws-cli/aws-cli:2.15.0`
    : ''
  return `kubectl apply -f - > /dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $SA
  namespace: $NS${annotation}${pod}
EOF
${c.baseline.role ? 'aws iam create-role --role-name "$ROLE" --assume-role-policy-document "$(trust_doc)" > /dev/null' : ''}
${c.baseline.pod && c.baseline.annotate ? 'pod_aws web' : 'true'}
${c.baseline.annotate && c.baseline.role ? 'sa_token baseline-token && assume baseline-token' : ''}`
}

/** Runs a case's scripts: bash after `source .irsa/env`, `irsa` on PATH, the case's variables. */
export class RowShell {
  private readonly bin: string
  private readonly stack: RowStack
  private readonly vars: Readonly<Record<string, string>>
  constructor(stack: RowStack, vars: Readonly<Record<string, string>>) {
    this.stack = stack
    this.vars = vars
    this.bin = join(stack.work, 'bin')
    mkdirSync(this.bin, { recursive: true })
    const shim = join(this.bin, 'irsa')
    writeFileSync(shim, `#!/bin/sh\nexec ${q(process.execPath)} ${q(cliBin)} "$@"\n`)
    chmodSync(shim, 0o755)
    mkdirSync(vars['CASE_DIR'] ?? join(stack.work, 'cases'), { recursive: true })
  }

  /** The case's shell variables. */
  varsOf(): Readonly<Record<string, string>> {
    return this.vars
  }

  run(script: string): Promise<ProcessResult> {
    const exports = Object.entries(this.vars)
      .map(([k, v]) => `export ${k}=${q(v)}`)
      .join('\n')
    return runProcess(
      'bash',
      [
        '--noprofile',
        '--norc',
        '-c',
        `set -e\nsource .irsa/env\n${exports}\n${FUNCTIONS}\ncd "$CASE_DIR"\n${script}`,
      ],
      {
        cwd: this.stack.work,
        env: {
          // node's own folder last: it may hold another python3 than the AWS CLI's
          PATH: `${this.bin}:${process.env['PATH'] ?? ''}:${dirname(process.execPath)}`,
          HOME: join(this.stack.work, 'home'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
        },
      },
    )
  }

  async ok(script: string, what: string): Promise<string> {
    const r = await this.run(script)
    assert.equal(r.code, 0, `${what}: failed (${r.code}):\n${script}\n${r.stdout}\n${r.stderr}`)
    return r.stdout
  }
}

/** One check of doctor's JSON output (the contract's shape). */
export interface DoctorCheck {
  readonly name: string
  readonly status: 'pass' | 'fail' | 'cannot-tell' | 'skipped'
  readonly summary: string
  readonly evidence: Readonly<Record<string, unknown>>
  readonly fix: string | null
}

/** Doctor's JSON report. */
export interface DoctorReport {
  readonly healthy: boolean
  readonly checks: readonly DoctorCheck[]
  readonly firstFailure: string | null
}

/** `irsa doctor --output json ARGS`: its exit code and parsed report. */
export async function doctor(
  sh: RowShell,
  args: string,
  before = '',
): Promise<{ code: number; report: DoctorReport; raw: string }> {
  const started = performance.now()
  const r = await sh.run(`${before}set +e\nirsa doctor --output json ${args}`)
  const dump = process.env['DOCTOR_ROWS_DUMP']
  if (dump !== undefined) {
    const ms = Math.round(performance.now() - started)
    const file = join(dump, `${sh.varsOf()['NS'] ?? 'row'}.${ms}ms.json`)
    writeFileSync(file, `${args}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`)
  }
  let report: DoctorReport
  try {
    report = JSON.parse(r.stdout) as DoctorReport
  } catch {
    assert.fail(`irsa doctor ${args}: not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
  return { code: r.code, report, raw: r.stdout }
}

/** Whether `irsa doctor` exists in the built CLI (it is built on another branch). */
export async function doctorBuilt(): Promise<boolean> {
  const r = await runProcess(process.execPath, [cliBin, 'doctor', '--help'])
  return r.code === 0
}

function checkOf(report: DoctorReport, name: string, raw: string): DoctorCheck {
  const c = report.checks.find((k) => k.name === name)
  assert.ok(c !== undefined, `doctor has no check ${name}:\n${raw}`)
  return c
}

const shown = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

/** Builds the baseline, proves it healthy, breaks it and proves it broken. */
export async function buildBroken(sh: RowShell, c: RowCase): Promise<void> {
  await sh.ok(baselineScript(c), `${c.id}: the healthy baseline`)
  await sh.ok(c.break, `${c.id}: the break`)
  const r = await sh.run(c.prove.run)
  const out = `${r.stdout}\n${r.stderr}`
  assert.notEqual(r.code, 0, `${c.id}: the broken setup still works:\n${c.prove.run}\n${out}`)
  for (const s of c.prove.says)
    assert.ok(
      out.includes(expand(s, sh.varsOf())),
      `${c.id}: the failure does not say ${s}:\n${out}`,
    )
}

/** `''` asks only that the value is there (not null, not empty); else it must contain `want`. */
function shows(got: unknown, want: string): boolean {
  const text = shown(got)
  return want === ''
    ? got !== null && got !== undefined && text !== '' && text !== '[]'
    : text.includes(want)
}

/** Doctor names the row's check first, with the values compared; returns that check. */
export async function diagnose(sh: RowShell, c: RowCase): Promise<DoctorCheck> {
  const vars = sh.varsOf()
  const d = await doctor(sh, c.doctor)
  assert.equal(d.code, 1, `${c.id}: doctor's exit code:\n${d.raw}`)
  assert.equal(d.report.healthy, false)
  assert.equal(d.report.firstFailure, c.first, `${c.id}: the first failing check:\n${d.raw}`)
  const first = checkOf(d.report, c.first, d.raw)
  assert.equal(first.status, 'fail')
  for (const [label, want] of Object.entries(c.evidence)) {
    assert.ok(label in first.evidence, `${c.id}: ${c.first} evidence has no ${label}:\n${d.raw}`)
    const w = expand(want, vars)
    assert.ok(
      shows(first.evidence[label], w),
      `${c.id}: ${c.first} evidence.${label} = ${shown(first.evidence[label])}, wanted ${w || '(a value)'}`,
    )
  }
  for (const [name, wants] of Object.entries(c.alsoFails)) {
    const k = checkOf(d.report, name, d.raw)
    assert.equal(k.status, 'fail', `${c.id}: ${name} should fail too:\n${d.raw}`)
    const all = shown(k.evidence)
    for (const w of wants)
      assert.ok(all.includes(expand(w, vars)), `${c.id}: ${name} evidence lacks ${w}: ${all}`)
  }
  return first
}

/** The fix doctor printed, run as printed (after `heal.before`); then doctor passes. */
export async function heal(sh: RowShell, c: RowCase, first: DoctorCheck): Promise<void> {
  const as = c.heal.as !== undefined ? `${c.heal.as}\n` : ''
  if (c.heal.fix === 'none') assert.equal(first.fix, null, `${c.id}: ${c.first} prints a fix`)
  else
    assert.ok(
      typeof first.fix === 'string' && first.fix !== '',
      `${c.id}: ${c.first} prints no fix`,
    )
  if (c.heal.before !== undefined) await sh.ok(c.heal.before, `${c.id}: heal.before`)
  if (first.fix !== null) await sh.ok(`${as}${first.fix}`, `${c.id}: the printed fix`)
  if (c.heal.after !== undefined) await sh.ok(c.heal.after, `${c.id}: heal.after`)
  const again = await doctor(sh, c.heal.doctor ?? c.doctor, as)
  if (c.heal.expect === 'healthy') {
    assert.equal(again.code, 0, `${c.id}: doctor after the fix:\n${again.raw}`)
    assert.equal(again.report.healthy, true)
    assert.equal(again.report.firstFailure, null)
  } else {
    assert.equal(checkOf(again.report, c.first, again.raw).status, 'pass', again.raw)
  }
  await sh.ok(c.healed ?? c.prove.run, `${c.id}: the real world after the fix`)
}

/** What `runRowFile` needs of node:test's context. */
interface TestContext {
  test(name: string, fn: (t: SubContext) => Promise<void>): Promise<void>
}
interface SubContext {
  skip(message: string): void
}

/**
 * Runs every case of `folder` as a subtest, in order, against `stack`: the broken setup
 * is always built and proven; the doctor part is skipped loudly when `irsa doctor` is not
 * built, or when the case says doctor gets its row wrong (`skip:`).
 */
export async function runRowFile(t: TestContext, folder: string, stack: RowStack): Promise<void> {
  const rows = loadRows(folder)
  const built = await doctorBuilt()
  if (!built)
    console.warn(
      '\n*** SKIPPED: the doctor half of every doctor-row case: `irsa doctor` is not built ***\n',
    )
  for (const c of rows)
    await t.test(`${c.id}: ${c.cause}`, async (st) => {
      const sh = new RowShell(stack, caseVars(stack, c))
      if (stack.reset !== undefined) await sh.ok(stack.reset, `${c.id}: the shared reset`)
      await buildBroken(sh, c)
      if (!built) {
        st.skip('SKIPPED doctor: `irsa doctor` is not built')
        return
      }
      if (c.skip !== undefined) return skipped(st, c, `doctor on ${c.id}: ${c.skip}`, sh)
      const first = await diagnose(sh, c)
      if (c.skipHeal !== undefined)
        return skipped(st, c, `the heal of ${c.id}: ${c.skipHeal}`, sh, first)
      await heal(sh, c, first)
    })
}

/**
 * Skips loudly what doctor gets wrong, but still tries it: when it now passes, says so, so
 * that the skip is removed.
 */
async function skipped(
  st: SubContext,
  c: RowCase,
  what: string,
  sh: RowShell,
  first?: DoctorCheck,
): Promise<void> {
  let now = false
  try {
    await heal(sh, c, first ?? (await diagnose(sh, c)))
    now = true
  } catch {
    // still wrong, as the skip says
  }
  const why = now ? `doctor now gets ${c.id} right: remove its skip (${what})` : `SKIPPED ${what}`
  console.warn(`\n*** ${why} ***\n`)
  st.skip(why)
}
