import { resolve } from 'node:path'
import { InputError } from '../../core/index.js'
import {
  createKubeClient,
  createServiceAccountInformer,
  inClusterConnection,
  loadKubeconfig,
  type KubeConnection,
} from '../../kube/index.js'
import {
  createMutationConfig,
  createWebhookApp,
  createWebhookMetrics,
  partitionForRegion,
  startMetricsServer,
  startWebhookServer,
  watchPodIdentityAssociations,
  DEFAULT_CONTAINER_CREDENTIALS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_PATCHED_POD_BYTES,
  DEFAULT_MUTATION,
  type MutationOptions,
  type PodIdentityAssociations,
  type UnresolvedEnvFromPolicy,
} from '../../webhook/index.js'
import { EXIT, type Args, type Command, type Io, type OptionSpec } from '../command.js'
import { goDurationMs, optionalInteger, requiredPort } from '../flags.js'
import { commandLogger, LOG_OPTIONS } from '../log-options.js'

function str(description: string, valueName: string, def?: string): OptionSpec {
  return { type: 'string', valueName, description, ...(def !== undefined ? { default: def } : {}) }
}

function bool(description: string): OptionSpec {
  return { type: 'boolean', description }
}

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'annotation-prefix': str(
    'prefix of the ServiceAccount and pod annotations',
    'PREFIX',
    DEFAULT_MUTATION.annotationPrefix,
  ),
  'token-audience': str(
    'audience of the projected IRSA token',
    'AUD',
    DEFAULT_MUTATION.tokenAudience,
  ),
  'token-mount-path': str(
    'where the IRSA token volume is mounted',
    'PATH',
    DEFAULT_MUTATION.tokenMountPath,
  ),
  'token-expiration': str(
    'token lifetime in seconds (below 600 becomes 600)',
    'SECONDS',
    String(DEFAULT_MUTATION.tokenExpiration),
  ),
  'aws-default-region': str('inject AWS_DEFAULT_REGION and AWS_REGION (default: none)', 'REGION'),
  'sts-regional-endpoint': bool('inject AWS_STS_REGIONAL_ENDPOINTS=regional'),
  'service-account-lookup-grace-period': str(
    'how long an admission waits for a ServiceAccount missing from the cache (API lookup); 0 turns lookups off',
    'DURATION',
    '2s',
  ),
  'tls-cert': str(
    'serving certificate (PEM), reloaded when it changes',
    'FILE',
    '/etc/webhook/certs/tls.crt',
  ),
  'tls-key': str(
    'serving private key (PEM), reloaded when it changes',
    'FILE',
    '/etc/webhook/certs/tls.key',
  ),
  port: str('HTTPS port (/mutate, /healthz, /readyz)', 'PORT', '443'),
  'metrics-port': str('plain-HTTP port of /metrics', 'PORT', '9999'),
  host: str('address to listen on (default: every address)', 'ADDR'),
  kubeconfig: str(
    'kubeconfig to reach the API server (default: $KUBECONFIG, else in-cluster)',
    'FILE',
  ),
  context: str('kubeconfig context (default: current-context)', 'NAME'),
  'in-cluster': bool("use the pod's ServiceAccount token and the cluster CA (in-cluster config)"),
  'container-credentials-full-uri': str(
    'EKS Pod Identity agent URL',
    'URL',
    DEFAULT_CONTAINER_CREDENTIALS.fullUri,
  ),
  'container-credentials-audience': str(
    'EKS Pod Identity token audience',
    'AUD',
    DEFAULT_CONTAINER_CREDENTIALS.audience,
  ),
  'container-credentials-token-mount-path': str(
    'EKS Pod Identity token mount path',
    'PATH',
    DEFAULT_CONTAINER_CREDENTIALS.mountPath,
  ),
  'container-credentials-token-volume-name': str(
    'EKS Pod Identity token volume name',
    'NAME',
    DEFAULT_CONTAINER_CREDENTIALS.volumeName,
  ),
  'container-credentials-token-path': str(
    'EKS Pod Identity token file name',
    'NAME',
    DEFAULT_CONTAINER_CREDENTIALS.tokenPath,
  ),
  'watch-container-credentials-config': str(
    'JSON file of EKS Pod Identity associations ({"identities":[{"namespace","serviceAccount"}]}), reloaded on change',
    'FILE',
  ),
  'compose-role-arn': bool(
    'accept a bare role name in role-arn (needs --aws-account-id; partition from --aws-default-region)',
  ),
  'aws-account-id': str('the account of --compose-role-arn', 'ID'),
  'role-session-name': bool('inject AWS_ROLE_SESSION_NAME (the pod name) in IRSA mode'),
  'fs-group': str('set spec.securityContext.fsGroup on mutated pods that set none', 'GID'),
  'env-from-unresolved': str(
    'override or keep: injected variables vs envFrom sources with unknown keys',
    'POLICY',
    DEFAULT_MUTATION.unresolvedEnvFrom,
  ),
  'resync-period': str('accepted for compatibility; the watch keeps the cache current', 'DURATION'),
  'max-request-bytes': str(
    'largest AdmissionReview body accepted',
    'BYTES',
    String(DEFAULT_MAX_BODY_BYTES),
  ),
  'max-patched-pod-bytes': str(
    'deny a pod whose JSON would exceed this once mutated (0: no bound)',
    'BYTES',
    String(DEFAULT_MAX_PATCHED_POD_BYTES),
  ),
  'shutdown-timeout': str('how long in-flight requests may finish on SIGTERM', 'DURATION', '10s'),
  ...LOG_OPTIONS,
}

