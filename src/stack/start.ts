import { createAwsApp, startAwsServer, type AwsServer } from '../aws/index.js'
import { describeError, IrsaError, type Clock, type Logger } from '../core/index.js'
import { createEksRoutes } from '../eks/index.js'
import { createAuthorizer, createIamActions, PolicyCache, type Principal } from '../iam/index.js'
import { startIssuerServer, type IssuerServer } from '../oidc/index.js'
import { openStore, type AccessKey, type Cluster, type Store } from '../store/index.js'
import { createStoreServiceAccountSource, localMutationConfig } from '../local/index.js'
import { createWebhookApp, startWebhookServer, type WebhookServer } from '../webhook/index.js'
import {
  createCredentialLookup,
  createJwksFetcher,
  createSessionCodec,
  createStsActions,
  loadSessionSecret,
} from '../sts/index.js'
import { bootstrapAccount } from './bootstrap.js'
import { createClusterIssuers } from './cluster-issuers.js'
import { servesIssuer } from './external-issuer.js'
import { DEFAULT_ACCOUNT_ID, DEFAULT_HOST, DEFAULT_REGION, SETTINGS } from './defaults.js'
import { awsCertificateNames, ensureLocalCa, servingCertificate } from './local-ca.js'
import { choosePort } from './ports.js'
import { recordRefusals } from './refusals.js'
import { createStackS3 } from './s3.js'
import { issuerUrlFor, readStackSettings } from './stack-settings.js'
import { startStackKubeApi } from './kube-api.js'
import { writeStackFiles, type StackFiles } from './stack-files.js'

/** What {@link startStack} is started with. Absent values: saved ones, then defaults. */
interface StackOptions {
  readonly dataDir: string
  readonly host?: string
  /** 0 picks a free port; absent reuses the saved port (or picks one on first start). */
  readonly awsPort?: number
  /** The AWS endpoint's HTTPS port (same app; same rules as the other ports). */
  readonly awsHttpsPort?: number
  readonly oidcPort?: number
  /** The pod identity webhook's HTTPS port (same rules as the other ports). */
  readonly webhookPort?: number
  /** The local clusters' Kubernetes API port (same rules as the other ports). */
  readonly kubePort?: number
  readonly accountId?: string
  /**
   * The account of a data directory's first start when {@link accountId} is not given
   * (default: {@link DEFAULT_ACCOUNT_ID}). Called only when nothing is saved.
   */
  readonly newAccountId?: () => string
  readonly region?: string
  readonly clock: Clock
  readonly logger: Logger
  /** STS's JWKS fetch deadline (default 5 s). */
  readonly jwksTimeoutMs?: number
  /**
   * Least seconds between JWKS re-fetches caused by an unknown kid, per issuer (default
   * {@link STACK_JWKS_REFETCH_SECONDS}): a token signed right after `irsa cluster
   * rotate-keys` must not wait STS's usual 30 s.
   */
  readonly jwksRefetchSeconds?: number
}

/** The stack's JWKS re-fetch interval: its issuers are on loopback and cheap to ask. */
const STACK_JWKS_REFETCH_SECONDS = 1

/** A running local stack. */
export interface Stack {
  readonly dataDir: string
  readonly host: string
  readonly accountId: string
  readonly region: string
  /** `http://HOST:PORT`: the AWS endpoint (IAM, STS, EKS, S3). */
  readonly awsEndpoint: string
  readonly awsPort: number
  /**
   * `https://HOST:PORT`: the same AWS endpoint over HTTPS, certificate from the local CA
   * (for `localhost`, `127.0.0.1`, `s3.localhost` and `*.s3.localhost` besides the host).
   */
  readonly awsHttpsEndpoint: string
  readonly awsHttpsPort: number
  /** `https://HOST:PORT`: where the cluster issuers are served. */
  readonly oidcOrigin: string
  readonly oidcPort: number
  /**
   * `https://HOST:PORT`: the pod identity webhook (`/mutate`, `/healthz`, `/readyz`) over
   * the `local` cluster's ServiceAccount registry, certificate from the local CA.
   */
  readonly webhookOrigin: string
  readonly webhookPort: number
  /** The cluster whose ServiceAccounts the webhook reads. */
  readonly webhookCluster: string
  /** `https://HOST:PORT`: the Kubernetes API, each cluster under `/clusters/NAME`. */
  readonly kubeOrigin: string
  readonly kubePort: number
  /** `DIR/kubeconfig`: a context per local cluster (current: `local`). */
  readonly kubeconfig: string
  readonly adminKey: AccessKey
  readonly caFile: string
  readonly files: StackFiles
  /** True when this start created the account (and the `local` cluster). */
  readonly firstStart: boolean
  readonly store: Store
  /** The clusters of the stack's account and region, with their issuers as served now. */
  clusters(): Cluster[]
  /** Stops both servers (closing their connections), then closes the store. Idempotent. */
  close(): Promise<void>
}

