/**
 * Who signed a request: what the credential lookup hands the AWS app as `caller.principal`
 * and what authorisation and `GetCallerIdentity` read. Shared by `iam` (authorisation,
 * Simulate*), `sts` (sessions, GetCallerIdentity, the credential lookup) and `eks`.
 */
export type Principal = AccountRootPrincipal | RoleSessionPrincipal

/** A long-term access key of the account itself (`arn:aws:iam::ACCOUNT:root`). */
interface AccountRootPrincipal {
  readonly kind: 'root'
  readonly accountId: string
  /** `arn:aws:iam::ACCOUNT:root`. */
  readonly arn: string
  /** The `UserId` GetCallerIdentity answers: the account id, as AWS does for root. */
  readonly userId: string
}

/** Temporary credentials of an assumed role (`ASIA…` key and a session token). */
export interface RoleSessionPrincipal {
  readonly kind: 'role-session'
  readonly accountId: string
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  readonly arn: string
  /** `ROLEID:SESSION`, as GetCallerIdentity answers. */
  readonly userId: string
  /** `arn:aws:iam::ACCOUNT:role/PATH/ROLE`. */
  readonly roleArn: string
  readonly roleId: string
  readonly roleName: string
  readonly sessionName: string
  /** Session policies passed to the assume call (inline document and managed ARNs). */
  readonly sessionPolicy?: string
  readonly sessionPolicyArns?: readonly string[]
  /** Session tags (`aws:PrincipalTag/…`, `aws:RequestTag` on the assume call). */
  readonly sessionTags?: readonly { readonly key: string; readonly value: string }[]
  readonly sourceIdentity?: string
  /** For `AssumeRoleWithWebIdentity`: the provider (`token.actions…`/issuer host+path). */
  readonly federatedProvider?: string
  /** Epoch milliseconds. */
  readonly expiresAtMs: number
}

/** The principal of an account's own long-term keys (`arn:aws:iam::ACCOUNT:root`). */
export function rootPrincipal(accountId: string): AccountRootPrincipal {
  return { kind: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId }
}
