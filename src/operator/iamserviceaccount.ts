import type { ServiceAccountSpec } from './cluster-config.js'
import {
  compilePolicy,
  describeReason,
  describeStatement,
  evaluate,
  explain,
} from '../policy/index.js'
import { createHash } from 'node:crypto'
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  UpdateAssumeRolePolicyCommand,
  type Role,
} from '@aws-sdk/client-iam'
import type { ServiceAccountApi, ServiceAccountObject } from '../kube/index.js'
import { aws, awsIfExists, type AwsClients } from './aws.js'
import { OperatorError } from './errors.js'
import { providerId } from './issuer.js'
import type { Step } from './plan.js'
import { providerClientIds, STS_AUDIENCE } from './provider.js'

/** The annotation the pod identity webhook reads. */
export const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn'
/** The label of ServiceAccounts irsa created. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
/** The tag of roles irsa created. */
export const ROLE_TAG = 'irsa/managed-by'
/** IAM's default quota on the length of a role's trust policy. */
export const TRUST_POLICY_QUOTA = 2048

interface Statement {
  Sid?: string
  Effect?: string
  Principal?: { Federated?: string | string[] }
  Action?: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}
interface TrustPolicy {
  Version?: string
  Statement: Statement[]
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Throws an {@link OperatorError} for a name Kubernetes would refuse. */
export function checkNames(namespace: string, name: string): void {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    throw new OperatorError(
      `invalid ServiceAccount name '${name}': a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    )
  if (namespace.length > 63 || !DNS_LABEL.test(namespace))
    throw new OperatorError(`invalid namespace '${namespace}': must be a lowercase RFC 1123 label`)
}

/** The Sid of the statement irsa adds for one ServiceAccount (so delete finds it). */
export function statementSid(namespace: string, name: string): string {
  return 'irsa' + createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 24)
}

/** eksctl's trust statement: StringEquals on ISSUER:sub and ISSUER:aud. */
export function trustStatement(o: {
  readonly providerArn: string
  readonly issuer: string
  readonly namespace: string
  readonly name: string
  readonly audience: string
}): Statement {
  const id = providerId(o.issuer)
  return {
    Sid: statementSid(o.namespace, o.name),
    Effect: 'Allow',
    Principal: { Federated: o.providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${id}:sub`]: `system:serviceaccount:${o.namespace}:${o.name}`,
        [`${id}:aud`]: o.audience,
      },
    },
  }
}

/** A role's trust policy as text (IAM returns it URL-encoded). */
function trustText(role: Role): string {
  return decodeURIComponent(role.AssumeRolePolicyDocument ?? '')
}

function parseTrust(role: Role): TrustPolicy {
  const text = trustText(role)
  try {
    const doc = JSON.parse(text) as { Version?: string; Statement?: Statement | Statement[] }
    const st = doc.Statement
    return {
      ...(doc.Version !== undefined ? { Version: doc.Version } : {}),
      Statement: Array.isArray(st) ? st : st !== undefined ? [st] : [],
    }
  } catch {
    throw new OperatorError(`role ${role.RoleName ?? ''}: its trust policy is not JSON`)
  }
}

function sameStatement(a: Statement, b: Statement): boolean {
  const fed = (s: Statement): string[] => [s.Principal?.Federated ?? []].flat()
  const eq = (s: Statement): Record<string, string | string[]> =>
    s.Condition?.['StringEquals'] ?? {}
  const ea = eq(a)
  const eb = eq(b)
  return (
    a.Effect === b.Effect &&
    fed(a).join() === fed(b).join() &&
    Object.keys(eb).every((k) => [ea[k] ?? []].flat().join() === [eb[k] ?? []].flat().join())
  )
}

/** The ServiceAccount's sub, when `st` admits exactly it (StringEquals). */
function subjectOf(st: Statement, issuer: string): string | undefined {
  const v = st.Condition?.['StringEquals']?.[`${providerId(issuer)}:sub`]
  return typeof v === 'string' ? v : undefined
}

