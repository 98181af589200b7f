import { InputError } from '../../core/index.js'
import {
  DEFAULT_HOST,
  DEFAULT_REGION,
  mergeUserProfile,
  randomAccountId,
  resolveDataDir,
  startBanner,
  startStack,
} from '../../stack/index.js'
import { EXIT, type Args, type Command, type Io } from '../command.js'
import { optionalPort } from '../flags.js'
import { commandLogger, LOG_FILE_OPTION, LOG_OPTIONS } from '../log-options.js'

/** How the user ran irsa, for the hints: npm sets `npm_command=exec` under `npx`. */
function irsaCommandOf(io: Io): string {
  return io.env['npm_command'] === 'exec' ? 'npx irsa' : 'irsa'
}

/** The `--data-dir` flag every stack command shares. */
export const DATA_DIR_OPTION = {
  type: 'string',
  valueName: 'DIR',
  description: 'the data directory (default ./.irsa, or IRSA_DATA_DIR)',
} as const

/** The data directory of a stack command. */
export function dataDirOf(args: Args, io: Io): string {
  return resolveDataDir(args.string('data-dir'), io.env, io.cwd)
}

const up: Command = {
  path: ['up'],
  summary:
    'Run the local stack: an AWS endpoint (IAM, STS, EKS, S3), cluster OIDC issuers and the webhook',
  usage:
    'irsa up [--data-dir DIR] [--host H] [--aws-port P] [--aws-https-port P] [--oidc-port P] [--webhook-port P] [--kube-port P] ' +
    '[--account-id ID] ' +
    '[--region R] [--log-level L] [--log-format F] [--log-file F] [--write-aws-profile]',
  description:
    'Serves, in one process over one SQLite file in the data directory: an AWS endpoint\n' +
    '(HTTP, and HTTPS on a second port with a certificate from the local CA for the host,\n' +
    'localhost, 127.0.0.1, s3.localhost and *.s3.localhost) answering IAM, STS and EKS as\n' +
    'AWS does, and the OIDC issuer of every local\n' +
    'cluster (HTTPS, certificates from a local CA written to DIR/ca.pem), and the pod\n' +
    "identity webhook (HTTPS, same CA) admitting pods of cluster 'local' (see irsa apply),\n" +
    'and the Kubernetes API of every local cluster (HTTPS, same CA; kubectl reaches it\n' +
    'through DIR/kubeconfig, one context per cluster, current context local).\n' +
    '\n' +
    'First start: creates the account, an admin access key for its root, the CA and a\n' +
    "cluster named 'local'. Every start writes DIR/env (source it: AWS_ACCESS_KEY_ID,\n" +
    'AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, IRSA_AWS_HTTPS_URL,\n' +
    'IRSA_CA_BUNDLE (DIR/ca.pem, for aws --ca-bundle), KUBECONFIG) and an AWS\n' +
    "profile 'irsa' in DIR/aws/config and DIR/aws/credentials (--write-aws-profile also\n" +
    'merges it into ~/.aws). Ports: 0 picks a free one; chosen ports are printed and saved,\n' +
    'and a restart reuses them. GET /_irsa/health on the AWS port answers 200 when ready.\n' +
    'Logs go to stderr: text lines on a terminal, JSON lines otherwise (--log-format\n' +
    'chooses); --log-file appends JSON lines to a file. SIGINT/SIGTERM stop it cleanly.',
  options: {
    'data-dir': DATA_DIR_OPTION,
    host: {
      type: 'string',
      valueName: 'H',
      description: `address to listen on (default ${DEFAULT_HOST}, or the saved one)`,
    },
    'aws-port': {
      type: 'string',
      valueName: 'P',
      description: 'AWS endpoint port (0 = any free port; default: the saved one, else 0)',
    },
    'aws-https-port': {
      type: 'string',
      valueName: 'P',
      description: 'AWS endpoint HTTPS port (0 = any free port; default: the saved one, else 0)',
    },
    'oidc-port': {
      type: 'string',
      valueName: 'P',
      description: 'OIDC issuer port (0 = any free port; default: the saved one, else 0)',
    },
    'webhook-port': {
      type: 'string',
      valueName: 'P',
      description: 'pod identity webhook port (0 = any free port; default: the saved one, else 0)',
    },
    'kube-port': {
      type: 'string',
      valueName: 'P',
      description: 'Kubernetes API port (0 = any free port; default: the saved one, else 0)',
    },
    'account-id': {
      type: 'string',
      valueName: 'ID',
      description:
        'the account served (default: the saved one, else a random one for a new data directory)',
    },
    region: {
      type: 'string',
      valueName: 'R',
      description: `the region served (default ${DEFAULT_REGION}, or the saved one)`,
    },
    ...LOG_OPTIONS,
    'log-file': LOG_FILE_OPTION,
    'write-aws-profile': {
      type: 'boolean',
      description: "also write the 'irsa' profile into $HOME/.aws/config and credentials",
    },
  },
  run: async (args, io) => {
    const dataDir = dataDirOf(args, io)
    const accountId = args.string('account-id')
    if (accountId !== undefined && !/^\d{12}$/.test(accountId))
      throw new InputError(`--account-id must be 12 digits, got '${accountId}'`)
    const region = args.string('region')
    if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region))
      throw new InputError(`--region must look like us-west-2, got '${region}'`)
    const awsPort = optionalPort(args, 'aws-port')
    const awsHttpsPort = optionalPort(args, 'aws-https-port')
    const oidcPort = optionalPort(args, 'oidc-port')
    const webhookPort = optionalPort(args, 'webhook-port')
    const kubePort = optionalPort(args, 'kube-port')
    const host = args.string('host')
    const { log, done } = commandLogger(args, io)
    try {
      const stack = await startStack({
        dataDir,
        clock: io.clock,
        logger: log,
        ...(host !== undefined ? { host } : {}),
        ...(awsPort !== undefined ? { awsPort } : {}),
        ...(awsHttpsPort !== undefined ? { awsHttpsPort } : {}),
        ...(oidcPort !== undefined ? { oidcPort } : {}),
        ...(webhookPort !== undefined ? { webhookPort } : {}),
        ...(kubePort !== undefined ? { kubePort } : {}),
        ...(accountId !== undefined ? { accountId } : {}),
        newAccountId: randomAccountId,
        ...(region !== undefined ? { region } : {}),
      })
      // Listen for the signals before printing: a script that stops the stack as soon as
      // it reads the banner must get a clean stop, not the default signal disposition.
      const stopped = io.untilSignal()
      try {
        if (args.boolean('write-aws-profile')) {
          const home = io.env['HOME']
          if (home === undefined || home === '')
            throw new InputError('--write-aws-profile needs HOME to be set')
          const written = mergeUserProfile(home, {
            accessKeyId: stack.adminKey.accessKeyId,
            secretAccessKey: stack.adminKey.secretAccessKey,
            region: stack.region,
            endpoint: stack.awsEndpoint,
          })
          io.stdout(`wrote profile irsa into ${written.awsConfig} and ${written.awsCredentials}\n`)
        }
        io.stdout(
          startBanner({
            dataDir: stack.dataDir,
            awsEndpoint: stack.awsEndpoint,
            awsHttpsEndpoint: stack.awsHttpsEndpoint,
            oidcOrigin: stack.oidcOrigin,
            webhookOrigin: stack.webhookOrigin,
            webhookCluster: stack.webhookCluster,
            kubeOrigin: stack.kubeOrigin,
            kubeconfig: stack.kubeconfig,
            accountId: stack.accountId,
            region: stack.region,
            firstStart: stack.firstStart,
            clusters: stack.clusters().map((c) => ({ name: c.name, issuer: c.issuerUrl })),
            caFile: stack.caFile,
            files: stack.files,
            irsaCommand: irsaCommandOf(io),
          }),
        )
        const signal = await stopped
        log.info({ signal }, 'shutting down')
        io.stdout(`stopping (${signal})\n`)
      } finally {
        await stack.close()
      }
    } finally {
      await done()
    }
    return EXIT.ok
  },
}

/** The `irsa up` command. */
export const upCommands: readonly Command[] = [up]
