import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { InputError, readTextFile } from '../../core/index.js'
import {
  formatDoctorJson,
  formatDoctorText,
  gatherFacts,
  runChecks,
  type DoctorStart,
  type RecordedDecision,
} from '../../doctor/index.js'
import { EXIT, type Args, type Command, type Io } from '../command.js'
import { optionalInteger } from '../integer-flag.js'

function startOf(args: Args): DoctorStart {
  const ns = args.string('namespace')
  const sa = args.string('service-account')
  const pod = args.string('pod')
  const token = args.string('token')
  const requestId = args.string('request-id')
  const given = [
    ns !== undefined || sa !== undefined || pod !== undefined,
    token !== undefined,
    requestId !== undefined,
  ].filter(Boolean).length
  const empty = Object.entries({
    namespace: ns,
    'service-account': sa,
    pod,
    token,
    'request-id': requestId,
  })
    .filter(([, v]) => v === '')
    .map(([k]) => `--${k}`)
  if (empty.length > 0) throw new InputError(`${empty.join(', ')} must not be empty`)
  if (given !== 1)
    throw new InputError(
      'give one starting point: --namespace NS (--service-account SA | --pod NAME), --token FILE --role-arn ARN, or --request-id ID',
    )
  if (requestId !== undefined) return { kind: 'requestId', requestId }
  if (token !== undefined)
    return { kind: 'token', file: token, roleArn: args.requireString('role-arn') }
  if (ns === undefined)
    throw new InputError('--namespace is required with --service-account or --pod')
  if (sa !== undefined && pod === undefined)
    return { kind: 'serviceAccount', namespace: ns, serviceAccount: sa }
  if (pod !== undefined && sa === undefined) return { kind: 'pod', namespace: ns, pod }
  throw new InputError('give one of --service-account SA or --pod NAME with --namespace')
}

/** The string flags passed to the gatherer as they are. */
const FLAG_FIELDS = [
  ['kubeconfig', 'kubeconfig'],
  ['context', 'context'],
  ['cluster', 'cluster'],
  ['role-arn', 'roleArn'],
  ['region', 'region'],
] as const

/**
 * The local stack's data directory as `resolveDataDir` of src/stack finds it (`--dir`, else
 * `IRSA_DATA_DIR`, else `./.irsa`; a unit test holds the two together), without loading the
 * stack's modules: only `--request-id` needs them.
 */
export function doctorDataDir(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): string {
  const given = flag ?? env['IRSA_DATA_DIR']
  return resolve(cwd, given === undefined || given === '' ? '.irsa' : given)
}

function dataDir(args: Args, io: Io): string {
  return doctorDataDir(args.string('dir') ?? args.string('data-dir'), io.env, io.cwd)
}

/** The local stack's CA, when the data directory has one: its issuers' certificates chain to it. */
function trustedCas(args: Args, io: Io): string[] {
  const file = join(dataDir(args, io), 'ca.pem')
  return existsSync(file) ? [readTextFile(file, 'ca', io.cwd)] : []
}

function reasonsOf(r: unknown): Record<string, unknown> {
  return r !== null && typeof r === 'object' && !Array.isArray(r)
    ? (r as Record<string, unknown>)
    : { why: r }
}

async function recorded(args: Args, io: Io, requestId: string): Promise<RecordedDecision[]> {
  const dir = dataDir(args, io)
  if (!existsSync(dir))
    throw new InputError(`no local stack data directory at ${dir} (pass --dir DIR)`)
  const { openStackStore } = await import('../../stack/index.js')
  const store = openStackStore(dir, io.clock)
  try {
    return store.decisions.byRequestId(requestId).map((d) => ({
      requestId: d.requestId,
      at: d.at,
      action: d.action,
      decision: d.decision,
      reasons: reasonsOf(d.reasons),
      ...(d.accountId !== undefined ? { accountId: d.accountId } : {}),
      ...(d.principal !== undefined ? { principal: d.principal } : {}),
      ...(d.resource !== undefined ? { resource: d.resource } : {}),
      ...(d.errorCode !== undefined ? { errorCode: d.errorCode } : {}),
    }))
  } finally {
    store.close()
  }
}

