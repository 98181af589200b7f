import { join } from 'node:path'
import { stringify } from 'yaml'
import {
  issueClientCertificate,
  type CertificateAuthority,
  type Clock,
  type Logger,
} from '../core/index.js'
import {
  certificateUser,
  createKubeApiApp,
  KubeRegistry,
  startKubeApiServer,
  WatchHub,
  type KubeApiServer,
  type TokenGrant,
} from '../kubeapi/index.js'
import { writePrivateFile, type Cluster, type Store } from '../store/index.js'
import { createTokenSigner, loadSigningKey } from '../token/index.js'
import type { MutationConfig } from '../webhook/index.js'
import { servingCertificate } from './local-ca.js'

/** The kubeconfig `irsa up` writes in its data directory. */
export const KUBECONFIG_FILE = 'kubeconfig'
/** The group whose members are cluster admins (kube-apiserver's `system:masters`). */
export const ADMIN_GROUP = 'system:masters'
/** The kubeconfig user: kubeadm's admin identity. */
export const ADMIN_USER = 'kubernetes-admin'

/** What the stack's Kubernetes API needs. */
export interface KubeApiOptions {
  readonly store: Store
  readonly ca: CertificateAuthority
  readonly host: string
  readonly port: number
  readonly clock: Clock
  readonly logger: Logger
  readonly clusters: readonly Cluster[]
  readonly mutation: MutationConfig
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

/** Only the admin group may use the API (ServiceAccounts and EKS tokens: later). */
function admins(req: Parameters<typeof certificateUser>[0]) {
  const user = certificateUser(req)
  return user !== undefined && user.groups.includes(ADMIN_GROUP) ? user : undefined
}

function kubeconfigText(
  o: KubeApiOptions,
  server: KubeApiServer,
  client: { certPem: string; keyPem: string },
): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64')
  const names = o.clusters.map((c) => c.name)
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name) => ({
      name,
      cluster: { server: server.serverUrl(name), 'certificate-authority-data': b64(o.ca.certPem) },
    })),
    users: [
      {
        name: ADMIN_USER,
        user: {
          'client-certificate-data': b64(client.certPem),
          'client-key-data': b64(client.keyPem),
        },
      },
    ],
    contexts: names.map((name) => ({ name, context: { cluster: name, user: ADMIN_USER } })),
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
  const server = await startKubeApiServer({
    tls: servingCertificate(o.ca, o.host, o.clock),
    clientCa: o.ca.certPem,
    host: o.host,
    port: o.port,
    logger: o.logger,
  })
  for (const cluster of o.clusters) {
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
    server.addCluster({
      name: cluster.name,
      app: createKubeApiApp({
        registry,
        hub,
        clock: o.clock,
        logger: o.logger,
        authenticate: admins,
        issueToken: tokenIssuer(o.store, cluster, o.clock),
        serverAddress: `${o.host}:${String(server.port)}`,
      }),
    })
  }
  const client = issueClientCertificate(o.ca, {
    commonName: ADMIN_USER,
    organization: ADMIN_GROUP,
    clock: o.clock,
  })
  const kubeconfig = join(o.store.dir, KUBECONFIG_FILE)
  writePrivateFile(kubeconfig, kubeconfigText(o, server, client))
  return { server, kubeconfig }
}
