/**
 * ARNs of the rows the store keeps, exactly as AWS builds them. The store computes them
 * once, at creation, and keeps them beside the row, so every layer sees the same string.
 */

/** The pseudo-account of AWS managed policies (`arn:aws:iam::aws:policy/...`). */
export const AWS_MANAGED = 'aws'

/** `arn:aws:iam::ACCOUNT:role/PATH/NAME` (the path `/` adds nothing). */
export function roleArn(accountId: string, path: string, name: string): string {
  return `arn:aws:iam::${accountId}:role${path}${name}`
}

/** `arn:aws:iam::ACCOUNT:policy/PATH/NAME`; ACCOUNT is `aws` for AWS managed policies. */
export function policyArn(owner: string, path: string, name: string): string {
  return `arn:aws:iam::${owner}:policy${path}${name}`
}

/** `arn:aws:iam::ACCOUNT:oidc-provider/URL` where URL has no `https://`. */
export function oidcProviderArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${url}`
}

/** `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`. */
export function clusterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:eks:${region}:${accountId}:cluster/${name}`
}
