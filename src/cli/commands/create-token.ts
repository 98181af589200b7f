import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import { InputError } from '../../core/index.js'
import { findCluster, openStackStore, stackPlace } from '../../stack/index.js'
import {
  checkIssuer,
  checkMaxExpirationSeconds,
  createTokenSigner,
  loadSigningKey,
  loadSigningKeyFile,
  parseDuration,
  type SigningKey,
  type TokenRequestSpec,
} from '../../token/index.js'
import { EXIT, type Args, type Command, type Io } from '../command.js'
import { DATA_DIR_OPTION, dataDirOf } from './up.js'

/** The audience AWS STS expects in IRSA tokens (the IAM OIDC provider's client ID). */
const IRSA_AUDIENCE = 'sts.amazonaws.com'

function pair(
  args: Args,
  name: string,
  uidFlag: string,
): { name: string; uid: string } | undefined {
  const n = args.string(name)
  const uid = args.string(uidFlag)
  if (n === undefined && uid === undefined) return undefined
  if (n === undefined || n === '') throw new InputError(`--${uidFlag} needs --${name}`)
  if (uid === undefined || uid === '')
    throw new InputError(`--${name} needs --${uidFlag} (binding to a pod needs its name and uid)`)
  return { name: n, uid }
}

function boundNode(args: Args): { name: string; uid?: string } | undefined {
  const name = args.string('bound-node')
  const uid = args.string('bound-node-uid')
  if (name === undefined) {
    if (uid !== undefined) throw new InputError('--bound-node-uid needs --bound-node')
    return undefined
  }
  if (name === '') throw new InputError('--bound-node must not be empty')
  return uid === undefined || uid === '' ? { name } : { name, uid }
}

/**
 * The issuer and signing key: a local cluster's (`--cluster`, its current key and issuer
 * from the data directory) or the explicit `--issuer` and `--signing-key`.
 */
function issuerAndKey(args: Args, io: Io): { issuer: string; key: SigningKey } {
  const clusterName = args.string('cluster')
  if (clusterName === undefined) {
    const issuer = args.requireString('issuer')
    checkIssuer(issuer, '--issuer')
    const keyFile = args.requireString('signing-key')
    return { issuer, key: loadSigningKeyFile(resolve(io.cwd, keyFile), '--signing-key') }
  }
  if (args.string('issuer') !== undefined || args.string('signing-key') !== undefined)
    throw new InputError(
      '--cluster takes the issuer and key from the cluster: drop --issuer and --signing-key',
    )
  const store = openStackStore(dataDirOf(args, io), io.clock)
  try {
    const cluster = findCluster(store, stackPlace(store), clusterName)
    const signing = store.clusters.signingKey(cluster.arn)
    if (signing === undefined)
      throw new InputError(
        `cluster ${cluster.name} has no signing key: run 'irsa cluster rotate-keys ${cluster.name}'`,
      )
    const key = loadSigningKey(
      store.clusters.readPrivateKey(cluster.arn, signing.kid),
      `cluster ${cluster.name} key`,
    )
    return { issuer: cluster.issuerUrl, key }
  } finally {
    store.close()
  }
}

