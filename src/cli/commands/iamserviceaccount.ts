import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { InputError, readTextFile } from '../../core/index.js'
import {
  associateProviderPlan,
  awsClients,
  callerAccount,
  checkCreateInputs,
  checkNames,
  createIamServiceAccountPlan,
  deleteIamServiceAccountPlan,
  kubeTarget,
  parseClusterConfig,
  type ClusterConfigSpec,
  listIamServiceAccounts,
  providerArn,
  requireProvider,
  resolveIssuer,
  runPlan,
  STS_AUDIENCE,
  type KubeTargetOptions,
} from '../../operator/index.js'
import { stringify } from 'yaml'
import { EXIT, type Args, type Command, type Io, type OptionSpec } from '../command.js'

const common: Record<string, OptionSpec> = {
  cluster: {
    type: 'string',
    valueName: 'NAME',
    description: 'the cluster (EKS name or kubeconfig context)',
  },
  issuer: {
    type: 'string',
    valueName: 'URL',
    description:
      "the cluster's issuer (default: EKS DescribeCluster, else the cluster's discovery)",
  },
  region: {
    type: 'string',
    valueName: 'R',
    description: "AWS region (default: the SDK's: AWS_REGION, the profile)",
  },
  kubeconfig: {
    type: 'string',
    valueName: 'FILE',
    description: 'kubeconfig (default: the first of $KUBECONFIG, else ~/.kube/config)',
  },
  context: {
    type: 'string',
    valueName: 'NAME',
    description:
      'kubeconfig context (default: the one named after --cluster, else the current one)',
  },
}
const approveOption: OptionSpec = {
  type: 'boolean',
  description: 'apply the plan (without it the plan is printed and nothing changes)',
}
const namespaceOption: OptionSpec = {
  type: 'string',
  short: 'n',
  valueName: 'NS',
  description: "the ServiceAccount's namespace (default: default)",
}

interface Setup {
  readonly aws: ReturnType<typeof awsClients>
  readonly kube: ReturnType<typeof kubeTarget>
  readonly issuer: string
  readonly providerArn: string
}

async function setup(
  args: Args,
  io: Io,
  note: (t: string) => void = io.stdout,
  cluster: string = args.requireString('cluster'),
): Promise<Setup> {
  const region = args.string('region')
  const aws = awsClients(region)
  const kubeconfig = args.string('kubeconfig')
  const context = args.string('context')
  const kubeOptions: KubeTargetOptions = {
    cluster,
    env: io.env,
    cwd: io.cwd,
    clock: io.clock,
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(context !== undefined ? { context } : {}),
  }
  const kube = kubeTarget(kubeOptions)
  const given = args.string('issuer')
  const r = await resolveIssuer({
    cluster,
    aws,
    kube,
    kubeOptions,
    ...(given !== undefined ? { issuer: given } : {}),
  })
  note(`issuer ${r.issuer} (from ${r.source})\n`)
  const account = await callerAccount(aws)
  return { aws, kube, issuer: r.issuer, providerArn: providerArn(account, r.issuer) }
}

/** --ca files, plus the local stack's CA ($IRSA_DATA_DIR/ca.pem) when there is one. */
function trustedCas(args: Args, io: Io): string[] {
  const files = args.strings('ca')
  const dataDir = io.env['IRSA_DATA_DIR']
  if (dataDir !== undefined && existsSync(join(dataDir, 'ca.pem')))
    files.push(join(dataDir, 'ca.pem'))
  return files.map((f) => readTextFile(f, '--ca', io.cwd))
}

const associate: Command = {
  path: ['utils', 'associate-iam-oidc-provider'],
  summary: "Create the IAM OIDC provider for a cluster's issuer (client ID sts.amazonaws.com)",
  usage:
    'irsa utils associate-iam-oidc-provider --cluster NAME [--issuer URL] [--region R] [--ca FILE ...] [--approve]',
  description:
    "Creates the IAM OIDC provider of the cluster's issuer with client ID sts.amazonaws.com and\n" +
    "the thumbprint `irsa oidc thumbprint` gives (the JWKS host's), or adds the client ID to an\n" +
    'existing provider that lacks it. The issuer: --issuer, else EKS DescribeCluster, else the\n' +
    "cluster's /.well-known/openid-configuration through the kubeconfig. The issuer's CA is\n" +
    "trusted from --ca and, after `source .irsa/env`, the local stack's ca.pem.\n" +
    'Without --approve: prints the plan and changes nothing.',
  options: {
    ...common,
    ca: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: "extra trusted CA certificates (PEM) for the issuer's TLS",
    },
    approve: approveOption,
  },
  async run(args, io) {
    const s = await setup(args, io)
    try {
      const plan = await associateProviderPlan({
        aws: s.aws,
        issuer: s.issuer,
        ca: trustedCas(args, io),
      })
      await runPlan(plan.steps, args.boolean('approve'), io.stdout)
    } finally {
      s.kube.close()
    }
    return EXIT.ok
  },
}

