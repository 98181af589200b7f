/**
 * The IRSA chain the benchmarks set up on a running `irsa up` (and, for the side-by-side
 * rounds, on moto): the issuer's thumbprint, an OIDC provider and a role that trusts one
 * ServiceAccount of `default`, the ServiceAccount annotated with it, and a token for it.
 * (The `_` keeps bench/index.ts from running this file as a benchmark.)
 */
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { irsa } from './_procs.js'

/** The thumbprint `irsa oidc thumbprint` measures for the stack's issuer. */
export async function issuerThumbprint(issuer: string, dataDir: string): Promise<string> {
  const out = await irsa([
    'oidc',
    'thumbprint',
    issuer,
    '--ca',
    join(dataDir, 'ca.pem'),
    '--output',
    'thumbprint',
  ])
  return out.trim()
}

/**
 * Registers `issuer` as a provider and creates `role`, trusting
 * `system:serviceaccount:default:SERVICE_ACCOUNT` with audience `sts.amazonaws.com`; the role's ARN.
 */
export async function webIdentityRole(
  iam: IAMClient,
  o: {
    readonly issuer: string
    readonly thumbprint: string
    readonly role: string
    readonly serviceAccount: string
  },
): Promise<string> {
  const provider = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: o.issuer,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [o.thumbprint],
    }),
  )
  const hostPath = o.issuer.replace(/^https:\/\//, '')
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: o.role,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${hostPath}:sub`]: `system:serviceaccount:default:${o.serviceAccount}`,
                [`${hostPath}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ],
      }),
    }),
  )
  const arn = role.Role?.Arn
  if (arn === undefined) throw new Error('CreateRole returned no ARN')
  return arn
}

/** Applies ServiceAccount `name` of `default`, annotated with `roleArn`, and returns a token for it. */
export async function serviceAccountToken(
  dir: string,
  dataDir: string,
  name: string,
  roleArn: string,
): Promise<string> {
  const file = join(dir, `${name}-sa.yaml`)
  writeFileSync(
    file,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: default\n  annotations:\n    eks.amazonaws.com/role-arn: ${roleArn}\n`,
  )
  await irsa(['apply', '-f', file, '--data-dir', dataDir])
  const args = ['create', 'token', name, '-n', 'default', '--cluster', 'local']
  const token = await irsa([...args, '--data-dir', dataDir])
  return token.trim()
}