/** Options of {@link createIamServiceAccountPlan}. */
export interface CreateOptions extends ServiceAccountSpec {
  readonly aws: AwsClients
  readonly serviceAccounts: () => ServiceAccountApi
  readonly cluster: string
  readonly issuer: string
  readonly providerArn: string
  readonly override: boolean
  readonly audience: string
}

/** The default role name: `irsa-CLUSTER-NAMESPACE-NAME`, at most 64 characters. */
export function defaultRoleName(cluster: string, namespace: string, name: string): string {
  const full = `irsa-${cluster}-${namespace}-${name}`.replace(/[^\w+=,.@-]/g, '-')
  if (full.length <= 64) return full
  const h = createHash('sha256').update(full).digest('hex').slice(0, 8)
  return `${full.slice(0, 55)}-${h}`
}

/** Refuses inputs that cannot work, before anything is read or changed. */
export function checkCreateInputs(o: {
  readonly policyArns: readonly string[]
  readonly roleArn?: string
  readonly roleName?: string
  readonly roleOnly: boolean
}): void {
  if (o.roleArn !== undefined && o.roleName !== undefined)
    throw new OperatorError('--attach-role-arn and --role-name cannot be used together')
  if (o.roleArn !== undefined && o.policyArns.length > 0)
    throw new OperatorError('--attach-role-arn and --attach-policy-arn cannot be used together')
  if (o.roleArn !== undefined && o.roleOnly)
    throw new OperatorError('--attach-role-arn and --role-only cannot be used together')
  if (o.roleArn === undefined && o.policyArns.length === 0)
    throw new OperatorError('one of --attach-policy-arn ARN or --attach-role-arn ARN is required')
}

/** Checks that the cluster's provider exists with client ID sts.amazonaws.com. */
export async function requireProvider(o: {
  readonly aws: AwsClients
  readonly providerArn: string
  readonly cluster: string
}): Promise<void> {
  const ids = await providerClientIds(o.aws, o.providerArn)
  const fix = `run: irsa utils associate-iam-oidc-provider --cluster ${o.cluster} --approve`
  if (ids === undefined)
    throw new OperatorError(`no IAM OIDC provider ${o.providerArn} yet; ${fix}`)
  if (!ids.includes(STS_AUDIENCE))
    throw new OperatorError(
      `IAM OIDC provider ${o.providerArn} lacks client ID ${STS_AUDIENCE}; ${fix}`,
    )
}