/** The mutation options the flags give (without the Pod Identity associations). */
function mutationOptions(args: Args): MutationOptions {
  const region = args.string('aws-default-region') ?? ''
  const policy = args.string('env-from-unresolved') ?? DEFAULT_MUTATION.unresolvedEnvFrom
  let composeRoleArn: MutationOptions['composeRoleArn']
  if (args.boolean('compose-role-arn')) {
    const accountId = args.string('aws-account-id')
    if (accountId === undefined)
      throw new InputError(
        '--compose-role-arn needs --aws-account-id (irsa does not ask instance metadata)',
      )
    composeRoleArn = { accountId, partition: partitionForRegion(region) }
  }
  const fsGroup = optionalInteger(args, 'fs-group')
  return {
    annotationPrefix: args.string('annotation-prefix') ?? DEFAULT_MUTATION.annotationPrefix,
    tokenAudience: args.string('token-audience') ?? DEFAULT_MUTATION.tokenAudience,
    tokenMountPath: args.string('token-mount-path') ?? '',
    tokenExpiration: optionalInteger(args, 'token-expiration') ?? DEFAULT_MUTATION.tokenExpiration,
    defaultRegion: region,
    stsRegionalEndpoint: args.boolean('sts-regional-endpoint'),
    containerCredentials: {
      fullUri:
        args.string('container-credentials-full-uri') ?? DEFAULT_CONTAINER_CREDENTIALS.fullUri,
      audience:
        args.string('container-credentials-audience') ?? DEFAULT_CONTAINER_CREDENTIALS.audience,
      mountPath:
        args.string('container-credentials-token-mount-path') ??
        DEFAULT_CONTAINER_CREDENTIALS.mountPath,
      volumeName:
        args.string('container-credentials-token-volume-name') ??
        DEFAULT_CONTAINER_CREDENTIALS.volumeName,
      tokenPath:
        args.string('container-credentials-token-path') ?? DEFAULT_CONTAINER_CREDENTIALS.tokenPath,
    },
    roleSessionName: args.boolean('role-session-name'),
    fsGroup,
    unresolvedEnvFrom: policy as UnresolvedEnvFromPolicy,
    composeRoleArn,
  }
}

function connection(args: Args, io: Io): KubeConnection {
  const env = io.env
  if (args.boolean('in-cluster')) {
    if (args.string('kubeconfig') !== undefined)
      throw new InputError('--in-cluster and --kubeconfig are alternatives; pass one')
    return inClusterConnection({ clock: io.clock, env })
  }
  const context = args.string('context')
  const file = args.string('kubeconfig') ?? env['KUBECONFIG']?.split(':').find((p) => p !== '')
  if (file !== undefined) {
    return loadKubeconfig(resolve(io.cwd, file), {
      clock: io.clock,
      env,
      ...(context !== undefined ? { context } : {}),
    })
  }
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined)
    return inClusterConnection({ clock: io.clock, env })
  throw new InputError('no cluster to watch: pass --kubeconfig FILE, or --in-cluster inside a pod')
}

