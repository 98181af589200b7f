/**
 * Principal and NotPrincipal matching
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
 *
 * - `"*"` and `{"AWS": "*"}` match everyone.
 * - `{"AWS": "123456789012"}` and `arn:aws:iam::123456789012:root` name the account: they
 *   match every principal of that account, but only delegate: the account's own
 *   identity policies must still allow the request (an "account-level" match).
 * - A role ARN matches the role and its sessions: a request from
 *   `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` matches `arn:aws:iam::ACCOUNT:role/PATH/NAME`
 *   (an assumed-role ARN drops the role's path, and role names are unique in an account).
 *   An assumed-role ARN in a policy matches that one session.
 * - `Federated` (an OIDC/SAML provider ARN or a web identity provider name), `Service`
 *   and `CanonicalUser` values match exactly. Principal values have no wildcards.
 * - A NotPrincipal statement applies unless every identity the request carries is listed:
 *   a role session carries the session, its role and its account, so excluding a session
 *   takes all three (the NotPrincipal page's own example lists all three).
 */
import type { PrincipalBlock, PrincipalType, RequestPrincipal } from './types.js'

export interface CompiledPrincipal {
  readonly any: boolean
  /** 12-digit accounts (from `ACCOUNT` and `arn:...:iam::ACCOUNT:root`). */
  readonly accounts: ReadonlySet<string>
  /** `ACCOUNT/ROLE-NAME` of role ARNs. */
  readonly roles: ReadonlySet<string>
  /** AWS values compared exactly (users, sessions, unique IDs, role ARNs). */
  readonly exact: ReadonlySet<string>
  readonly federated: ReadonlySet<string>
  readonly service: ReadonlySet<string>
  readonly canonical: ReadonlySet<string>
  /** `TYPE:value` for explanations. */
  readonly described: readonly string[]
}

const ACCOUNT = /^\d{12}$/

/** The parts of an IAM/STS ARN we need: account, and `iam`/`sts` resource. */
function splitArn(arn: string): { service: string; account: string; resource: string } | undefined {
  const parts = arn.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  return { service: parts[2] ?? '', account: parts[4] ?? '', resource: parts.slice(5).join(':') }
}

/** Compiles a Principal/NotPrincipal element. */
export function compilePrincipal(block: PrincipalBlock): CompiledPrincipal {
  const accounts = new Set<string>()
  const roles = new Set<string>()
  const exact = new Set<string>()
  const federated = new Set<string>()
  const service = new Set<string>()
  const canonical = new Set<string>()
  const described: string[] = []
  let any = false
  if (block === '*') {
    return { any: true, accounts, roles, exact, federated, service, canonical, described: ['*'] }
  }
  for (const type of Object.keys(block) as PrincipalType[]) {
    for (const v of block[type] ?? []) {
      described.push(`${type}:${v}`)
      if (v === '*') {
        any = true
        continue
      }
      switch (type) {
        case 'AWS': {
          if (ACCOUNT.test(v)) {
            accounts.add(v)
            break
          }
          exact.add(v)
          const a = splitArn(v)
          if (a?.service === 'iam' && a.resource === 'root') accounts.add(a.account)
          else if (a?.service === 'iam' && a.resource.startsWith('role/'))
            roles.add(`${a.account}/${a.resource.slice(a.resource.lastIndexOf('/') + 1)}`)
          break
        }
        case 'Federated':
          federated.add(v)
          break
        case 'Service':
          service.add(v)
          break
        case 'CanonicalUser':
          canonical.add(v)
          break
      }
    }
  }
  return { any, accounts, roles, exact, federated, service, canonical, described }
}

/** A request principal, analysed once per request. */
export interface PrincipalView {
  /**
   * The principal's type and id, copied: matchers read them from views, which all share one
   * shape, not from request principals of their callers' shapes.
   */
  readonly type: RequestPrincipal['type']
  readonly id: string
  readonly account: string | undefined
  /** `ACCOUNT/ROLE-NAME` for a role or role session. */
  readonly roleKey: string | undefined
  readonly session: boolean
  readonly root: boolean
}

/** A view, always built by this one literal. */
function view(
  type: RequestPrincipal['type'],
  id: string,
  account: string | undefined,
  roleKey: string | undefined,
  session: boolean,
  root: boolean,
): PrincipalView {
  return { type, id, account, roleKey, session, root }
}

/** Analyses the request's principal (an AWS principal's account, role, session). */
export function viewPrincipal(p: RequestPrincipal): PrincipalView {
  const type = p.type
  const id = p.id
  if (type !== 'AWS') return view(type, id, p.account, undefined, false, false)
  if (ACCOUNT.test(id)) return view(type, id, id, undefined, false, true)
  const a = splitArn(id)
  const account = p.account ?? a?.account
  if (a === undefined) return view(type, id, account, undefined, false, false)
  if (a.service === 'sts' && a.resource.startsWith('assumed-role/')) {
    const [, role] = a.resource.split('/')
    return view(type, id, account, `${a.account}/${role ?? ''}`, true, false)
  }
  if (a.service === 'iam' && a.resource.startsWith('role/')) {
    const name = a.resource.slice(a.resource.lastIndexOf('/') + 1)
    return view(type, id, account, `${a.account}/${name}`, false, false)
  }
  return view(type, id, account, undefined, false, a.resource === 'root')
}

/**
 * How a Principal element matches: 0 not at all, 1 at account level only (the account's
 * identity policies must allow too), 2 directly. An anonymous request (no principal)
 * matches only `*`.
 */
export function principalLevel(cp: CompiledPrincipal, v: PrincipalView | undefined): number {
  if (cp.any) return 2
  if (v === undefined) return 0
  const id = v.id
  switch (v.type) {
    case 'AWS':
      if (cp.exact.has(id)) return 2
      if (v.roleKey !== undefined && cp.roles.has(v.roleKey)) return 2
      if (v.account !== undefined && cp.accounts.has(v.account)) return v.root ? 2 : 1
      return 0
    case 'Federated':
      return cp.federated.has(id) ? 2 : 0
    case 'Service':
      return cp.service.has(id) ? 2 : 0
    case 'CanonicalUser':
      return cp.canonical.has(id) ? 2 : 0
  }
}

/** Whether a NotPrincipal element excludes the request: every identity it carries is listed. */
export function notPrincipalExcludes(cp: CompiledPrincipal, v: PrincipalView | undefined): boolean {
  if (cp.any) return true
  if (v === undefined) return false
  const id = v.id
  switch (v.type) {
    case 'AWS': {
      const accountListed = v.account !== undefined && cp.accounts.has(v.account)
      if (v.root) return accountListed
      const roleListed = v.roleKey !== undefined && cp.roles.has(v.roleKey)
      if (v.session) return cp.exact.has(id) && roleListed && accountListed
      if (v.roleKey !== undefined) return (roleListed || cp.exact.has(id)) && accountListed
      return cp.exact.has(id) && accountListed
    }
    case 'Federated':
      return cp.federated.has(id)
    case 'Service':
      return cp.service.has(id)
    case 'CanonicalUser':
      return cp.canonical.has(id)
  }
}

/** How to show the request's principal in an explanation. */
export function describePrincipal(p: RequestPrincipal | undefined): string {
  return p === undefined ? 'anonymous' : `${p.type}:${p.id}`
}