function parseTags(args: Args): Record<string, string> {
  const out: Record<string, string> = {}
  for (const group of args.strings('tags'))
    for (const kv of group.split(',')) {
      if (kv === '') continue
      const i = kv.indexOf('=')
      if (i <= 0) throw new InputError(`--tags must be k=v,..., got '${kv}'`)
      out[kv.slice(0, i)] = kv.slice(i + 1)
    }
  return out
}

const create: Command = {
  path: ['create', 'iamserviceaccount'],
  summary: 'Create an IAM role trusting a ServiceAccount, and the annotated ServiceAccount',
  usage:
    'irsa create iamserviceaccount (-f CLUSTERCONFIG | --cluster NAME --name SA [--namespace NS] (--attach-policy-arn ARN ... | --attach-role-arn ARN) ' +
    '[--role-name NAME] [--role-only] [--override-existing-serviceaccounts] [--permissions-boundary ARN] [--tags k=v,...]) [--audience A] [--approve]',
  description:
    "Creates the role (eksctl's trust policy: StringEquals on ISSUER:sub and ISSUER:aud), or adds\n" +
    'a trust statement to an existing role (none replaced), attaches the policies, and creates the\n' +
    'ServiceAccount annotated eks.amazonaws.com/role-arn and labelled\n' +
    'app.kubernetes.io/managed-by: irsa (or annotates an existing one). The role is tagged\n' +
    'irsa/managed-by=irsa so that delete finds what it made. A ServiceAccount that already has\n' +
    'another role keeps it unless --override-existing-serviceaccounts. Idempotent: a second run\n' +
    'changes nothing. Without --approve: prints the plan and changes nothing.',
  options: {
    ...common,
    name: { type: 'string', valueName: 'SA', description: 'the ServiceAccount' },
    namespace: namespaceOption,
    'attach-policy-arn': {
      type: 'string',
      multiple: true,
      valueName: 'ARN',
      description: 'a managed policy to attach to the role (repeatable)',
    },
    'attach-role-arn': {
      type: 'string',
      valueName: 'ARN',
      description: 'annotate with this existing role; no role is created or changed',
    },
    'role-name': {
      type: 'string',
      valueName: 'NAME',
      description: 'the role (default: irsa-CLUSTER-NS-SA)',
    },
    'role-only': { type: 'boolean', description: 'create the role only; touch no ServiceAccount' },
    'override-existing-serviceaccounts': {
      type: 'boolean',
      description: "replace an existing ServiceAccount's role annotation",
    },
    'permissions-boundary': {
      type: 'string',
      valueName: 'ARN',
      description: "the role's permissions boundary",
    },
    tags: { type: 'string', multiple: true, valueName: 'k=v,...', description: 'tags of the role' },
    audience: {
      type: 'string',
      valueName: 'A',
      default: STS_AUDIENCE,
      description: 'the audience the trust policy requires',
    },
    file: {
      type: 'string',
      short: 'f',
      valueName: 'FILE',
      description:
        "eksctl's ClusterConfig (metadata.name, iam.withOIDC, iam.serviceAccounts[]); - for stdin",
    },
    ca: {
      type: 'string',
      multiple: true,
      valueName: 'FILE',
      description: "extra trusted CA certificates (PEM) for the issuer's TLS (with iam.withOIDC)",
    },
    approve: approveOption,
  },
  async run(args, io) {
    const file = args.string('file')
    let config: ClusterConfigSpec
    if (file !== undefined) {
      const text = file === '-' ? await io.readStdin() : readTextFile(file, '-f', io.cwd)
      config = parseClusterConfig(text, file === '-' ? 'stdin' : file)
      const given = args.string('cluster')
      if (given !== undefined && given !== config.cluster)
        throw new InputError(
          `--cluster ${given} differs from metadata.name ${config.cluster} of ${file}`,
        )
    } else {
      const roleArn = args.string('attach-role-arn')
      const roleName = args.string('role-name')
      const boundary = args.string('permissions-boundary')
      config = {
        cluster: args.requireString('cluster'),
        withOIDC: false,
        serviceAccounts: [
          {
            name: args.requireString('name'),
            namespace: args.string('namespace') ?? 'default',
            policyArns: args.strings('attach-policy-arn'),
            roleOnly: args.boolean('role-only'),
            tags: parseTags(args),
            ...(roleArn !== undefined ? { roleArn } : {}),
            ...(roleName !== undefined ? { roleName } : {}),
            ...(boundary !== undefined ? { permissionsBoundary: boundary } : {}),
          },
        ],
      }
    }
    for (const sa of config.serviceAccounts) {
      checkCreateInputs(sa)
      checkNames(sa.namespace, sa.name)
    }
    const cluster = config.cluster
    const approve = args.boolean('approve')
    const s = await setup(args, io, io.stdout, cluster)
    try {
      let providerPlanned = false
      if (config.withOIDC) {
        const plan = await associateProviderPlan({
          aws: s.aws,
          issuer: s.issuer,
          ca: trustedCas(args, io),
        })
        providerPlanned = plan.steps.some((st) => st.kind === 'create')
        io.stdout(`iam.withOIDC:\n`)
        await runPlan(plan.steps, approve, io.stdout)
      }
      if (!(providerPlanned && !approve))
        await requireProvider({ aws: s.aws, providerArn: s.providerArn, cluster })
      // One ServiceAccount at a time: a later one may share a role an earlier one creates.
      for (const sa of config.serviceAccounts) {
        if (config.serviceAccounts.length > 1) io.stdout(`${sa.namespace}/${sa.name}:\n`)
        const steps = await createIamServiceAccountPlan({
          ...sa,
          aws: s.aws,
          serviceAccounts: () => s.kube.serviceAccounts(),
          cluster,
          issuer: s.issuer,
          providerArn: s.providerArn,
          override: args.boolean('override-existing-serviceaccounts'),
          audience: args.string('audience') ?? STS_AUDIENCE,
        })
        await runPlan(steps, approve, io.stdout)
      }
    } finally {
      s.kube.close()
    }
    return EXIT.ok
  },
}

