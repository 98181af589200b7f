/**
 * The `irsa up` stack a doctor-rows test file shares among its cases (test/e2e/doctor-rows-*.test.ts):
 * started over a temp folder, the real kubectl and AWS CLI required (skipped loudly when
 * absent, required when CI=true), the cluster's provider thumbprint measured, and the
 * provider reset every case starts from.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { awsCli, oracle } from '../helpers/tools.js'
import { caseVars, RowShell, runRowFile, type RowStack } from '../helpers/doctor-rows.js'
import { repoPath } from '../helpers/paths.js'
import {
  irsaPlain,
  startUp,
  stopUp,
  tempDir,
  TEST_ACCOUNT_ID,
  type UpProcess,
} from './up-process.js'

/** node:test's context, as far as a rows file uses it. */
export interface RowsContext {
  after(fn: () => unknown): void
  skip(message: string): void
  test(name: string, fn: (t: { skip(message: string): void }) => Promise<void>): Promise<void>
}

/**
 * Deletes every OIDC provider of the cluster's account but the cluster's, and makes the
 * cluster's one as `associate-iam-oidc-provider` makes it, with botocore (the AWS CLI's
 * library) in one process: what every case starts from.
 */
export const RESET_PROVIDERS = `python3 - <<'PY'
import os, subprocess, botocore.session
iam = botocore.session.get_session().create_client("iam")
ours = os.environ["PROVIDER_ARN"]
arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
for arn in arns:
    if arn != ours:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
healthy = False
if ours in arns:
    p = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ours)
    healthy = p["ClientIDList"] == ["sts.amazonaws.com"] and p["ThumbprintList"] == [os.environ["THUMBPRINT"]]
    if not healthy:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ours)
if not healthy:
    subprocess.run(["irsa", "utils", "associate-iam-oidc-provider", "--cluster", "local", "--approve"],
                   check=True, stdout=subprocess.DEVNULL)
PY`

/** The thumbprint IAM pins for `issuer` (its JWKS host's), trusting `ca`. */
export async function thumbprintOf(issuer: string, ca: string): Promise<string> {
  const r = await irsaPlain(['oidc', 'thumbprint', issuer, '--ca', ca, '--output', 'thumbprint'])
  if (r.code !== 0) throw new Error(`irsa oidc thumbprint ${issuer}: ${r.stderr}`)
  return r.stdout.trim()
}

/** What a rows file adds to the shared stack before its cases run. */
export interface RowsSetup {
  /** Runs before `irsa up` (with the data directory it will use). */
  readonly before?: (work: string, data: string) => Promise<void>
  /** Reset the providers before every case (the rows that change them), else once. */
  readonly resetEachCase?: boolean
  /** Extra variables (and servers, stopped through `t.after`) once the stack is up. */
  readonly vars?: (ctx: { work: string; up: UpProcess }) => Promise<Record<string, string>>
}

/**
 * Runs the cases of `folders` (under test/e2e/doctor-rows/) against one fresh stack, with
 * the cluster's provider made once, or reset before each case.
 */
export async function runRowsFile(
  t: RowsContext,
  folders: readonly string[],
  setup: RowsSetup = {},
): Promise<void> {
  for (const o of [oracle('kubectl', ['kubectl', 'version', '--client']), awsCli()])
    if (o.skip !== false) {
      t.skip(o.skip)
      return
    }
  const work = tempDir(t, 'irsa-doctor-rows-')
  mkdirSync(join(work, 'home'))
  const data = join(work, '.irsa')
  await setup.before?.(work, data)
  const up = await startUp(data)
  t.after(() => stopUp(up, 'SIGKILL'))
  const stack: RowStack = {
    work,
    accountId: TEST_ACCOUNT_ID,
    issuer: up.issuer,
    vars: {
      THUMBPRINT: await thumbprintOf(up.issuer, join(data, 'ca.pem')),
      ...(await setup.vars?.({ work, up })),
    },
    ...(setup.resetEachCase === true ? { reset: RESET_PROVIDERS } : {}),
  }
  if (setup.resetEachCase !== true)
    await new RowShell(stack, { ...caseVars(stack, 'setup'), CASE_DIR: work }).ok(
      RESET_PROVIDERS,
      'the cluster provider',
    )
  for (const f of folders) await runRowFile(t, repoPath('test', 'e2e', 'doctor-rows', f), stack)
}