const doctor: Command = {
  path: ['doctor'],
  summary:
    'Say exactly why IRSA fails: every check from ServiceAccount to trust policy, with the fix',
  usage:
    'irsa doctor [--dir DIR] [--kubeconfig F] [--context C] [--cluster NAME] ' +
    '(--namespace NS (--service-account SA | --pod NAME) | --token FILE --role-arn ARN | --request-id ID) ' +
    '[--role-arn ARN] [--duration-seconds N] [--region R] [--live] [--output text|json]',
  description:
    'Runs the chain of checks AssumeRoleWithWebIdentity depends on (ServiceAccount, webhook, pod,\n' +
    'token, issuer, IAM OIDC provider, role, trust policy) and names the first that fails, with\n' +
    'the values compared and a command that fixes it. The trust policy is evaluated offline by\n' +
    "irsa's policy engine with the request context STS builds. Reads only: Kubernetes through the\n" +
    "kubeconfig (a TokenRequest for the ServiceAccount), AWS through the SDK's default chain\n" +
    '(GetCallerIdentity, GetRole, ListOpenIDConnectProviders, GetOpenIDConnectProvider,\n' +
    'DescribeCluster), the issuer over HTTPS. AssumeRoleWithWebIdentity only with --live.\n' +
    '--request-id explains a call the local stack refused, from its decision log. The checks are\n' +
    'in docs/doctor.md.\n\n' +
    "Exit status: 0 no check failed, 1 a check failed, 2 doctor's own error.",
  options: {
    dir: {
      type: 'string',
      valueName: 'DIR',
      description: 'the local stack data directory (default ./.irsa, or IRSA_DATA_DIR)',
    },
    'data-dir': { type: 'string', valueName: 'DIR', description: 'the same as --dir' },
    kubeconfig: {
      type: 'string',
      valueName: 'FILE',
      description: 'kubeconfig (default: the first of $KUBECONFIG, else ~/.kube/config)',
    },
    context: {
      type: 'string',
      valueName: 'NAME',
      description: 'kubeconfig context (default: the current one)',
    },
    cluster: {
      type: 'string',
      valueName: 'NAME',
      description: 'the cluster (EKS DescribeCluster gives its issuer)',
    },
    namespace: {
      type: 'string',
      short: 'n',
      valueName: 'NS',
      description: 'the namespace of the ServiceAccount or pod',
    },
    'service-account': {
      type: 'string',
      valueName: 'SA',
      description: 'start from a ServiceAccount',
    },
    pod: { type: 'string', valueName: 'NAME', description: 'start from a pod' },
    token: {
      type: 'string',
      valueName: 'FILE',
      description: 'start from a token file (no cluster needed; with --role-arn)',
    },
    'request-id': {
      type: 'string',
      valueName: 'ID',
      description: 'start from a request the local stack recorded',
    },
    'role-arn': {
      type: 'string',
      valueName: 'ARN',
      description: "the role (default: the ServiceAccount's annotation)",
    },
    'duration-seconds': {
      type: 'string',
      valueName: 'N',
      description: 'the DurationSeconds the SDK asks for (default 3600)',
    },
    region: { type: 'string', valueName: 'R', description: "AWS region (default: the SDK's)" },
    live: { type: 'boolean', description: 'also call AssumeRoleWithWebIdentity for real' },
    output: { type: 'string', valueName: 'FORMAT', default: 'text', description: 'text or json' },
  },
  async run(args, io) {
    const fmt = args.string('output') ?? 'text'
    if (fmt !== 'text' && fmt !== 'json')
      throw new InputError(`--output must be text or json, got '${fmt}'`)
    const start = startOf(args)
    const durationSeconds = optionalInteger(args, 'duration-seconds')
    const flags: Record<string, string> = {}
    for (const [flag, key] of FLAG_FIELDS) {
      const v = args.string(flag)
      if (v !== undefined) flags[key] = v
    }
    const facts = await gatherFacts({
      start,
      clock: io.clock,
      env: io.env,
      cwd: io.cwd,
      live: args.boolean('live'),
      ca: trustedCas(args, io),
      ...flags,
      ...(durationSeconds !== undefined ? { durationSeconds } : {}),
      ...(start.kind === 'token' ? { tokenText: readTextFile(start.file, '--token', io.cwd) } : {}),
      ...(start.kind === 'requestId'
        ? { decisions: await recorded(args, io, start.requestId) }
        : {}),
    })
    const report = runChecks(facts)
    io.stdout(fmt === 'json' ? formatDoctorJson(report) : formatDoctorText(report))
    return report.healthy ? EXIT.ok : EXIT.negative
  },
}

/** The `irsa doctor` command. */
export const doctorCommands: readonly Command[] = [doctor]