const get: Command = {
  path: ['get', 'iamserviceaccount'],
  summary: 'List the ServiceAccounts with a role and whether the role admits their tokens',
  usage:
    'irsa get iamserviceaccount --cluster NAME [--namespace NS] [--output table|json|yaml] [--audience A]',
  description:
    "The ServiceAccounts annotated eks.amazonaws.com/role-arn, the role, and whether the role's\n" +
    "trust policy admits that ServiceAccount's token (the cluster's issuer, the audience),\n" +
    'with the reason when it does not.',
  options: {
    ...common,
    namespace: namespaceOption,
    output: {
      type: 'string',
      short: 'o',
      valueName: 'FORMAT',
      default: 'table',
      description: 'table, json or yaml',
    },
    audience: {
      type: 'string',
      valueName: 'A',
      default: STS_AUDIENCE,
      description: "the tokens' audience",
    },
  },
  async run(args, io) {
    const output = args.string('output') ?? 'table'
    if (output !== 'table' && output !== 'json' && output !== 'yaml')
      throw new InputError(`--output must be table, json or yaml, got '${output}'`)
    // The issuer's source goes to stderr: stdout is the table, JSON or YAML.
    const s = await setup(args, io, io.stderr)
    try {
      const ns = args.string('namespace')
      const rows = await listIamServiceAccounts({
        aws: s.aws,
        serviceAccounts: () => s.kube.serviceAccounts(),
        issuer: s.issuer,
        providerArn: s.providerArn,
        audience: args.string('audience') ?? STS_AUDIENCE,
        ...(ns !== undefined ? { namespace: ns } : {}),
      })
      if (output === 'json') io.stdout(JSON.stringify(rows, null, 2) + '\n')
      else if (output === 'yaml') io.stdout(stringify(rows))
      else {
        const table = [
          ['NAMESPACE', 'NAME', 'ROLE ARN', 'ADMITTED'],
          ...rows.map((r) => [
            r.namespace,
            r.name,
            r.roleArn,
            r.admitted ? 'yes' : `no: ${r.reason}`,
          ]),
        ]
        const widths =
          table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? []
        for (const row of table)
          io.stdout(
            row
              .map((c, i) => (i === row.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3)))
              .join('') + '\n',
          )
      }
    } finally {
      s.kube.close()
    }
    return EXIT.ok
  },
}

const del: Command = {
  path: ['delete', 'iamserviceaccount'],
  summary: 'Remove what create iamserviceaccount made, and only that',
  usage: 'irsa delete iamserviceaccount --cluster NAME --name SA [--namespace NS] [--approve]',
  description:
    'Removes the trust statement irsa added for the ServiceAccount; deletes the role (detaching\n' +
    'its policies) only when irsa created it and it trusts nothing else. Deletes the\n' +
    'ServiceAccount when irsa created it, else removes only its role annotation.\n' +
    'Without --approve: prints the plan and changes nothing.',
  options: {
    ...common,
    name: { type: 'string', valueName: 'SA', description: 'the ServiceAccount' },
    namespace: namespaceOption,
    approve: approveOption,
  },
  async run(args, io) {
    const name = args.requireString('name')
    const namespace = args.string('namespace') ?? 'default'
    checkNames(namespace, name)
    const s = await setup(args, io)
    try {
      const steps = await deleteIamServiceAccountPlan({
        aws: s.aws,
        serviceAccounts: () => s.kube.serviceAccounts(),
        issuer: s.issuer,
        namespace,
        name,
      })
      await runPlan(steps, args.boolean('approve'), io.stdout)
    } finally {
      s.kube.close()
    }
    return EXIT.ok
  },
}

/** `irsa utils associate-iam-oidc-provider` and `irsa create|get|delete iamserviceaccount`. */
export const iamServiceAccountCommands: readonly Command[] = [associate, create, get, del]
