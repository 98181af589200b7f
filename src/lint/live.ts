/**
 * Live roles: their trust policy and permission policies (inline and attached managed),
 * read with the AWS SDK v3 IAM client through its default credential chain (environment,
 * shared config and SSO, web identity, container and instance metadata). Read-only calls:
 * GetRole, ListRoles, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies,
 * GetPolicy, GetPolicyVersion, ListOpenIDConnectProviders.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
} from '@aws-sdk/client-iam'
import type { LintText } from './lint.js'

/** IAM returns policy documents URL-encoded (RFC 3986). */
function decode(doc: string | undefined): string {
  return doc === undefined ? '' : decodeURIComponent(doc)
}

/** `arn:aws:iam::1:role/path/name` or `name` → `name`. */
export function roleNameOf(roleOrArn: string): string {
  const i = roleOrArn.lastIndexOf('/')
  return roleOrArn.startsWith('arn:') && i >= 0 ? roleOrArn.slice(i + 1) : roleOrArn
}

async function roleDocuments(
  client: IAMClient,
  roleName: string,
  providers: readonly string[],
): Promise<LintText[]> {
  const out: LintText[] = []
  const role = (await client.send(new GetRoleCommand({ RoleName: roleName }))).Role
  const label = role?.Arn ?? roleName
  out.push({
    text: decode(role?.AssumeRolePolicyDocument),
    kind: 'trust',
    providers,
    source: { role: label, policy: 'trust policy' },
  })
  for await (const page of paginateListRolePolicies({ client }, { RoleName: roleName })) {
    for (const name of page.PolicyNames ?? []) {
      const p = await client.send(
        new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
      )
      out.push({
        text: decode(p.PolicyDocument),
        kind: 'permissions',
        source: { role: label, policy: `inline policy ${name}` },
      })
    }
  }
  for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: roleName })) {
    for (const a of page.AttachedPolicies ?? []) {
      if (a.PolicyArn === undefined) continue
      const pol = (await client.send(new GetPolicyCommand({ PolicyArn: a.PolicyArn }))).Policy
      const v = await client.send(
        new GetPolicyVersionCommand({ PolicyArn: a.PolicyArn, VersionId: pol?.DefaultVersionId }),
      )
      out.push({
        text: decode(v.PolicyVersion?.Document),
        kind: 'permissions',
        source: { role: label, policy: `managed policy ${a.PolicyArn}` },
      })
    }
  }
  return out
}

/** The documents of the roles named (names or ARNs), and of every role when `all`. */
export async function readLiveRoles(
  roles: readonly string[],
  all: boolean,
  client: IAMClient = new IAMClient({}),
): Promise<LintText[]> {
  const names = roles.map(roleNameOf)
  if (all) {
    for await (const page of paginateListRoles({ client }, {})) {
      for (const r of page.Roles ?? []) if (r.RoleName !== undefined) names.push(r.RoleName)
    }
  }
  // The caller's account: the roles read are its roles, their providers its providers.
  const list = await client.send(new ListOpenIDConnectProvidersCommand({}))
  const providers = (list.OpenIDConnectProviderList ?? []).flatMap((p) =>
    p.Arn === undefined ? [] : [p.Arn],
  )
  const out: LintText[] = []
  for (const n of [...new Set(names)]) out.push(...(await roleDocuments(client, n, providers)))
  return out
}
