import type { EKSClient } from '@aws-sdk/client-eks'
import { IAMClient } from '@aws-sdk/client-iam'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { OperatorError } from './errors.js'

/** The AWS SDK v3 clients the operator commands use: default credential chain, region, endpoint. */
export interface AwsClients {
  readonly iam: IAMClient
  /** The EKS client, its module loaded on first use (only `--cluster` asks EKS anything). */
  readonly eks: () => Promise<EKSClient>
  readonly sts: STSClient
  readonly region: string | undefined
}

/**
 * Clients with the SDK's own resolution: credentials from the default chain, the region
 * from `--region` or `AWS_REGION`/the profile, and the endpoint from `AWS_ENDPOINT_URL`
 * (so after `source .irsa/env` they talk to `irsa up`).
 */
export function awsClients(region?: string): AwsClients {
  // irsa supports Node 20 (package.json engines): the SDK's notice that later SDK versions
  // will not is not the user's concern, and it would break the one-line error rule.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true'
  const o = region !== undefined ? { region } : {}
  let eks: Promise<EKSClient> | undefined
  return {
    iam: new IAMClient(o),
    eks: () => (eks ??= import('@aws-sdk/client-eks').then((m) => new m.EKSClient(o))),
    sts: new STSClient(o),
    region,
  }
}

/** The error name of an SDK failure (`NoSuchEntity`, `ResourceNotFoundException`, …). */
export function awsErrorName(e: unknown): string | undefined {
  return e instanceof Error ? e.name : undefined
}

function oneLine(what: string, e: unknown): OperatorError {
  const msg = e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : 'failed'
  return new OperatorError(`${what}: ${msg}`, { cause: e })
}

/** Runs an SDK call; a failure becomes one line naming `what`. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    throw oneLine(what, e)
  }
}

/** Runs an SDK call; undefined when AWS answers that the thing does not exist. */
export async function awsIfExists<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (e) {
    const n = awsErrorName(e)
    if (n === 'NoSuchEntity' || n === 'NoSuchEntityException' || n === 'ResourceNotFoundException')
      return undefined
    throw oneLine(what, e)
  }
}

/** The account of the caller (STS GetCallerIdentity). */
export async function callerAccount(c: AwsClients): Promise<string> {
  const r = await aws('sts get-caller-identity', () => c.sts.send(new GetCallerIdentityCommand({})))
  if (r.Account === undefined) throw new OperatorError('sts get-caller-identity: no account')
  return r.Account
}

/** The OIDC issuer of an EKS cluster, undefined when EKS knows no such cluster. */
export async function eksIssuer(c: AwsClients, cluster: string): Promise<string | undefined> {
  const { DescribeClusterCommand } = await import('@aws-sdk/client-eks')
  const eks = await c.eks()
  const r = await awsIfExists(`eks describe-cluster ${cluster}`, () =>
    eks.send(new DescribeClusterCommand({ name: cluster })),
  )
  return r?.cluster?.identity?.oidc?.issuer
}
