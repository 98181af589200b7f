import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
} from '@aws-sdk/client-iam'
import { computeThumbprints } from '../oidc/index.js'
import { aws, awsIfExists, callerAccount, type AwsClients } from './aws.js'
import { OperatorError } from './errors.js'
import { providerId } from './issuer.js'
import type { Step } from './plan.js'

/** The client ID IRSA tokens carry as their audience. */
export const STS_AUDIENCE = 'sts.amazonaws.com'

/** The ARN of the IAM OIDC provider for `issuer` in `account`. */
export function providerArn(account: string, issuer: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${providerId(issuer)}`
}

/** The client IDs of the provider, undefined when it does not exist. */
export async function providerClientIds(c: AwsClients, arn: string): Promise<string[] | undefined> {
  const r = await awsIfExists(`iam get-open-id-connect-provider ${arn}`, () =>
    c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
  )
  return r === undefined ? undefined : (r.ClientIDList ?? [])
}

/**
 * The plan of `associate-iam-oidc-provider`: create the provider (thumbprint by the rules
 * of `irsa oidc thumbprint`: the JWKS host's) with client ID sts.amazonaws.com, add the
 * client ID to an existing one, or leave it alone.
 */
export async function associateProviderPlan(o: {
  readonly aws: AwsClients
  readonly issuer: string
  readonly ca: readonly string[]
}): Promise<{ readonly arn: string; readonly steps: Step[] }> {
  const account = await callerAccount(o.aws)
  const arn = providerArn(account, o.issuer)
  const ids = await providerClientIds(o.aws, arn)
  if (ids === undefined) {
    const report = await computeThumbprints(o.issuer, { ca: o.ca })
    if (report.jwksHost === undefined)
      throw new OperatorError(
        `the thumbprint of ${o.issuer} could not be measured: ${report.jwksError ?? 'unknown'}`,
      )
    const thumbprint = report.jwksHost.thumbprint
    return {
      arn,
      steps: [
        {
          kind: 'create',
          what: `IAM OIDC provider ${arn} (client ID ${STS_AUDIENCE}, thumbprint ${thumbprint})`,
          apply: async () => {
            await aws('iam create-open-id-connect-provider', () =>
              o.aws.iam.send(
                new CreateOpenIDConnectProviderCommand({
                  Url: o.issuer,
                  ClientIDList: [STS_AUDIENCE],
                  ThumbprintList: [thumbprint],
                  Tags: [{ Key: 'irsa/managed-by', Value: 'irsa' }],
                }),
              ),
            )
          },
        },
      ],
    }
  }
  if (!ids.includes(STS_AUDIENCE))
    return {
      arn,
      steps: [
        {
          kind: 'change',
          what: `IAM OIDC provider ${arn}: add client ID ${STS_AUDIENCE}`,
          apply: async () => {
            await aws('iam add-client-id-to-open-id-connect-provider', () =>
              o.aws.iam.send(
                new AddClientIDToOpenIDConnectProviderCommand({
                  OpenIDConnectProviderArn: arn,
                  ClientID: STS_AUDIENCE,
                }),
              ),
            )
          },
        },
      ],
    }
  return {
    arn,
    steps: [{ kind: 'keep', what: `IAM OIDC provider ${arn} (has client ID ${STS_AUDIENCE})` }],
  }
}
