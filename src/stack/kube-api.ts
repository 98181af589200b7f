import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import {
  issueClientCertificate,
  type CertificateAuthority,
  type Clock,
  type Logger,
} from '../core/index.js'
import type { CredentialLookup } from '../aws/index.js'
import type { Principal } from '../iam/index.js'
import {
  createKubeApiApp,
  createPodStreams,
  KubeRegistry,
  resourceOfKind,
  startKubeApiServer,
  WatchHub,
  type KubeCluster,
  type KubeApiServer,
  type TokenGrant,
  certificateCluster,
} from '../kubeapi/index.js'
import { STACK_ENDPOINT_SETTING } from '../local/index.js'
import { writePrivateFile, type Cluster, type Store } from '../store/index.js'
import { createTokenSigner, loadPublicKeys, loadSigningKey } from '../token/index.js'
import { buildDiscovery, buildJwks } from '../oidc/index.js'
import type { MutationConfig } from '../webhook/index.js'
import {
  ADMIN_GROUP,
  ADMIN_USER,
  authorizeKubeRequest,
  createEksTokenAuthenticator,
  createKubeAuthenticator,
  createServiceAccountTokenAuthenticator,
} from './kube-auth.js'
import { ensureLocalCa, servingCertificate } from './local-ca.js'

export { ADMIN_GROUP, ADMIN_USER } from './kube-auth.js'

/** The kubeconfig `irsa up` writes in its data directory. */
export const KUBECONFIG_FILE = 'kubeconfig'

/** What the stack's Kubernetes API needs. */
export interface KubeApiOptions {
  readonly store: Store
  readonly ca: CertificateAuthority
  readonly host: string
  readonly port: number
  readonly clock: Clock
  readonly logger: Logger
  readonly clusters: readonly Cluster[]
  /** Where clusters created while the API runs are looked up. */
  readonly place: { readonly accountId: string; readonly region: string }
  readonly mutation: MutationConfig
  /** The stack's account: its root (the admin access key) is cluster admin with EKS tokens. */
  readonly accountId: string
  /** The AWS endpoint's credentials, which verify `aws eks get-token` tokens. */
  readonly credentials: CredentialLookup<Principal>
  /** The AWS endpoint's origin: `aws eks get-token` presigns against it (AWS_ENDPOINT_URL). */
  readonly awsOrigin: string
}

/** The running API and the kubeconfig that reaches it. */
export interface StackKubeApi {
  readonly server: KubeApiServer
  readonly kubeconfig: string
}

function tokenIssuer(store: Store, cluster: Cluster, clock: Clock) {
  return (grant: TokenGrant): { token: string; expiresAtMs: number } => {
    const signing = store.clusters.signingKey(cluster.arn)
    if (signing === undefined) throw new Error(`cluster ${cluster.name} has no signing key`)
    const key = loadSigningKey(
      store.clusters.readPrivateKey(cluster.arn, signing.kid),
      `cluster ${cluster.name} key`,
    )
    const signer = createTokenSigner({ key, issuer: cluster.issuerUrl, clock })
    const issued = signer.issue(grant)
    return { token: issued.token, expiresAtMs: issued.expiresAt * 1000 }
  }
}

const b64 = (text: string): string => Buffer.from(text).toString('base64')

/** The kubeconfig user of cluster `name`: the admin, with a certificate for that cluster. */
export function adminUserName(name: string): string {
  return `${ADMIN_USER}@${name}`
}

/**
 * The admin's client certificate for one cluster: `CN=kubernetes-admin,
 * O=system:masters` as kubeadm's, and `OU=NAME`, which tells the API the cluster of a
 * request that lost its `/clusters/NAME` prefix (`kubectl get --raw` drops a server URL's
 * path).
 */
function adminEntry(ca: CertificateAuthority, name: string, clock: Clock): Record<string, unknown> {
  const client = issueClientCertificate(ca, {
    commonName: ADMIN_USER,
    organization: ADMIN_GROUP,
    organizationalUnit: name,
    clock,
  })
  return {
    name: adminUserName(name),
    user: {
      'client-certificate-data': b64(client.certPem),
      'client-key-data': b64(client.keyPem),
    },
  }
}

function kubeconfigText(o: KubeApiOptions, server: KubeApiServer): string {
  const names = o.clusters.map((c) => c.name)
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name) => ({
      name,
      cluster: { server: server.serverUrl(name), 'certificate-authority-data': b64(o.ca.certPem) },
    })),
    users: names.map((name) => adminEntry(o.ca, name, o.clock)),
    contexts: names.map((name) => ({
      name,
      context: { cluster: name, user: adminUserName(name) },
    })),
    'current-context': names.includes('local') ? 'local' : (names[0] ?? ''),
    preferences: {},
  })
}

/**
 * Serves the Kubernetes API of every local cluster (`/clusters/NAME` on one HTTPS port,
 * certificate from the local CA), each over its objects in the store with pods admitted
 * by the webhook's mutation, and writes `DIR/kubeconfig`: one context per cluster, named
 * after it, and an admin client certificate (`CN=kubernetes-admin, O=system:masters`).
 */
