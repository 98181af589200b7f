import {
  execEnvironment,
  localMutationConfig,
  planExec,
  runWithToken,
  DEFAULT_NAMESPACE,
  STACK_ENDPOINT_SETTING,
} from '../../local/index.js'
import { InputError } from '../../core/index.js'
import type { Command } from '../command.js'
import { CLUSTER_OPTION, NAMESPACE_OPTION, withLocalCluster } from './apply.js'
import { DATA_DIR_OPTION } from './up.js'

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']

/** Passes this process's signals to the command while it runs. */
function forwardSignals(forward: (signal: NodeJS.Signals) => void): () => void {
  const handlers = FORWARDED.map((s) => {
    const h = (): void => {
      forward(s)
    }
    process.on(s, h)
    return [s, h] as const
  })
  return () => {
    for (const [s, h] of handlers) process.off(s, h)
  }
}

const exec: Command = {
  path: ['exec'],
  summary: "Run a local command as a pod of a ServiceAccount would run: its IAM role's identity",
  usage:
    'irsa exec [-n NS] --service-account NAME [--cluster NAME] [--data-dir DIR] -- COMMAND [ARG...]',
  description:
    'Builds a one-container pod for the ServiceAccount, admits it with the webhook, and runs\n' +
    'COMMAND with the environment the container got (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE,\n' +
    'AWS_REGION, AWS_DEFAULT_REGION, AWS_STS_REGIONAL_ENDPOINTS) plus the local endpoint\n' +
    '(AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS), and without AWS_ACCESS_KEY_ID,\n' +
    'AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE and AWS_DEFAULT_PROFILE, so the\n' +
    "SDKs assume the role with web identity. The token, signed with the cluster's current key,\n" +
    'is in a private temporary directory, rewritten at 80% of its lifetime, and removed when\n' +
    "the command ends. Signals are passed to the command; irsa exits with the command's code.\n" +
    'Example: irsa exec -n default --service-account my-sa -- aws sts get-caller-identity',
  options: {
    namespace: NAMESPACE_OPTION,
    'service-account': {
      type: 'string',
      valueName: 'NAME',
      description: 'the ServiceAccount whose identity the command gets',
    },
    cluster: CLUSTER_OPTION,
    'data-dir': DATA_DIR_OPTION,
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  async run(args, io) {
    const serviceAccount = args.requireString('service-account')
    const command = args.positionals
    if (command.length === 0)
      throw new InputError(
        'no command to run: give it after --, e.g. -- aws sts get-caller-identity',
      )
    const namespace = args.string('namespace') ?? DEFAULT_NAMESPACE
    return withLocalCluster(args, io, async (store, cluster, clock) => {
      const config = localMutationConfig(store.settings)
      const plan = planExec(store, cluster, namespace, serviceAccount, config, clock)
      const endpoint = store.settings.get(STACK_ENDPOINT_SETTING)
      return runWithToken({
        command,
        env: (tokenFile) => execEnvironment(io.env, plan, tokenFile, endpoint),
        tokenFileName: plan.tokenFileName,
        sign: plan.sign,
        stdout: io.stdout,
        stderr: io.stderr,
        onSignal: forwardSignals,
      })
    })
  },
}

/** `irsa exec`. */
export const execCommands: readonly Command[] = [exec]