/** The plan of `create iamserviceaccount`; reads only. */
export async function createIamServiceAccountPlan(o: CreateOptions): Promise<Step[]> {
  checkNames(o.namespace, o.name)
  const steps: Step[] = []
  let roleArn: string
  if (o.roleArn !== undefined) {
    roleArn = o.roleArn
    const name = roleArn.split('/').pop() ?? ''
    const r = await awsIfExists(`iam get-role ${name}`, () =>
      o.aws.iam.send(new GetRoleCommand({ RoleName: name })),
    )
    if (r === undefined) throw new OperatorError(`--attach-role-arn ${roleArn}: no such role`)
    steps.push({ kind: 'keep', what: `role ${roleArn} (given by --attach-role-arn)` })
  } else {
    for (const arn of o.policyArns) {
      const p = await awsIfExists(`iam get-policy ${arn}`, () =>
        o.aws.iam.send(new GetPolicyCommand({ PolicyArn: arn })),
      )
      if (p === undefined) throw new OperatorError(`--attach-policy-arn ${arn}: no such policy`)
    }
    const roleName = o.roleName ?? defaultRoleName(o.cluster, o.namespace, o.name)
    const statement = trustStatement(o)
    const existing = await awsIfExists(`iam get-role ${roleName}`, () =>
      o.aws.iam.send(new GetRoleCommand({ RoleName: roleName })),
    )
    const role = existing?.Role
    if (role === undefined) {
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [statement] })
      const tags = [
        { Key: ROLE_TAG, Value: 'irsa' },
        { Key: 'irsa/cluster', Value: o.cluster },
        ...Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })),
      ]
      steps.push({
        kind: 'create',
        what: `role ${roleName} trusting system:serviceaccount:${o.namespace}:${o.name}`,
        apply: async () => {
          await aws(`iam create-role ${roleName}`, () =>
            o.aws.iam.send(
              new CreateRoleCommand({
                RoleName: roleName,
                AssumeRolePolicyDocument: doc,
                Description: `IRSA role for ${o.namespace}/${o.name} in cluster ${o.cluster}`,
                Tags: tags,
                ...(o.permissionsBoundary !== undefined
                  ? { PermissionsBoundary: o.permissionsBoundary }
                  : {}),
              }),
            ),
          )
        },
      })
      for (const p of o.policyArns)
        steps.push({
          kind: 'create',
          what: `attachment of ${p} to role ${roleName}`,
          apply: () => attach(o.aws, roleName, p),
        })
      roleArn = `${o.providerArn.split(':oidc-provider/')[0] ?? ''}:role/${roleName}`
    } else {
      roleArn = role.Arn ?? ''
      const trust = parseTrust(role)
      if (trust.Statement.some((s) => sameStatement(s, statement)))
        steps.push({
          kind: 'keep',
          what: `role ${roleName} (trusts system:serviceaccount:${o.namespace}:${o.name})`,
        })
      else {
        const merged = JSON.stringify({
          Version: trust.Version ?? '2012-10-17',
          Statement: [...trust.Statement, statement],
        })
        if (merged.length > TRUST_POLICY_QUOTA)
          throw new OperatorError(
            `the merged trust policy of role ${roleName} would be ${merged.length} characters, over IAM's quota of ${TRUST_POLICY_QUOTA}: use another --role-name, or ask for the "Role trust policy length" quota to be raised (up to 8192)`,
          )
        steps.push({
          kind: 'change',
          what: `role ${roleName}: add a trust statement for system:serviceaccount:${o.namespace}:${o.name} (${trust.Statement.length} kept)`,
          apply: async () => {
            await aws(`iam update-assume-role-policy ${roleName}`, () =>
              o.aws.iam.send(
                new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: merged }),
              ),
            )
          },
        })
      }
      const attached = await attachedPolicies(o.aws, roleName)
      for (const p of o.policyArns)
        steps.push(
          attached.includes(p)
            ? { kind: 'keep', what: `attachment of ${p} to role ${roleName}` }
            : {
                kind: 'create',
                what: `attachment of ${p} to role ${roleName}`,
                apply: () => attach(o.aws, roleName, p),
              },
        )
    }
  }
  if (!o.roleOnly) steps.push(await serviceAccountStep(o, roleArn))
  return steps
}

async function attach(c: AwsClients, roleName: string, policyArn: string): Promise<void> {
  await aws(`iam attach-role-policy ${roleName}`, () =>
    c.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn })),
  )
}

async function attachedPolicies(c: AwsClients, roleName: string): Promise<string[]> {
  const out: string[] = []
  let marker: string | undefined
  do {
    const r = await aws(`iam list-attached-role-policies ${roleName}`, () =>
      c.iam.send(
        new ListAttachedRolePoliciesCommand({
          RoleName: roleName,
          ...(marker !== undefined ? { Marker: marker } : {}),
        }),
      ),
    )
    for (const p of r.AttachedPolicies ?? []) if (p.PolicyArn !== undefined) out.push(p.PolicyArn)
    marker = r.IsTruncated === true ? r.Marker : undefined
  } while (marker !== undefined)
  return out
}

async function serviceAccountStep(o: CreateOptions, roleArn: string): Promise<Step> {
  const api = o.serviceAccounts()
  const sa = await api.get(o.namespace, o.name)
  const id = `ServiceAccount ${o.namespace}/${o.name}`
  if (sa === undefined)
    return {
      kind: 'create',
      what: `${id} annotated ${ROLE_ANNOTATION}=${roleArn}`,
      apply: async () => {
        await api.create(o.namespace, o.name, {
          annotations: { [ROLE_ANNOTATION]: roleArn },
          labels: { [MANAGED_BY_LABEL]: 'irsa' },
        })
      },
    }
  const current = sa.metadata.annotations?.[ROLE_ANNOTATION]
  if (current === roleArn) return { kind: 'keep', what: `${id} (annotated ${roleArn})` }
  if (current !== undefined && !o.override)
    return {
      kind: 'keep',
      what: `${id} (annotated ${current}; --override-existing-serviceaccounts to change it)`,
    }
  return {
    kind: 'change',
    what: `${id}: annotate ${ROLE_ANNOTATION}=${roleArn}${current !== undefined ? ` (was ${current})` : ''}`,
    apply: async () => {
      await api.patch(o.namespace, o.name, {
        metadata: { annotations: { [ROLE_ANNOTATION]: roleArn } },
      })
    },
  }
}

