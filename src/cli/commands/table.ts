import type { Command } from '../command.js'

/**
 * The CLI's commands as the dispatcher and the help listing know them before any command's
 * module is loaded: a command's module (and what it imports: the AWS SDK, the servers) is
 * loaded only when that command runs or shows its own help. A unit test checks this table
 * against the modules (test/unit/cli/command-table.test.ts).
 */

/** The modules of src/cli/commands, each loading its commands. */
export const COMMAND_MODULES = {
  oidc: async () => (await import('./oidc.js')).oidcCommands,
  keys: async () => (await import('./keys.js')).keysCommands,
  'create-token': async () => (await import('./create-token.js')).createTokenCommands,
  policy: async () => (await import('./policy.js')).policyCommands,
  webhook: async () => (await import('./webhook.js')).webhookCommands,
  up: async () => (await import('./up.js')).upCommands,
  cluster: async () => (await import('./cluster.js')).clusterCommands,
  logs: async () => (await import('./logs.js')).logsCommands,
  apply: async () => (await import('./apply.js')).applyCommands,
  get: async () => (await import('./get.js')).getCommands,
  exec: async () => (await import('./exec.js')).execCommands,
  iamserviceaccount: async () => (await import('./iamserviceaccount.js')).iamServiceAccountCommands,
  lint: async () => (await import('./lint.js')).lintCommands,
  doctor: async () => (await import('./doctor.js')).doctorCommands,
} as const satisfies Readonly<Record<string, () => Promise<readonly Command[]>>>

/** A command's name, summary and module, known without loading it. */
export interface CommandEntry {
  readonly module: keyof typeof COMMAND_MODULES
  readonly path: readonly string[]
  readonly summary: string
}

/** Every command of the irsa CLI, in help order. Add a command here and to its module. */
export const COMMAND_TABLE: readonly CommandEntry[] = [
  {
    module: 'oidc',
    path: ['oidc', 'keys'],
    summary: 'Print the JWKS that publishes the given keys',
  },
  {
    module: 'oidc',
    path: ['oidc', 'discovery'],
    summary: 'Print the OpenID discovery document of an issuer',
  },
  {
    module: 'oidc',
    path: ['oidc', 'publish'],
    summary: 'Write the discovery document and JWKS as files to host (S3 or any web server)',
  },
  {
    module: 'oidc',
    path: ['oidc', 'serve'],
    summary: 'Serve the discovery document and JWKS over HTTPS',
  },
  {
    module: 'oidc',
    path: ['oidc', 'thumbprint'],
    summary: "Print an issuer's certificate thumbprints for an IAM OIDC provider",
  },
  {
    module: 'keys',
    path: ['keys', 'generate'],
    summary: 'Generate a service-account signing key pair (sa.key and sa.pub)',
  },
  {
    module: 'create-token',
    path: ['create', 'token'],
    summary: 'Sign a service-account token exactly as kube-apiserver does',
  },
  {
    module: 'policy',
    path: ['policy', 'eval'],
    summary: 'Decide a request against IAM policies and explain why (as the IAM policy simulator)',
  },
  {
    module: 'policy',
    path: ['policy', 'validate'],
    summary: "Check a policy document as IAM would, with IAM's MalformedPolicyDocument messages",
  },
  {
    module: 'webhook',
    path: ['webhook'],
    summary: 'Run the pod identity admission webhook (production server)',
  },
  {
    module: 'up',
    path: ['up'],
    summary:
      'Run the local stack: an AWS endpoint (IAM, STS, EKS, S3), cluster OIDC issuers and the webhook',
  },
  {
    module: 'cluster',
    path: ['cluster', 'create'],
    summary: 'Create a local cluster: an OIDC issuer in EKS form with its own signing key',
  },
  {
    module: 'cluster',
    path: ['cluster', 'list'],
    summary: 'List the local clusters and their issuers',
  },
  {
    module: 'cluster',
    path: ['cluster', 'get'],
    summary: 'Show a local cluster: ARN, issuer URL and signing keys',
  },
  {
    module: 'cluster',
    path: ['cluster', 'rotate-keys'],
    summary: "Rotate a local cluster's signing key (the old key stays published)",
  },
  {
    module: 'cluster',
    path: ['cluster', 'discovery'],
    summary: "Print a local cluster's OpenID discovery document (discovery.json)",
  },
  {
    module: 'cluster',
    path: ['cluster', 'jwks'],
    summary: "Print a local cluster's JWKS (keys.json): its published signing keys",
  },
  {
    module: 'logs',
    path: ['logs'],
    summary: 'Show the decision log: why each STS call and authorisation was allowed or denied',
  },
  {
    module: 'apply',
    path: ['apply'],
    summary: 'Create or update Namespaces, ServiceAccounts and Pods in a local cluster',
  },
  { module: 'get', path: ['get'], summary: 'Show the ServiceAccounts or Pods of a local cluster' },
  {
    module: 'exec',
    path: ['exec'],
    summary: "Run a local command as a pod of a ServiceAccount would run: its IAM role's identity",
  },
  {
    module: 'iamserviceaccount',
    path: ['utils', 'associate-iam-oidc-provider'],
    summary: "Create the IAM OIDC provider for a cluster's issuer (client ID sts.amazonaws.com)",
  },
  {
    module: 'iamserviceaccount',
    path: ['create', 'iamserviceaccount'],
    summary: 'Create an IAM role trusting a ServiceAccount, and the annotated ServiceAccount',
  },
  {
    module: 'iamserviceaccount',
    path: ['get', 'iamserviceaccount'],
    summary: 'List the ServiceAccounts with a role and whether the role admits their tokens',
  },
  {
    module: 'iamserviceaccount',
    path: ['delete', 'iamserviceaccount'],
    summary: 'Remove what create iamserviceaccount made, and only that',
  },
  {
    module: 'lint',
    path: ['lint'],
    summary: 'Find the IRSA trust-policy and permission-policy mistakes that fail at run time',
  },
  {
    module: 'doctor',
    path: ['doctor'],
    summary:
      'Say exactly why IRSA fails: every check from ServiceAccount to trust policy, with the fix',
  },
]

/** Loads the command an entry names from its module. */
export async function loadCommand(entry: CommandEntry): Promise<Command> {
  const found = (await COMMAND_MODULES[entry.module]()).find(
    (c) => c.path.join(' ') === entry.path.join(' '),
  )
  if (found === undefined)
    throw new Error(`no command '${entry.path.join(' ')}' in ${entry.module}`)
  return found
}
