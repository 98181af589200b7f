import { parseIssuer } from '../oidc/index.js'
import { eksIssuer, type AwsClients } from './aws.js'
import { OperatorError } from './errors.js'
import { hasContext, type KubeTarget, type KubeTargetOptions } from './kube-target.js'

/** The cluster's issuer and where it came from. */
export interface ResolvedIssuer {
  readonly issuer: string
  /** `--issuer`, `eks describe-cluster`, or `kubeconfig CONTEXT /.well-known/openid-configuration`. */
  readonly source: string
}

/**
 * `--issuer`; else EKS DescribeCluster of `cluster`; else the cluster's own
 * `/.well-known/openid-configuration` through the kubeconfig (when `--context` is given or
 * a context is named after the cluster). An unknown cluster is an {@link OperatorError}.
 */
export async function resolveIssuer(o: {
  readonly issuer?: string
  readonly cluster: string
  readonly aws: AwsClients
  readonly kube: KubeTarget
  readonly kubeOptions: KubeTargetOptions
}): Promise<ResolvedIssuer> {
  if (o.issuer !== undefined) {
    parseIssuer(o.issuer)
    return { issuer: o.issuer, source: '--issuer' }
  }
  const fromEks = await eksIssuer(o.aws, o.cluster)
  if (fromEks !== undefined) return { issuer: fromEks, source: `eks describe-cluster ${o.cluster}` }
  if (o.kubeOptions.context === undefined && !hasContext(o.kubeOptions, o.cluster))
    throw new OperatorError(
      `cluster ${o.cluster} not found: EKS DescribeCluster does not know it${o.aws.region !== undefined ? ` in ${o.aws.region}` : ''} ` +
        `and ${o.kube.file} has no context named ${o.cluster} (pass --issuer URL or --context NAME)`,
    )
  const r = await o.kube.client().get('/.well-known/openid-configuration', { timeoutMs: 30_000 })
  const body = r.body as { issuer?: unknown } | undefined
  if (r.status !== 200 || typeof body?.issuer !== 'string')
    throw new OperatorError(
      `cluster ${o.cluster}: its API server does not serve /.well-known/openid-configuration (status ${r.status}); pass --issuer URL`,
    )
  return {
    issuer: body.issuer,
    source: `kubeconfig context ${o.kube.context ?? '(current)'} /.well-known/openid-configuration`,
  }
}

/** `host/path` of an issuer, as IAM names its OIDC provider and the condition keys. */
export function providerId(issuer: string): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/+$/, '')
}