/**
 * Starts `irsa up`'s stack over a data directory: opens the store, makes the local CA and,
 * on first start, the account, its admin key and the cluster `local`; serves the cluster
 * issuers over HTTPS and the AWS endpoint (IAM and STS actions, EKS routes) over HTTP and,
 * on a second port, HTTPS;
 * serves the pod identity webhook over HTTPS for the `local` cluster's ServiceAccounts
 * and the Kubernetes API of every local cluster (HTTPS, `DIR/kubeconfig`);
 * saves the host, ports, endpoint, account and region in the store's settings; writes
 * the env file and the `irsa` AWS profile.
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  const { clock, logger } = o
  const store = openStore({
    dir: o.dataDir,
    clock,
    onDecisionsLost: (lost, e) => {
      logger.error({ lost, err: describeError(e) }, 'decisions could not be written')
    },
    checkpoints: 'background',
    onCheckpointProblem: (message) => {
      logger.warn({ err: message }, 'store checkpoints')
    },
  })
  const stops: (() => Promise<void>)[] = []
  try {
    const saved = readStackSettings(store)
    const host = o.host ?? saved.host ?? DEFAULT_HOST
    const sameHost = saved.host === undefined || saved.host === host
    const accountId =
      o.accountId ?? saved.accountId ?? (o.newAccountId ?? (() => DEFAULT_ACCOUNT_ID))()
    const region = o.region ?? saved.region ?? DEFAULT_REGION
    const ca = ensureLocalCa(store.dir, clock)

    let issuerUrlOf: (issuerId: string) => string = () => {
      throw new IrsaError('ERR_STACK_STARTING', 'the issuer port is not known yet')
    }
    const issuers = createClusterIssuers({
      store,
      logger,
      issuerUrlOf: (id) => issuerUrlOf(id),
    })
    const oidc: IssuerServer = await startIssuerServer({
      app: issuers,
      tls: servingCertificate(ca, host, clock),
      host,
      port: choosePort(o.oidcPort, sameHost ? saved.oidcPort : undefined),
      logger,
    })
    stops.push(() => oidc.close())
    issuerUrlOf = issuerUrlFor(host, oidc.port)

    const place = { accountId, region, issuerUrlOf }
    const boot = bootstrapAccount(store, place)
    for (const c of store.clusters.list().filter(servesIssuer)) {
      const url = issuerUrlOf(c.issuerId)
      if (c.issuerUrl !== url) {
        store.clusters.setIssuerUrl(c.arn, url)
        logger.warn(
          { cluster: c.name, was: c.issuerUrl, now: url },
          'cluster issuer moved: tokens signed for the old issuer no longer match',
        )
      }
    }
    issuers.sync()

    const cache = new PolicyCache()
    const authorizer = createAuthorizer({ store, clock, cache })
    const sessions = createSessionCodec(loadSessionSecret(store))
    const jwks = createJwksFetcher({
      clock,
      trustedCaPems: [ca.certPem],
      refetchIntervalSeconds: o.jwksRefetchSeconds ?? STACK_JWKS_REFETCH_SECONDS,
      logger,
      ...(o.jwksTimeoutMs !== undefined ? { timeoutMs: o.jwksTimeoutMs } : {}),
    })
    const credentials = createCredentialLookup({ store, sessions, clock })
    // The Kubernetes API starts after the AWS endpoint: DescribeCluster reads its URL late.
    let kubeEndpointOf: (c: Cluster) => string | undefined = () => undefined
    const app = createAwsApp<Principal>({
      actions: [
        ...createIamActions({ store, clock, authorizer, logger, cache }),
        ...createStsActions({ store, clock, sessions, jwks, authorizer, logger }),
      ],
      routes: createEksRoutes({
        store,
        authorizer,
        viewOf: (c) => {
          const endpoint = kubeEndpointOf(c)
          return {
            issuerUrl: servesIssuer(c) ? issuerUrlOf(c.issuerId) : c.issuerUrl,
            ...(endpoint !== undefined ? { endpoint } : {}),
            caPem: ca.certPem,
          }
        },
      }),
      credentials,
      onRefused: recordRefusals(store),
      clock,
      logger,
      s3: await createStackS3({ store, credentials, cache, region, clock, logger }),
    })
    const aws: AwsServer = await startAwsServer({
      app,
      host,
      port: choosePort(o.awsPort, sameHost ? saved.awsPort : undefined),
      logger,
    })
    stops.push(() => aws.close())
    const awsHttps: AwsServer = await startAwsServer({
      app,
      host,
      port: choosePort(o.awsHttpsPort, sameHost ? saved.awsHttpsPort : undefined),
      logger,
      tls: servingCertificate(ca, host, clock, awsCertificateNames(host)),
    })
    stops.push(() => awsHttps.close())

    // The webhook admits pods of one cluster: `local`, else the first of the account.
    const clusters = store.clusters.list({ accountId, region })
    const webhookCluster = clusters.find((c) => c.name === 'local') ?? clusters[0]
    if (webhookCluster === undefined)
      throw new IrsaError('ERR_STACK_STARTING', `no cluster in account ${accountId} ${region}`)
    const placeSettings: Record<string, string> = {
      [SETTINGS.region]: region,
      [SETTINGS.accountId]: accountId,
    }
    // The same configuration `irsa apply` and `irsa exec` use, so all three agree.
    const mutation = localMutationConfig({ get: (key) => placeSettings[key] })
    const webhookApp = createWebhookApp({
      config: mutation,
      serviceAccounts: createStoreServiceAccountSource(store, webhookCluster.arn),
      clock,
      logger,
    })
    const leaf = servingCertificate(ca, host, clock)
    const webhook: WebhookServer = await startWebhookServer({
      app: webhookApp,
      host,
      port: choosePort(o.webhookPort, sameHost ? saved.webhookPort : undefined),
      tls: { cert: leaf.certPem, key: leaf.keyPem },
      logger,
    })
    stops.push(() => webhook.close())

    const kube = await startStackKubeApi({
      store,
      ca,
      host,
      port: choosePort(o.kubePort, sameHost ? saved.kubePort : undefined),
      clock,
      logger,
      clusters,
      place: { accountId, region },
      mutation,
      accountId,
      credentials,
      awsOrigin: aws.origin,
    })
    stops.push(() => kube.server.close())
    const served = new Set(clusters.map((c) => c.arn))
    kubeEndpointOf = (c) => (served.has(c.arn) ? kube.server.serverUrl(c.name) : undefined)

    store.settings.setMany({
      [SETTINGS.host]: host,
      [SETTINGS.webhookPort]: String(webhook.port),
      [SETTINGS.kubePort]: String(kube.server.port),
      [SETTINGS.awsPort]: String(aws.port),
      [SETTINGS.awsHttpsPort]: String(awsHttps.port),
      [SETTINGS.oidcPort]: String(oidc.port),
      [SETTINGS.awsEndpoint]: aws.origin,
      [SETTINGS.accountId]: accountId,
      [SETTINGS.region]: region,
    })
    const files = writeStackFiles(store.dir, {
      accessKeyId: boot.adminKey.accessKeyId,
      secretAccessKey: boot.adminKey.secretAccessKey,
      region,
      endpoint: aws.origin,
      httpsEndpoint: awsHttps.origin,
      caBundle: ca.files.cert,
      kubeconfig: kube.kubeconfig,
    })
    logger.info(
      {
        awsEndpoint: aws.origin,
        awsHttpsEndpoint: awsHttps.origin,
        oidcOrigin: oidc.origin,
        webhookOrigin: webhook.origin,
        kubeOrigin: kube.server.origin,
        accountId,
        region,
        firstStart: boot.firstStart,
      },
      'irsa stack ready',
    )

    let closing: Promise<void> | undefined
    return {
      dataDir: store.dir,
      host,
      accountId,
      region,
      awsEndpoint: aws.origin,
      awsPort: aws.port,
      awsHttpsEndpoint: awsHttps.origin,
      awsHttpsPort: awsHttps.port,
      oidcOrigin: oidc.origin,
      oidcPort: oidc.port,
      webhookOrigin: webhook.origin,
      webhookPort: webhook.port,
      webhookCluster: webhookCluster.name,
      kubeOrigin: kube.server.origin,
      kubePort: kube.server.port,
      kubeconfig: kube.kubeconfig,
      adminKey: boot.adminKey,
      caFile: ca.files.cert,
      files,
      firstStart: boot.firstStart,
      store,
      clusters: () => store.clusters.list({ accountId, region }),
      close: () => {
        closing ??= (async () => {
          for (const stop of stops.reverse()) await stop()
          store.close()
          logger.info('irsa stack stopped')
        })()
        return closing
      },
    }
  } catch (e) {
    for (const stop of stops.reverse()) await stop()
    store.close()
    throw e
  }
}
