import { struct, timestamp, type ResultStruct } from '../aws/index.js'
import type { Cluster } from '../store/index.js'

/** The Kubernetes version a local cluster reports (its tokens follow kube-apiserver 1.32+). */
const LOCAL_KUBERNETES_VERSION = '1.32'
/** The platform version a local cluster reports (EKS's form, `eks.N`). */
const LOCAL_PLATFORM_VERSION = 'eks.local'

/** What a served cluster looks like beyond its store row (the stack's host and port). */
export interface ClusterView {
  /** The issuer as tokens carry it: `https://HOST:PORT/id/<32 hex>`. */
  readonly issuerUrl: string
  /** `endpoint`: the cluster's Kubernetes API (`https://HOST:KUBE_PORT/clusters/NAME` locally). */
  readonly endpoint?: string
  /** PEM of the CA that signs the cluster's certificates (sent base64, as EKS does). */
  readonly caPem?: string
}

/**
 * DescribeCluster's `cluster` structure for a local cluster, in EKS's shape: name, arn,
 * createdAt, version, endpoint, status ACTIVE, identity.oidc.issuer, platformVersion,
 * certificateAuthority.data (base64 of the CA's PEM), and empty tags.
 */
export function clusterResult(cluster: Cluster, view: ClusterView): ResultStruct {
  return struct({
    name: cluster.name,
    arn: cluster.arn,
    createdAt: timestamp(cluster.createdAt),
    version: LOCAL_KUBERNETES_VERSION,
    endpoint: view.endpoint,
    identity: struct({ oidc: struct({ issuer: view.issuerUrl }) }),
    status: 'ACTIVE',
    certificateAuthority:
      view.caPem === undefined
        ? undefined
        : struct({ data: Buffer.from(view.caPem, 'utf8').toString('base64') }),
    platformVersion: LOCAL_PLATFORM_VERSION,
    tags: struct({}),
  })
}