/** The plan of `delete iamserviceaccount`: only what create made. */
export async function deleteIamServiceAccountPlan(o: {
  readonly aws: AwsClients
  readonly serviceAccounts: () => ServiceAccountApi
  readonly issuer: string
  readonly namespace: string
  readonly name: string
}): Promise<Step[]> {
  checkNames(o.namespace, o.name)
  const api = o.serviceAccounts()
  const sa = await api.get(o.namespace, o.name)
  const id = `ServiceAccount ${o.namespace}/${o.name}`
  if (sa === undefined) throw new OperatorError(`${id} not found`)
  const roleArn = sa.metadata.annotations?.[ROLE_ANNOTATION]
  const steps: Step[] = []
  if (roleArn !== undefined) {
    const roleName = roleArn.split('/').pop() ?? ''
    const got = await awsIfExists(`iam get-role ${roleName}`, () =>
      o.aws.iam.send(new GetRoleCommand({ RoleName: roleName })),
    )
    const role = got?.Role
    if (role === undefined) steps.push({ kind: 'keep', what: `role ${roleArn} (does not exist)` })
    else {
      const trust = parseTrust(role)
      const sid = statementSid(o.namespace, o.name)
      const sub = `system:serviceaccount:${o.namespace}:${o.name}`
      const ours = (s: Statement): boolean => s.Sid === sid && subjectOf(s, o.issuer) === sub
      const rest = trust.Statement.filter((s) => !ours(s))
      const managed = (role.Tags ?? []).some((t) => t.Key === ROLE_TAG && t.Value === 'irsa')
      if (rest.length === trust.Statement.length)
        steps.push({
          kind: 'keep',
          what: `role ${roleName} (no trust statement irsa added for ${sub})`,
        })
      else if (rest.length > 0 || !managed)
        steps.push({
          kind: 'change',
          what: `role ${roleName}: remove the trust statement for ${sub} (${rest.length} kept)`,
          apply: async () => {
            await aws(`iam update-assume-role-policy ${roleName}`, () =>
              o.aws.iam.send(
                new UpdateAssumeRolePolicyCommand({
                  RoleName: roleName,
                  PolicyDocument: JSON.stringify({
                    Version: trust.Version ?? '2012-10-17',
                    Statement: rest,
                  }),
                }),
              ),
            )
          },
        })
      else {
        const attached = await attachedPolicies(o.aws, roleName)
        for (const p of attached)
          steps.push({
            kind: 'delete',
            what: `attachment of ${p} to role ${roleName}`,
            apply: async () => {
              await aws(`iam detach-role-policy ${roleName}`, () =>
                o.aws.iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p })),
              )
            },
          })
        steps.push({
          kind: 'delete',
          what: `role ${roleName} (irsa created it and it trusts nothing else)`,
          apply: async () => {
            await aws(`iam delete-role ${roleName}`, () =>
              o.aws.iam.send(new DeleteRoleCommand({ RoleName: roleName })),
            )
          },
        })
      }
    }
  }
  if (sa.metadata.labels?.[MANAGED_BY_LABEL] === 'irsa')
    steps.push({
      kind: 'delete',
      what: `${id} (irsa created it)`,
      apply: async () => {
        await api.delete(o.namespace, o.name)
      },
    })
  else if (roleArn !== undefined)
    steps.push({
      kind: 'change',
      what: `${id}: remove the annotation ${ROLE_ANNOTATION} (irsa did not create it)`,
      apply: async () => {
        await api.patch(o.namespace, o.name, {
          metadata: { annotations: { [ROLE_ANNOTATION]: null } },
        })
      },
    })
  else steps.push({ kind: 'keep', what: `${id} (no role annotation)` })
  return steps
}