export async function startStackKubeApi(o: KubeApiOptions): Promise<StackKubeApi> {
  let appFor: (cluster: Cluster) => KubeCluster = () => {
    throw new Error('the Kubernetes API is not listening yet')
  }
  const server = await startKubeApiServer({
    tls: servingCertificate(o.ca, o.host, o.clock),
    clientCa: o.ca.certPem,
    host: o.host,
    port: o.port,
    logger: o.logger,
    clusterOfRequest: (req) =>
      certificateCluster(req) ?? (o.clusters.some((c) => c.name === 'local') ? 'local' : undefined),
    resolve: (name) => {
      const cluster = o.store.clusters.get(o.place.accountId, o.place.region, name)
      return cluster === undefined ? undefined : appFor(cluster)
    },
  })
  appFor = (cluster) => clusterApp(o, cluster, `${o.host}:${String(server.port)}`)
  for (const cluster of o.clusters) server.addCluster(appFor(cluster))
  const kubeconfig = join(o.store.dir, KUBECONFIG_FILE)
  writePrivateFile(kubeconfig, kubeconfigText(o, server))
  return { server, kubeconfig }
}

/** One cluster's API over its objects, with its built-in objects made, and its exec. */
function clusterApp(o: KubeApiOptions, cluster: Cluster, serverAddress: string): KubeCluster {
  const hub = new WatchHub(o.store, cluster.arn)
  const registry = new KubeRegistry({
    store: o.store,
    clusterArn: cluster.arn,
    clock: o.clock,
    caPem: o.ca.certPem,
    mutation: () => o.mutation,
    onChange: (e) => {
      hub.publish(e)
    },
  })
  registry.bootstrap()
  const authenticate = clusterAuthenticator(o, cluster, registry)
  const issueToken = tokenIssuer(o.store, cluster, o.clock)
  const podStreams = createPodStreams({
    registry,
    clock: o.clock,
    logger: o.logger,
    // exec runs a command on this machine: the cluster admin only.
    authenticate: async (req) => {
      const user = await authenticate(req)
      return user?.groups.includes(ADMIN_GROUP) === true ? user : undefined
    },
    issueToken,
    inheritedEnv: () => process.env,
    awsEndpoint: () => o.store.settings.get(STACK_ENDPOINT_SETTING),
  })
  return {
    name: cluster.name,
    upgrade: podStreams.upgrade,
    app: createKubeApiApp({
      registry,
      hub,
      clock: o.clock,
      logger: o.logger,
      authenticate,
      authorize: authorizeKubeRequest,
      issueToken,
      podStreams,
      serverAddress,
      issuerDocuments: issuerDocuments(
        o.store,
        cluster,
        `https://${serverAddress}/clusters/${encodeURIComponent(cluster.name)}`,
      ),
    }),
  }
}

/**
 * The cluster issuer's documents as kube-apiserver serves them at
 * `/.well-known/openid-configuration` and `/openid/v1/jwks`: the issuer the cluster's
 * tokens carry, its published keys, and a `jwks_uri` on the API server itself (its
 * default without `--service-account-jwks-uri`). Read from the store at each request,
 * so a rotation shows at once.
 */
function issuerDocuments(store: Store, cluster: Cluster, apiUrl: string) {
  return () => {
    const now = store.clusters.getByArn(cluster.arn) ?? cluster
    const keys = store.clusters
      .listKeys(cluster.arn)
      .flatMap((k) => loadPublicKeys(k.publicPem, `signing key ${k.kid}`))
    return {
      discovery: buildDiscovery({
        issuer: now.issuerUrl,
        jwksUri: `${apiUrl}/openid/v1/jwks`,
        keys,
      }),
      jwks: buildJwks(keys),
    }
  }
}

/** Client certificates, `aws eks get-token` tokens and the cluster's service-account tokens. */
function clusterAuthenticator(o: KubeApiOptions, cluster: Cluster, registry: KubeRegistry) {
  const serviceAccounts = resourceOfKind('v1', 'ServiceAccount')
  return createKubeAuthenticator({
    eksToken: createEksTokenAuthenticator({
      clusterName: cluster.name,
      accountId: o.accountId,
      credentials: o.credentials,
      clock: o.clock,
      localOrigins: [o.awsOrigin],
    }),
    serviceAccountToken: createServiceAccountTokenAuthenticator({
      store: o.store,
      cluster,
      clock: o.clock,
      serviceAccountExists: (namespace, name) =>
        serviceAccounts !== undefined && registry.exists(serviceAccounts, namespace, name),
    }),
    logger: o.logger,
  })
}

/**
 * Adds cluster `name` (served at `serverUrl`) and its context to `DIR/kubeconfig`, with
 * the CA and user of the clusters already there; false when there is no kubeconfig yet
 * (`irsa up` writes it, with every cluster, on its next start).
 */
export function addKubeconfigContext(
  dir: string,
  name: string,
  serverUrl: string,
  clock: Clock,
): boolean {
  const file = join(dir, KUBECONFIG_FILE)
  if (!existsSync(file)) return false
  const ca = ensureLocalCa(dir, clock)
  const config = obj(parse(readFileSync(file, 'utf8')))
  const first = obj(list(config['clusters'])[0])
  const cluster = { name, cluster: { ...obj(first['cluster']), server: serverUrl } }
  const others = (v: unknown, key: string): unknown[] =>
    list(v).filter((e) => obj(e)['name'] !== key)
  config['clusters'] = [...others(config['clusters'], name), cluster]
  config['users'] = [...others(config['users'], adminUserName(name)), adminEntry(ca, name, clock)]
  config['contexts'] = [
    ...others(config['contexts'], name),
    { name, context: { cluster: name, user: adminUserName(name) } },
  ]
  writePrivateFile(file, stringify(config))
  return true
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {}
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : []
}