const createToken: Command = {
  path: ['create', 'token'],
  summary: 'Sign a service-account token exactly as kube-apiserver does',
  usage:
    'irsa create token NAME -n NAMESPACE --issuer URL --signing-key KEY [--audience A ...] ' +
    '[--duration 1h] [--bound-pod NAME --bound-pod-uid UID] [--bound-node NAME ' +
    '[--bound-node-uid UID]] [--sa-uid UID] [--max-duration D]\n' +
    '       irsa create token NAME -n NAMESPACE --cluster CLUSTER [--data-dir DIR] [same flags]',
  description:
    'Prints a token (one line) for ServiceAccount NAME in NAMESPACE, as the TokenRequest API\n' +
    '(kubectl create token) of kube-apiserver 1.32+ would issue it: header {"alg","kid"},\n' +
    'claims aud (an array), exp, iat, iss, jti, kubernetes.io {namespace, node, pod,\n' +
    'serviceaccount}, nbf, sub system:serviceaccount:NAMESPACE:NAME.\n' +
    '\n' +
    'irsa is an IRSA tool, so the audience defaults to sts.amazonaws.com, the client ID of\n' +
    "an IAM OIDC provider: the token is ready for AWS STS's AssumeRoleWithWebIdentity.\n" +
    'Durations are Go-style (90s, 10m, 1h, 1h30m) or whole seconds. TokenRequest rules apply:\n' +
    'under 10 minutes is an error; --max-duration shortens a longer request with a warning.\n' +
    '\n' +
    "--cluster signs with a local cluster's current key and issuer (see irsa up, irsa cluster).",
  positionals: { min: 1, max: 1 },
  options: {
    namespace: {
      type: 'string',
      short: 'n',
      valueName: 'NAMESPACE',
      description: "the ServiceAccount's namespace (required)",
    },
    cluster: {
      type: 'string',
      valueName: 'CLUSTER',
      description: 'a local cluster of irsa up: its issuer and current signing key',
    },
    'data-dir': DATA_DIR_OPTION,
    issuer: {
      type: 'string',
      valueName: 'URL',
      description: 'the iss claim: https, no query or fragment (--service-account-issuer)',
    },
    'signing-key': {
      type: 'string',
      valueName: 'KEY',
      description: 'PEM private key (RSA, or EC P-256/384/521) that signs the token',
    },
    audience: {
      type: 'string',
      multiple: true,
      valueName: 'A',
      description: `an audience of the token (default: ${IRSA_AUDIENCE}, for AWS STS)`,
    },
    duration: {
      type: 'string',
      valueName: 'D',
      default: '1h',
      description: 'requested lifetime (at least 10m)',
    },
    'bound-pod': { type: 'string', valueName: 'NAME', description: 'bind the token to this pod' },
    'bound-pod-uid': { type: 'string', valueName: 'UID', description: "the bound pod's uid" },
    'bound-node': {
      type: 'string',
      valueName: 'NAME',
      description: "the pod's node (with --bound-pod), or the node to bind to",
    },
    'bound-node-uid': {
      type: 'string',
      valueName: 'UID',
      description: "the node's uid (left out of the token when not given)",
    },
    'sa-uid': {
      type: 'string',
      valueName: 'UID',
      description: "the ServiceAccount's uid (default: a random UUID)",
    },
    'max-duration': {
      type: 'string',
      valueName: 'D',
      description: 'maximum lifetime, as --service-account-max-token-expiration (1h to 2^32 s)',
    },
  },
  run: (args, io) => {
    const name = args.requirePositional(0, 'NAME')
    const namespace = args.string('namespace')
    if (namespace === undefined || namespace === '')
      throw new InputError('--namespace (-n) is required')
    const duration = parseDuration(args.string('duration') ?? '1h', '--duration')
    const maxText = args.string('max-duration')
    const maxExpirationSeconds =
      maxText === undefined ? undefined : parseDuration(maxText, '--max-duration')
    if (maxExpirationSeconds !== undefined)
      checkMaxExpirationSeconds(maxExpirationSeconds, '--max-duration')
    const { issuer, key } = issuerAndKey(args, io)
    const audiences = args.strings('audience')
    const pod = pair(args, 'bound-pod', 'bound-pod-uid')
    const node = boundNode(args)
    const signer = createTokenSigner({
      key,
      issuer,
      clock: io.clock,
      ...(maxExpirationSeconds !== undefined ? { maxExpirationSeconds } : {}),
    })
    const request: TokenRequestSpec = {
      namespace,
      serviceAccount: { name, uid: args.string('sa-uid') ?? randomUUID() },
      audiences: audiences.length > 0 ? audiences : [IRSA_AUDIENCE],
      expirationSeconds: duration,
      ...(pod !== undefined ? { boundPod: pod } : {}),
      ...(node !== undefined ? { boundNode: node } : {}),
    }
    const issued = signer.issue(request)
    for (const w of issued.warnings) io.stderr(`Warning: ${w}\n`)
    io.stdout(issued.token + '\n')
    return Promise.resolve(EXIT.ok)
  },
}

/** The `irsa create token` command. */
export const createTokenCommands: readonly Command[] = [createToken]