/** One row of `get iamserviceaccount`. */
export interface IamServiceAccountRow {
  readonly namespace: string
  readonly name: string
  readonly roleArn: string
  readonly admitted: boolean
  readonly reason: string
}

/**
 * The ServiceAccounts with a role annotation, and whether the role's trust policy admits
 * a token of the cluster's issuer for that ServiceAccount and audience (an Allow statement
 * for the provider whose StringEquals/StringLike sub and aud conditions match).
 */
export async function listIamServiceAccounts(o: {
  readonly aws: AwsClients
  readonly serviceAccounts: () => ServiceAccountApi
  readonly issuer: string
  readonly providerArn: string
  readonly namespace?: string
  readonly audience: string
}): Promise<IamServiceAccountRow[]> {
  const all = await o.serviceAccounts().list(o.namespace)
  const rows: IamServiceAccountRow[] = []
  for (const sa of all) {
    const roleArn = sa.metadata.annotations?.[ROLE_ANNOTATION]
    if (roleArn === undefined) continue
    rows.push({
      namespace: sa.metadata.namespace,
      name: sa.metadata.name,
      roleArn,
      ...(await admits(o, sa, roleArn)),
    })
  }
  return rows.sort((a, b) => (a.namespace + '/' + a.name).localeCompare(b.namespace + '/' + b.name))
}

async function admits(
  o: {
    readonly aws: AwsClients
    readonly issuer: string
    readonly providerArn: string
    readonly audience: string
  },
  sa: ServiceAccountObject,
  roleArn: string,
): Promise<{ admitted: boolean; reason: string }> {
  const roleName = roleArn.split('/').pop() ?? ''
  const got = await awsIfExists(`iam get-role ${roleName}`, () =>
    o.aws.iam.send(new GetRoleCommand({ RoleName: roleName })),
  )
  if (got?.Role === undefined) return { admitted: false, reason: `role ${roleName} does not exist` }
  const id = providerId(o.issuer)
  const sub = `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`
  return trustAdmits(trustText(got.Role), {
    roleArn,
    providerArn: o.providerArn,
    context: { [`${id}:sub`]: sub, [`${id}:aud`]: o.audience },
  })
}

/**
 * Whether a trust policy lets a token with these claims assume the role, decided by the
 * policy engine as STS decides it (AssumeRoleWithWebIdentity, Federated principal, the
 * claims as `PROVIDER:sub` and `PROVIDER:aud`); a denial names each statement and why it
 * did not apply.
 */
export function trustAdmits(
  document: string,
  q: {
    readonly roleArn: string
    readonly providerArn: string
    readonly context: Readonly<Record<string, string>>
  },
): { admitted: boolean; reason: string } {
  let compiled
  try {
    compiled = compilePolicy(document, 'trust', { id: 'trust policy', type: 'resource' })
  } catch (e) {
    return {
      admitted: false,
      reason: `the trust policy does not compile: ${e instanceof Error ? e.message : String(e)}`,
    }
  }
  const request = {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: q.roleArn,
    principal: { type: 'Federated' as const, id: q.providerArn },
    context: Object.fromEntries(
      Object.entries(q.context).map(([k, v]) => [k, { type: 'string' as const, values: [v] }]),
    ),
  }
  if (evaluate(request, { resource: compiled }).decision === 'allowed')
    return { admitted: true, reason: '' }
  const why = explain(request, { resource: compiled })
  const lines = why.layers.flatMap((l) =>
    l.statements.map((st) =>
      st.matched
        ? `${describeStatement(st.statement)} ${st.effect}: matched`
        : `${describeStatement(st.statement)}: ${st.reason === undefined ? 'no match' : describeReason(st.reason)}`,
    ),
  )
  return { admitted: false, reason: lines.length === 0 ? 'no statement' : lines.join(' | ') }
}