const webhook: Command = {
  path: ['webhook'],
  summary: 'Run the pod identity admission webhook (production server)',
  usage:
    'irsa webhook [--kubeconfig FILE | --in-cluster] [--tls-cert F --tls-key F] [--port P] [flags]',
  description:
    'Serves the mutating admission webhook over HTTPS: POST /mutate (AdmissionReview\n' +
    'admission.k8s.io/v1 and v1beta1), GET /healthz, GET /readyz (200 once the ServiceAccount\n' +
    'cache has synced), and GET /metrics on --metrics-port (plain HTTP). ServiceAccounts come\n' +
    'from a list+watch informer; a ServiceAccount missing from the cache is looked up in the\n' +
    'API within --service-account-lookup-grace-period. The certificate files are reloaded when\n' +
    'they change. SIGTERM/SIGINT stop accepting, let in-flight reviews finish within\n' +
    "--shutdown-timeout, then exit. Flags with the reference webhook's names mean the same.",
  options: OPTIONS,
  run: async (args, io) => {
    const { log } = commandLogger(args, io)
    const policy = args.string('env-from-unresolved') ?? DEFAULT_MUTATION.unresolvedEnvFrom
    if (policy !== 'override' && policy !== 'keep')
      throw new InputError(`--env-from-unresolved must be override or keep, got '${policy}'`)
    const grace = goDurationMs(args, 'service-account-lookup-grace-period')
    const shutdownMs = goDurationMs(args, 'shutdown-timeout')
    if (args.string('resync-period') !== undefined) goDurationMs(args, 'resync-period')
    const maxBody = optionalInteger(args, 'max-request-bytes') ?? DEFAULT_MAX_BODY_BYTES
    if (maxBody < 1024)
      throw new InputError(`--max-request-bytes must be at least 1024, got ${maxBody}`)
    const maxPatchedPod =
      optionalInteger(args, 'max-patched-pod-bytes') ?? DEFAULT_MAX_PATCHED_POD_BYTES
    if (maxPatchedPod < 0)
      throw new InputError(`--max-patched-pod-bytes must be 0 or more, got ${maxPatchedPod}`)
    const httpsPort = requiredPort(args, 'port')
    const metricsPort = requiredPort(args, 'metrics-port')
    const host = args.string('host')
    const options = mutationOptions(args)

    let associations: PodIdentityAssociations | undefined
    const associationsFile = args.string('watch-container-credentials-config')
    if (associationsFile !== undefined) {
      associations = watchPodIdentityAssociations({
        file: resolve(io.cwd, associationsFile),
        onError: (m) => {
          log.warn({ err: m }, 'Pod Identity associations not loaded')
        },
        onReload: (count) => {
          log.info({ associations: count }, 'Pod Identity associations loaded')
        },
      })
    }
    const a = associations
    const config = createMutationConfig({
      ...options,
      ...(a !== undefined
        ? { isPodIdentityAssociated: (ns: string, sa: string) => a.has(ns, sa) }
        : {}),
    })
    const conn = connection(args, io)
    const informer = createServiceAccountInformer({
      client: createKubeClient(conn),
      annotationPrefix: config.annotationPrefix,
      clock: io.clock,
      logger: log,
      lookup: { gracePeriodMs: grace },
    })
    const metrics = createWebhookMetrics()
    const app = createWebhookApp({
      config,
      serviceAccounts: informer,
      clock: io.clock,
      logger: log,
      metrics,
      maxBodyBytes: maxBody,
      maxPatchedPodBytes: maxPatchedPod,
    })
    const stopAll: (() => Promise<void>)[] = []
    try {
      const server = await startWebhookServer({
        app,
        port: httpsPort,
        ...(host !== undefined ? { host } : {}),
        tls: {
          certFile: resolve(io.cwd, args.string('tls-cert') ?? ''),
          keyFile: resolve(io.cwd, args.string('tls-key') ?? ''),
        },
        logger: log,
        shutdownTimeoutMs: shutdownMs,
      })
      stopAll.push(() => server.close())
      const metricsServer = await startMetricsServer({
        metrics,
        port: metricsPort,
        ...(host !== undefined ? { host } : {}),
        logger: log,
      })
      stopAll.push(() => metricsServer.close())
      informer.start()
      io.stdout(
        `irsa webhook serving ${server.origin}/mutate (healthz, readyz)\n` +
          `  metrics     ${metricsServer.origin}/metrics\n` +
          `  cluster     ${conn.server} (${conn.source})\n` +
          'Stop with Ctrl-C or SIGTERM.\n',
      )
      const signal = await io.untilSignal()
      log.info({ signal }, 'shutting down')
      io.stdout(`stopping (${signal})\n`)
    } finally {
      for (const stop of stopAll) await stop()
      await informer.stop()
      associations?.close()
    }
    return EXIT.ok
  },
}

/** The `irsa webhook` command. */
export const webhookCommands: readonly Command[] = [webhook]
